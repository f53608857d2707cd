using ContrastiveLab.IO;
using ContrastiveLab.Runs;

namespace ContrastiveLab.Training;

/// <summary>
/// One checkpoint's folder as the parts of a run see it while it is written or read: named tensor and module files,
/// and the <c>meta.json</c> entries (written after every part has added its own).
/// </summary>
public sealed class CheckpointFiles(string directory, JsonObject meta)
{
    /// <summary>The checkpoint's folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>The entries of meta.json.</summary>
    public JsonObject Meta { get; } = meta;

    /// <summary>Writes one tensor to the file <paramref name="name"/>.</summary>
    public void WriteTensor(string name, Tensor tensor) => TensorFile.Save(tensor, Path.Combine(Directory, name));

    /// <summary>Reads the tensor of the file <paramref name="name"/>; the caller disposes it.</summary>
    public Tensor ReadTensor(string name) => TensorFile.Load(Path.Combine(Directory, name));

    /// <summary>Writes a module's parameters and buffers to the file <paramref name="name"/>.</summary>
    public void WriteModule(string name, nn.Module module) => Write(name, w => module.save(w));

    /// <summary>Loads the file <paramref name="name"/> into <paramref name="module"/>.</summary>
    public void LoadModule(string name, nn.Module module) => module.load(Path.Combine(Directory, name));

    /// <summary>Writes the file <paramref name="name"/> through <see cref="FileWrites"/>, like every other file of a run.</summary>
    public void Write(string name, Action<BinaryWriter> write)
    {
        using var stream = FileWrites.Create(Path.Combine(Directory, name));
        using var writer = new BinaryWriter(stream);
        write(writer);
    }
}
