using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContrastiveLab.Evaluation;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Tests.Cli;
using ContrastiveLab.TrainedRuns;
using ContrastiveLab.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace ContrastiveLab.Tests.Training;

/// <summary><c>eval linear</c>, <c>eval knn</c> and <c>export</c> end to end on a tiny run trained for one epoch.</summary>
public sealed class EvalExportTests(TrainedRunFixture trained, ITestOutputHelper output) : IClassFixture<TrainedRunFixture>
{
    private string Run => trained.Directory;

    [Fact]
    public void Knn_of_the_checkpoint_equals_the_trainers_last_knn_and_is_written_to_knn_json()
    {
        var config = trained.Config;
        var (code, stdout, stderr) = CliRunner.Run("eval", "knn", "--run", Run, "--k", config.KnnK.ToString(CultureInfo.InvariantCulture),
            "--sigma", config.KnnSigma.ToString(CultureInfo.InvariantCulture));
        Assert.True(code == 0, stderr);
        var knn = JsonNode.Parse(File.ReadAllText(Path.Combine(Run, RunFiles.Knn)))!;
        // The trainer evaluated the same encoder the same way before saving it: the reloaded checkpoint must agree exactly.
        Assert.Equal(trained.Summary["knn_top1"]!.GetValue<double>(), knn["top1"]!.GetValue<double>());
        Assert.Equal("epoch-0001", knn["checkpoint"]!.GetValue<string>());
        Assert.Equal(new KnnResultFile("embedding", config.KnnK, config.KnnSigma, knn["top1"]!.GetValue<double>(), trained.Summary["train_images"]!.GetValue<int>(),
            trained.Summary["test_images"]!.GetValue<int>(), "epoch-0001"), KnnResultFile.Parse(knn.AsObject()));
        Assert.Contains("kNN top-1", stdout);
    }

    [Fact]
    public void Knn_on_the_backbone_classifies_normalised_pooled_features_and_says_so_in_knn_json()
    {
        var (code, stdout, stderr) = CliRunner.Run("eval", "knn", "--run", Run, "--features", "backbone", "--k", "5");
        Assert.True(code == 0, stderr);
        Assert.Contains("on the backbone", stdout);
        var knn = JsonNode.Parse(File.ReadAllText(Path.Combine(Run, RunFiles.Knn)))!;
        Assert.Equal("backbone", knn["features"]!.GetValue<string>());

        // The same vote computed here from the backbone's pooled features, scaled to unit length row by row.
        using var run = TrainedRun.Open(Run);
        using var scope = torch.NewDisposeScope();
        var clean = new global::ContrastiveLab.Augmentation.AugmentationPipeline(global::ContrastiveLab.Augmentation.AugmentationPresets.ForDataset(run.Config.Dataset).Eval);
        torch.Tensor Unit(torch.Tensor x) => x.div(x.norm(1, keepdim: true));
        var train = Unit(Evaluator.Embed(run.Model, run.TrainImages, clean, run.Device, 1, features: true, batchSize: 64));
        var test = Unit(Evaluator.Embed(run.Model, run.TestImages, clean, run.Device, 1, features: true, batchSize: 64));
        Assert.Equal(((global::ContrastiveLab.Models.IBackbone)run.Model.Backbone).FeatureDim, train.shape[1]);
        double expected = WeightedKnn.Top1(train, torch.tensor(run.TrainImages.Labels()), test, torch.tensor(run.TestImages.Labels()), run.Classes, 5, 0.07);
        Assert.Equal(expected, knn["top1"]!.GetValue<double>(), 12);

        var wrong = CliRunner.Run("eval", "knn", "--run", Run, "--features", "pixels");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("pixels", wrong.Stderr);
    }

    [Fact]
    public void The_trainers_backbone_knn_equals_eval_knn_on_the_backbone_with_the_runs_k_and_sigma()
    {
        var config = trained.Config;
        var (code, _, stderr) = CliRunner.Run("eval", "knn", "--run", Run, "--features", "backbone", "--k", config.KnnK.ToString(CultureInfo.InvariantCulture),
            "--sigma", config.KnnSigma.ToString(CultureInfo.InvariantCulture));
        Assert.True(code == 0, stderr);
        var knn = JsonNode.Parse(File.ReadAllText(Path.Combine(Run, RunFiles.Knn)))!;
        // The trainer takes features and embeddings in one pass; eval knn takes the features alone: the same numbers.
        double logged = trained.Summary["final"]!["knn_backbone_top1"]!.GetValue<double>();
        Assert.Equal(logged, knn["top1"]!.GetValue<double>());
        Assert.Contains("knn_backbone_top1", File.ReadLines(Path.Combine(Run, RunFiles.Metrics)).First().Split(','));
    }

