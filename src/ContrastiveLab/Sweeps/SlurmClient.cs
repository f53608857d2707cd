using System.ComponentModel;
using System.Diagnostics;
using ContrastiveLab.IO;

namespace ContrastiveLab.Sweeps;

/// <summary>
/// The few Slurm client commands a sweep uses (<c>sbatch</c>, <c>squeue</c>), run as child processes, and the
/// record of which jobs ran which resolved sweep file (<c>RESULTS/slurm/&lt;sweep&gt;.jobs.json</c>).
/// </summary>
public static class SlurmClient
{
    /// <summary>One array task as <c>squeue</c> lists it.</summary>
    /// <param name="JobId">The array job's id (<c>%F</c>).</param>
    /// <param name="TaskId">The array index (<c>%K</c>).</param>
    /// <param name="State">Slurm's state: PENDING, RUNNING, COMPLETING, …</param>
    /// <param name="Reason">Why it waits or where it runs (<c>%R</c>).</param>
    public sealed record QueuedTask(string JobId, int TaskId, string State, string Reason);

    /// <summary>A submitted job and the resolved sweep file its tasks read.</summary>
    public sealed record Submission(string JobId, string SweepFile, string SubmittedAt);

    /// <summary>Submits <paramref name="scriptPath"/> with <c>sbatch --parsable</c>; returns the job id.</summary>
    /// <exception cref="SweepException">sbatch is not installed, or it failed (its last error line is in the message).</exception>
    public static string Submit(string scriptPath)
    {
        var (code, stdout, stderr) = RunTool("sbatch", ["--parsable", scriptPath], TimeSpan.FromMinutes(2))
            ?? throw new SweepException("sbatch not found: install the Slurm client (slurm-client) or run on a login node of the cluster; --dry-run prints the script without submitting");
        string id = stdout.Trim().Split(';')[0].Trim();
        if (code != 0 || id.Length == 0 || !id.All(char.IsAsciiDigit))
        {
            string why = LastLine(stderr) ?? LastLine(stdout) ?? $"exit code {code}";
            throw new SweepException($"sbatch {scriptPath} failed: {why}");
        }
        return id;
    }

    /// <summary>The array tasks of <paramref name="jobIds"/> that Slurm still knows; null when squeue is missing or fails.</summary>
    public static IReadOnlyList<QueuedTask>? Queue(IReadOnlyCollection<string> jobIds)
    {
        if (jobIds.Count == 0)
        {
            return [];
        }
        var result = RunTool("squeue", ["--noheader", "--array", "--jobs", string.Join(',', jobIds), "--format", "%F|%K|%T|%R"], TimeSpan.FromSeconds(15));
        if (result is not var (code, stdout, stderr))
        {
            return null;
        }
        if (code == 0)
        {
            return ParseQueue(stdout);
        }
        // squeue fails with "Invalid job id" when none of the jobs exists any more: nothing of ours is queued.
        // Any other failure (no configuration, controller down) means we do not know.
        return stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase) ? [] : null;
    }

    /// <summary>Parses <c>squeue --array --format '%F|%K|%T|%R'</c> output; lines that are not array tasks are skipped.</summary>
    public static IReadOnlyList<QueuedTask> ParseQueue(string text)
    {
        var tasks = new List<QueuedTask>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] f = line.Split('|');
            if (f.Length >= 3 && int.TryParse(f[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int task))
            {
                tasks.Add(new QueuedTask(f[0], task, f[2], f.Length > 3 ? string.Join('|', f[3..]) : ""));
            }
        }
        return tasks;
    }

    /// <summary>Path of the job record of sweep <paramref name="sweepName"/> under <paramref name="resultsDirectory"/>.</summary>
    public static string SubmissionsPath(string resultsDirectory, string sweepName) => Path.Combine(resultsDirectory, "slurm", sweepName + ".jobs.json");

    /// <summary>The jobs submitted for <paramref name="sweepName"/>, oldest first; empty when none (or the record is unreadable).</summary>
    public static IReadOnlyList<Submission> Submissions(string resultsDirectory, string sweepName)
    {
        string path = SubmissionsPath(resultsDirectory, sweepName);
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) is JsonArray a
                ? [.. a.OfType<JsonObject>().Select(o => new Submission(o["job"]!.GetValue<string>(), o["sweep_file"]!.GetValue<string>(), o["at"]?.GetValue<string>() ?? ""))]
                : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or NullReferenceException)
        {
            return [];
        }
    }

    /// <summary>Adds a submission to the sweep's job record (rewritten atomically).</summary>
    public static void Record(string resultsDirectory, string sweepName, Submission submission)
    {
        var all = Submissions(resultsDirectory, sweepName).Append(submission)
            .Select(s => (JsonNode?)new JsonObject { ["job"] = s.JobId, ["sweep_file"] = s.SweepFile, ["at"] = s.SubmittedAt });
        string path = SubmissionsPath(resultsDirectory, sweepName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, new JsonArray([.. all]).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Runs <paramref name="tool"/>; null when it is not installed. Output is read fully; a hung tool is killed after <paramref name="timeout"/>.</summary>
    private static (int Code, string Stdout, string Stderr)? RunTool(string tool, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception();
        }
        catch (Win32Exception)
        {
            return null;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return (124, stdout.Result, $"{tool} did not answer within {timeout.TotalSeconds:F0} s");
            }
            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
}
