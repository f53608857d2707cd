using System.CommandLine;

namespace ContrastiveLab.Cli;

/// <summary>Options every command accepts.</summary>
public static class GlobalOptions
{
    public static readonly Option<int> Threads = new("--threads")
    {
        Description = "libtorch intra-op threads (0 = all cores)",
        DefaultValueFactory = _ => 0,
        Recursive = true,
    };

    public static readonly Option<string> Device = new("--device")
    {
        Description = "compute device: cpu, cuda or auto (cuda when available)",
        DefaultValueFactory = _ => "auto",
        Recursive = true,
    };

    static GlobalOptions()
    {
        Device.AcceptOnlyFromAmong("cpu", "cuda", "auto");
        Threads.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var threads and < 0)
            {
                result.AddError($"--threads {threads}: expected 0 (all cores) or a positive count");
            }
        });
    }
}