    [Fact]
    public void Fast_linear_evaluation_is_deterministic_reuses_its_feature_cache_and_writes_linear_json()
    {
        string[] args = ["eval", "linear", "--run", Run, "--epochs", "6", "--fast"];
        var first = CliRunner.Run(args);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("fast mode", first.Stdout);
        Assert.Contains("features: extracting", first.Stdout);
        Assert.Contains("epoch 6/6", first.Stdout);
        string json1 = File.ReadAllText(Path.Combine(Run, RunFiles.Linear));
        Assert.True(File.Exists(Path.Combine(Run, RunFiles.FeaturesCacheDirectory, "epoch-0001", "train_features.npy")));

        var second = CliRunner.Run(args);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("features: from the cache", second.Stdout);
        Assert.Equal(json1, File.ReadAllText(Path.Combine(Run, RunFiles.Linear)));

        var linear = JsonNode.Parse(json1)!;
        Assert.Equal("fast", linear["mode"]!.GetValue<string>());
        Assert.Equal(6, linear["epochs"]!.GetValue<int>());
        double best = linear["best_top1"]!.GetValue<double>(), last = linear["last_top1"]!.GetValue<double>();
        Assert.InRange(best, 0.15, 1.0); // ten classes: chance is 0.1; the untrained encoder's features alone exceed it
        Assert.InRange(last, 0.0, best);
        Assert.InRange(linear["best_epoch"]!.GetValue<int>(), 1, 6);
        Assert.Equal("epoch-0001", linear["checkpoint"]!.GetValue<string>());
    }

    [Fact]
    public void Augmented_linear_evaluation_runs_the_papers_protocol_and_says_so()
    {
        var (code, stdout, stderr) = CliRunner.Run("eval", "linear", "--run", Run, "--epochs", "2", "--fast", "false", "--checkpoint", "best");
        Assert.True(code == 0, stderr);
        Assert.Contains("augmented mode", stdout);
        Assert.Contains("fashion-mnist-linear", stdout);
        var linear = JsonNode.Parse(File.ReadAllText(Path.Combine(Run, RunFiles.Linear)))!;
        Assert.Equal("augmented", linear["mode"]!.GetValue<string>());
        Assert.InRange(linear["best_top1"]!.GetValue<double>(), 0.0, 1.0);
    }

