namespace ContrastiveLab.Core.Metrics;

/// <summary>
/// The relative penalty distribution r_i (Eq. 5) summarised per anchor at one temperature.
/// </summary>
/// <param name="Tau">The temperature τ.</param>
/// <param name="TopK">k of <paramref name="TopKMass"/>.</param>
/// <param name="Entropy">Per anchor, H(r_i) = −Σ_j r_i(j) log r_i(j), natural log; between 0 and log(#negatives).</param>
/// <param name="EffectiveNegatives">Per anchor, exp(H(r_i)): the number of equally weighted negatives with the same entropy.</param>
/// <param name="TopKMass">Per anchor, Σ r_i(j) over its k most similar negatives.</param>
public sealed record PenaltyStatistics(double Tau, int TopK, double[] Entropy, double[] EffectiveNegatives, double[] TopKMass)
{
    /// <summary>Mean of <see cref="Entropy"/> over anchors.</summary>
    public double MeanEntropy => Entropy.Average();

    /// <summary>Mean of <see cref="EffectiveNegatives"/> over anchors.</summary>
    public double MeanEffectiveNegatives => EffectiveNegatives.Average();

    /// <summary>Mean of <see cref="TopKMass"/> over anchors.</summary>
    public double MeanTopKMass => TopKMass.Average();
}
