namespace ContrastiveLab.Runs;

/// <summary>Saves and loads single tensors in TorchSharp's binary format (dtype, shape, raw data).</summary>
/// <remarks>
/// The format is the element type, the rank and each dimension as unsigned LEB128 integers, then the raw data.
/// <see cref="Load"/> checks that header against the file's length before libtorch allocates anything, so a
/// damaged file cannot ask for more memory than it holds.
/// </remarks>
public static class TensorFile
{
    /// <summary>Largest rank accepted (libtorch's own limit is 64).</summary>
    public const int MaxRank = 64;

    /// <summary>Writes <paramref name="tensor"/> (moved to CPU) to <paramref name="path"/>.</summary>
    public static void Save(Tensor tensor, string path)
    {
        using var scope = NewDisposeScope();
        using var stream = IO.FileWrites.Create(path);
        using var writer = new BinaryWriter(stream);
        tensor.detach().cpu().Save(writer);
    }

    /// <summary>Reads a tensor written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a tensor (unknown type, impossible shape, wrong length); the message is one line, <c>FILE: problem</c>.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static Tensor Load(string path)
    {
        using var stream = File.OpenRead(path);
        CheckHeader(stream, path);
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        return Tensor.Load(reader);
    }

    private static void CheckHeader(Stream stream, string path)
    {
        long type = ReadVarint(stream, path, "element type");
        int itemSize = type switch
        {
            (long)ScalarType.Byte or (long)ScalarType.Int8 or (long)ScalarType.Bool => 1,
            (long)ScalarType.Int16 or (long)ScalarType.Float16 or (long)ScalarType.BFloat16 => 2,
            (long)ScalarType.Int32 or (long)ScalarType.Float32 => 4,
            (long)ScalarType.Int64 or (long)ScalarType.Float64 or (long)ScalarType.ComplexFloat32 => 8,
            (long)ScalarType.ComplexFloat64 => 16,
            _ => throw Fail(path, $"unknown element type code {type}"),
        };
        long rank = ReadVarint(stream, path, "rank");
        if (rank > MaxRank)
        {
            throw Fail(path, $"rank {rank} is more than {MaxRank}");
        }
        // The product of the non-zero dimensions, saturated: libtorch refuses shapes whose byte count overflows
        // even when another dimension is zero, and past the file's length the file is too short anyway.
        long bytes = itemSize;
        bool empty = false;
        var dims = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            dims[i] = ReadVarint(stream, path, "shape");
            empty |= dims[i] == 0;
            bytes = dims[i] == 0 ? bytes : bytes > stream.Length / dims[i] ? long.MaxValue : bytes * dims[i];
        }
        string shape = $"({string.Join(", ", dims)})";
        if (empty && bytes > stream.Length)
        {
            throw Fail(path, $"shape {shape} is larger than the {stream.Length}-byte file could hold");
        }
        bytes = empty ? 0 : bytes;
        long left = stream.Length - stream.Position;
        if (bytes != left)
        {
            throw Fail(path, bytes > left
                ? $"truncated: shape {shape} needs more data than the {left} bytes left"
                : $"shape {shape} needs {bytes} bytes of data but {left} follow");
        }
    }

    /// <summary>An unsigned LEB128 integer below 2^62 (larger values are no real size or type).</summary>
    private static long ReadVarint(Stream stream, string path, string what)
    {
        long value = 0;
        for (int shift = 0; ; shift += 7)
        {
            int b = stream.ReadByte();
            if (b < 0)
            {
                throw Fail(path, $"truncated: the file ends inside the {what}");
            }
            if (shift > 56)
            {
                throw Fail(path, $"the {what} field is too long to be a size");
            }
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static InvalidDataException Fail(string path, string problem) => new($"{path}: {problem}");
}
