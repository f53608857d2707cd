using ContrastiveLab.IO;
using TorchSharp;

namespace ContrastiveLab.Tests.IO;

/// <summary>Writer then reader: every dtype and format version, files on disk, tensors.</summary>
public class NpyRoundTripTests
{
    public static TheoryData<int> Versions => [1, 2, 3];

    private static NpyArray RoundTrip(NpyArray array, int version)
    {
        var stream = new MemoryStream();
        NpyWriter.Write(stream, array, version);
        long dataOffset = stream.Length - array.Count * (array.DType switch
        {
            NpyDType.UInt8 => 1,
            NpyDType.Int16 => 2,
            NpyDType.Int32 or NpyDType.Float32 => 4,
            _ => 8,
        });
        Assert.Equal(0, dataOffset % 64);
        stream.Position = 0;
        return NpyReader.Read(stream, "memory");
    }

    private static void AssertRoundTrips<T>(T[] data, long[] shape, NpyDType expected, int version) where T : unmanaged
    {
        var back = RoundTrip(NpyArray.Create(data, shape), version);
        Assert.Equal(expected, back.DType);
        Assert.Equal(shape, back.Shape);
        Assert.Equal(data, back.AsSpan<T>().ToArray());
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Every_dtype_round_trips_exactly(int version)
    {
        long[] shape = [2, 3];
        AssertRoundTrips(new float[] { 1.5f, -0f, float.MaxValue, float.Epsilon, float.NaN, float.NegativeInfinity }, shape, NpyDType.Float32, version);
        AssertRoundTrips(new double[] { Math.PI, -1e-300, double.MaxValue, 0, 1, double.PositiveInfinity }, shape, NpyDType.Float64, version);
        AssertRoundTrips(new long[] { long.MinValue, -1, 0, 1, long.MaxValue, 42 }, shape, NpyDType.Int64, version);
        AssertRoundTrips(new int[] { int.MinValue, -1, 0, 1, int.MaxValue, 42 }, shape, NpyDType.Int32, version);
        AssertRoundTrips(new short[] { short.MinValue, -1, 0, 1, short.MaxValue, 42 }, shape, NpyDType.Int16, version);
        AssertRoundTrips(new byte[] { 0, 1, 127, 128, 255, 42 }, shape, NpyDType.UInt8, version);
    }

    [Fact]
    public void Shapes_of_every_rank_round_trip()
    {
        AssertRoundTrips(new double[] { 7 }, [], NpyDType.Float64, 1);
        AssertRoundTrips(new long[] { 1, 2, 3 }, [3], NpyDType.Int64, 1);
        AssertRoundTrips(new float[24], [2, 3, 4], NpyDType.Float32, 1);
        AssertRoundTrips(Array.Empty<float>(), [0, 5], NpyDType.Float32, 1);
    }

    [Fact]
    public void Version_1_header_matches_numpy_byte_for_byte()
    {
        // numpy.save(np.zeros((2, 3), '<f4')) writes exactly this 128-byte preamble.
        var stream = new MemoryStream();
        NpyWriter.Write(stream, NpyArray.Create(new float[6], 2, 3));
        byte[] bytes = stream.ToArray();
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        byte[] expected = NpyBytes.Build(dict + new string(' ', 128 - 10 - dict.Length - 1) + "\n", new byte[24]);
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void File_write_is_atomic_and_replaces_the_old_file()
    {
        string dir = Directory.CreateTempSubdirectory("npy").FullName;
        try
        {
            string path = Path.Combine(dir, "a.npy");
            File.WriteAllText(path, "old content");
            NpyWriter.Write(path, NpyArray.Create(new[] { 1.0, 2.0 }, 2));
            Assert.Equal([1.0, 2.0], NpyReader.Read(path).ToDoubleArray());
            Assert.Equal(["a.npy"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Create_copies_its_input_so_the_array_stays_immutable()
    {
        float[] data = [1, 2, 3];
        var array = NpyArray.Create(data, 3);
        data[0] = 99;
        using var tensor = array.ToTensor();
        tensor[0] = torch.tensor(-5f);
        Assert.Equal([1f, 2, 3], array.AsSpan<float>().ToArray());
    }

    [Fact]
    public void Create_rejects_a_shape_that_does_not_match_the_data()
    {
        Assert.Throws<ArgumentException>(() => NpyArray.Create(new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => NpyArray.Create(new float[6], -2, -3));
        Assert.Throws<ArgumentException>(() => NpyArray.Create(new char[1], 1));
    }

    [Fact]
    public void Tensors_round_trip_with_shape_and_element_type()
    {
        using var scope = torch.NewDisposeScope();
        var source = torch.arange(12, dtype: torch.float64).reshape(3, 4) / 7;
        var array = NpyArray.FromTensor(source.t()); // a non-contiguous view is written in C order
        Assert.Equal([4L, 3L], array.Shape);
        var back = array.ToTensor();
        Assert.Equal(torch.ScalarType.Float64, back.dtype);
        Assert.True(back.allclose(source.t(), rtol: 0, atol: 0));
        var labels = NpyArray.Create(new long[] { 3, 1, 2 }, 3).ToTensor();
        Assert.Equal(torch.ScalarType.Int64, labels.dtype);
        Assert.Equal([3L, 1, 2], labels.data<long>().ToArray());
    }

    [Fact]
    public void Typed_accessors_refuse_the_wrong_type()
    {
        var floats = NpyArray.Create(new[] { 1.5f }, 1);
        Assert.Throws<InvalidOperationException>(() => floats.AsSpan<double>().Length);
        Assert.Throws<InvalidOperationException>(floats.ToInt64Array);
        Assert.Equal([7L], NpyArray.Create(new short[] { 7 }, 1).ToInt64Array());
    }
}
