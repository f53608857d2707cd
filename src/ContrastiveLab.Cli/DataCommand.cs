using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ContrastiveLab.Data;

namespace ContrastiveLab.Cli;

/// <summary>
/// <c>contrastive data info</c>: per-split facts of a dataset (count, label counts, pixel mean, SHA-256 of the
/// first image in H, W, C order, shape); <c>contrastive data make-subset</c>: rebuilds the bundled subset.
/// </summary>
public static class DataCommand
{
    public static Command Build()
    {
        var command = new Command("data", "Inspect datasets.");
        command.Subcommands.Add(BuildInfo());
        command.Subcommands.Add(BuildMakeSubset());
        command.Subcommands.Add(BuildPreview());
        command.Subcommands.Add(BuildDownload());
        command.Subcommands.Add(BuildShard());
        return command;
    }

    private static Command BuildDownload()
    {
        var dataset = new Option<string>("--dataset") { Description = $"one of: {string.Join(", ", DatasetDownloader.Official.Keys)}", Required = true };
        var dataDir = new Option<string?>("--data-dir") { Description = $"where datasets live (default {DatasetCatalog.DefaultDataDirectory()})" };
        var command = new Command("download", "Fetch a dataset's official files (MD5-checked, resumable) into the data folder.") { dataset, dataDir };
        command.SetAction(int (parse) =>
        {
            string name = parse.GetValue(dataset)!;
            if (!DatasetDownloader.Official.TryGetValue(name, out var items))
            {
                throw new UserError($"--dataset {name}: cannot be downloaded; downloadable: {string.Join(", ", DatasetDownloader.Official.Keys)}");
            }
            string folder = Path.Combine(parse.GetValue(dataDir) ?? DatasetCatalog.DefaultDataDirectory(), name);
            try
            {
                ConsoleDownload.Run(items, folder);
            }
            catch (DatasetNotFoundException e)
            {
                throw new UserError(e.Message);
            }
            parse.InvocationConfiguration.Output.WriteLine($"{name}: {items.Count} file(s) in {folder}, MD5 checked");
            return 0;
        });
        return command;
    }

    private static Command BuildPreview()
    {
        var dataset = new Option<string>("--dataset") { Description = "dataset name", DefaultValueFactory = _ => DatasetCatalog.DefaultDataset };
        var path = new Option<string?>("--data-path", "--path") { Description = "the dataset's file or folder" };
        var dataDir = new Option<string?>("--data-dir") { Description = "where datasets are looked for" };
        var augmentation = new Option<string?>("--augmentation") { Description = $"preset: {string.Join(", ", Augmentation.AugmentationPresets.All.Keys)} (default: the dataset's)" };
        var count = new Option<int>("--count") { Description = "images (rows), 1 to 64", DefaultValueFactory = _ => 8 };
        var seed = new Option<long>("--seed") { Description = "seed of the views", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "PNG file to write", DefaultValueFactory = _ => "augmentation-preview.png" };
        var command = new Command("preview", "Write a PNG grid: each training image beside two augmented views of it.")
        {
            dataset, path, dataDir, augmentation, count, seed, output,
        };
        command.SetAction(int (parse) =>
        {
            string name = parse.GetValue(dataset)!;
            var data = Load(name, parse.GetValue(path), parse.GetValue(dataDir), FolderDatasetOptions.Strict);
            Augmentation.AugmentationOptions preset;
            try
            {
                preset = parse.GetValue(augmentation) is { } a ? Augmentation.AugmentationPresets.Get(a) : Augmentation.AugmentationPresets.ForDataset(name).Train;
            }
            catch (ArgumentException e)
            {
                throw new UserError(e.Message);
            }
            int rows = parse.GetValue(count);
            if (rows is < 1 or > 64)
            {
                throw new UserError($"--count {rows}: allowed 1 to 64");
            }
            var source = new Augmentation.ImageSplitSource(data["train"]);
            byte[] png = Augmentation.PreviewGrid.Render(source, new Augmentation.AugmentationPipeline(preset), rows, parse.GetValue(seed));
            string file = parse.GetValue(output)!;
            IO.AtomicFile.WriteAllBytes(file, png);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {file}: {rows} images of {name}, original and two views each ({preset.Name})");
            return 0;
        });
        return command;
    }

