using System.Globalization;

namespace ContrastiveLab;

/// <summary>The option checks every validated record shares, so each message reads the same: name, value, what is allowed.</summary>
internal static class OptionChecks
{
    /// <exception cref="ArgumentException"><paramref name="value"/> is not one of <paramref name="allowed"/>.</exception>
    public static void OneOf(string name, string? value, IReadOnlyList<string> allowed)
    {
        if (value is null || !allowed.Contains(value))
        {
            string? guess = value is null ? null : Suggest(value, allowed);
            throw new ArgumentException($"{name} = '{value}' is not known{(guess is null ? "" : $" (did you mean '{guess}'?)")}; allowed: {string.Join(", ", allowed)}", name);
        }
    }

    /// <exception cref="ArgumentException"><paramref name="value"/> is NaN or outside [<paramref name="lo"/>, <paramref name="hi"/>].</exception>
    public static void Range(string name, double value, double lo, double hi)
    {
        if (double.IsNaN(value) || value < lo || value > hi)
        {
            throw new ArgumentException($"{name} = {value.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: {lo.ToString(CultureInfo.InvariantCulture)} to {hi.ToString(CultureInfo.InvariantCulture)}", name);
        }
    }

    /// <exception cref="ArgumentException"><paramref name="value"/> is outside [<paramref name="lo"/>, <paramref name="hi"/>].</exception>
    public static void Range(string name, long value, long lo, long hi)
    {
        if (value < lo || value > hi)
        {
            throw new ArgumentException($"{name} = {value.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: {lo.ToString(CultureInfo.InvariantCulture)} to {hi.ToString(CultureInfo.InvariantCulture)}", name);
        }
    }

    /// <exception cref="ArgumentException"><paramref name="value"/> is empty or holds a control character (a path, when given, must be a usable one).</exception>
    public static void PathText(string name, string? value)
    {
        if (value is null)
        {
            return;
        }
        if (value.Trim().Length == 0 || value.Any(char.IsControl))
        {
            string shown = string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
            throw new ArgumentException($"{name} = '{shown}' is not a usable path; allowed: a non-empty path without control characters, or leave {name} out", name);
        }
    }

    /// <summary>The allowed word closest to <paramref name="word"/> by edit distance, if it is close.</summary>
    public static string? Suggest(string word, IEnumerable<string> allowed)
    {
        // A word that begins a longer name ("resnet18" of "resnet18-cifar") means that name before any close spelling.
        if (word.Length >= 3 && allowed.Where(a => a.Length > word.Length && a.StartsWith(word, StringComparison.Ordinal)).MinBy(a => a.Length) is { } longer)
        {
            return longer;
        }
        int limit = Math.Max(2, word.Length / 3);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in allowed)
        {
            // The distance is at least the difference in length: skip the table for words that cannot be close.
            if (Math.Abs(candidate.Length - word.Length) > limit)
            {
                continue;
            }
            int d = Distance(word, candidate);
            if (d < bestDistance)
            {
                (best, bestDistance) = (candidate, d);
            }
        }
        return bestDistance <= limit ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
