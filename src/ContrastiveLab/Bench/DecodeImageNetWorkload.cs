using System.Buffers;
using System.Diagnostics;
using ContrastiveLab.Augmentation;
using ContrastiveLab.Data;
using SkiaSharp;

namespace ContrastiveLab.Bench;

/// <summary>
/// ImageNet-sized JPEG decode and augmentation per core, ours against Pillow with torchvision's transforms on the same
/// files in the same run: a folder of generated 500×375 JPEGs (made here, removed after), each decoded and given
/// RandomResizedCrop(224), a flip and colour jitter on one thread. The Python side is
/// benchmarks/pytorch/decode_pillow.py run with /usr/bin/python3 (Debian's python3-pil and python3-torchvision).
/// </summary>
public sealed class DecodeImageNetWorkload() : BenchWorkload("decode-imagenet",
    "JPEG decode + RandomResizedCrop(224) + flip + colour jitter, one thread: images_per_s ours (crop first, its rows decoded; and whole decodes) and Pillow's, same files")
{
    private const string Python = "/usr/bin/python3";

    /// <summary>The augmentation measured: the ImageNet100 preset without its blur and grayscale.</summary>
    public static AugmentationOptions Preset { get; } = AugmentationPresets.ImageNet100 with { Name = "decode-bench", BlurProbability = 0, GrayscaleProbability = 0 };

    protected override IReadOnlyList<BenchResult> Measure(BenchSettings settings)
    {
        int count = settings.Smoke ? 8 : 2000;
        string folder = Directory.CreateTempSubdirectory("contrastivelab-decode-").FullName;
        try
        {
            Generate(folder, count);
            var files = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToArray();
            var pipeline = new AugmentationPipeline(Preset);
            var output = new float[pipeline.ViewLength(3)];
            // The image sizes are known before decoding, as a folder's index knows them in training.
            var shapes = files.Select(f => ImageDecoder.DecodeRgb(File.ReadAllBytes(f), f).Shape).ToArray();
            // As the loader does it: the crop is chosen first and only the rows and columns it needs are decoded.
            void Pass()
            {
                for (int i = 0; i < files.Length; i++)
                {
                    var rng = AugmentRandom.ForView(0, 0, i, 0);
                    var crop = pipeline.CropFor(shapes[i].Height, shapes[i].Width, ref rng);
                    var (pixels, _) = ImageDecoder.DecodeRgbRegion(File.ReadAllBytes(files[i]), files[i], crop, ArrayPool<byte>.Shared);
                    pipeline.ApplyCropped(pixels.AsSpan(0, 3 * crop.Height * crop.Width), 3, crop, crop, output, ref rng);
                    ArrayPool<byte>.Shared.Return(pixels!);
                }
            }
            // The same views from whole decodes (what every image cost before crops were decided first).
            void WholePass()
            {
                for (int i = 0; i < files.Length; i++)
                {
                    var (pixels, shape) = ImageDecoder.DecodeRgb(File.ReadAllBytes(files[i]), files[i], ArrayPool<byte>.Shared);
                    var rng = AugmentRandom.ForView(0, 0, i, 0);
                    pipeline.Apply(pixels.AsSpan(0, shape.Size), 3, shape.Height, shape.Width, output, ref rng);
                    ArrayPool<byte>.Shared.Return(pixels);
                }
            }
            Pass(); // warm-up
            int repeats = settings.Smoke ? 1 : settings.FewRepeats;
            double ours = files.Length / BenchClock.MedianSeconds(Pass, 0, repeats);
            double whole = files.Length / BenchClock.MedianSeconds(WholePass, 0, repeats);
            var figures = new Dictionary<string, double> { ["images_per_s"] = ours, ["whole_decode_images_per_s"] = whole };
            string note = "one thread, i.e. per core; 500x375 JPEGs";
            if (Pillow(folder, repeats, out double pillow, out string versions) is { } problem)
            {
                note += $"; Pillow not run: {problem}";
            }
            else
            {
                figures["pillow_images_per_s"] = pillow;
                figures["ours_over_pillow"] = ours / pillow;
                note += $"; {versions}";
            }
            return [new BenchResult(Name, "", figures, note)];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Writes <paramref name="count"/> 500×375 JPEGs (quality 90) with a photograph's kind of content: gradients,
    /// shapes with edges, and fine noise (which JPEG spends most of its bytes and decode time on).
    /// </summary>
    /// <param name="folder">Where the files go.</param>
    /// <param name="count">How many.</param>
    /// <param name="seed">The images' random content: folders generated with different seeds hold different images.</param>
    public static void Generate(string folder, int count, int seed = 1)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(500, 375, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int i = 0; i < count; i++)
        {
            using (var canvas = new SKCanvas(bitmap))
            {
                SKColor Colour() => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                using var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(500, 375), [Colour(), Colour()], SKShaderTileMode.Clamp);
                using var paint = new SKPaint { Shader = shader };
                canvas.DrawRect(0, 0, 500, 375, paint);
                using var shape = new SKPaint { IsAntialias = true };
                for (int s = 0; s < 30; s++)
                {
                    shape.Color = Colour().WithAlpha((byte)random.Next(80, 256));
                    canvas.DrawCircle(random.Next(500), random.Next(375), random.Next(5, 80), shape);
                }
            }
            var pixels = bitmap.GetPixelSpan();
            var noisy = pixels.ToArray();
            for (int p = 0; p < noisy.Length; p++)
            {
                if ((p & 3) != 3)
                {
                    noisy[p] = (byte)Math.Clamp(noisy[p] + random.Next(-12, 13), 0, 255);
                }
            }
            using var image = SKImage.FromPixelCopy(bitmap.Info, noisy);
            using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(Path.Combine(folder, i.ToString("D6", CultureInfo.InvariantCulture) + ".jpg"), jpeg.ToArray());
        }
    }

    // benchmarks/pytorch/decode_pillow.py under the working folder (the repository root, as for --compare-pytorch),
    // else under the nearest folder above the program that has it (a test run from its build output).
    private static string Script()
    {
        string relative = Path.Combine("benchmarks", "pytorch", "decode_pillow.py");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && !File.Exists(relative); dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, relative)))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }
        return relative;
    }

    // Runs the Python side; returns null when it ran, else why not.
    private static string? Pillow(string folder, int repeats, out double imagesPerSecond, out string versions)
    {
        (imagesPerSecond, versions) = (double.NaN, "");
        string script = Script();
        if (!File.Exists(Python) || !File.Exists(script))
        {
            return $"{(File.Exists(Python) ? script : Python)} not found (run from the repository root; apt-get install python3-pil python3-torchvision)";
        }
        var start = new ProcessStartInfo(Python, [script, folder, repeats.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            return $"{script} failed: {error.Result.Trim().Split('\n')[^1]}";
        }
        var result = JsonNode.Parse(stdout)!;
        imagesPerSecond = result["images_per_s"]!.GetValue<double>();
        versions = $"Pillow {result["pillow"]}, torchvision {result["torchvision"]}";
        return null;
    }
}
