using System.Globalization;

namespace ContrastiveLab.Reports;

/// <summary>A quantity estimated from the runs, with its standard error and a two-sided 95 % Student-t interval.</summary>
/// <param name="Value">The estimate.</param>
/// <param name="StandardError">Its standard error.</param>
/// <param name="DegreesOfFreedom">Degrees of freedom of the variance estimate; infinity for a binomial (known-variance) model.</param>
/// <param name="Noise">Which noise the interval covers, in words.</param>
public sealed record Estimate(double Value, double StandardError, double DegreesOfFreedom, string Noise)
{
    /// <summary>
    /// From how many cells the quantity's cell was picked as the one with the highest mean (1: named in advance). Picking
    /// the best of k makes its difference from another cell look larger than it is, so with k &gt; 1 the interval is
    /// Bonferroni-widened to cover 1 − 0.05/k: the chance that any of the k candidates' intervals misses is then at
    /// most 5 %, whichever was picked.
    /// </summary>
    public int ChosenFrom { get; init; } = 1;

    /// <summary>Lower end of the 95 % interval.</summary>
    public double Low => Value - HalfWidthFactor * StandardError;

    /// <summary>Upper end of the 95 % interval.</summary>
    public double High => Value + HalfWidthFactor * StandardError;

    private double HalfWidthFactor => ChosenFrom <= 1
        ? SeedStatistics.TQuantile975(DegreesOfFreedom)
        : SeedStatistics.TwoSidedT(1 - 0.05 / ChosenFrom, DegreesOfFreedom);
}

/// <summary>
/// The noise of one metric across a set of cells (loss × τ): the seed-to-seed variance pooled over every cell with
/// two or more runs, or, when no cell has two runs, the binomial variance over test images for accuracies (a lower
/// bound on the real noise, said so in <see cref="Description"/>). Null from <see cref="For"/> when neither exists.
/// </summary>
public sealed class NoiseModel
{
    private readonly Func<SweepPoint, double> _oneRunVariance;

    private NoiseModel(Func<SweepPoint, double> oneRunVariance, double dof, string description)
    {
        _oneRunVariance = oneRunVariance;
        DegreesOfFreedom = dof;
        Description = description;
    }

    /// <summary>Degrees of freedom of the variance (infinity for the binomial model).</summary>
    public double DegreesOfFreedom { get; }

    /// <summary>What the interval covers, for the report's text.</summary>
    public string Description { get; }

    /// <summary>True when the variance comes from repeated seeds.</summary>
    public bool FromSeeds => !double.IsPositiveInfinity(DegreesOfFreedom);

    /// <summary>The noise model of <paramref name="metric"/> over <paramref name="cells"/>, or null when it cannot be estimated.</summary>
    public static NoiseModel? For(IEnumerable<SweepPoint> cells, string metric)
    {
        var withValues = cells.Where(c => c.Values(metric) is { Count: > 0 }).ToArray();
        var repeated = withValues.Select(c => c.Values(metric)!).Where(v => v.Count >= 2).ToArray();
        if (repeated.Length > 0)
        {
            int dof = repeated.Sum(v => v.Count - 1);
            double variance = repeated.Sum(SeedStatistics.SumOfSquares) / dof;
            return new NoiseModel(_ => variance, dof,
                $"seed-to-seed variance pooled over {repeated.Length} loss/τ cell{(repeated.Length == 1 ? "" : "s")} with repeated seeds ({dof} degrees of freedom, SD {SeedStatistics.Format(metric, Math.Sqrt(variance))})");
        }
        if (!SweepPoint.ProportionKeys.Contains(metric) || withValues.Length == 0)
        {
            return null;
        }
        return new NoiseModel(c => BinomialVariance(c, metric), double.PositiveInfinity,
            "one seed per cell, so only the binomial noise of the test images: seed-to-seed noise is not measured and the interval is too narrow; run two or more seeds");
    }

    /// <summary>The estimate Σ wᵢ·mean(cellᵢ) with its standard error under this model.</summary>
    public Estimate Contrast(string metric, params (double Weight, SweepPoint Cell)[] terms)
    {
        double value = 0, variance = 0;
        foreach (var (w, cell) in terms)
        {
            value += w * cell.Mean(metric)!.Value;
            variance += w * w * _oneRunVariance(cell) / cell.Runs;
        }
        return new Estimate(value, Math.Sqrt(variance), DegreesOfFreedom, Description);
    }

    private static double BinomialVariance(SweepPoint c, string metric)
    {
        double n = Math.Max(1, c.TestImages);
        static double Bin(double p, double n) => Math.Clamp(p, 0, 1) * (1 - Math.Clamp(p, 0, 1)) / n;
        return metric == SweepPoint.KnnGainKey
            ? Bin(c.Mean(SweepPoint.KnnKey)!.Value, n) + Bin(c.Mean(SweepPoint.UntrainedKnnKey)!.Value, n)
            : Bin(c.Mean(metric)!.Value, n);
    }
}

