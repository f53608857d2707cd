namespace ContrastiveLab.Tests.Fuzz;

/// <summary>
/// A parser under fuzz: valid seed files, how a (mutated) file is laid out on disk, the parse, the exceptions it
/// may end with, and how much it may allocate.
/// </summary>
internal sealed record FuzzTarget
{
    /// <summary>Short name for reports.</summary>
    public required string Name { get; init; }

    /// <summary>Valid inputs the mutations start from (uncompressed when <see cref="Wrap"/> is set).</summary>
    public required IReadOnlyList<byte[]> Seeds { get; init; }

    /// <summary>Applied after the mutations (e.g. gzip), unless the case mutates the wrapped bytes.</summary>
    public Func<byte[], byte[]>? Wrap { get; init; }

    /// <summary>Writes the bytes under the folder and returns the path handed to <see cref="Parse"/>; default: one file.</summary>
    public Func<string, byte[], string> Materialise { get; init; } = (folder, bytes) =>
    {
        string path = Path.Combine(folder, "input.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    };

    /// <summary>The parse; it either returns or throws one of <see cref="Allowed"/>.</summary>
    public required Action<string> Parse { get; init; }

    /// <summary>Exception types the parser documents, each with what its message must name.</summary>
    public required IReadOnlyDictionary<Type, Func<Exception, string, bool>> Allowed { get; init; }

    /// <summary>
    /// The size the allocation bound is measured against, from the path and the file's bytes: the file size, or for a
    /// decompressing reader the bytes that really decompress (not what a header declares).
    /// </summary>
    public Func<string, byte[], long> JustifiedBytes { get; init; } = (_, bytes) => bytes.Length;

    /// <summary>Allowed managed allocation per justified byte.</summary>
    public required double BytesPerByte { get; init; }

    /// <summary>Allowed managed allocation on top, for buffers of fixed size.</summary>
    public required long ConstantBytes { get; init; }

    /// <summary>Run after a successful parse (for example: nothing written outside the folder).</summary>
    public Action<string>? AfterSuccess { get; init; }

    /// <summary>The message names the path (the usual rule).</summary>
    public static bool NamesPath(Exception e, string path) => e.Message.Contains(path, StringComparison.Ordinal);
}
