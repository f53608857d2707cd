using System.Globalization;
using ContrastiveLab.IO;

namespace ContrastiveLab.Tests.IO;

/// <summary>Files written here are read by real NumPy and the other way round.</summary>
public class NpyNumpyInteropTests
{
    [SkippableFact]
    public void Numpy_reads_what_the_writer_writes_and_the_reader_reads_what_numpy_saves()
    {
        Prerequisites.Numpy();
        string dir = Directory.CreateTempSubdirectory("npy-interop").FullName;
        try
        {
            NpyWriter.Write(Path.Combine(dir, "ours_f4.npy"), NpyArray.Create(new[] { 0.5f, -1.25f, 3f, 4f, 5f, 6f }, 2, 3));
            NpyWriter.Write(Path.Combine(dir, "ours_f8.npy"), NpyArray.Create(new[] { Math.PI, Math.E }, 2), formatVersion: 2);
            NpyWriter.Write(Path.Combine(dir, "ours_i8.npy"), NpyArray.Create(new[] { long.MinValue, 5L }, 2, 1));
            string seen = PythonNumpy.RunSnippet($$"""
                import os
                d = {{'"'}}{{dir}}{{'"'}}
                for name in ['ours_f4', 'ours_f8', 'ours_i8']:
                    a = np.load(os.path.join(d, name + '.npy'))
                    print(name, a.dtype.str, a.shape, repr(a.ravel().tolist()))
                np.save(os.path.join(d, 'theirs_f4.npy'), np.arange(6, dtype='<f4').reshape(3, 2) / 4)
                np.save(os.path.join(d, 'theirs_i4.npy'), np.array([-3, 0, 7], dtype='<i4'))
                np.save(os.path.join(d, 'theirs_u1.npy'), np.array([[0, 255]], dtype='|u1'))
                with open(os.path.join(d, 'theirs_v2.npy'), 'wb') as f:
                    np.lib.format.write_array(f, np.arange(4, dtype='<f8'), version=(2, 0))
                """);
            string[] lines = seen.Trim().Split('\n');
            Assert.Equal("ours_f4 <f4 (2, 3) [0.5, -1.25, 3.0, 4.0, 5.0, 6.0]", lines[0]);
            Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"ours_f8 <f8 (2,) [{Math.PI:R}, {Math.E:R}]"), lines[1]);
            Assert.Equal("ours_i8 <i8 (2, 1) [-9223372036854775808, 5]", lines[2]);

            var f4 = NpyReader.Read(Path.Combine(dir, "theirs_f4.npy"));
            Assert.Equal([3L, 2L], f4.Shape);
            Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f], f4.AsSpan<float>().ToArray());
            Assert.Equal([-3, 0, 7], NpyReader.Read(Path.Combine(dir, "theirs_i4.npy")).AsSpan<int>().ToArray());
            var u1 = NpyReader.Read(Path.Combine(dir, "theirs_u1.npy"));
            Assert.Equal((NpyDType.UInt8, 2), (u1.DType, u1.Rank));
            Assert.Equal([0L, 255L], u1.ToInt64Array());
            Assert.Equal([0.0, 1, 2, 3], NpyReader.Read(Path.Combine(dir, "theirs_v2.npy")).AsSpan<double>().ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
