using System.Diagnostics;
using System.Globalization;
using ContrastiveLab.Augmentation;
using ContrastiveLab.Data;
using ContrastiveLab.Runtime;

namespace ContrastiveLab.Bench;

/// <summary>
/// Resident memory while an image folder streams: a generated folder of 20,000 ImageNet-sized JPEGs in 100 class
/// folders (made here, removed after; 11 GB decoded) is indexed, then one epoch of batches of 256 augmented 224×224
/// views is made from it on every core, the process's resident memory sampled every second. Flat after warm-up means
/// memory does not grow with the folder: <c>baseline_rss_mb</c> is the largest sample of the epoch's first tenth,
/// <c>peak_rss_mb</c> the largest of all.
/// </summary>
public sealed class StreamFolderWorkload : IBenchWorkload
{
    public string Name => "stream-folder";

    public string Description => "20,000-JPEG folder, one epoch of batch-256 224x224 views on every core: images_per_s, baseline_rss_mb (first tenth), peak_rss_mb";

    public IReadOnlyList<BenchResult> Run(BenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int images = settings.Smoke ? 40 : 20_000, classes = settings.Smoke ? 4 : 100, batch = settings.Smoke ? 8 : 256;
        string root = Directory.CreateTempSubdirectory("contrastivelab-stream-").FullName;
        try
        {
            for (int c = 0; c < classes; c++)
            {
                DecodeImageNetWorkload.Generate(Directory.CreateDirectory(Path.Combine(root, c.ToString("D3", CultureInfo.InvariantCulture))).FullName, images / classes, seed: c + 1);
            }
            var split = FolderDatasetReader.ReadFolder(root)["train"];
            // Start from what the process retains, not from the garbage of generating and indexing the folder.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            MallocTuning.ReleaseFreeMemory();
            var loader = new AugmentedLoader(new ImageSplitSource(split), new AugmentationPipeline(DecodeImageNetWorkload.Preset), batch, 1, seed: 1,
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
                    return [new BenchResult(Name, "", figures, $"{images} images, {split.Count} indexed, {Environment.ProcessorCount} workers; resident MB each second: {trace}")];
                }
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
