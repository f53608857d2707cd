using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ContrastiveLab.IO;
using ContrastiveLab.Models;
using ContrastiveLab.Runs;
using ContrastiveLab.Tests.Cli;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Training;

/// <summary>
/// Exports a PyTorch user can use as is: safetensors per its specification (read here by a parser written from the
/// specification, not by our writer's code), tensors without requires_grad, and the Python package in
/// <c>python/</c> that builds the module and loads an export strictly, giving the same embeddings.
/// </summary>
public sealed class PortableExportTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "cl-portable-" + Guid.NewGuid().ToString("N"))).FullName;

    [Fact]
    public void Safetensors_export_has_an_aligned_header_metadata_and_every_tensor_byte_for_byte()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = ModelFactory.Create("small-cnn", 1);
        string path = Path.Combine(_root, "encoder.safetensors");
        var names = ModelExport.Write(model, "safetensors", "encoder", path, new Dictionary<string, string> { ["model"] = "small-cnn" });

        byte[] file = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0UL, n % 8); // the data starts 8-byte aligned
        string json = Encoding.UTF8.GetString(file, 8, (int)n);
        // The padding is spaces after the JSON object, fewer than 8 of them.
        Assert.StartsWith("{", json, StringComparison.Ordinal);
        Assert.EndsWith("}", json.TrimEnd(' '), StringComparison.Ordinal);
        Assert.InRange(json.Length - json.TrimEnd(' ').Length, 0, 7);
        var header = JsonNode.Parse(json.TrimEnd(' '))!.AsObject();
        var meta = header["__metadata__"]!.AsObject();
        Assert.Equal("pt", meta["format"]!.GetValue<string>());
        Assert.Equal("small-cnn", meta["model"]!.GetValue<string>());
        Assert.Equal("encoder", meta["part"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(meta["contrastivelab"]!.GetValue<string>()));

        var state = model.state_dict();
        Assert.Equal(state.Keys, names);
        Assert.Equal(state.Keys.Order(StringComparer.Ordinal), header.Where(p => p.Key != "__metadata__").Select(p => p.Key).Order(StringComparer.Ordinal));
        long dataStart = 8 + (long)n, covered = 0;
        foreach (var (name, tensor) in state)
        {
            var entry = header[name]!.AsObject();
            Assert.Equal(tensor.dtype == ScalarType.Int64 ? "I64" : "F32", entry["dtype"]!.GetValue<string>());
            Assert.Equal(tensor.shape, entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
            var offsets = entry["data_offsets"]!.AsArray().Select(o => o!.GetValue<long>()).ToArray();
            byte[] expected = tensor.detach().contiguous().bytes.ToArray();
            Assert.Equal(expected.Length, offsets[1] - offsets[0]);
            Assert.Equal(expected, file.AsSpan((int)(dataStart + offsets[0]), expected.Length).ToArray());
            covered += expected.Length;
        }
        Assert.Equal(file.Length - dataStart, covered); // no gaps, nothing after the last tensor

        var x = zeros(2, 3);
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(Stream.Null, [("a", x), ("a", x)], new Dictionary<string, string>()));
    }

    [SkippableTheory]
    [InlineData("small-cnn", 1, "linear", "safetensors")]
    [InlineData("small-cnn", 1, "linear", "pt")]
    [InlineData("resnet18-cifar", 3, "mlp", "safetensors")]
    public void An_export_loads_with_one_import_of_the_python_package_and_gives_the_same_embeddings(string modelName, int channels, string head, string format)
    {
        Prerequisites.PyTorch();
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = ModelFactory.Create(modelName, channels, mlpHead: head == "mlp");
        model.train();
        using (no_grad())
        {
            for (int i = 0; i < 2; i++)
            {
                model.forward(randn(8, channels, 28, 28).mul(2).add(0.5)); // batch-norm statistics away from 0 and 1
            }
        }
        model.eval();
        var x = randn(4, channels, 28, 28);
        Tensor z;
        using (no_grad())
        {
            z = model.forward(x).contiguous();
        }
        string weights = Path.Combine(_root, $"encoder.{format}");
        ModelExport.Write(model, format, "encoder", weights,
            new Dictionary<string, string> { ["model"] = modelName, ["head"] = head, ["embedding_dim"] = "128" });
        string xFile = Path.Combine(_root, "x.f32"), zFile = Path.Combine(_root, "z.f32");
        File.WriteAllBytes(xFile, x.contiguous().bytes.ToArray());
        File.WriteAllBytes(zFile, z.bytes.ToArray());

        const string script = """
            import sys
            sys.dont_write_bytecode = True
            sys.path.insert(0, sys.argv[1])
            import numpy as np, torch
            from contrastivelab import load_encoder, load_state_dict
            weights, fmt, model, channels, xf, zf = sys.argv[2:8]
            state, meta = load_state_dict(weights)
            assert not any(t.requires_grad for t in state.values()), "a tensor was saved with requires_grad"
            encoder = load_encoder(weights, model=model if fmt == "pt" else None, head="mlp" if "fc.0.weight" in state else None)
            assert not encoder.training
            x = torch.from_numpy(np.fromfile(xf, dtype="<f4").reshape(4, int(channels), 28, 28))
            want = torch.from_numpy(np.fromfile(zf, dtype="<f4").reshape(4, -1))
            with torch.no_grad():
                got = encoder(x)
            assert got.shape == want.shape, (got.shape, want.shape)
            print(float((got - want).abs().max()), meta.get("model", "-"))
            """;
        string package = Path.Combine(CliRunner.RepositoryRoot(), "python");
        var (code, stdout, stderr) = ProcessExec.Run(Prerequisites.Python, ["-c", script, package, weights, format, modelName,
            channels.ToString(CultureInfo.InvariantCulture), xFile, zFile]);
        Assert.True(code == 0, stderr);
        string[] parts = stdout.Trim().Split(' ');
        double maxDiff = double.Parse(parts[0], CultureInfo.InvariantCulture);
        output.WriteLine($"{modelName} {head} {format}: PyTorch embeddings differ by at most {maxDiff:G3}");
        Assert.True(maxDiff <= 1e-5, $"max |difference| {maxDiff} of unit-length embeddings");
        Assert.Equal(format == "safetensors" ? modelName : "-", parts[1]);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
