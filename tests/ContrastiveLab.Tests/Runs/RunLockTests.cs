using ContrastiveLab.Runs;

namespace ContrastiveLab.Tests.Runs;

public sealed class RunLockTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("contrastivelab-runlock-").FullName;

    [Fact]
    public void A_lock_file_removed_and_created_again_is_not_the_one_held()
    {
        // What a process that opened the old lock file just before its holder removed it sees once it has the lock: a
        // file at the path again (another process created it), but not the one it opened.
        string path = Path.Combine(_root, RunLock.FileName);
        File.WriteAllText(path, "");
        using var old = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        Assert.True(RunLock.IsStillAt(old, path));
        File.Delete(path);
        Assert.False(RunLock.IsStillAt(old, path));
        File.WriteAllText(path, "");
        Assert.True(File.Exists(path));
        Assert.Equal(!OperatingSystem.IsLinux(), RunLock.IsStillAt(old, path));
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
