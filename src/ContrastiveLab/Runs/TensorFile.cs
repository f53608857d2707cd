using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Runs;

/// <summary>Saves and loads single tensors in TorchSharp's binary format (dtype, shape, raw data).</summary>
public static class TensorFile
{
    /// <summary>Writes <paramref name="tensor"/> (moved to CPU) to <paramref name="path"/>.</summary>
    public static void Save(Tensor tensor, string path)
    {
        using var scope = NewDisposeScope();
        using var stream = IO.FileWrites.Create(path);
        using var writer = new BinaryWriter(stream);
        tensor.detach().cpu().Save(writer);
    }

    /// <summary>Reads a tensor written by <see cref="Save"/>.</summary>
    public static Tensor Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        return Tensor.Load(reader);
    }
}
