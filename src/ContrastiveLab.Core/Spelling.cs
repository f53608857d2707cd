namespace ContrastiveLab.Core;

/// <summary>
/// "Did you mean" for every name a user types: commands, options, config keys, choices and loss names, with one rule
/// for how close a guess must be.
/// </summary>
public static class Spelling
{
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

    /// <summary>Levenshtein distance: the fewest insertions, deletions and substitutions that turn a into b.</summary>
    public static int Distance(string a, string b)
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
