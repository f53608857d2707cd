using ContrastiveLab.IO;
using ContrastiveLab.Models;
using ContrastiveLab.Runtime;

namespace ContrastiveLab.Runs;

/// <summary>
/// Writes an encoder's weights as a PyTorch state dict (TorchSharp.PyBridge): <c>safetensors</c>, or <c>pt</c> (the
/// pickle format of <c>torch.save(model.state_dict())</c>, read with <c>torch.load</c>). Names are torchvision's
/// (<c>conv1.weight</c>, <c>bn1.running_mean</c>, <c>layer1.0.conv1.weight</c>, …); parameters and buffers (batch-norm
/// running statistics) are both included.
/// </summary>
public static class ModelExport
{
    /// <summary>Known formats.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["safetensors", "pt"];

    /// <summary>
    /// Known parts: <c>encoder</c> (backbone under <c>backbone.</c> and the head under <c>fc.</c>) or <c>backbone</c>
    /// (no prefix; loads strictly into a torchvision ResNet whose <c>fc</c> is <c>Identity</c>).
    /// </summary>
    public static IReadOnlyList<string> Parts { get; } = ["encoder", "backbone"];

    /// <summary>Where an export goes when no file is given: <c>export/&lt;part&gt;.&lt;format&gt;</c> in the run folder.</summary>
    public static string DefaultPath(string runDirectory, string format, string part) => Path.Combine(runDirectory, "export", $"{part}.{format}");

    /// <summary>
    /// Writes <paramref name="part"/> of <paramref name="model"/> to <paramref name="path"/> atomically; returns the names
    /// written. Tensors are detached (a loaded tensor has requires_grad False). A safetensors file carries
    /// <c>__metadata__</c>: <c>format</c> "pt", <c>part</c>, <c>contrastivelab</c> (our version) and the entries of
    /// <paramref name="metadata"/> (the CLI adds <c>model</c>, <c>head</c> and <c>embedding_dim</c>, which the Python
    /// loader in <c>python/</c> reads to build the module).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown format or part; the message lists the known ones.</exception>
    public static IReadOnlyList<string> Write(ContrastiveEncoder model, string format, string part, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        OptionChecks.OneOf("format", format, Formats);
        OptionChecks.OneOf("part", part, Parts);
        TorchSharp.torch.nn.Module module = part == "backbone" ? model.Backbone : model;
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
        {
            Directory.CreateDirectory(dir);
        }
        using var scope = TorchSharp.torch.NewDisposeScope();
        // Parameters and buffers in the module's order, detached from autograd.
        var tensors = module.state_dict().Select(p => (p.Key, p.Value.detach())).ToList();
        AtomicFile.WriteVia(path, temp =>
        {
            if (format == "pt")
            {
                TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(temp, tensors.ToDictionary(t => t.Key, t => t.Item2));
            }
            else
            {
                var meta = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["format"] = "pt",
                    ["part"] = part,
                    ["contrastivelab"] = BuildInfo.Toolkit,
                };
                foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
                {
                    meta[key] = value;
                }
                using var stream = File.Create(temp);
                SafetensorsWriter.Write(stream, tensors, meta);
            }
        });
        return [.. tensors.Select(t => t.Key)];
    }
}
