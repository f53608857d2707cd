using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Training;

namespace ContrastiveLab.Sweeps;

/// <summary>
/// The state of each run of the sweeps in a results folder, read from the run folders (summary, lock, failure
/// record, checkpoints) and, when given, from Slurm's queue. No file is written.
/// </summary>
public static class SweepStatus
{
    /// <summary>One run's state.</summary>
    /// <param name="Index">Its position in the sweep (its array task index).</param>
    /// <param name="Name">Its folder name.</param>
    /// <param name="State">pending, running, finished, failed or interrupted.</param>
    /// <param name="Detail">The failure's last error line, the Slurm task, or the newest checkpoint; empty when there is nothing to add.</param>
    public sealed record RunState(int Index, string Name, string State, string Detail);

    /// <summary>A sweep's runs and their states.</summary>
    public sealed record SweepState(string Name, IReadOnlyList<RunState> Runs);

    /// <summary>Reads the state of every sweep listed under <c>RESULTS/sweeps/</c>.</summary>
    /// <param name="resultsDirectory">The results folder.</param>
    /// <param name="queue">
    /// Slurm's view, when available: for a sweep name and a run folder name, the task that Slurm lists for it
    /// ("RUNNING", "PENDING", …) and its id. Null: the run folders alone decide.
    /// </param>
    /// <exception cref="SweepException">The folder does not exist or lists no sweep.</exception>
    public static IReadOnlyList<SweepState> Read(string resultsDirectory, Func<string, string, (string State, string Task)?>? queue = null)
    {
        if (!Directory.Exists(resultsDirectory))
        {
            throw new SweepException($"{resultsDirectory}: no such folder");
        }
        string listings = Path.Combine(resultsDirectory, RunFiles.SweepsDirectory);
        var files = Directory.Exists(listings) ? Directory.GetFiles(listings, "*.json").Order(StringComparer.Ordinal).ToArray() : [];
        if (files.Length == 0)
        {
            throw new SweepException($"{resultsDirectory}: no sweep has run or been submitted here (no sweeps/*.json)");
        }
        var sweeps = new List<SweepState>();
        foreach (string file in files)
        {
            string sweep = Path.GetFileNameWithoutExtension(file);
            var names = ReadListing(file);
            sweeps.Add(new SweepState(sweep, [.. names.Select((name, i) => Of(i, name, Path.Combine(resultsDirectory, name), queue?.Invoke(sweep, name)))]));
        }
        return sweeps;
    }

    /// <summary>The state of one run folder, given what Slurm says of its task (null: nothing).</summary>
    public static RunState Of(int index, string name, string runDirectory, (string State, string Task)? slurm)
    {
        if (Trainer.IsFinished(runDirectory))
        {
            return new RunState(index, name, "finished", "");
        }
        if (slurm is { State: "RUNNING" or "COMPLETING" or "CONFIGURING" } running)
        {
            return new RunState(index, name, "running", $"slurm task {running.Task}");
        }
        if (RunLock.IsHeld(runDirectory))
        {
            return new RunState(index, name, "running", "run folder locked by a live process");
        }
        // A phase marker with the lock free is a process that died inside libtorch or was killed there, and no
        // supervisor recorded it (the CLI's supervisor turns it into a failure record with the signal).
        // A marker is newer than any failure record (recording a death removes it).
        string? failure = NativePhase.Read(runDirectory) is { } marker
            ? $"the last run died during {marker.Phase} (process {marker.Pid} on {marker.Host}, no signal recorded); run the sweep again to resume"
            : RunFailure.Read(runDirectory) is { } recorded
                ? recorded.Error + (recorded.Resume is { } resume ? $"; resume: {resume}" : "")
                : null;
        if (slurm is { } queued)
        {
            string before = failure is not null ? "failed before; " : File.Exists(Path.Combine(runDirectory, RunFiles.Config)) ? "interrupted before; " : "";
            return new RunState(index, name, "pending", $"{before}slurm task {queued.Task} {queued.State.ToLowerInvariant()}");
        }
        if (failure is not null)
        {
            return new RunState(index, name, "failed", failure);
        }
        if (new CheckpointStore(runDirectory).LatestValid() is { } checkpoint)
        {
            return new RunState(index, name, "interrupted", $"resumes from checkpoint {checkpoint.Name}");
        }
        if (File.Exists(Path.Combine(runDirectory, RunFiles.Config)))
        {
            return new RunState(index, name, "interrupted", "started, no checkpoint yet: starts over");
        }
        return new RunState(index, name, "pending", "");
    }

    private static List<string> ReadListing(string file)
    {
        try
        {
            return [.. SweepListing.Parse(File.ReadAllText(file), Path.GetFileNameWithoutExtension(file)).Runs];
        }
        catch (FormatException e)
        {
            throw new SweepException($"{file}: unreadable sweep listing ({e.Message})");
        }
        catch (IOException e)
        {
            throw new SweepException($"{file}: unreadable sweep listing ({e.Message.Split('\n')[0]})");
        }
    }
}
