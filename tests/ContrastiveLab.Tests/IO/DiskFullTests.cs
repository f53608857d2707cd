using ContrastiveLab.IO;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Tests.Cli;
using ContrastiveLab.Tests.Training;
using ContrastiveLab.Training;
using Xunit.Abstractions;

namespace ContrastiveLab.Tests.IO;

/// <summary>
/// A disk that fills up while a run writes a checkpoint, its metrics, its final files or a report: the error names
/// the file and says "no space", the previous checkpoint and files stay intact, no temporary is left, and after the
/// space returns a resume ends with the uninterrupted metrics. Simulated through <see cref="FileWrites"/>, and once for
/// real on a small tmpfs where the machine lets the test mount one.
/// </summary>
[Collection(FixtureRunCollection.Name)]
public sealed class DiskFullTests(FixtureRunFixture reference, ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-diskfull-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("model.bin", "checkpoints/epoch-0002")]
    [InlineData("manifest.json", "checkpoints/epoch-0002")]
    [InlineData("metrics.csv", "metrics.csv")]
    [InlineData("test_embeddings.npy", "test_embeddings.npy")]
    [InlineData("summary.json", "summary.json")]
    public void A_disk_that_fills_up_mid_write_leaves_the_run_resumable_to_the_uninterrupted_metrics(string file, string named)
    {
        string dir = Path.Combine(_root, "run");
        // The disk fills up once epoch 2 is evaluated: the next write of the file fails after 100 bytes.
        var e = Assert.Throws<DiskFullException>(() => Trainer.Run(FixtureRunFixture.Config(), dir, new TrainRunOptions
        {
            Threads = 2,
            Progress = p =>
            {
                if (p.EpochFinished && p.Epoch == 2)
                {
                    FileWrites.FailAfter(100, path => Path.GetFileName(path) == file && path.StartsWith(dir, StringComparison.Ordinal));
                }
            },
        }));
        FileWrites.Clear();
        Assert.StartsWith("no space left on device while writing ", e.Message);
        Assert.Contains(Path.Combine(dir, named), e.Message);
        AssertIntactAfterFailure(dir);
        if (named.StartsWith("checkpoints", StringComparison.Ordinal))
        {
            Assert.Equal("epoch-0001", new CheckpointStore(dir).LatestValid()!.Name);
        }

        var summary = Trainer.Run(FixtureRunFixture.Config(), dir, new TrainRunOptions { Threads = 2, Resume = true });
        Assert.Equal(TrainerTests.Deterministic(reference.Summary), TrainerTests.Deterministic(summary));
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference.ReferenceDirectory, RunFiles.TestEmbeddings)), File.ReadAllBytes(Path.Combine(dir, RunFiles.TestEmbeddings)));
    }

    [Fact]
    public void The_cli_reports_a_full_disk_in_one_line_naming_the_file_for_train_and_report()
    {
        string configFile = Path.Combine(_root, "tiny.json");
        Directory.CreateDirectory(_root);
        File.WriteAllText(configFile, TrainConfig.ToJson(FixtureRunFixture.Config()));
        string dir = Path.Combine(_root, "run");
        try
        {
            FileWrites.FailAfter(10, path => path.StartsWith(dir, StringComparison.Ordinal));
            var (code, _, stderr) = CliRunner.Run("train", "--config", configFile, "--out", dir);
            Assert.Equal(3, code);
            Assert.Equal($"error: no space left on device while writing {Path.Combine(dir, RunFiles.Config)}.", ErrorLine(stderr).Split(" Files written before")[0]);

            string report = Path.Combine(_root, "report");
            FileWrites.FailAfter(1000, path => path.StartsWith(report, StringComparison.Ordinal));
            (code, _, stderr) = CliRunner.Run("report", reference.Root, "--out", report);
            Assert.Equal(3, code);
            Assert.StartsWith($"error: no space left on device while writing {report}{Path.DirectorySeparatorChar}", ErrorLine(stderr));
            Assert.Empty(Directory.EnumerateFiles(report, ".*", SearchOption.AllDirectories));
            FileWrites.Clear();
            (code, _, stderr) = CliRunner.Run("report", reference.Root, "--out", report);
            Assert.True(code == 0, stderr);
        }
        finally
        {
            FileWrites.Clear();
        }
    }

    [SkippableFact]
    public void A_real_full_tmpfs_during_a_checkpoint_leaves_the_previous_one_intact_and_resume_works_once_space_returns()
    {
        string mount = Path.Combine(_root, "tmpfs");
        Directory.CreateDirectory(mount);
        Prerequisites.Linux("a tmpfs");
        var (mounted, why) = Run("mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", mount);
        Skip.IfNot(mounted, $"cannot mount a 16 MiB tmpfs here ({why.Trim()}); run the tests as root (bash .ci/run does). The simulated full-disk tests still ran");
        try
        {
            string dir = Path.Combine(mount, "run");
            string filler = Path.Combine(mount, "filler");
            long filled = 0;
            var e = Assert.Throws<DiskFullException>(() => Trainer.Run(FixtureRunFixture.Config(), dir, new TrainRunOptions
            {
                Threads = 2,
                Progress = p =>
                {
                    if (p.EpochFinished && p.Epoch == 2)
                    {
                        filled = Fill(filler);
                    }
                },
            }));
            Assert.Contains("no space left on device while writing " + Path.Combine(dir, "checkpoints", "epoch-0002"), e.Message);
            Assert.True(DiskFullException.IsDiskFull((IOException)e.InnerException!), "the real error should be ENOSPC: " + e.InnerException);
            AssertIntactAfterFailure(dir);
            Assert.Equal("epoch-0001", new CheckpointStore(dir).LatestValid()!.Name);

            // Still full: the CLI says so in one line instead of failing elsewhere.
            var (code, _, stderr) = CliRunner.Run("train", "--out", dir, "--resume");
            Assert.Equal(3, code);
            Assert.StartsWith("error: no space left on device", ErrorLine(stderr));

            File.Delete(filler);
            var summary = Trainer.Run(FixtureRunFixture.Config(), dir, new TrainRunOptions { Threads = 2, Resume = true });
            Assert.Equal(TrainerTests.Deterministic(reference.Summary), TrainerTests.Deterministic(summary));
            output.WriteLine($"real tmpfs: filled with {filled} bytes at the epoch-2 checkpoint; {e.Message}; CLI while full: {ErrorLine(stderr)}");
        }
        finally
        {
            if (!Run("umount", mount).Ok)
            {
                Run("umount", "-l", mount);
            }
        }
    }

    /// <summary>The one error line a failed command prints last (start-up notes may come before it), with no stack trace.</summary>
    private static string ErrorLine(string stderr)
    {
        var lines = stderr.Trim().Split('\n');
        Assert.Single(lines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.StartsWith("error:", lines[^1]);
        return lines[^1];
    }

    /// <summary>After a failed write: no temporary anywhere, every checkpoint validates, metrics.csv complete, no summary.</summary>
    private static void AssertIntactAfterFailure(string dir)
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir, ".*", SearchOption.AllDirectories)); // no temporary, and the lock went with the run
        var rejected = new List<string>();
        Assert.NotNull(new CheckpointStore(dir).LatestValid(rejected));
        Assert.Empty(rejected);
        var rows = File.ReadAllLines(Path.Combine(dir, RunFiles.Metrics));
        Assert.True(rows.Length >= 3 && rows.All(r => r.Split(',').Length == rows[0].Split(',').Length), "metrics.csv is incomplete");
        Assert.False(Trainer.IsFinished(dir));
    }

    /// <summary>Writes <paramref name="path"/> until the file system refuses another byte; returns the bytes written.</summary>
    private static long Fill(string path)
    {
        long written = 0;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
        foreach (int chunk in new[] { 1 << 20, 1 << 12, 1 })
        {
            var bytes = new byte[chunk];
            try
            {
                while (true)
                {
                    stream.Write(bytes);
                    written += chunk;
                }
            }
            catch (IOException e) when (DiskFullException.IsDiskFull(e))
            {
            }
        }
        return written;
    }

    private static (bool Ok, string Error) Run(string tool, params string[] args)
    {
        try
        {
            var (code, _, error) = ProcessExec.Run(tool, args);
            return (code == 0, error);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (false, e.Message);
        }
    }

    public void Dispose()
    {
        FileWrites.Clear();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
