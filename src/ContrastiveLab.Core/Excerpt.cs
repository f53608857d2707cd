namespace ContrastiveLab.Core;

/// <summary>How a piece of user input (a key, a value, a file name) appears in a one-line error message.</summary>
public static class Excerpt
{
    /// <summary>
    /// <paramref name="text"/> on one line and at most <paramref name="max"/> characters: line breaks become spaces,
    /// other control characters '?', and a longer text is cut and ends in "...".
    /// </summary>
    public static string Of(string text, int max = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 4);
        string line = text.Length <= max ? text : text[..(max - 3)];
        line = string.Concat(line.ReplaceLineEndings(" ").Select(c => char.IsControl(c) ? '?' : c));
        return text.Length <= max ? line : line + "...";
    }
}
