using System.Text;
using ContrastiveLab.Cli;
using ContrastiveLab.Data;
using ContrastiveLab.IO;
using ContrastiveLab.Runs;
using ContrastiveLab.Sweeps;
using ContrastiveLab.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Fuzz;

/// <summary>
/// Every parser that reads outside bytes, fuzzed with mutated valid files (see <see cref="FuzzHarness"/>). Each test
/// lists the exception types the parser documents and the allocation factor it is held to, with the reason.
/// </summary>
public class ParserFuzzTests(ITestOutputHelper output)
{
    private static Dictionary<Type, Func<Exception, string, bool>> Only<T>() where T : Exception =>
        new() { [typeof(T)] = FuzzTarget.NamesPath };

    [Fact]
    public void Npy_reader_survives_mutated_files() => FuzzHarness.Run(new FuzzTarget
    {
        Name = "npy",
        Seeds = FuzzSeeds.Npy(),
        Parse = path => NpyReader.Read(path),
        Allowed = Only<InvalidDataException>(),
        // The data array is at most the file; the header is held as bytes and as a string (2 bytes a char).
        BytesPerByte = 4,
        ConstantBytes = 1 << 20,
    }, output);

    [Fact]
    public void Idx_images_reader_survives_mutated_gzipped_files() => FuzzHarness.Run(new FuzzTarget
    {
        Name = "idx-images",
        Seeds = [FuzzSeeds.Gunzip(File.ReadAllBytes(Data.Fixtures.File("t10k-images-idx3-ubyte.gz")))],
        Wrap = FuzzSeeds.Gzip,
        Parse = path => IdxReader.ReadImages(path),
        Allowed = Only<DataFormatException>(),
        JustifiedBytes = (_, bytes) => FuzzSeeds.GunzippedLength(bytes),
        // The pixel buffer grows by doubling as data really arrives: at most 2x plus the copy while growing.
        BytesPerByte = 4,
        ConstantBytes = 4 << 20,
    }, output);

    [Fact]
    public void Idx_labels_reader_survives_mutated_files() => FuzzHarness.Run(new FuzzTarget
    {
        Name = "idx-labels",
        Seeds = [FuzzSeeds.Gunzip(File.ReadAllBytes(Data.Fixtures.File("train-labels-idx1-ubyte.gz")))],
        Parse = path => IdxReader.ReadLabels(path, 10),
        Allowed = Only<DataFormatException>(),
        // One byte array and one int per label.
        BytesPerByte = 6,
        ConstantBytes = 1 << 20,
    }, output);

    [Fact]
    public void Cifar_archive_reader_survives_mutated_tar_gz() => FuzzHarness.Run(new FuzzTarget
    {
        Name = "cifar10-tar-gz",
        Seeds = [FuzzSeeds.FixtureTar(CifarReader.Cifar10Archive)],
        Wrap = FuzzSeeds.Gzip,
        Materialise = (folder, bytes) =>
        {
            string path = Path.Combine(folder, CifarReader.Cifar10Archive);
            File.WriteAllBytes(path, bytes);
            return path;
        },
        Parse = path => CifarReader.ReadCifar10(path),
        Allowed = Only<DataFormatException>(),
        JustifiedBytes = (_, bytes) => FuzzSeeds.GunzippedLength(bytes),
        // Each entry is copied through a doubling buffer (up to 3x) and once more into the pixel array.
        BytesPerByte = 6,
        ConstantBytes = 4 << 20,
    }, output);

    [Fact]
    public void Cifar_folder_reader_survives_a_mutated_batch_file()
    {
        var entries = FuzzSeeds.TarEntries(CifarReader.Cifar100Archive);
        FuzzHarness.Run(new FuzzTarget
        {
            Name = "cifar100-folder",
            Seeds = [entries["cifar-100-binary/train.bin"], entries["cifar-100-binary/fine_label_names.txt"]],
            Materialise = (folder, bytes) =>
            {
                string dir = Path.Combine(folder, CifarReader.Cifar100Folder);
                Directory.CreateDirectory(dir);
                foreach (var (name, data) in entries)
                {
                    File.WriteAllBytes(Path.Combine(folder, name), data);
                }
                // Text seeds are the names file; binary ones the training batch.
                bool text = bytes.Length > 0 && bytes.Length < 4096;
                File.WriteAllBytes(Path.Combine(dir, text ? "fine_label_names.txt" : "train.bin"), bytes);
                return folder;
            },
            Parse = path => CifarReader.ReadCifar100(path),
            Allowed = Only<DataFormatException>(),
            JustifiedBytes = (path, _) => FuzzSeeds.FolderBytes(path),
            // Every file is read whole, then the pixels are copied once.
            BytesPerByte = 4,
            ConstantBytes = 1 << 20,
        }, output);
    }

