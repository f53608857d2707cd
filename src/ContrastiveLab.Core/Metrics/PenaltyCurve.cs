namespace ContrastiveLab.Core.Metrics;

/// <summary>
/// One line of the paper's Fig. 3: the relative penalty r(s) = exp(s/τ) / Σ_k exp(s_k/τ) of each negative
/// against its similarity s, for one τ.
/// </summary>
/// <param name="Tau">The temperature τ.</param>
/// <param name="Similarity">The negatives' similarities s_k in [−1, 1], ascending.</param>
/// <param name="Penalty">r(s_k) for each entry of <paramref name="Similarity"/>; sums to 1.</param>
public sealed record PenaltyCurve(double Tau, double[] Similarity, double[] Penalty);
