namespace ContrastiveLab.IO;

/// <summary>How each <see cref="NpyDType"/> is spelled in a header, how wide it is and which .NET and libtorch types hold it.</summary>
internal static class NpyDTypeInfo
{
    /// <summary>The descriptors we write; <c>|u1</c> is how numpy spells a byte-order-free byte.</summary>
    public static string Descr(NpyDType dtype) => dtype switch
    {
        NpyDType.UInt8 => "|u1",
        NpyDType.Int16 => "<i2",
        NpyDType.Int32 => "<i4",
        NpyDType.Int64 => "<i8",
        NpyDType.Float32 => "<f4",
        NpyDType.Float64 => "<f8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    public static int ItemSize(NpyDType dtype) => dtype switch
    {
        NpyDType.UInt8 => 1,
        NpyDType.Int16 => 2,
        NpyDType.Int32 => 4,
        NpyDType.Int64 or NpyDType.Float64 => 8,
        NpyDType.Float32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    public static torch.ScalarType ScalarType(NpyDType dtype) => dtype switch
    {
        NpyDType.UInt8 => torch.ScalarType.Byte,
        NpyDType.Int16 => torch.ScalarType.Int16,
        NpyDType.Int32 => torch.ScalarType.Int32,
        NpyDType.Int64 => torch.ScalarType.Int64,
        NpyDType.Float32 => torch.ScalarType.Float32,
        NpyDType.Float64 => torch.ScalarType.Float64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The dtype stored in a .NET array of <typeparamref name="T"/>; null when .npy has no such type here.</summary>
    public static NpyDType? Of<T>() where T : unmanaged => default(T) switch
    {
        byte => NpyDType.UInt8,
        short => NpyDType.Int16,
        int => NpyDType.Int32,
        long => NpyDType.Int64,
        float => NpyDType.Float32,
        double => NpyDType.Float64,
        _ => null,
    };

    public static NpyDType? FromScalarType(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Byte => NpyDType.UInt8,
        torch.ScalarType.Int16 => NpyDType.Int16,
        torch.ScalarType.Int32 => NpyDType.Int32,
        torch.ScalarType.Int64 => NpyDType.Int64,
        torch.ScalarType.Float32 => NpyDType.Float32,
        torch.ScalarType.Float64 => NpyDType.Float64,
        _ => null,
    };

    /// <summary>A new zeroed .NET array of <paramref name="count"/> elements of the type that holds <paramref name="dtype"/>.</summary>
    public static Array Allocate(NpyDType dtype, int count) => dtype switch
    {
        NpyDType.UInt8 => new byte[count],
        NpyDType.Int16 => new short[count],
        NpyDType.Int32 => new int[count],
        NpyDType.Int64 => new long[count],
        NpyDType.Float32 => new float[count],
        NpyDType.Float64 => new double[count],
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The raw bytes of one of the arrays <see cref="Allocate"/> makes.</summary>
    public static Span<byte> Bytes(Array data) => data switch
    {
        byte[] a => a,
        short[] a => System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()),
        float[] a => System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw new ArgumentException($"unsupported array type {data.GetType()}", nameof(data)),
    };
}
