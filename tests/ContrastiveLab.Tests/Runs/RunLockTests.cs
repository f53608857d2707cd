using ContrastiveLab.Runs;
using ContrastiveLab.Tests.Data;

namespace ContrastiveLab.Tests.Runs;

public sealed class RunLockTests
{
    [Fact]
    public void A_lock_file_removed_and_created_again_is_not_the_one_held()
    {
        // What a process that opened the old lock file just before its holder removed it sees once it has the lock: a
        // file at the path again (another process created it), but not the one it opened.
        using var temp = new TempFolder();
        string path = temp[RunLock.FileName];
        File.WriteAllText(path, "");
        using var old = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        Assert.True(RunLock.IsStillAt(old, path));
        File.Delete(path);
        Assert.False(RunLock.IsStillAt(old, path));
        File.WriteAllText(path, "");
        Assert.True(File.Exists(path));
        Assert.Equal(!OperatingSystem.IsLinux(), RunLock.IsStillAt(old, path));
    }
}
