namespace ContrastiveLab.Augmentation;

/// <summary>
/// One batch of augmented views. <see cref="Views"/>[v] holds view v of every image as (B, C, S, S) float32 in
/// row-major order; <see cref="Indices"/> are the images' positions in the split (the memory bank's rows).
/// </summary>
/// <remarks>
/// A consumer that has copied the views (into a tensor) disposes the batch: its loader then reuses the view buffers for
/// a later batch (at 224×224 and batch 256 each is 154 MB, which the collector would otherwise reclaim late, so that
/// resident memory climbed through an epoch). After <see cref="Dispose"/> the views must not be read. A batch that is
/// never disposed is simply collected.
/// </remarks>
public sealed record AugmentedBatch(float[][] Views, long[] Indices, long[] Labels, int Channels, int Size) : IDisposable
{
    private int _disposed;

    /// <summary>Number of images B in the batch.</summary>
    public int Count => Indices.Length;

    /// <summary>Where <see cref="Dispose"/> hands the view buffers back to (the loader that made them), or null.</summary>
    internal Action<float[][]>? Recycle { get; init; }

    /// <summary>Hands the view buffers back to the loader for reuse; the views must not be read afterwards.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Recycle?.Invoke(Views);
        }
    }
}
