using System.Diagnostics;
using ContrastiveLab.IO;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Training;

namespace ContrastiveLab.Sweeps;

/// <summary>
/// Runs a sweep's runs one after another into a results folder: a finished run (its summary.json exists) is
/// skipped, an interrupted one resumes from its newest valid checkpoint, and a run that fails is recorded and
/// the sweep goes on. Several sweeps may share a results folder; each writes <c>sweeps/&lt;name&gt;.json</c>
/// listing its runs, which reports use to tell what belongs to which preset. A cluster task runs one run by its
/// index (<see cref="RunTask"/>).
/// </summary>
public static class SweepRunner
{
    /// <summary>Written atomically into a run folder when the run fails: its last error line, when and where.</summary>
    public const string FailureFile = RunFiles.Failure;

    /// <summary>What happened to one run of a sweep.</summary>
    public enum RunOutcome
    {
        /// <summary>Trained to the end now (started or resumed).</summary>
        Finished,

        /// <summary>Had finished before; nothing was done.</summary>
        Skipped,

        /// <summary>Stopped by an error; its line is in the run folder's <see cref="FailureFile"/>.</summary>
        Failed,
    }

    /// <summary>What happened to one run: its name, the outcome, the error line of a failure and the seconds spent.</summary>
    public sealed record Outcome(string Name, RunOutcome State, string? Error, double Seconds);

    /// <summary>Runs <paramref name="sweep"/> into <paramref name="resultsDirectory"/>.</summary>
    /// <param name="sweep">The sweep.</param>
    /// <param name="resultsDirectory">Where run folders go, one per run.</param>
    /// <param name="options">Device, threads, log and cancellation; <c>Resume</c> is decided per run.</param>
    /// <param name="overrides">Config keys applied to every run (e.g. <c>max_steps</c> for smoke tests).</param>
    /// <param name="onRunStart">Called with (index, count, run) before each run that trains.</param>
    public static IReadOnlyList<Outcome> Run(SweepFile sweep, string resultsDirectory, TrainRunOptions options, JsonObject? overrides = null,
        Action<int, int, SweepRun>? onRunStart = null)
    {
        var runs = sweep.Expand(sweep.Name, overrides);
        WriteListing(sweep, runs, resultsDirectory);
        var outcomes = new List<Outcome>();
        for (int i = 0; i < runs.Count; i++)
        {
            int index = i;
            string tag = $"[{i + 1}/{runs.Count}]";
            var watch = Stopwatch.StartNew();
            try
            {
                outcomes.Add(RunOne(runs[i], resultsDirectory, tag, options, () => onRunStart?.Invoke(index, runs.Count, runs[index])));
            }
            catch (TrainingStoppedException e) when (!e.Interrupted)
            {
                // Recorded in the run folder by RunOne; a local sweep goes on with the next run.
                options.Log.WriteLine($"{tag} {runs[i].Name}: failed: {e.Message}");
                outcomes.Add(new Outcome(runs[i].Name, RunOutcome.Failed, e.Message, watch.Elapsed.TotalSeconds));
            }
        }
        return outcomes;
    }

    /// <summary>
    /// Runs only run <paramref name="index"/> (0-based, in <see cref="SweepFile.Expand"/> order): what one array task
    /// of a cluster job does. A finished run returns at once as <see cref="RunOutcome.Skipped"/>; a folder with a
    /// config resumes from its newest valid checkpoint. Any failure but an interruption or a busy folder is recorded
    /// in the run folder's <see cref="FailureFile"/> and rethrown; a run that then finishes removes it.
    /// </summary>
    /// <exception cref="SweepException">The index is outside the sweep.</exception>
    /// <exception cref="RunLockedException">Another process trains into the run's folder.</exception>
    public static Outcome RunTask(SweepFile sweep, string resultsDirectory, int index, TrainRunOptions options, JsonObject? overrides = null)
    {
        var runs = sweep.Expand(sweep.Name, overrides);
        if (index < 0 || index >= runs.Count)
        {
            throw new SweepException($"--task-index {index}: sweep {sweep.Name} has {runs.Count} runs (indices 0 to {runs.Count - 1})");
        }
        if (!File.Exists(RunFiles.SweepListingPath(resultsDirectory, sweep.Name)))
        {
            WriteListing(sweep, runs, resultsDirectory); // a task started by hand: let status and report see the sweep
        }
        return RunOne(runs[index], resultsDirectory, $"[task {index}, {index + 1}/{runs.Count}]", options, beforeTraining: null);
    }

    /// <summary>
    /// The one core of local sweeps and array tasks: skips a finished run, else trains it (resuming when its folder
    /// holds a config). A failure, other than an interruption, a cancellation or a busy folder, is written to the run
    /// folder's <see cref="FailureFile"/> and rethrown.
    /// </summary>
    private static Outcome RunOne(SweepRun run, string resultsDirectory, string tag, TrainRunOptions options, Action? beforeTraining)
    {
        string dir = Path.Combine(resultsDirectory, run.Name);
        if (Trainer.IsFinished(dir))
        {
            options.Log.WriteLine($"{tag} {run.Name}: finished before, skipped");
            return new Outcome(run.Name, RunOutcome.Skipped, null, 0);
        }
        options.Cancel.ThrowIfCancellationRequested();
        beforeTraining?.Invoke();
        bool resume = File.Exists(Path.Combine(dir, RunFiles.Config));
        options.Log.WriteLine($"{tag} {run.Name}: {(resume ? "resuming" : "starting")} ({run.Config.Describe})");
        var watch = Stopwatch.StartNew();
        try
        {
            Trainer.Run(run.Config, dir, options with { Resume = resume });
            return new Outcome(run.Name, RunOutcome.Finished, null, watch.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (e is not (RunLockedException or OperationCanceledException or TrainingStoppedException { Interrupted: true }))
        {
            RunFailure.Write(dir, e.Message);
            throw;
        }
    }

    /// <summary>Writes <c>sweeps/&lt;name&gt;.json</c> under <paramref name="resultsDirectory"/>: the sweep's runs, in order.</summary>
    public static void WriteListing(SweepFile sweep, IReadOnlyList<SweepRun> runs, string resultsDirectory)
    {
        Directory.CreateDirectory(Path.Combine(resultsDirectory, RunFiles.SweepsDirectory));
        // Listings left half-written by a killed sweep (other sweeps may share the folder, so only old ones).
        AtomicFile.DeleteStaleTemporaries(Path.Combine(resultsDirectory, RunFiles.SweepsDirectory), TimeSpan.FromMinutes(10));
        var listing = new SweepListing(sweep.Name, sweep.Description, sweep.Follows, [.. runs.Select(r => r.Name)]);
        AtomicFile.WriteAllText(RunFiles.SweepListingPath(resultsDirectory, sweep.Name), listing.ToJson());
    }

    /// <summary>The last error line recorded in <paramref name="runDirectory"/>, or null when the run has no failure on record.</summary>
    public static string? LastFailure(string runDirectory) => RunFailure.Read(runDirectory)?.Error;
}
