namespace ContrastiveLab.Augmentation;

/// <summary>
/// One batch of augmented views. <see cref="Views"/>[v] holds view v of every image as (B, C, S, S) float32 in
/// row-major order; <see cref="Indices"/> are the images' positions in the split (the memory bank's rows).
/// </summary>
public sealed record AugmentedBatch(float[][] Views, long[] Indices, long[] Labels, int Channels, int Size)
{
    /// <summary>Number of images B in the batch.</summary>
    public int Count => Indices.Length;
}
