namespace ContrastiveLab.Reports;

/// <summary>One line of Fig. 3, computed by the caller (the CLI uses <c>RelativePenalty.Curves</c>).</summary>
/// <param name="Tau">τ.</param>
/// <param name="Similarity">Negatives' similarities s in [−1, 1], ascending.</param>
/// <param name="Penalty">r(s) for each similarity; sums to 1.</param>
public sealed record PenaltyCurveSeries(double Tau, double[] Similarity, double[] Penalty)
{
    /// <summary>Shannon entropy (nats) of the penalty distribution.</summary>
    public double Entropy => -Penalty.Where(r => r > 0).Sum(r => r * Math.Log(r));
}
