namespace ContrastiveLab.Core.Losses;

/// <summary>
/// The shape every loss of docs/paper.md shares: the mean over the B anchors of a per-anchor term computed from the
/// anchors, their positives and one validated set of negatives. <see cref="Forward"/> checks the inputs
/// (<see cref="NegativeSet.Resolve"/>), asks the loss for its (B,) terms and averages them; every tensor made on the
/// way is freed when it returns. The losses of this library derive from it; other implementations of
/// <see cref="IContrastiveLoss"/> need not.
/// </summary>
public abstract class AnchorMeanLoss : IContrastiveLoss
{
    /// <param name="name">Registry name (<see cref="LossRegistry"/>).</param>
    private protected AnchorMeanLoss(string name)
    {
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Dense/chunked switch of the losses that scan the negatives; tests force small chunks.</summary>
    internal ChunkPolicy Chunking { get; init; } = ChunkPolicy.Default;

    /// <inheritdoc />
    /// <param name="anchors">(B, D) float32 or float64 anchors, on the unit sphere.</param>
    /// <param name="positives">(B, D) positives, same dtype; s_ii = anchors_i · positives_i.</param>
    /// <param name="negatives">In-batch (B − 1 negatives, B ≥ 2) or a shared (M, D) bank with optional (B,) exclusion index.</param>
    /// <exception cref="ArgumentException">Shapes, dtypes or the exclusion index are invalid, or the negatives are too
    /// few for the loss's settings (a fixed K above the negatives per anchor).</exception>
    public Tensor Forward(Tensor anchors, Tensor positives, Negatives negatives)
    {
        using var scope = NewDisposeScope();
        NegativeSet set = NegativeSet.Resolve(anchors, positives, negatives);
        return Terms(anchors, positives, set).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The (B,) per-anchor terms whose mean is the loss; runs inside <see cref="Forward"/>'s dispose scope.</summary>
    private protected abstract Tensor Terms(Tensor anchors, Tensor positives, NegativeSet set);
}
