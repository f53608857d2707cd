using System.Diagnostics;
using ContrastiveLab.Augmentation;
using ContrastiveLab.Data;
using ContrastiveLab.Runtime;

namespace ContrastiveLab.Bench;

/// <summary>
/// Resident memory while an image folder streams: a generated folder of 20,000 ImageNet-sized JPEGs in 100 class
/// folders (made here, removed after; 11 GB decoded) is indexed, then one epoch of batches of 256 augmented 224×224
/// views is made from it on every core, once with one view an image (variant "1 view": memory bank, queue) and once
/// with two ("2 views": in-batch), the process's resident memory sampled every second. Flat after warm-up means
/// memory does not grow with the folder: <c>baseline_rss_mb</c> is the largest sample of the epoch's first tenth,
/// <c>peak_rss_mb</c> the largest of all; the note lists every sample, the first taken before the loader started.
/// </summary>
public sealed class StreamFolderWorkload() : BenchWorkload("stream-folder",
    "20,000-JPEG folder, one epoch of batch-256 224x224 views (1 and 2 views an image) on every core: images_per_s, baseline_rss_mb (first tenth), peak_rss_mb")
{
    protected override IReadOnlyList<BenchResult> Measure(BenchSettings settings)
    {
        int images = settings.Smoke ? 40 : 20_000, classes = settings.Smoke ? 4 : 100, batch = settings.Smoke ? 8 : 256;
        string root = Directory.CreateTempSubdirectory("contrastivelab-stream-").FullName;
        try
        {
            for (int c = 0; c < classes; c++)
            {
                DecodeImageNetWorkload.Generate(Directory.CreateDirectory(Path.Combine(root, c.ToString("D3", CultureInfo.InvariantCulture))).FullName, images / classes, seed: c + 1);
            }
            var split = FolderDatasetReader.ReadFolder(root)["train"];
            return [Epoch(split, batch, views: 1, images), Epoch(split, batch, views: 2, images)];
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // One epoch of the loader over the split with 1 view an image (memory bank, queue) or 2 (in-batch), its resident
    // memory sampled every second from a collected heap.
    private BenchResult Epoch(ImageSplit split, int batch, int views, int images)
    {
        // Start from what the process retains, not from the garbage of generating and indexing the folder.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        MallocTuning.ReleaseFreeMemory();
        var loader = new AugmentedLoader(new ImageSplitSource(split), new AugmentationPipeline(DecodeImageNetWorkload.Preset), batch, views, seed: 1,
            shuffle: true, dropLast: true, workers: Environment.ProcessorCount);
        var samples = new List<(double Seconds, double Mb)>();
        var watch = Stopwatch.StartNew();
        using (new Timer(_ =>
        {
            lock (samples)
            {
                samples.Add((watch.Elapsed.TotalSeconds, ProcessMemory.ResidentMb()));
            }
        }, null, TimeSpan.Zero, TimeSpan.FromSeconds(1)))
        {
            int made = 0;
            foreach (var b in loader.Epoch(1))
            {
                made += b.Count;
                b.Dispose();
            }
            double seconds = watch.Elapsed.TotalSeconds;
            lock (samples)
            {
                samples.Add((seconds, ProcessMemory.ResidentMb()));
                double tenth = seconds / 10;
                var figures = new Dictionary<string, double>
                {
                    ["images_per_s"] = made / seconds,
                    ["baseline_rss_mb"] = samples.Where(s => s.Seconds <= tenth).Select(s => s.Mb).DefaultIfEmpty(samples[0].Mb).Max(),
                    ["peak_rss_mb"] = samples.Max(s => s.Mb),
                };
                string trace = string.Join(' ', samples.Select(s => s.Mb.ToString("F0", CultureInfo.InvariantCulture)));
                return new BenchResult(Name, views == 1 ? "1 view" : "2 views", figures,
                    $"{images} images, {split.Count} indexed, {Environment.ProcessorCount} workers, {loader.Prefetch} prefetched; resident MB each second: {trace}");
            }
        }
    }
}
