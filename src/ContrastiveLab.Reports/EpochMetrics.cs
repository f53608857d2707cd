namespace ContrastiveLab.Reports;

/// <summary>One row of <c>metrics.csv</c>: epoch 0 is the untrained encoder.</summary>
/// <param name="Epoch">The epoch number.</param>
/// <param name="Values">The row's non-empty cells by column name (empty cells are left out).</param>
public sealed record EpochMetrics(int Epoch, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>A cell's value, or null when empty or absent.</summary>
    public double? Value(string name) => Values.TryGetValue(name, out var v) ? v : null;
}
