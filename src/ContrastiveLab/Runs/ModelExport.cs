using ContrastiveLab.IO;
using ContrastiveLab.Models;
using TorchSharp.PyBridge;

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
    /// (no prefix, loadable into a torchvision-style ResNet with <c>strict=False</c>).
    /// </summary>
    public static IReadOnlyList<string> Parts { get; } = ["encoder", "backbone"];

    /// <summary>Where an export goes when no file is given: <c>export/&lt;part&gt;.&lt;format&gt;</c> in the run folder.</summary>
    public static string DefaultPath(string runDirectory, string format, string part) => Path.Combine(runDirectory, "export", $"{part}.{format}");

    /// <summary>Writes <paramref name="part"/> of <paramref name="model"/> to <paramref name="path"/> atomically; returns the names written.</summary>
    /// <exception cref="ArgumentException">Unknown format or part; the message lists the known ones.</exception>
    public static IReadOnlyList<string> Write(ContrastiveEncoder model, string format, string part, string path)
    {
        OptionChecks.OneOf("format", format, Formats);
        OptionChecks.OneOf("part", part, Parts);
        TorchSharp.torch.nn.Module module = part == "backbone" ? model.Backbone : model;
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
        {
            Directory.CreateDirectory(dir);
        }
        AtomicFile.WriteVia(path, temp =>
        {
            if (format == "pt")
            {
                module.save_py(temp);
            }
            else
            {
                module.save_safetensors(temp);
            }
        });
        return [.. module.state_dict().Keys];
    }
}
