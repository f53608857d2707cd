using static TorchSharp.torch;

namespace ContrastiveLab.Core.Analysis;

/// <summary>Computes <see cref="EmbeddingAnalysis"/> for embeddings from any framework, chunked so N = 100,000 fits in memory.</summary>
public static class EmbeddingAnalyzer
{
    /// <summary>
    /// Analyses a set of embeddings.
    /// </summary>
    /// <param name="embeddings">(N, D) float32 or float64, need not be normalised; N ≥ 2; no zero rows.</param>
    /// <param name="labels">Optional (N,) int64 class labels.</param>
    /// <param name="positives">Optional (N, D) positives p_i; when given s_ij = z_iᵀp_j, otherwise s_ij = z_iᵀz_j.</param>
    /// <param name="taus">Temperatures, each &gt; 0.</param>
    /// <param name="hardK">K for the hard loss; null means min(4095, N − 1).</param>
    /// <exception cref="ArgumentException">Shapes, values or options are invalid; the message names which.</exception>
    public static EmbeddingAnalysis Analyze(Tensor embeddings, Tensor? labels, Tensor? positives, IReadOnlyList<double> taus, int? hardK = null)
        => throw new NotImplementedException();
}
