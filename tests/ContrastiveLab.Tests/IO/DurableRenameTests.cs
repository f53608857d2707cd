using System.Collections.Concurrent;
using ContrastiveLab.IO;
using ContrastiveLab.Runs;

namespace ContrastiveLab.Tests.IO;

/// <summary>
/// Renames that publish a file or a checkpoint are followed by an fsync of their folder, so that after a power cut the
/// folder holds the new version or the old one, never a name that was already replaced. A power cut cannot be staged
/// in a test; these check that the folder is synced after each kind of publishing rename.
/// </summary>
public sealed class DurableRenameTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-durable-" + Guid.NewGuid().ToString("N"));

    [SkippableFact]
    public void An_atomic_write_syncs_the_folder_it_renamed_in()
    {
        Prerequisites.Linux("syncing a folder"); // folders are synced on Linux only
        Directory.CreateDirectory(_root);
        var synced = Watch(() => AtomicFile.WriteAllText(Path.Combine(_root, "summary.json"), "{}"));
        Assert.Contains(Path.GetFullPath(_root), synced);
    }

    [SkippableFact]
    public void A_checkpoint_syncs_its_own_folder_and_the_store_folder_it_is_renamed_into()
    {
        Prerequisites.Linux("syncing a folder"); // folders are synced on Linux only
        var store = new CheckpointStore(Path.Combine(_root, "run"));
        foreach (int round in new[] { 1, 2 }) // the second save replaces a checkpoint of the same name
        {
            var synced = Watch(() => store.Save("epoch-0001", round, best: false, dir => File.WriteAllText(Path.Combine(dir, "model.bin"), $"weights {round}")));
            Assert.Contains(Path.GetFullPath(store.Directory), synced);
            Assert.Contains(synced, p => Path.GetFileName(p).StartsWith(".tmp-epoch-0001", StringComparison.Ordinal));
        }
        Assert.Equal("weights 2", File.ReadAllText(Path.Combine(store.LatestValid()!.Path, "model.bin")));
    }

    [Fact]
    public void Syncing_a_missing_folder_does_nothing()
    {
        Assert.False(FileWrites.SyncDirectory(Path.Combine(_root, "absent")));
    }

    /// <summary>The folders synced (below this test's root) while <paramref name="action"/> ran.</summary>
    private List<string> Watch(Action action)
    {
        var seen = new ConcurrentQueue<string>();
        void Record(string path)
        {
            if (path.StartsWith(_root, StringComparison.Ordinal))
            {
                seen.Enqueue(path);
            }
        }
        FileWrites.DirectorySynced += Record;
        try
        {
            action();
        }
        finally
        {
            FileWrites.DirectorySynced -= Record;
        }
        return [.. seen];
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
