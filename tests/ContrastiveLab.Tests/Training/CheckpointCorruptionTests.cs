using System.Text;
using System.Text.Json.Nodes;
using ContrastiveLab.Runs;
using ContrastiveLab.Training;
using Xunit.Abstractions;

namespace ContrastiveLab.Tests.Training;

/// <summary>
/// Damaged checkpoints: every kind of damage to every file of a real checkpoint is caught by the checksums and named;
/// a resume skips a damaged newest checkpoint with a message, falls back to the previous good one, and still ends
/// with the uninterrupted run's metrics.
/// </summary>
[Collection(FixtureRunCollection.Name)]
public sealed class CheckpointCorruptionTests(FixtureRunFixture reference, CheckpointCorruptionTests.InterruptedRun interrupted, ITestOutputHelper output)
    : IClassFixture<CheckpointCorruptionTests.InterruptedRun>, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-corrupt-" + Guid.NewGuid().ToString("N"));

    /// <summary>Ways a file gets damaged: bit rot, a write cut short, a file lost or replaced.</summary>
    public static TheoryData<string> Damages => ["flip-first", "flip-middle", "flip-last", "empty", "half", "one-short", "one-more", "deleted"];

    [Theory]
    [InlineData("memory-bank")]
    [InlineData("queue")]
    public void Every_kind_of_damage_to_every_file_of_a_checkpoint_is_detected_and_named(string negatives)
    {
        string source = negatives == "memory-bank" ? reference.ReferenceDirectory : Path.Combine(_root, "queue-run");
        if (negatives == "queue")
        {
            Trainer.Run(FixtureRunFixture.Config("queue", "simple") with { Epochs = 1 }, source, new TrainRunOptions { Threads = 2 });
        }
        var pristine = new CheckpointStore(source).LatestValid()!;
        var files = Directory.GetFiles(pristine.Path).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Contains(CheckpointStore.ManifestName, files);
        Assert.Contains(negatives == "queue" ? "key_model.bin" : "bank.bin", files);

        int cases = 0;
        foreach (string file in files)
        {
            foreach (string damage in Damages)
            {
                string run = Path.Combine(_root, "scratch", $"{file}-{damage}");
                CopyDirectory(pristine.Path, Path.Combine(run, "checkpoints", pristine.Name));
                Damage(Path.Combine(run, "checkpoints", pristine.Name, file), damage);
                var rejected = new List<string>();
                Assert.Empty(new CheckpointStore(run).ListValid(rejected));
                string reason = Assert.Single(rejected);
                Assert.Contains(file == CheckpointStore.ManifestName ? "manifest" : file, reason);
                Directory.Delete(run, recursive: true);
                cases++;
            }
        }

        // A stale file (a valid file of another checkpoint in its place) is caught as well.
        var older = new CheckpointStore(source).ListValid().Skip(1).FirstOrDefault();
        if (older is not null)
        {
            string run = Path.Combine(_root, "scratch", "stale");
            CopyDirectory(pristine.Path, Path.Combine(run, "checkpoints", pristine.Name));
            File.Copy(Path.Combine(older.Path, "model.bin"), Path.Combine(run, "checkpoints", pristine.Name, "model.bin"), overwrite: true);
            var rejected = new List<string>();
            Assert.Empty(new CheckpointStore(run).ListValid(rejected));
            Assert.Contains("model.bin does not match its checksum", Assert.Single(rejected));
            cases++;
        }
        output.WriteLine($"{negatives}: {files.Length} files × {Damages.Count} kinds of damage (+{cases - files.Length * Damages.Count} stale file): {cases} damaged checkpoints, all refused with the file named");
    }

    [Fact]
    public void Every_single_bit_flip_in_a_manifest_is_detected_and_an_older_manifest_without_its_own_checksum_still_loads()
    {
        var pristine = new CheckpointStore(reference.ReferenceDirectory).LatestValid()!;
        string run = Path.Combine(_root, "manifest");
        string dir = Path.Combine(run, "checkpoints", pristine.Name);
        CopyDirectory(pristine.Path, dir);
        string manifest = Path.Combine(dir, CheckpointStore.ManifestName);
        byte[] original = File.ReadAllBytes(manifest);
        var store = new CheckpointStore(run);
        int flips = 0;
        foreach (byte mask in new byte[] { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80 })
        {
            for (int i = 0; i < original.Length; i++)
            {
                byte[] damaged = (byte[])original.Clone();
                damaged[i] ^= mask;
                File.WriteAllBytes(manifest, damaged);
                var rejected = new List<string>();
                Assert.True(store.ListValid(rejected).Count == 0, $"flipping bit {mask:X2} of byte {i} ('{(char)original[i]}') went unnoticed");
                Assert.Contains("manifest", Assert.Single(rejected));
                flips++;
            }
        }
        output.WriteLine($"{flips} single-bit flips of a {original.Length}-byte manifest: all refused");

        // Manifests written before the self-check: accepted while their file checksums hold.
        var legacy = JsonNode.Parse(original)!.AsObject();
        Assert.True(legacy.Remove("Check"));
        File.WriteAllText(manifest, legacy.ToJsonString());
        Assert.Equal(pristine.Name, Assert.Single(store.ListValid()).Name);
        File.WriteAllBytes(Path.Combine(dir, "meta.json"), Encoding.UTF8.GetBytes("{}"));
        Assert.Empty(store.ListValid());
    }

    [Theory]
    [InlineData("model.bin", "flip-middle")]
    [InlineData("optimizer.bin", "half")]
    [InlineData("bank.bin", "deleted")]
    [InlineData("meta.json", "flip-last")]
    [InlineData("manifest.json", "one-short")]
    [InlineData("model.bin", "every checkpoint")]
    public void Resume_refuses_a_damaged_checkpoint_with_a_message_falls_back_and_ends_with_the_uninterrupted_metrics(string file, string damage)
    {
        string dir = Path.Combine(_root, "run");
        CopyDirectory(interrupted.Directory, dir, recursive: true);
        var store = new CheckpointStore(dir);
        var checkpoints = store.ListValid();
        Assert.True(checkpoints.Count >= 2, "the interrupted run should hold at least two checkpoints");
        var damaged = damage == "every checkpoint" ? checkpoints : [checkpoints[0]];
        foreach (var c in damaged)
        {
            Damage(Path.Combine(c.Path, file), damage == "every checkpoint" ? "flip-middle" : damage);
        }

        var log = new StringWriter();
        var summary = Trainer.Run(FixtureRunFixture.Config(), dir, new TrainRunOptions { Threads = 2, Resume = true, Log = log });
        string text = log.ToString();
        foreach (var c in damaged)
        {
            Assert.Contains($"resume: skipping checkpoint {c.Path}: ", text);
        }
        Assert.Contains(file == CheckpointStore.ManifestName ? "manifest" : file, text);
        Assert.Contains(damage == "every checkpoint" ? "resume: no valid checkpoint, starting from the beginning" : $"resume: from checkpoint {checkpoints[1].Name}", text);
        Assert.Equal(TrainerTests.Deterministic(reference.Summary), TrainerTests.Deterministic(summary));
    }

    /// <summary>
    /// The fixture run stopped in epoch 3 (after one step), as Ctrl-C leaves it: checkpoints after epochs 1–2 and the
    /// stop. Made once for the class; each test damages a copy.
    /// </summary>
    public sealed class InterruptedRun : IDisposable
    {
        private readonly Lazy<string> _directory = new(() => Make(Path.Combine(Path.GetTempPath(), "cl-interrupted-" + Guid.NewGuid().ToString("N"))));

        /// <summary>The run folder (made on first use, inside the test collection's sequence).</summary>
        public string Directory => _directory.Value;

        public void Dispose()
        {
            if (_directory.IsValueCreated)
            {
                try
                {
                    System.IO.Directory.Delete(_directory.Value, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static string Make(string dir)
    {
        using var cancel = new CancellationTokenSource();
        int steps = 0;
        Assert.Throws<TrainingStoppedException>(() => Trainer.Run(FixtureRunFixture.Config(), dir, new TrainRunOptions
        {
            Threads = 2,
            Cancel = cancel.Token,
            Progress = p =>
            {
                if (!p.EpochFinished && ++steps == 9)
                {
                    cancel.Cancel();
                }
            },
        }));
        return dir;
    }

    private static void Damage(string path, string damage)
    {
        if (damage == "deleted")
        {
            File.Delete(path);
            return;
        }
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length >= 2, $"{path} is too small to damage");
        byte[] result = damage switch
        {
            "flip-first" => Flip(bytes, 0, 0xFF),
            "flip-middle" => Flip(bytes, bytes.Length / 2, 0x01),
            "flip-last" => Flip(bytes, bytes.Length - 1, 0x80),
            "empty" => [],
            "half" => bytes[..(bytes.Length / 2)],
            "one-short" => bytes[..^1],
            "one-more" => [.. bytes, 0],
            _ => throw new ArgumentException(damage),
        };
        File.WriteAllBytes(path, result);
    }

    private static byte[] Flip(byte[] bytes, int at, byte mask)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= mask;
        return copy;
    }

    private static void CopyDirectory(string from, string to, bool recursive = false)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (string sub in recursive ? Directory.GetDirectories(from) : [])
        {
            CopyDirectory(sub, Path.Combine(to, Path.GetFileName(sub)), recursive);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
