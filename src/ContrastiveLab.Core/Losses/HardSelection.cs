namespace ContrastiveLab.Core.Losses;

/// <summary>
/// How many hardest negatives a hard loss keeps: a fixed count K, or the upper-α quantile with
/// K = max(1, round(α·n)) for n negatives (midpoint rounded away from zero). Exactly one of the two is set.
/// </summary>
internal readonly record struct HardSelection
{
    /// <exception cref="ArgumentException">Both or neither of <paramref name="k"/> and <paramref name="alpha"/> are given.</exception>
    /// <exception cref="ArgumentOutOfRangeException">K &lt; 1, or α outside (0, 1].</exception>
    public HardSelection(int? k, double? alpha)
    {
        if (k.HasValue == alpha.HasValue)
        {
            throw new ArgumentException(
                $"Give exactly one of k (a count of hardest negatives, ≥ 1) and alpha (a fraction in (0, 1]); got k = {Show(k)}, alpha = {Show(alpha)}.",
                nameof(k));
        }

        if (k is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k, the number of hardest negatives, must be ≥ 1; got {k}.");
        }

        if (alpha is { } a && !(a > 0 && a <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"alpha, the hardest fraction of the negatives, must lie in (0, 1]; got {a}.");
        }

        K = k;
        Alpha = alpha;
    }

    /// <summary>Fixed count, or null.</summary>
    public int? K { get; }

    /// <summary>Quantile fraction, or null.</summary>
    public double? Alpha { get; }

    /// <summary>The K to use against <paramref name="negativeCount"/> negatives.</summary>
    /// <exception cref="ArgumentException">A fixed K exceeds the negatives available.</exception>
    public int Resolve(long negativeCount)
    {
        if (Alpha is { } alpha)
        {
            return (int)Math.Max(1, Math.Round(alpha * negativeCount, MidpointRounding.AwayFromZero));
        }

        int k = K!.Value;
        if (k > negativeCount)
        {
            throw new ArgumentException(
                $"k = {k} hardest negatives were asked for but each anchor has only {negativeCount}; k must lie in [1, {negativeCount}].", "negatives");
        }

        return k;
    }

    /// <summary>"k = 4095" or "alpha = 0.08", for names and messages.</summary>
    public override string ToString() => K is { } k ? $"k = {k}" : $"alpha = {Alpha}";

    private static string Show<T>(T? value)
        where T : struct => value?.ToString() ?? "null";
}
