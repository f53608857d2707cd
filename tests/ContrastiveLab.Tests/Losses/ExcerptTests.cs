using ContrastiveLab.Core;

namespace ContrastiveLab.Tests.Losses;

/// <summary>User input quoted in a one-line error: kept when short and printable, else on one line and cut.</summary>
public sealed class ExcerptTests
{
    [Theory]
    [InlineData("tau", "tau")]
    [InlineData("a\nb\r\nc", "a b c")]
    [InlineData("../\u0007evil.jpg", "../?evil.jpg")]
    public void Short_text_is_kept_on_one_line_with_control_characters_shown_as_question_marks(string text, string shown)
    {
        Assert.Equal(shown, Excerpt.Of(text));
    }

    [Fact]
    public void Long_text_is_cut_to_the_limit_and_says_so()
    {
        string shown = Excerpt.Of(new string('k', 10_000) + "\n");
        Assert.Equal(60, shown.Length);
        Assert.EndsWith("...", shown, StringComparison.Ordinal);
        Assert.Equal(new string('k', 20) + "...", Excerpt.Of(new string('k', 30), max: 23));
    }
}
