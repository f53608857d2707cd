using ContrastiveLab.Cli;

namespace ContrastiveLab.Tests.Cli;

/// <summary>Runs the <c>contrastive</c> CLI in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The repository root (the folder holding ContrastiveLab.slnx), found from the test binaries upwards.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ContrastiveLab.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ContrastiveLab.slnx not found above " + AppContext.BaseDirectory);
    }
}