/// <summary>Small statistics used by the claims and Table 1.</summary>
public static class SeedStatistics
{
    // The 0.975 quantile of Student's t for 1…30 degrees of freedom.
    private static readonly double[] T975 =
    [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
        2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
        2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];

    /// <summary>The 0.975 quantile of Student's t with <paramref name="dof"/> degrees of freedom (the normal 1.96 at infinity).</summary>
    public static double TQuantile975(double dof)
    {
        if (double.IsNaN(dof) || dof < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dof), dof, "degrees of freedom must be at least 1");
        }
        if (dof <= 30 && Math.Abs(dof - Math.Round(dof)) < 1e-9)
        {
            return T975[(int)Math.Round(dof) - 1];
        }
        // Cornish–Fisher expansion about the normal quantile; within 1e-4 of the exact value from 30 degrees of freedom up.
        const double z = 1.959963984540054;
        double v = dof, z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
    }

    /// <summary>
    /// The t with P(|T| ≤ t) = <paramref name="coverage"/> for Student's t with <paramref name="dof"/> degrees of freedom
    /// (a whole number; the normal at infinity). Found by bisection on the exact distribution function.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Coverage outside (0, 1 − 1e-9]; degrees of freedom not a whole number ≥ 1 or infinity.</exception>
    public static double TwoSidedT(double coverage, double dof)
    {
        if (!(coverage > 0 && coverage <= 1 - 1e-9))
        {
            throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "coverage must be in (0, 1 - 1e-9]");
        }
        if (!double.IsPositiveInfinity(dof) && !(dof >= 1 && dof <= 1e6 && dof == Math.Floor(dof)))
        {
            throw new ArgumentOutOfRangeException(nameof(dof), dof, "degrees of freedom must be a whole number from 1 to 1e6, or infinity");
        }
        double low = 0, high = 1;
        while (CentralT(high, dof) < coverage)
        {
            low = high;
            high *= 2;
        }
        for (int i = 0; i < 200 && high - low > 1e-13 * high; i++)
        {
            double mid = 0.5 * (low + high);
            if (CentralT(mid, dof) < coverage)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }
        return 0.5 * (low + high);
    }

    /// <summary>
    /// P(|T| ≤ t), t ≥ 0, for Student's t with whole <paramref name="dof"/>: the closed forms in θ = atan(t/√ν)
    /// (Abramowitz and Stegun 26.7.3 and 26.7.4, a finite sum of powers of cos θ); erf(t/√2) for infinite ν.
    /// </summary>
    internal static double CentralT(double t, double dof)
    {
        if (double.IsPositiveInfinity(dof))
        {
            return Erf(t / Math.Sqrt(2));
        }
        long v = (long)dof;
        double theta = Math.Atan(t / Math.Sqrt(v));
        double cos = Math.Cos(theta), cos2 = cos * cos, sin = Math.Sin(theta);
        // ν odd: (2/π)(θ + sin θ cos θ Σ); ν even: sin θ Σ. Σ's terms grow by (k − 1)/k · cos²θ.
        double term = 1, sum = 1;
        for (long k = v % 2 == 1 ? 3 : 2; k <= v - 2; k += 2)
        {
            term *= (k - 1.0) / k * cos2;
            sum += term;
            if (term < 1e-17 * sum)
            {
                break;
            }
        }
        double p = v % 2 == 1
            ? v == 1 ? 2 * theta / Math.PI : 2 / Math.PI * (theta + sin * cos * sum)
            : sin * sum;
        return Math.Clamp(p, 0, 1);
    }

    /// <summary>erf(x) by its Maclaurin series (rounding error below 1e-10 for |x| ≤ 3.5, below 1e-7 up to 5; ±1 beyond, where 1 − |erf| &lt; 2e-12).</summary>
    internal static double Erf(double x)
    {
        if (Math.Abs(x) > 5)
        {
            return Math.Sign(x);
        }
        // erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
        double power = x, sum = x;
        for (int n = 1; n < 200; n++)
        {
            power *= -x * x / n;
            double term = power / (2 * n + 1);
            sum += term;
            if (Math.Abs(term) < 1e-17 * Math.Abs(sum))
            {
                break;
            }
        }
        return Math.Clamp(2 / Math.Sqrt(Math.PI) * sum, -1, 1);
    }

    /// <summary>Σ (x − mean)².</summary>
    public static double SumOfSquares(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return values.Sum(x => (x - mean) * (x - mean));
    }

    /// <summary>Wilson score interval (95 %) of a proportion measured on <paramref name="n"/> items.</summary>
    public static (double Low, double High) Wilson(double p, int n)
    {
        const double z = 1.959963984540054;
        double denominator = 1 + z * z / n;
        double centre = (p + z * z / (2.0 * n)) / denominator;
        double half = z * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>A metric's value for the report: proportions as percentages, others with three decimals.</summary>
    internal static string Format(string metric, double value) => SweepPoint.ProportionKeys.Contains(metric)
        ? (100 * value).ToString("0.00", CultureInfo.InvariantCulture) + " points"
        : value.ToString("0.000", CultureInfo.InvariantCulture);
}