    [Fact]
    public void Mat_reader_survives_mutated_svhn_files() => FuzzHarness.Run(new FuzzTarget
    {
        Name = "mat-svhn",
        Seeds = [File.ReadAllBytes(Data.Fixtures.File("train_32x32.mat")), File.ReadAllBytes(Data.Fixtures.File("test_32x32.mat"))],
        Materialise = (folder, bytes) =>
        {
            string path = Path.Combine(folder, "train_32x32.mat");
            File.WriteAllBytes(path, bytes);
            return path;
        },
        Parse = path => SvhnReader.ReadSplit("train", path),
        Allowed = Only<DataFormatException>(),
        JustifiedBytes = (_, bytes) => FuzzSeeds.MatJustifiedLength(bytes),
        // Sub-elements are read through the growing buffer (up to 3x), then X is transposed into a copy.
        BytesPerByte = 8,
        ConstantBytes = 4 << 20,
    }, output);

    [Fact]
    public void Image_folder_reader_survives_mutated_jpeg_and_png()
    {
        var images = Directory.EnumerateFiles(Path.Combine(Data.Fixtures.Root, "imagenet100"), "*.JPEG", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        FuzzHarness.Run(new FuzzTarget
        {
            Name = "image-folder",
            Seeds = images,
            Materialise = (folder, bytes) =>
            {
                string dir = Path.Combine(folder, "class-a");
                Directory.CreateDirectory(dir);
                File.WriteAllBytes(Path.Combine(dir, "image.JPEG"), bytes);
                return folder;
            },
            Parse = path => FolderDatasetReader.ReadFolder(path),
            Allowed = Only<DataFormatException>(),
            // A compressed image may decode to far more than its size, so the decoder refuses more than
            // ImageDecoder.MaxPixelsPerByte pixels per file byte; each pixel costs 4 (RGBA) + 3 (CHW) + 3 (the split) bytes.
            BytesPerByte = 10 * ImageDecoder.MaxPixelsPerByte + 2,
            ConstantBytes = (10 * ImageDecoder.MinPixelAllowance) + (2 << 20),
        }, output);
    }

    [Fact]
    public void Shard_reader_survives_mutated_tar_shards()
    {
        // Seeds: real shards of the fixture folder, written by the shard writer (one and two samples a shard).
        string source = Directory.CreateTempSubdirectory("contrastivelab-shard-seeds-").FullName;
        try
        {
            var folder = FolderDatasetReader.ReadImageNet100(Path.Combine(Data.Fixtures.Root, "imagenet100"));
            var seeds = new[] { 2048L, 1 << 20 }
                .SelectMany(size => ShardDataset.Write(folder, Path.Combine(source, size.ToString(System.Globalization.CultureInfo.InvariantCulture)), size))
                .Where(f => f.Contains($"{Path.DirectorySeparatorChar}train{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Select(File.ReadAllBytes).ToList();
            string description = File.ReadAllText(Path.Combine(source, "2048", ShardDataset.DescriptionFile));
            FuzzHarness.Run(new FuzzTarget
            {
                Name = "tar-shards",
                Seeds = seeds,
                Materialise = (dir, bytes) =>
                {
                    File.WriteAllText(Path.Combine(dir, ShardDataset.DescriptionFile), description);
                    Directory.CreateDirectory(Path.Combine(dir, "train"));
                    File.WriteAllBytes(Path.Combine(dir, "train", "000000.tar"), bytes);
                    return dir;
                },
                Parse = path => ShardDataset.Read(path),
                Allowed = Only<DataFormatException>(),
                // Every image of a shard is decoded once when it is read: the image folder's allowance per file byte.
                BytesPerByte = 10 * ImageDecoder.MaxPixelsPerByte + 2,
                ConstantBytes = (10 * ImageDecoder.MinPixelAllowance) + (2 << 20),
            }, output);
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }

    [Fact]
    public void Train_config_loading_survives_mutated_json()
    {
        var seeds = new[]
        {
            new TrainConfig(),
            new TrainConfig { Dataset = "cifar10", Model = "resnet18-cifar", Loss = "hard", HardK = 100, Negatives = "queue", MaxSteps = 5 },
            new TrainConfig { Loss = "hard-simple", HardAlpha = 0.1, DataPath = "/data/x", TrainPerClass = 10, Augmentation = "cifar-paper" },
        }.Select(c => Encoding.UTF8.GetBytes(TrainConfig.ToJson(c))).ToList();
        var keys = SweepFile.ConfigKeys;
        FuzzHarness.Run(new FuzzTarget
        {
            Name = "train-config",
            Seeds = seeds,
            Parse = path => TrainCommand.ReadConfig(path).Validate(),
            Allowed = new Dictionary<Type, Func<Exception, string, bool>>
            {
                [typeof(UserError)] = FuzzTarget.NamesPath,
                // Validate names the option (as a CLI option or a config key), never the file: ResolveConfig adds nothing.
                [typeof(ArgumentException)] = (e, _) => keys.Any(k => e.Message.Contains(k, StringComparison.Ordinal) || e.Message.Contains(k.Replace('_', '-'), StringComparison.Ordinal)),
            },
            // JSON parsing holds the text as bytes, chars and a token tree.
            BytesPerByte = 64,
            ConstantBytes = 4 << 20,
        }, output);
    }

    [Fact]
    public void Sweep_file_loading_survives_mutated_presets()
    {
        string presets = Path.Combine(Cli.CliRunner.RepositoryRoot(), "presets");
        var seeds = Directory.GetFiles(presets, "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        FuzzHarness.Run(new FuzzTarget
        {
            Name = "sweep-file",
            Seeds = seeds,
            Materialise = (folder, bytes) =>
            {
                string path = Path.Combine(folder, "sweep.json");
                File.WriteAllBytes(path, bytes);
                return path;
            },
            Parse = path =>
            {
                var sweep = SweepFile.Load(path);
                // What a sweep names becomes folders: results/<name>/<run>. Neither may leave the results folder.
                string results = Path.Combine(Path.GetDirectoryName(path)!, "results");
                string sweepFolder = Path.GetFullPath(Path.Combine(results, sweep.Name));
                if (!sweepFolder.StartsWith(results + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new PathEscapeException($"sweep name '{sweep.Name}' leaves the results folder: {sweepFolder}");
                }
                foreach (var run in sweep.Expand(path))
                {
                    string runFolder = Path.GetFullPath(Path.Combine(sweepFolder, run.Name));
                    if (!runFolder.StartsWith(sweepFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || run.Name.Contains(Path.DirectorySeparatorChar))
                    {
                        throw new PathEscapeException($"run name '{run.Name}' leaves the sweep folder: {runFolder}");
                    }
                }
            },
            Allowed = Only<SweepException>(),
            // JSON parsing plus one serialised config per run.
            BytesPerByte = 256,
            ConstantBytes = 16 << 20,
        }, output);
    }

    [Fact]
    public void Tensor_file_loading_survives_mutated_checkpoint_tensors()
    {
        var seeds = new List<byte[]>();
        using (var temp = Data.Fixtures.Temp())
        {
            Tensor[] tensors = [randn(10, 8), arange(5, dtype: int64), tensor(3.5, dtype: float64), zeros(0, 4), ones(2, 3, 2, dtype: uint8)];
            foreach (var t in tensors)
            {
                string path = temp["t.bin"];
                TensorFile.Save(t, path);
                seeds.Add(File.ReadAllBytes(path));
                t.Dispose();
            }
        }
        FuzzHarness.Run(new FuzzTarget
        {
            Name = "checkpoint-tensor",
            Seeds = seeds,
            Parse = path =>
            {
                using var loaded = TensorFile.Load(path);
            },
            Allowed = Only<InvalidDataException>(),
            // Managed: the header only (the tensor's memory is native; its size is checked against the file first).
            BytesPerByte = 2,
            ConstantBytes = 1 << 20,
        }, output);
    }

    [Fact]
    public void Checkpoint_listing_survives_mutated_manifests()
    {
        using var template = Data.Fixtures.Temp();
        var store = new CheckpointStore(template.Path);
        store.Save("epoch-0001", 1, best: true, dir =>
        {
            File.WriteAllText(Path.Combine(dir, "meta.json"), "{\"next_epoch\": 2}");
            File.WriteAllBytes(Path.Combine(dir, "model.bin"), [1, 2, 3, 4]);
        });
        string saved = Path.Combine(store.Directory, "epoch-0001");
        var files = Directory.GetFiles(saved).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        FuzzHarness.Run(new FuzzTarget
        {
            Name = "checkpoint-manifest",
            Seeds = [files[CheckpointStore.ManifestName]],
            Materialise = (folder, bytes) =>
            {
                string dir = Path.Combine(folder, "checkpoints", "epoch-0001");
                Directory.CreateDirectory(dir);
                foreach (var (name, data) in files)
                {
                    File.WriteAllBytes(Path.Combine(dir, name), data);
                }
                File.WriteAllBytes(Path.Combine(dir, CheckpointStore.ManifestName), bytes);
                return folder;
            },
            Parse = path =>
            {
                var checkpoints = new CheckpointStore(path);
                var rejected = new List<string>();
                var valid = checkpoints.ListValid(rejected);
                if (valid.Count + rejected.Count != 1 || rejected.Any(r => !r.Contains(path, StringComparison.Ordinal)))
                {
                    throw new InvalidOperationException($"one checkpoint must be listed or rejected naming its folder: {valid.Count} valid, rejected [{string.Join("; ", rejected)}]");
                }
                _ = checkpoints.BestValid();
            },
            // Listing never throws for a bad manifest: it rejects the checkpoint and says why.
            Allowed = new Dictionary<Type, Func<Exception, string, bool>>(),
            BytesPerByte = 64,
            ConstantBytes = 4 << 20,
        }, output);
    }

    /// <summary>A path that leaves the folder it belongs in (never documented: always a failure).</summary>
    private sealed class PathEscapeException(string message) : Exception(message);
}
