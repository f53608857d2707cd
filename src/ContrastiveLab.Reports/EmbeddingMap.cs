namespace ContrastiveLab.Reports;

/// <summary>A 2-D map of one run's test embeddings (Fig. 2), projected by the caller.</summary>
/// <param name="RunName">The run it comes from.</param>
/// <param name="Tau">The run's τ.</param>
/// <param name="Method">How the points were projected, e.g. "PCA (top two principal components)".</param>
/// <param name="X">First coordinate of each point.</param>
/// <param name="Y">Second coordinate of each point.</param>
/// <param name="Labels">Class label of each point.</param>
public sealed record EmbeddingMap(string RunName, double Tau, string Method, double[] X, double[] Y, long[] Labels)
{
    /// <summary>Class names by label for the legend; "class k" is shown for a label without one.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>The legend text of <paramref name="label"/>.</summary>
    public string ClassName(long label) => label >= 0 && label < ClassNames.Count ? ClassNames[(int)label] : $"class {label}";
}
