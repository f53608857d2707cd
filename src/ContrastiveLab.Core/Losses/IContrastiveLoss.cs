namespace ContrastiveLab.Core.Losses;

/// <summary>A stateless contrastive objective over L2-normalised features.</summary>
public interface IContrastiveLoss
{
    /// <summary>Registry name, as used by configs and the CLI (e.g. <c>contrastive</c>, <c>hard</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Mean loss over the anchors, a scalar tensor connected to the autograd graph of the inputs.
    /// </summary>
    /// <param name="anchors">(B, D) anchor features f(x_i), on the unit sphere.</param>
    /// <param name="positives">(B, D) positive features g(x_i), on the unit sphere; s_ii = anchors[i]·positives[i].</param>
    /// <param name="negatives">Where the negatives come from: in-batch or a shared (M, D) set.</param>
    /// <exception cref="ArgumentException">Shapes disagree, or the negatives are too few for the loss's settings.</exception>
    Tensor Forward(Tensor anchors, Tensor positives, Negatives negatives);
}
