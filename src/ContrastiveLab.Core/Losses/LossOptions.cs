namespace ContrastiveLab.Core.Losses;

/// <summary>
/// Which loss to build and its hyper-parameters, as a config file or the CLI gives them; validated on construction
/// so that a bad value fails before training starts. <see cref="LossRegistry.Create"/> turns it into a loss.
/// </summary>
/// <remarks>
/// Which settings apply: <c>contrastive</c> uses <see cref="Tau"/>; <c>hard</c> uses Tau and one of
/// <see cref="HardK"/>/<see cref="HardAlpha"/>; <c>simple</c> uses <see cref="Lambda"/> and <see cref="AuthorsVariant"/>;
/// <c>hard-simple</c> uses HardK/HardAlpha and AuthorsVariant; <c>single</c> uses none. Tau is ignored by the
/// τ-free losses; any other setting given to a loss that does not use it is an error.
/// </remarks>
public sealed record LossOptions
{
    /// <param name="name">One of <see cref="LossRegistry.Names"/>, case-insensitive.</param>
    /// <param name="tau">Temperature τ &gt; 0, finite (default 0.2).</param>
    /// <param name="hardK">Number of hardest negatives, ≥ 1 (hard losses; give this or <paramref name="hardAlpha"/>).</param>
    /// <param name="hardAlpha">Hardest fraction in (0, 1] (hard losses; give this or <paramref name="hardK"/>).</param>
    /// <param name="lambda">Weight of the negative sum, &gt; 0 (simple loss; null means 1/number of negatives).</param>
    /// <param name="authorsVariant">Follow the authors' code instead of the paper (simple and hard-simple losses).</param>
    /// <exception cref="ArgumentException">Unknown name, a setting the loss does not use, or both/neither of hardK and hardAlpha for a hard loss.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value outside its range.</exception>
    public LossOptions(string name, double tau = 0.2, int? hardK = null, double? hardAlpha = null, double? lambda = null, bool authorsVariant = false)
    {
        Name = LossRegistry.CheckName(name);
        Tau = HyperParameters.Tau(tau);
        bool hard = Name is LossRegistry.Hard or LossRegistry.HardSimple;
        if (hard)
        {
            _ = new HardSelection(hardK, hardAlpha);
        }
        else
        {
            Reject(hardK is not null || hardAlpha is not null, $"hardK/hardAlpha (given {hardK?.ToString() ?? "null"}/{hardAlpha?.ToString() ?? "null"})", nameof(hardK));
        }

        if (lambda is { } l)
        {
            Reject(Name != LossRegistry.Simple, $"lambda (given {l})", nameof(lambda));
            HyperParameters.Lambda(l, nameof(lambda));
        }

        Reject(authorsVariant && Name is not (LossRegistry.Simple or LossRegistry.HardSimple), "authorsVariant (given true)", nameof(authorsVariant));
        if (authorsVariant && lambda is not null)
        {
            throw new ArgumentException("lambda cannot be combined with authorsVariant, whose weight is 1/N.", nameof(lambda));
        }

        HardK = hardK;
        HardAlpha = hardAlpha;
        Lambda = lambda;
        AuthorsVariant = authorsVariant;
    }

    /// <summary>Registry name, lower case.</summary>
    public string Name { get; }

    /// <summary>Temperature τ.</summary>
    public double Tau { get; }

    /// <summary>Number of hardest negatives, or null.</summary>
    public int? HardK { get; }

    /// <summary>Hardest fraction α, or null.</summary>
    public double? HardAlpha { get; }

    /// <summary>Weight λ of the simple loss's negative sum, or null for 1/(number of negatives).</summary>
    public double? Lambda { get; }

    /// <summary>Follow the authors' code rather than the paper where they differ.</summary>
    public bool AuthorsVariant { get; }

    private void Reject(bool given, string what, string parameter)
    {
        if (given)
        {
            throw new ArgumentException($"{what} does not apply to the '{Name}' loss; see LossOptions for which settings each loss uses.", parameter);
        }
    }
}
