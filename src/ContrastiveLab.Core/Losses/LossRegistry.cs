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

        string hint = Spelling.Suggest(key, Names) is { } nearest ? $" Did you mean '{nearest}'?" : string.Empty;
        throw new ArgumentException($"Unknown loss name '{name}'; allowed: {string.Join(", ", Names)}.{hint}", nameof(name));
    }
}
