namespace ContrastiveLab.IO;

/// <summary>
/// An immutable n-dimensional array as stored in a <c>.npy</c> file: C (row-major) order, little-endian element
/// type, shape in numpy's sense. A class, not a record: record equality would compare the data by reference.
/// </summary>
public sealed class NpyArray
{
    private readonly Array _data;
    private readonly long[] _shape;

    /// <summary>Takes ownership of <paramref name="data"/>, which must hold exactly the product of <paramref name="shape"/> elements.</summary>
    internal NpyArray(NpyDType dtype, long[] shape, Array data)
    {
        DType = dtype;
        _shape = shape;
        _data = data;
    }

    /// <summary>The element type.</summary>
    public NpyDType DType { get; }

    /// <summary>The dimensions, outermost first; empty for a 0-d (scalar) array.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public long Count => _data.LongLength;

    /// <summary>True for <see cref="NpyDType.Float32"/> and <see cref="NpyDType.Float64"/>.</summary>
    public bool IsFloatingPoint => DType is NpyDType.Float32 or NpyDType.Float64;

    /// <summary>The numpy descriptor, e.g. <c>&lt;f4</c>.</summary>
    public string Descr => NpyDTypeInfo.Descr(DType);

    /// <summary>The shape as Python writes it: <c>(2000, 32)</c>, <c>(5,)</c>, <c>()</c>.</summary>
    public string ShapeText => FormatShape(_shape);

    /// <summary>Copies <paramref name="data"/> (C order) into a new array of the given shape.</summary>
    /// <typeparam name="T">byte, short, int, long, float or double.</typeparam>
    /// <exception cref="ArgumentException">The element type is not one of those, a dimension is negative,
    /// or the shape's product is not <c>data.Length</c>.</exception>
    public static NpyArray Create<T>(T[] data, params long[] shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var dtype = NpyDTypeInfo.Of<T>() ?? throw new ArgumentException($"{typeof(T).Name} has no .npy element type here (use byte, short, int, long, float or double)", nameof(data));
        long count = ElementCount(shape) ?? throw new ArgumentException($"shape {FormatShape(shape)} is invalid (negative or overflowing)", nameof(shape));
        if (count != data.LongLength)
        {
            throw new ArgumentException($"shape {FormatShape(shape)} holds {count} elements but the data has {data.LongLength}", nameof(shape));
        }
        return new NpyArray(dtype, (long[])shape.Clone(), (T[])data.Clone());
    }

    /// <summary>Copies a CPU or GPU tensor into a new array (made contiguous, same element type).</summary>
    /// <param name="tensor">Any shape; uint8, int16, int32, int64, float32 or float64.</param>
    /// <exception cref="ArgumentException">The tensor's element type has no .npy equivalent here.</exception>
    public static NpyArray FromTensor(torch.Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var dtype = NpyDTypeInfo.FromScalarType(tensor.dtype) ?? throw new ArgumentException($"tensors of type {tensor.dtype} cannot be written to .npy here", nameof(tensor));
        using var scope = torch.NewDisposeScope();
        var flat = tensor.detach().cpu().contiguous();
        Array data = dtype switch
        {
            NpyDType.UInt8 => flat.data<byte>().ToArray(),
            NpyDType.Int16 => flat.data<short>().ToArray(),
            NpyDType.Int32 => flat.data<int>().ToArray(),
            NpyDType.Int64 => flat.data<long>().ToArray(),
            NpyDType.Float32 => flat.data<float>().ToArray(),
            _ => flat.data<double>().ToArray(),
        };
        return new NpyArray(dtype, tensor.shape, data);
    }

    /// <summary>The elements in C order, without copying.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the array's element type.</exception>
    public ReadOnlySpan<T> AsSpan<T>() where T : unmanaged
        => _data is T[] typed
            ? typed
            : throw new InvalidOperationException($"the array holds {Descr}, not {typeof(T).Name}");

    /// <summary>A copy of the elements converted to double (exact except int64 beyond ±2⁵³).</summary>
    public double[] ToDoubleArray() => _data switch
    {
        double[] a => (double[])a.Clone(),
        float[] a => Array.ConvertAll(a, v => (double)v),
        long[] a => Array.ConvertAll(a, v => (double)v),
        int[] a => Array.ConvertAll(a, v => (double)v),
        short[] a => Array.ConvertAll(a, v => (double)v),
        byte[] a => Array.ConvertAll(a, v => (double)v),
        _ => throw new InvalidOperationException("unreachable"),
    };

    /// <summary>A copy of the elements of an integer array, widened to int64.</summary>
    /// <exception cref="InvalidOperationException">The array holds floating-point values.</exception>
    public long[] ToInt64Array() => _data switch
    {
        long[] a => (long[])a.Clone(),
        int[] a => Array.ConvertAll(a, v => (long)v),
        short[] a => Array.ConvertAll(a, v => (long)v),
        byte[] a => Array.ConvertAll(a, v => (long)v),
        _ => throw new InvalidOperationException($"the array holds floating-point values ({Descr}), not integers"),
    };

    /// <summary>
    /// A new tensor with the same shape and element type, holding its own copy of the data.
    /// </summary>
    /// <param name="device">Where to put it; null means the CPU.</param>
    public torch.Tensor ToTensor(torch.Device? device = null)
    {
        // torch.tensor pins and shares a managed array, so hand it a private copy to keep this array immutable.
        var tensor = _data switch
        {
            byte[] a => torch.tensor((byte[])a.Clone(), _shape),
            short[] a => torch.tensor((short[])a.Clone(), _shape),
            int[] a => torch.tensor((int[])a.Clone(), _shape),
            long[] a => torch.tensor((long[])a.Clone(), _shape),
            float[] a => torch.tensor((float[])a.Clone(), _shape),
            double[] a => torch.tensor((double[])a.Clone(), _shape),
            _ => throw new InvalidOperationException("unreachable"),
        };
        if (device is null || device.type == DeviceType.CPU)
        {
            return tensor;
        }
        using (tensor)
        {
            return tensor.to(device);
        }
    }

    /// <summary>The raw little-endian bytes, for the writer.</summary>
    internal ReadOnlySpan<byte> RawBytes => NpyDTypeInfo.Bytes(_data);

    /// <summary>Product of the dimensions; null when one is negative or the product overflows a long.</summary>
    internal static long? ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (long dim in shape)
        {
            if (dim < 0)
            {
                return null;
            }
            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                return null;
            }
        }
        return count;
    }

    internal static string FormatShape(IReadOnlyList<long> shape) => shape.Count switch
    {
        0 => "()",
        1 => string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)"),
        _ => "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
    };
}
