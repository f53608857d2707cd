namespace ContrastiveLab.Core.Metrics;

/// <summary>
/// The data of the paper's Fig. 8: per anchor, its positive similarity and its 1st … R-th nearest negative similarities.
/// </summary>
/// <param name="Values">(B, 1 + R): column 0 the positive similarity s_ii, column k the k-th largest negative similarity.</param>
/// <param name="Summaries">One summary per column, in column order.</param>
public sealed record OrderStatisticsTable(double[,] Values, IReadOnlyList<RankSummary> Summaries);
