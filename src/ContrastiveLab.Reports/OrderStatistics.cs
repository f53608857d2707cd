namespace ContrastiveLab.Reports;

/// <summary>
/// A run's <c>order_statistics.csv</c>: for each diagnostic anchor at the end of training, the similarity to its
/// positive and to its 1st…10th nearest negatives (the data of the paper's Fig. 8).
/// </summary>
/// <param name="Columns">Column names: pos, neg1, …, neg10.</param>
/// <param name="Rows">One array per anchor, aligned with <paramref name="Columns"/>.</param>
public sealed record OrderStatistics(IReadOnlyList<string> Columns, IReadOnlyList<double[]> Rows)
{
    /// <summary>All anchors' values of one column.</summary>
    public double[] Column(int index) => Rows.Select(r => r[index]).ToArray();
}
