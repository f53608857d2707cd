using ContrastiveLab.IO;

namespace ContrastiveLab.Tests.IO;

/// <summary>The reader against hand-built files: header variants numpy writes, and every kind of damage.</summary>
public class NpyReaderTests
{
    private const string Name = "data/x.npy";

    private static NpyArray Read(byte[] bytes) => NpyReader.Read(new MemoryStream(bytes), Name);

    /// <summary>Reads bytes that must be refused; checks the message is one line that names the file and contains <paramref name="expected"/>.</summary>
    private static void AssertRefused(byte[] bytes, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => Read(bytes));
        Assert.StartsWith(Name + ": ", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static string Pad(string dict) => dict + new string(' ', 117 - dict.Length) + "\n";

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }")]
    [InlineData("{'descr':'<f8','fortran_order':False,'shape':(2,2)}")]
    [InlineData("{\"shape\": (2, 2,), \"fortran_order\": False, \"descr\": \"<f8\"}")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 2L), }")]
    public void Header_variants_numpy_or_python_can_write_are_accepted(string dict)
    {
        var array = Read(NpyBytes.Build(Pad(dict), NpyBytes.Float64(1, 2, 3, 4)));
        Assert.Equal(NpyDType.Float64, array.DType);
        Assert.Equal([2L, 2L], array.Shape);
        Assert.Equal([1.0, 2, 3, 4], array.AsSpan<double>().ToArray());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Version_2_and_3_headers_with_four_byte_lengths_are_read(byte major)
    {
        var array = Read(NpyBytes.Build("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", NpyBytes.Float64(5, 6, 7), major));
        Assert.Equal([3L], array.Shape);
        Assert.Equal([5.0, 6, 7], array.ToDoubleArray());
    }

    [Fact]
    public void Zero_dimensional_and_empty_arrays_are_read()
    {
        var scalar = Read(NpyBytes.Build("{'descr': '<f8', 'fortran_order': False, 'shape': (), }\n", NpyBytes.Float64(2.5)));
        Assert.Equal(0, scalar.Rank);
        Assert.Equal([2.5], scalar.ToDoubleArray());
        var empty = Read(NpyBytes.Build("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }\n", []));
        Assert.Equal([0L, 3L], empty.Shape);
        Assert.Equal(0, empty.Count);
    }

    [Fact]
    public void Bad_magic_is_not_a_npy_file() =>
        AssertRefused([.. "\x93NUMPZ"u8.ToArray(), 1, 0, 0, 0], "not a .npy file");

    [Fact]
    public void Text_file_is_not_a_npy_file() =>
        AssertRefused("0.1,0.2,0.3\n0.4,0.5,0.6\n"u8.ToArray(), "not a .npy file");

    [Fact]
    public void Empty_file_is_refused() => AssertRefused([], "empty");

    [Fact]
    public void File_cut_inside_the_preamble_is_truncated() =>
        AssertRefused([0x93, .. "NUMPY"u8.ToArray(), 1], "truncated");

    [Fact]
    public void Header_length_past_the_end_of_the_file_is_truncated() =>
        AssertRefused(NpyBytes.Build("{'descr': '<f8', ", [], claimedHeaderLength: 5000), "truncated: the header claims 5000 bytes");

    [Fact]
    public void Data_shorter_than_the_shape_needs_is_truncated() =>
        AssertRefused(NpyBytes.Build("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }\n", NpyBytes.Float64(1, 2)), "truncated: shape (4,) of <f8 needs 32 bytes of data but the file has 16");

    [Fact]
    public void Bytes_after_the_data_are_refused() =>
        AssertRefused(NpyBytes.Build("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", NpyBytes.Float64(1, 2)), "8 unexpected bytes after the data");

    [Fact]
    public void Huge_shape_in_a_small_file_fails_without_allocating_for_the_shape()
    {
        byte[] bytes = NpyBytes.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000), }\n", new byte[64]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertRefused(bytes, "needs 4000000000000 bytes of data but the file has 64");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"refusing the file allocated {allocated} bytes");
    }

    [Fact]
    public void Shape_whose_product_overflows_is_refused() =>
        AssertRefused(NpyBytes.Build("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }\n", []), "too large");

    [Fact]
    public void Byte_count_that_overflows_is_refused_as_truncated() =>
        AssertRefused(NpyBytes.Build("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }\n", []), "truncated");

    [Fact]
    public void Fortran_order_is_refused() =>
        AssertRefused(NpyBytes.Build("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }\n", NpyBytes.Float64(1, 2, 3, 4)), "Fortran-order");

    [Theory]
    [InlineData(">f4")]
    [InlineData(">i8")]
    public void Big_endian_dtypes_are_refused_with_the_fix(string descr) =>
        AssertRefused(NpyBytes.Build($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}\n", new byte[8]), $"big-endian dtype '{descr}' is not supported");

    [Theory]
    [InlineData("<f2")]
    [InlineData("<c8")]
    [InlineData("|b1")]
    [InlineData("<U5")]
    [InlineData("|O")]
    public void Other_dtypes_are_refused_listing_the_supported_ones(string descr) =>
        AssertRefused(NpyBytes.Build($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}\n", new byte[8]), $"unsupported dtype '{descr}' (supported:");

    [Fact]
    public void Unsupported_format_version_is_refused() =>
        AssertRefused(NpyBytes.Build("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", NpyBytes.Float64(1), major: 4), "unsupported .npy format version 4.0");

    [Theory]
    [InlineData("{'descr': '<f8', 'shape': (1,), }", "key 'fortran_order' is missing")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "unexpected key 'extra'")]
    [InlineData("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", "appears twice")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1)}", "shape must be a tuple")]
    [InlineData("{'descr': '<f8', 'fortran_order': false, 'shape': (1,)}", "expected True or False")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", "non-negative integer")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} junk", "unexpected text after the dictionary")]
    [InlineData("{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}", "expected ',' at offset 17, found 'f'")]
    [InlineData("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,)}", "structured")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", "expected ',' at offset 54, found '\\n'")]
    [InlineData("['descr', '<f8']", "expected '{'")]
    public void Malformed_header_dictionaries_are_refused(string dict, string expected)
    {
        byte[] bytes = NpyBytes.Build(dict + "\n", NpyBytes.Float64(1));
        AssertRefused(bytes, ": bad header: ");
        AssertRefused(bytes, expected);
    }
}
