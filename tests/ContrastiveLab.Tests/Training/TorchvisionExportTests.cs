using System.Globalization;
using ContrastiveLab.Models;
using ContrastiveLab.Runs;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Training;

/// <summary>
/// The exported CIFAR ResNet-18 backbone is a torchvision ResNet-18 state dict: it loads strictly into
/// <c>torchvision.models.resnet18</c> with the CIFAR stem (3×3 stride-1 conv1, no max-pool, no classifier) and computes
/// the same pooled features on the same input, in eval mode with non-trivial batch-norm statistics.
/// </summary>
public sealed class TorchvisionExportTests(ITestOutputHelper output) : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-torchvision-" + Guid.NewGuid().ToString("N"));

    [SkippableTheory]
    [InlineData("pt")]
    [InlineData("safetensors")]
    public void Resnet18_cifar_backbone_loads_into_torchvision_and_gives_the_same_features(string format)
    {
        Prerequisites.Torchvision();
        Directory.CreateDirectory(_root);
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var model = ModelFactory.Create("resnet18-cifar", 3);
        model.train();
        using (no_grad())
        {
            for (int i = 0; i < 3; i++)
            {
                model.forward(randn(8, 3, 32, 32).mul(2).add(0.5)); // moves the running statistics away from 0 and 1
            }
        }
        model.eval();
        var x = randn(4, 3, 32, 32);
        Tensor features;
        using (no_grad())
        {
            features = model.Features(x).contiguous();
        }
        string weights = Path.Combine(_root, "backbone." + format);
        ModelExport.Write(model, format, "backbone", weights);
        string xFile = Path.Combine(_root, "x.f32"), yFile = Path.Combine(_root, "y.f32");
        File.WriteAllBytes(xFile, FloatBytes(x));
        File.WriteAllBytes(yFile, FloatBytes(features));

        const string script = """
            import sys, numpy as np, torch, torchvision
            fmt, weights, xf, yf = sys.argv[1:5]
            if fmt == "pt":
                state = torch.load(weights, map_location="cpu")
            else:
                import json, struct
                raw = open(weights, "rb").read()
                n = struct.unpack("<Q", raw[:8])[0]
                header = json.loads(raw[8:8 + n])
                kinds = {"F32": torch.float32, "I64": torch.int64}
                state = {}
                for name, e in header.items():
                    if name != "__metadata__":
                        b, end = e["data_offsets"]
                        state[name] = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + end]), dtype=kinds[e["dtype"]]).reshape(e["shape"])
            net = torchvision.models.resnet18()
            net.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False)
            net.maxpool = torch.nn.Identity()
            net.fc = torch.nn.Identity()
            net.load_state_dict(state, strict=True)
            net.eval()
            x = torch.from_numpy(np.fromfile(xf, dtype="<f4").reshape(4, 3, 32, 32))
            want = torch.from_numpy(np.fromfile(yf, dtype="<f4").reshape(4, -1))
            with torch.no_grad():
                got = net(x)
            assert got.shape == want.shape, (got.shape, want.shape)
            print(float((got - want).abs().max()), float(want.abs().max()))
            """;
        var (code, stdout, stderr) = Exec("-c", script, format, weights, xFile, yFile);
        Assert.True(code == 0, stderr);
        string[] parts = stdout.Trim().Split(' ');
        double maxDiff = double.Parse(parts[0], CultureInfo.InvariantCulture), scale = double.Parse(parts[1], CultureInfo.InvariantCulture);
        output.WriteLine($"{format}: torchvision features differ by at most {maxDiff:G3} (largest feature {scale:G3})");
        Assert.True(scale > 0.01, "degenerate features prove nothing");
        Assert.True(maxDiff <= 1e-4 * Math.Max(1, scale), $"max |difference| {maxDiff} against largest feature {scale}");
    }

    private static byte[] FloatBytes(Tensor t)
    {
        float[] values = t.contiguous().data<float>().ToArray();
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    private static (int Code, string Stdout, string Stderr) Exec(params string[] args) => ProcessExec.Run(Python, args);

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
