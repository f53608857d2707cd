using System.Formats.Tar;
using ContrastiveLab.Data;
using CsCheck;
using Xunit.Abstractions;

namespace ContrastiveLab.Tests.Fuzz;

/// <summary>
/// Archives whose entry names are built from hostile pieces ("..", absolute roots, backslashes, drive letters): the
/// reader refuses the archive, or every name it returns stays inside any folder it is joined to.
/// </summary>
public class TarNameFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Pieces = ["..", ".", "a", "b", "", "/", "\\", "C:", "c:\\", "~", "..\\..", "...", ". .", "%2e%2e", "cifar-10-batches-bin", "x.bin", "\u2025", "a..b"];

    [Fact]
    public void No_returned_entry_name_leaves_the_folder_it_is_joined_to()
    {
        string root = Directory.CreateTempSubdirectory("contrastivelab-tarnames-").FullName;
        long cases = 0, refused = 0, kept = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var gen = Gen.Int[0, Pieces.Length - 1].Array[1, 6].Select(parts => string.Join("/", parts.Select(p => Pieces[p]))).Array[1, 4];
            Action<string[]> property = names =>
            {
                cases++;
                string path = Path.Combine(root, "names.tar");
                using (var stream = File.Create(path))
                using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
                {
                    foreach (string name in names.Where(n => n.Length > 0))
                    {
                        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream([1]) });
                    }
                }
                Dictionary<string, byte[]> files;
                try
                {
                    files = TarArchive.ReadFiles(path, _ => true);
                }
                catch (DataFormatException e)
                {
                    Assert.Equal(path, e.FilePath);
                    refused++;
                    return;
                }
                string target = Path.Combine(root, "target");
                foreach (string key in files.Keys)
                {
                    kept++;
                    string full = Path.GetFullPath(Path.Combine(target, key));
                    Assert.True(full.StartsWith(target + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"entry '{key}' resolves to {full}, outside {target}");
                }
            };
            if (FuzzHarness.Seconds is { } seconds)
            {
                gen.Sample(property, iter: long.MaxValue, time: seconds, threads: 1, print: n => string.Join(" | ", n));
            }
            else
            {
                gen.Sample(property, iter: 300, threads: 1, print: n => string.Join(" | ", n));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            string line = $"fuzz tar-names: {cases} archives in {watch.Elapsed.TotalSeconds:F1} s, {refused} refused, {kept} names kept (all inside the folder)";
            output.WriteLine(line);
            if (Environment.GetEnvironmentVariable("CONTRASTIVE_FUZZ_LOG") is { Length: > 0 } log)
            {
                File.AppendAllText(log, line + Environment.NewLine);
            }
        }
    }
}
