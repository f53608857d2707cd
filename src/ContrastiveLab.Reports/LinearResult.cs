namespace ContrastiveLab.Reports;

/// <summary>A run's <c>linear.json</c>, written by <c>contrastive eval linear</c>.</summary>
/// <param name="BestTop1">Best linear-probe test top-1 over the probe's epochs, in [0, 1].</param>
/// <param name="LastTop1">Top-1 after the probe's last epoch, in [0, 1].</param>
/// <param name="BestEpoch">The epoch of <paramref name="BestTop1"/>.</param>
public sealed record LinearResult(double BestTop1, double LastTop1, int BestEpoch);