    private static Command BuildInfo()
    {
        var dataset = new Option<string>("--dataset")
        {
            Description = $"dataset name: {string.Join(", ", DatasetCatalog.Names)}",
            DefaultValueFactory = _ => DatasetCatalog.DefaultDataset,
        };
        var path = new Option<string?>("--data-path", "--path") { Description = "the dataset's file or folder (no other place is searched)" };
        var dataDir = new Option<string?>("--data-dir") { Description = $"where datasets are looked for (default {DatasetCatalog.DefaultDataDirectory()})" };
        var json = new Option<string?>("--json") { Description = "also write the facts as JSON to this file" };
        var skip = new Option<bool>("--skip-undecodable") { Description = "folder datasets: skip files that are not decodable JPEG/PNG, counting them" };
        var command = new Command("info", "Per-split count, label counts, pixel mean, first-image SHA-256 (HWC) and shape, as JSON.")
        {
            dataset, path, dataDir, json, skip,
        };
        command.SetAction(int (parse) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            int skipped = 0;
            var options = new FolderDatasetOptions(parse.GetValue(skip), (file, why) =>
            {
                skipped++;
                error.WriteLine($"skipped {file}: {why}");
            });
            var data = Load(parse.GetValue(dataset)!, parse.GetValue(path), parse.GetValue(dataDir), options);
            if (skipped > 0)
            {
                error.WriteLine($"skipped {skipped} undecodable image(s)");
            }
            string text = ToJson(data);
            output.WriteLine(text);
            if (parse.GetValue(json) is { } jsonPath)
            {
                IO.AtomicFile.WriteAllText(jsonPath, text + "\n");
            }
            return 0;
        });
        return command;
    }

    private static Command BuildShard()
    {
        var dataset = new Option<string>("--dataset") { Description = "dataset name", Required = true };
        var path = new Option<string?>("--data-path", "--path") { Description = "the dataset's file or folder" };
        var dataDir = new Option<string?>("--data-dir") { Description = "where datasets are looked for" };
        var outDir = new Option<string>("--out") { Description = "folder to write dataset.json and SPLIT/NNNNNN.tar into", Required = true };
        var size = new Option<string>("--shard-size") { Description = "bytes per shard, e.g. 1GB, 500MB, 2GiB", DefaultValueFactory = _ => "1GB" };
        var command = new Command("shard", "Write a dataset as WebDataset-style tar shards (NNNNNN.jpg or .png with NNNNNN.cls); --data-path DIR then reads it from them.")
        {
            dataset, path, dataDir, outDir, size,
        };
        command.SetAction(int (parse) =>
        {
            long bytes = ParseSize(parse.GetValue(size)!);
            var data = Load(parse.GetValue(dataset)!, parse.GetValue(path), parse.GetValue(dataDir), FolderDatasetOptions.Strict);
            var written = ShardDataset.Write(data, parse.GetValue(outDir)!, bytes);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {written.Count} shard(s) of {string.Join(", ", data.Splits.Select(s => $"{s.Count} {s.Name}"))} images to {parse.GetValue(outDir)}");
            return 0;
        });
        return command;
    }

    /// <summary>"1GB", "500MB", "2GiB", "4096" as bytes (KB, MB, GB are powers of 1000; KiB, MiB, GiB of 1024).</summary>
    internal static long ParseSize(string text)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text.Trim(), @"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        double unit = m.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1, "KB" => 1e3, "MB" => 1e6, "GB" => 1e9, "KIB" => 1024, "MIB" => 1024 * 1024, _ => 1024.0 * 1024 * 1024,
        };
        double bytes = m.Success ? double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * unit : -1;
        return bytes is >= 1024 and <= 1e13 ? (long)bytes : throw new UserError($"--shard-size {text}: give a size from 1KiB to 10TB, e.g. 1GB or 500MB");
    }

    private static Command BuildMakeSubset()
    {
        var from = new Option<string>("--from") { Description = "folder with the full Fashion-MNIST IDX files", Required = true };
        var to = new Option<string>("--out") { Description = "folder to write the subset's four .gz files to", Required = true };
        var command = new Command("make-subset", $"Rebuild data/fashion-mnist-subset: the first {FashionMnistSubset.TrainPerClass} train and {FashionMnistSubset.TestPerClass} test images of each class.")
        {
            from, to,
        };
        command.SetAction(int (parse) =>
        {
            var full = Load("fashion-mnist", parse.GetValue(from), null, FolderDatasetOptions.Strict);
            string outDir = parse.GetValue(to)!;
            FashionMnistSubset.Write(FashionMnistSubset.From(full), outDir);
            parse.InvocationConfiguration.Output.WriteLine($"wrote the subset to {outDir}");
            return 0;
        });
        return command;
    }

    /// <summary>Loads a dataset, turning unknown names, missing data and bad files into one-line user errors.</summary>
    internal static ImageDataset Load(string name, string? path, string? dataDir, FolderDatasetOptions options)
    {
        if (!DatasetCatalog.Names.Contains(name))
        {
            throw new UserError($"unknown dataset '{name}'; known: {string.Join(", ", DatasetCatalog.Names)}");
        }
        try
        {
            return DatasetCatalog.Load(name, path, dataDir, options);
        }
        catch (Exception e) when (e is DataFormatException or DatasetNotFoundException or IOException or UnauthorizedAccessException)
        {
            throw new UserError(e.Message);
        }
    }

    /// <summary>The facts as JSON in the layout of the test fixtures' facts.json: { dataset: { split: facts } }.</summary>
    internal static string ToJson(ImageDataset data)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(data.Name);
            foreach (var split in data.Splits)
            {
                var facts = SplitFacts.Of(split);
                writer.WriteStartObject(split.Name);
                writer.WriteNumber("count", facts.Count);
                writer.WriteStartObject("label_counts");
                foreach (var (label, count) in facts.LabelCounts)
                {
                    writer.WriteNumber(label.ToString(CultureInfo.InvariantCulture), count);
                }
                writer.WriteEndObject();
                writer.WriteNumber("pixel_mean", facts.PixelMean);
                writer.WriteString("first_image_sha256_hwc", facts.FirstImageSha256Hwc);
                writer.WriteStartArray("shape_chw");
                foreach (int d in facts.ShapeChw)
                {
                    writer.WriteNumberValue(d);
                }
                writer.WriteEndArray();
                writer.WriteStartArray("classes");
                foreach (string c in facts.Classes)
                {
                    writer.WriteStringValue(c);
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
