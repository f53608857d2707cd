namespace ContrastiveLab.Core.Losses;

/// <summary>Maps the names that configs and the CLI use to loss instances.</summary>
public static class LossRegistry
{
    /// <summary>Eq. 1, <see cref="ContrastiveLoss"/>.</summary>
    public const string Contrastive = "contrastive";

    /// <summary>Eq. 3, <see cref="SimpleContrastiveLoss"/>.</summary>
    public const string Simple = "simple";

    /// <summary>Eq. 9, <see cref="HardContrastiveLoss"/>.</summary>
    public const string Hard = "hard";

    /// <summary><see cref="HardSimpleLoss"/>.</summary>
    public const string HardSimple = "hard-simple";

    /// <summary>Eq. 6, <see cref="SingleLoss"/>.</summary>
    public const string Single = "single";

    /// <summary>Every registered name.</summary>
    public static IReadOnlyList<string> Names { get; } = [Contrastive, Simple, Hard, HardSimple, Single];

    /// <summary>Builds the loss that <paramref name="options"/> names.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static IContrastiveLoss Create(LossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Name switch
        {
            Contrastive => new ContrastiveLoss(options.Tau),
            Simple => new SimpleContrastiveLoss(options.Lambda, options.AuthorsVariant),
            Hard => new HardContrastiveLoss(options.Tau, options.HardK, options.HardAlpha),
            HardSimple => new HardSimpleLoss(options.HardK, options.HardAlpha, options.AuthorsVariant),
            Single => new SingleLoss(),
            _ => throw new ArgumentException($"Unknown loss '{options.Name}'.", nameof(options)),
        };
    }

    /// <summary>The registered spelling of <paramref name="name"/> (case-insensitive, surrounding spaces ignored).</summary>
    /// <exception cref="ArgumentException">Not a registered name; the message lists the allowed names and the nearest one.</exception>
    internal static string CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        if (Names.Contains(key))
        {
            return key;
        }

        string nearest = Names.MinBy(n => EditDistance(key, n))!;
        string hint = EditDistance(key, nearest) <= 3 ? $" Did you mean '{nearest}'?" : string.Empty;
        throw new ArgumentException($"Unknown loss name '{name}'; allowed: {string.Join(", ", Names)}.{hint}", nameof(name));
    }

    /// <summary>Levenshtein distance between two short strings.</summary>
    internal static int EditDistance(string a, string b)
    {
        int[] previous = Enumerable.Range(0, b.Length + 1).ToArray();
        int[] current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
