namespace ContrastiveLab.Core.Metrics;

/// <summary>
/// Alignment (Wang and Isola, α = 2): mean_i ‖z_i − p_i‖² over anchors and their positives, after L2-normalising
/// every row; between 0 (identical) and 4 (opposite). Computed in float64.
/// </summary>
public static class Alignment
{
    /// <summary>Alignment of anchors with their positives.</summary>
    /// <param name="anchors">(N, D) anchors, need not be normalised; no zero rows.</param>
    /// <param name="positives">(N, D) positives, row i belonging to anchor i; need not be normalised; no zero rows.</param>
    /// <exception cref="ArgumentException">Shapes or values invalid.</exception>
    public static double Compute(Tensor anchors, Tensor positives)
    {
        using var scope = NewDisposeScope();
        var z = MetricInputs.UnitRowsFloat64(anchors, nameof(anchors));
        var p = MetricInputs.UnitRowsFloat64(positives, nameof(positives), z.shape[0], z.shape[1]);
        return z.sub(p).square().sum(1).mean().item<double>();
    }
}
