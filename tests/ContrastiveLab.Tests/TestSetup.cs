using System.Runtime.CompilerServices;
using ContrastiveLab.Runtime;

namespace ContrastiveLab.Tests;

internal static class TestSetup
{
    /// <summary>Loads libtorch once for the test host, exactly as the CLI does (patching it on Debian 12 if needed).</summary>
    [ModuleInitializer]
    internal static void LoadTorch()
    {
        MallocTuning.Apply();
        TorchRuntime.EnsureLoaded();
        TorchRuntime.ConfigureThreads(2);
    }
}
