using System.Collections.Concurrent;
using System.Threading.Channels;
using ContrastiveLab.Data;

namespace ContrastiveLab.Augmentation;

/// <summary>
/// Produces batches of per-image augmented views on background threads, a few batches ahead of the consumer.
/// </summary>
/// <remarks>
/// Every view draws from its own random stream keyed by (seed, epoch, image index, view), and the epoch's order
/// from a stream keyed by (seed, epoch), so a given seed yields the same batches whatever the number of workers.
/// </remarks>
public sealed class AugmentedLoader
{
    private readonly IImageSource _source;
    private readonly AugmentationPipeline _pipeline;
    // View buffers of full batches that consumers handed back (AugmentedBatch.Dispose), reused by the next batches.
    private readonly ConcurrentBag<float[]> _spare = [];

    /// <param name="source">The images.</param>
    /// <param name="pipeline">The augmentation applied to each view.</param>
    /// <param name="batchSize">Images per batch B ≥ 1.</param>
    /// <param name="views">Views per image: 1 (memory bank, queue) or 2 (in-batch).</param>
    /// <param name="seed">Seed of every random choice.</param>
    /// <param name="shuffle">Shuffle the order each epoch.</param>
    /// <param name="dropLast">Drop a last batch smaller than <paramref name="batchSize"/>.</param>
    /// <param name="workers">Threads that augment (≥ 1).</param>
    /// <param name="prefetch">Batches made ahead of the consumer (≥ 1), or 0 for <see cref="AutoPrefetch"/>.</param>
    public AugmentedLoader(IImageSource source, AugmentationPipeline pipeline, int batchSize, int views, long seed,
        bool shuffle = true, bool dropLast = false, int workers = 1, int prefetch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetch, 0);
        if (views is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(views), views, "views must be 1 or 2");
        }
        if (source.Count < 1)
        {
            throw new ArgumentException("the image source is empty", nameof(source));
        }
        _source = source;
        _pipeline = pipeline;
        BatchSize = batchSize;
        Views = views;
        Seed = seed;
        Shuffle = shuffle;
        DropLast = dropLast;
        Workers = workers;
        Prefetch = prefetch > 0 ? prefetch : AutoPrefetch(4L * batchSize * views * pipeline.ViewLength(source.Channels));
    }

    public int BatchSize { get; }

    public int Views { get; }

    public long Seed { get; }

    public bool Shuffle { get; }

    public bool DropLast { get; }

    public int Workers { get; }

    public int Prefetch { get; }

    /// <summary>
    /// Batches made ahead when not given: two, or one when a batch's views take 256 MB or more. Prefetched batches,
    /// the one being made and the consumer's are alive at once, so a batch of 256 ImageNet-sized views with two views
    /// an image (308 MB) keeps three alive (924 MB) rather than four; the training step of such a batch takes far
    /// longer than making the next, so one ahead is enough.
    /// </summary>
    public static int AutoPrefetch(long batchBytes) => batchBytes >= 256L << 20 ? 1 : 2;

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => DropLast ? _source.Count / BatchSize : (_source.Count + BatchSize - 1) / BatchSize;

    /// <summary>The image order of <paramref name="epoch"/>: a seeded Fisher–Yates shuffle, or 0…N−1.</summary>
    public int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, _source.Count).ToArray();
        if (Shuffle)
        {
            var rng = AugmentRandom.ForView(Seed, epoch, -1, -1);
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rng.NextInt(0, i);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return order;
    }

    /// <summary>Builds batch <paramref name="batch"/> of <paramref name="epoch"/> on the calling thread plus workers.</summary>
    public AugmentedBatch MakeBatch(int epoch, int batch, int[] order)
    {
        int start = batch * BatchSize;
        int count = Math.Min(BatchSize, order.Length - start);
        int c = _source.Channels;
        int size = _pipeline.Options.OutputSize;
        int viewLength = _pipeline.ViewLength(c);
        // Every element of a view buffer is written below, so a reused one needs no clearing.
        bool full = count == BatchSize;
        var views = new float[Views][];
        for (int v = 0; v < Views; v++)
        {
            views[v] = full && _spare.TryTake(out var spare) ? spare : new float[count * viewLength];
        }
        var indices = new long[count];
        var labels = new long[count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Workers };
        Parallel.For(0, count, options, k =>
        {
            int index = order[start + k];
            indices[k] = index;
            labels[k] = _source.Label(index);
            var (height, width) = _source.Size(index);
            // Each view's crop is chosen first; one decode of the region that holds them all serves every view.
            var rngs = new AugmentRandom[Views];
            var crops = new ImageRegion[Views];
            for (int v = 0; v < Views; v++)
            {
                rngs[v] = AugmentRandom.ForView(Seed, epoch, index, v);
                crops[v] = _pipeline.CropFor(height, width, ref rngs[v]);
            }
            _source.ReadRegion(index, Enclosing(crops), (pixels, held) =>
            {
                for (int v = 0; v < Views; v++)
                {
                    _pipeline.ApplyCropped(pixels, c, held, crops[v], views[v].AsSpan(k * viewLength, viewLength), ref rngs[v]);
                }
            });
        });
        return new AugmentedBatch(views, indices, labels, c, size) { Recycle = full ? Recycle : null };
    }

    // The smallest region that contains every crop.
    private static ImageRegion Enclosing(ImageRegion[] crops)
    {
        int top = crops.Min(r => r.Top), left = crops.Min(r => r.Left);
        int bottom = crops.Max(r => r.Top + r.Height), right = crops.Max(r => r.Left + r.Width);
        return new ImageRegion(top, left, bottom - top, right - left);
    }

    // Keeps a disposed full batch's view buffers for reuse, as many as the batches that can be alive at once
    // (the prefetched ones, the one being made and the consumer's); more are left to the collector.
    private void Recycle(float[][] views)
    {
        foreach (var view in views)
        {
            if (_spare.Count < (Prefetch + 2) * Views)
            {
                _spare.Add(view);
            }
        }
    }

    /// <summary>
    /// The batches of <paramref name="epoch"/>, starting at <paramref name="firstBatch"/> (for resuming mid-epoch),
    /// made ahead on a background task. Stops early when <paramref name="cancel"/> fires.
    /// </summary>
    public IEnumerable<AugmentedBatch> Epoch(int epoch, int firstBatch = 0, CancellationToken cancel = default)
    {
        int[] order = Order(epoch);
        int batches = BatchesPerEpoch;
        var channel = Channel.CreateBounded<AugmentedBatch>(new BoundedChannelOptions(Prefetch) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var producer = Task.Run(async () =>
        {
            try
            {
                for (int b = firstBatch; b < batches && !stop.IsCancellationRequested; b++)
                {
                    await channel.Writer.WriteAsync(MakeBatch(epoch, b, order), stop.Token).ConfigureAwait(false);
                }
                channel.Writer.TryComplete();
            }
            catch (OperationCanceledException)
            {
                channel.Writer.TryComplete();
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // A worker's own exception (an image that will not decode names its file), not Parallel.For's wrapper.
                channel.Writer.TryComplete(e.InnerExceptions[0]);
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            while (true)
            {
                AugmentedBatch? next;
                try
                {
                    if (!channel.Reader.WaitToReadAsync(cancel).AsTask().GetAwaiter().GetResult())
                    {
                        break;
                    }
                    if (!channel.Reader.TryRead(out next))
                    {
                        continue;
                    }
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                yield return next;
            }
        }
        finally
        {
            stop.Cancel();
            // Drain so the producer can finish, then observe it.
            while (channel.Reader.TryRead(out _))
            {
            }
            try
            {
                producer.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
            }
            // Between epochs nothing of the loader's stays alive (the trainer evaluates and trims memory there).
            _spare.Clear();
        }
    }
}
