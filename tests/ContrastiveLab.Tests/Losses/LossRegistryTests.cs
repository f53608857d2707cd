using ContrastiveLab.Core.Losses;

namespace ContrastiveLab.Tests.Losses;

public class LossRegistryTests
{
    [Theory]
    [InlineData("contrastive", typeof(ContrastiveLoss))]
    [InlineData("simple", typeof(SimpleContrastiveLoss))]
    [InlineData("hard", typeof(HardContrastiveLoss))]
    [InlineData("hard-simple", typeof(HardSimpleLoss))]
    [InlineData("single", typeof(SingleLoss))]
    [InlineData(" Hard ", typeof(HardContrastiveLoss))]
    public void Create_maps_each_name_to_its_loss(string name, Type expected)
    {
        bool hard = name.Trim().StartsWith("hard", StringComparison.OrdinalIgnoreCase);
        IContrastiveLoss loss = LossRegistry.Create(new LossOptions(name, tau: 0.3, hardK: hard ? 7 : null));
        Assert.IsType(expected, loss);
        Assert.Equal(name.Trim().ToLowerInvariant(), loss.Name);
    }

    [Fact]
    public void Options_reach_the_loss()
    {
        var hard = Assert.IsType<HardContrastiveLoss>(LossRegistry.Create(new LossOptions("hard", tau: 0.7, hardAlpha: 0.034)));
        Assert.Equal((0.7, null, 0.034), (hard.Tau, hard.K, hard.Alpha));
        var simple = Assert.IsType<SimpleContrastiveLoss>(LossRegistry.Create(new LossOptions("simple", authorsVariant: true)));
        Assert.True(simple.AuthorsVariant);
        var hardSimple = Assert.IsType<HardSimpleLoss>(LossRegistry.Create(new LossOptions("hard-simple", hardK: 4095, authorsVariant: true)));
        Assert.Equal((4095, true), (hardSimple.K!.Value, hardSimple.AuthorsVariant));
    }

    [Fact]
    public void Unknown_name_lists_the_allowed_names_and_suggests_the_nearest()
    {
        var error = Assert.Throws<ArgumentException>(() => new LossOptions("hardd", hardK: 3));
        Assert.Equal("name", error.ParamName);
        foreach (string name in LossRegistry.Names)
        {
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }

        Assert.Contains("Did you mean 'hard'?", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Did you mean", Assert.Throws<ArgumentException>(() => new LossOptions("barlow-twins")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("contrastive", 5, null, null, false, "hardK")]
    [InlineData("simple", null, 0.1, null, false, "hardK")]
    [InlineData("hard", 3, null, 0.5, false, "lambda")]
    [InlineData("contrastive", null, null, null, true, "authorsVariant")]
    [InlineData("hard", null, null, null, false, "k")]
    [InlineData("simple", null, null, 0.5, true, "lambda")]
    public void Settings_that_do_not_apply_or_conflict_are_rejected(string name, int? k, double? alpha, double? lambda, bool authors, string parameter)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new LossOptions(name, 0.2, k, alpha, lambda, authors));
        Assert.Equal(parameter, error.ParamName);
    }

    [Theory]
    [InlineData("hard", "hard", 0)]
    [InlineData("hardd", "hard", 1)]
    [InlineData("simpel", "simple", 2)]
    [InlineData("", "single", 6)]
    public void Edit_distance_counts_insertions_deletions_and_substitutions(string a, string b, int expected) =>
        Assert.Equal(expected, ContrastiveLab.Core.Spelling.Distance(a, b));
}
