using ContrastiveLab.IO;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Training;

namespace ContrastiveLab.Sweeps;

/// <summary>
/// A sweep as a Slurm job array: what squeue says of the jobs submitted for a results folder, and submitting the
/// runs that are neither finished nor already queued. <see cref="SlurmClient"/> runs the Slurm commands themselves.
/// </summary>
public static class SlurmSubmission
{
    /// <summary>
    /// What squeue says of the jobs recorded for each sweep under <paramref name="root"/>, keyed by sweep and run
    /// name; <paramref name="available"/>: null when no job was ever submitted there, else whether squeue answered.
    /// </summary>
    public static Func<string, string, (string State, string Task)?>? QueueByRun(string root, out bool? available)
    {
        available = null;
        string listings = Path.Combine(root, RunFiles.SweepsDirectory);
        if (!Directory.Exists(listings))
        {
            return null;
        }
        var byRun = new Dictionary<(string Sweep, string Run), (string State, string Task)>();
        foreach (string sweepName in Directory.GetFiles(listings, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>())
        {
            var submissions = SlurmClient.Submissions(root, sweepName);
            if (submissions.Count == 0)
            {
                continue;
            }
            var tasks = SlurmClient.Queue([.. submissions.Select(s => s.JobId)]);
            available = tasks is not null;
            if (tasks is null)
            {
                return null;
            }
            foreach (var submission in submissions)
            {
                IReadOnlyList<SweepRun> runs;
                try
                {
                    runs = SweepFile.Load(submission.SweepFile).Expand();
                }
                catch (SweepException)
                {
                    continue; // the job's sweep file is gone: its tasks cannot be told apart
                }
                foreach (var task in tasks.Where(t => t.JobId == submission.JobId && t.TaskId < runs.Count))
                {
                    byRun[(sweepName, runs[task.TaskId].Name)] = (task.State, $"{task.JobId}_{task.TaskId}");
                }
            }
        }
        return (sweep, run) => byRun.TryGetValue((sweep, run), out var t) ? t : null;
    }

    /// <summary>
    /// Writes the resolved sweep file and the batch script for the runs that are neither finished nor queued, then
    /// submits it with sbatch and records the job (or, for a dry run, prints the script and writes nothing). The job
    /// id goes to <paramref name="output"/>, what was done to <paramref name="error"/>.
    /// </summary>
    /// <param name="sweep">The sweep.</param>
    /// <param name="results">The results folder the runs train into.</param>
    /// <param name="overrides">Config keys applied to every run.</param>
    /// <param name="options">sbatch settings.</param>
    /// <param name="dryRun">Print the script; write and submit nothing.</param>
    /// <param name="device">The device each task trains on.</param>
    /// <param name="cliCommand">The command that starts this CLI (each array task runs it).</param>
    /// <param name="workingDirectory">Where the tasks start.</param>
    /// <param name="output">Gets the job id, or the script of a dry run.</param>
    /// <param name="error">Gets what was done, for people.</param>
    /// <exception cref="SweepException">The sweep does not expand, the options make no valid script, or sbatch failed.</exception>
    public static void Submit(SweepFile sweep, string results, JsonObject overrides, SlurmOptions options, bool dryRun, string device,
        IReadOnlyList<string> cliCommand, string workingDirectory, TextWriter output, TextWriter error)
    {
        var runs = sweep.Expand(sweep.Name, overrides);
        string resolved = sweep.ToResolvedJson(overrides);
        string root = Path.GetFullPath(results);
        string slurmDir = Path.Combine(root, "slurm");
        // Runs that an earlier job of this sweep still has queued or running are not submitted twice.
        var queue = QueueByRun(root, out _);
        var active = Enumerable.Range(0, runs.Count).Where(i => queue?.Invoke(sweep.Name, runs[i].Name) is not null).ToHashSet();
        var unfinished = Enumerable.Range(0, runs.Count).Where(i => !active.Contains(i) && !Trainer.IsFinished(Path.Combine(root, runs[i].Name))).ToArray();
        if (unfinished.Length == 0)
        {
            output.WriteLine(active.Count == 0
                ? $"sweep {sweep.Name}: all {runs.Count} runs in {root} have finished; nothing to submit"
                : $"sweep {sweep.Name}: {active.Count} runs are already queued or running in Slurm, the other {runs.Count - active.Count} have finished; nothing to submit");
            return;
        }
        if (active.Count > 0)
        {
            error.WriteLine($"{active.Count} runs already queued or running in Slurm are left out");
        }
        // The resolved file is named by its content: tasks of an earlier submission with other overrides keep reading theirs.
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(resolved)))[..8].ToLowerInvariant();
        string sweepFile = Path.Combine(slurmDir, $"{sweep.Name}-{hash}.sweep.json");
        string script;
        try
        {
            script = SlurmScript.Build(new SlurmScript.Inputs(sweep.Name, unfinished, cliCommand, sweepFile, root, slurmDir,
                workingDirectory, device, options));
        }
        catch (ArgumentException e)
        {
            throw new SweepException(e.Message);
        }
        if (dryRun)
        {
            output.Write(script);
            error.WriteLine($"dry run: {unfinished.Length} of {runs.Count} runs would be submitted; nothing written or submitted");
            return;
        }
        Directory.CreateDirectory(slurmDir);
        AtomicFile.WriteAllText(sweepFile, resolved);
        string scriptPath = Path.Combine(slurmDir, sweep.Name + ".sbatch");
        AtomicFile.WriteAllText(scriptPath, script);
        SweepRunner.WriteListing(sweep, runs, root);
        string job = SlurmClient.Submit(scriptPath);
        SlurmClient.Record(root, sweep.Name, new SlurmClient.Submission(job, sweepFile, DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        output.WriteLine(job);
        error.WriteLine($"submitted job {job}: {unfinished.Length} of {runs.Count} runs of sweep {sweep.Name} (array {SlurmScript.Ranges(unfinished)}); " +
            $"{runs.Count - unfinished.Length} finished before. Watch: contrastive sweep status {SlurmScript.Quote(root)}");
    }
}