    [SkippableFact]
    public void Both_export_formats_hold_every_parameter_and_buffer_with_its_values()
    {
        string dir = Path.Combine(trained.Root, "export");
        string st = Path.Combine(dir, "encoder.safetensors"), pt = Path.Combine(dir, "encoder.pt"), backbone = Path.Combine(dir, "backbone.safetensors");
        foreach (var (format, part, file) in new[] { ("safetensors", "encoder", st), ("pt", "encoder", pt), ("safetensors", "backbone", backbone) })
        {
            var (code, _, stderr) = CliRunner.Run("export", "--run", Run, "--format", format, "--part", part, "--out", file);
            Assert.True(code == 0, stderr);
        }

        using var run = TrainedRun.Open(Run);
        var expected = run.Model.state_dict();
        Assert.Contains("fc.weight", expected.Keys);
        Assert.All(expected.Keys, k => Assert.True(k.StartsWith("backbone.", StringComparison.Ordinal) || k.StartsWith("fc.", StringComparison.Ordinal), k));
        Assert.Contains(expected.Keys, k => k.EndsWith("running_var", StringComparison.Ordinal));
        AssertSafetensorsHolds(st, expected);
        AssertSafetensorsHolds(backbone, expected.Where(p => p.Key.StartsWith("backbone.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["backbone.".Length..], p => p.Value));

        // torch.save's format is a zip archive with the pickled dict and one entry per tensor's storage.
        using (var zip = ZipFile.OpenRead(pt))
        {
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal));
            Assert.Equal(expected.Count, zip.Entries.Count(e => e.FullName.Contains("/data/", StringComparison.Ordinal)));
        }
        CheckInPyTorch(pt, st, expected);
    }

    [Fact]
    public void Bad_input_is_one_line_and_exit_code_2()
    {
        string empty = Path.Combine(trained.Root, "not-a-run");
        Directory.CreateDirectory(empty);
        string noCheckpoint = Path.Combine(trained.Root, "no-checkpoint");
        Directory.CreateDirectory(noCheckpoint);
        File.WriteAllText(Path.Combine(noCheckpoint, RunFiles.Config), TrainConfig.ToJson(trained.Config));
        foreach (var (args, says) in new (string[], string)[]
        {
            (["eval", "linear", "--run", Path.Combine(trained.Root, "missing")], "run folder not found"),
            (["eval", "knn", "--run", empty], "not a run folder"),
            (["eval", "knn", "--run", noCheckpoint], "no valid checkpoint"),
            (["export", "--run", Run, "--format", "onnx"], "allowed: safetensors, pt"),
            (["export", "--run", Run, "--format", "pt", "--part", "head"], "allowed: encoder, backbone"),
        })
        {
            var (code, _, stderr) = CliRunner.Run(args);
            Assert.Equal(2, code);
            Assert.Contains(says, stderr);
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// An independent reader of the safetensors layout: 8-byte little-endian header length, a JSON header mapping each
    /// name to dtype, shape and [begin, end) byte offsets into the data that follows.
    /// </summary>
    private static void AssertSafetensorsHolds(string path, IReadOnlyDictionary<string, torch.Tensor> expected)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.InRange(headerLength, 2, bytes.Length - 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        var entries = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));
        int dataStart = 8 + (int)headerLength;
        foreach (var (name, tensor) in expected)
        {
            var e = entries[name];
            string dtype = tensor.dtype switch
            {
                torch.ScalarType.Float32 => "F32",
                torch.ScalarType.Int64 => "I64",
                var other => throw new InvalidOperationException($"{name}: unexpected dtype {other}"),
            };
            Assert.Equal(dtype, e.GetProperty("dtype").GetString());
            Assert.Equal(tensor.shape, e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());
            var offsets = e.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var raw = bytes.AsSpan(dataStart + (int)offsets[0], (int)(offsets[1] - offsets[0]));
            Assert.Equal(tensor.numel() * tensor.ElementSize, raw.Length);
            if (dtype == "F32")
            {
                var values = tensor.contiguous().data<float>().ToArray();
                for (int i = 0; i < values.Length; i++)
                {
                    Assert.Equal(values[i], BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]));
                }
            }
            else
            {
                Assert.Equal(tensor.item<long>(), BinaryPrimitives.ReadInt64LittleEndian(raw));
            }
        }
    }

    /// <summary>Loads both files in PyTorch when /usr/bin/python3 has torch; compares every tensor's sum with the model's.</summary>
    private void CheckInPyTorch(string pt, string st, IReadOnlyDictionary<string, torch.Tensor> expected)
    {
        const string python = Prerequisites.Python;
        // The C# side is checked above; without PyTorch the test reports skipped rather than passing unchecked.
        Prerequisites.PyTorch();
        const string script = """
            import json, struct, sys, torch
            pt = torch.load(sys.argv[1], map_location="cpu")
            raw = open(sys.argv[2], "rb").read()
            n = struct.unpack("<Q", raw[:8])[0]
            header = json.loads(raw[8:8 + n])
            types = {"F32": torch.float32, "I64": torch.int64}
            st = {}
            for name, e in header.items():
                if name == "__metadata__":
                    continue
                b, end = e["data_offsets"]
                st[name] = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + end]), dtype=types[e["dtype"]]).reshape(e["shape"])
            assert set(pt) == set(st), (sorted(pt), sorted(st))
            for k in pt:
                assert torch.equal(pt[k], st[k]), k
            print(json.dumps({k: float(v.double().sum()) for k, v in pt.items()}))
            """;
        var (code, stdout, stderr) = Exec(python, "-c", script, pt, st);
        Assert.True(code == 0, stderr);
        var sums = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(expected.Count, sums.Count);
        foreach (var (name, tensor) in expected)
        {
            double want = tensor.to(torch.ScalarType.Float64).sum().item<double>();
            Assert.Equal(want, sums[name]!.GetValue<double>(), 1e-9 * Math.Max(1, Math.Abs(want)));
        }
        output.WriteLine($"PyTorch loaded {sums.Count} tensors from both files");
    }

    private static (int Code, string Stdout, string Stderr) Exec(string file, params string[] args) => ProcessExec.Run(file, args);
}
