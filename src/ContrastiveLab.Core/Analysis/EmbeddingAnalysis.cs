namespace ContrastiveLab.Core.Analysis;

/// <summary>
/// The numbers <c>contrastive analyze</c> reports for one set of embeddings. Natural logarithms; rows are
/// L2-normalised before anything is computed. Null where the input needed for a number was not given.
/// </summary>
/// <param name="N">Number of rows.</param>
/// <param name="Dim">Embedding dimension.</param>
/// <param name="Uniformity">log(mean over pairs i&lt;j of exp(−2‖z_i − z_j‖²)), Wang and Isola's sign (≤ 0).</param>
/// <param name="Tolerance">Mean over anchors with another same-label row of the mean similarity to those rows; null without labels.</param>
/// <param name="Alignment">mean_i ‖z_i − p_i‖²; null without positives.</param>
/// <param name="LossSimple">mean_i [−s_ii + λ Σ_{j≠i} s_ij], λ = 1/(N−1); null without positives.</param>
/// <param name="PerTau">One entry per requested temperature, in the order requested.</param>
public sealed record EmbeddingAnalysis(
    long N,
    long Dim,
    double Uniformity,
    double? Tolerance,
    double? Alignment,
    double? LossSimple,
    IReadOnlyList<TemperatureAnalysis> PerTau);
