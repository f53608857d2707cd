using System.Buffers.Binary;

namespace ContrastiveLab.IO;

/// <summary>
/// Writes tensors in the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON (each
/// tensor's dtype, shape and [begin, end) byte offsets into the data, plus a <c>__metadata__</c> map of strings), padded
/// with spaces so that the data starts on an 8-byte boundary, then the tensors' bytes, little-endian, row-major, in
/// the order given.
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>The header key that holds the string-to-string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The format's dtype name of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">A dtype safetensors has no name for.</exception>
    public static string DtypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"safetensors has no dtype for {type}", nameof(type)),
    };

    /// <summary>Writes <paramref name="tensors"/> (name, tensor) and <paramref name="metadata"/> to <paramref name="output"/>.</summary>
    public static void Write(Stream output, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        var header = new JsonObject();
        if (metadata.Count > 0)
        {
            header[MetadataKey] = new JsonObject(metadata.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        }
        long offset = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name == MetadataKey || !names.Add(name))
            {
                throw new ArgumentException($"tensor name '{name}' is reserved or repeated", nameof(tensors));
            }
            long size = tensor.NumberOfElements * tensor.ElementSize;
            header[name] = new JsonObject
            {
                ["dtype"] = DtypeName(tensor.dtype),
                ["shape"] = new JsonArray([.. tensor.shape.Select(d => (JsonNode?)d)]),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        output.Write(length);
        output.Write(json);
        for (int i = json.Length; i < padded; i++)
        {
            output.WriteByte((byte)' ');
        }
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");
        }
        foreach (var (_, tensor) in tensors)
        {
            using var scope = NewDisposeScope();
            var flat = tensor.detach().cpu().contiguous();
            output.Write(flat.bytes);
        }
    }
}
