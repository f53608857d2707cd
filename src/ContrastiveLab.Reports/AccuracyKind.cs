namespace ContrastiveLab.Reports;

/// <summary>Which accuracy a report compares runs by.</summary>
public enum AccuracyKind
{
    /// <summary>Best linear-probe top-1 from linear.json.</summary>
    Linear,

    /// <summary>Weighted-kNN top-1 after the last epoch (summary.json).</summary>
    Knn,
}
