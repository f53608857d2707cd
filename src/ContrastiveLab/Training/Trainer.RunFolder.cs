using ContrastiveLab.IO;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Runtime;

namespace ContrastiveLab.Training;

/// <summary>The run folder as the trainer uses it: whether a run may go into it, and what it records about the run's start.</summary>
public static partial class Trainer
{
    /// <summary>True when <paramref name="runDirectory"/> holds a finished run.</summary>
    public static bool IsFinished(string runDirectory) => File.Exists(Path.Combine(runDirectory, RunFiles.Summary));

    /// <summary>
    /// True when two configs describe the same run: every key but <see cref="TrainConfig.Workers"/> (how fast
    /// augmentation runs, never what it produces) and <see cref="TrainConfig.TensorboardEvery"/> (what is logged), so a
    /// run resumes with any worker count or logging interval.
    /// </summary>
    public static bool SameRun(TrainConfig a, TrainConfig b) => a with { Workers = b.Workers, TensorboardEvery = b.TensorboardEvery } == b;

    /// <summary>The names a run folder of ours holds before its config.json is written (a start killed early).</summary>
    private static readonly string[] EarlyRunEntries = [RunLock.FileName, RunFiles.Failure, NativePhase.FileName, RunFiles.Environment, RunFiles.CheckpointsDirectory, RunFiles.TensorBoardDirectory];

    /// <summary>
    /// Refuses a folder a run must not go into: with <paramref name="resume"/>, one that holds no run (a mistyped
    /// --out would otherwise start a new run silently); a non-empty folder that is not a run folder of ours (nothing of
    /// the user's is ever mixed with a run's files).
    /// </summary>
    /// <exception cref="UserError">The folder is not one this run may use; the message names it.</exception>
    internal static void CheckFolder(string runDirectory, bool resume)
    {
        if (File.Exists(runDirectory))
        {
            throw new UserError($"--out {runDirectory} is a file, not a folder");
        }
        if (File.Exists(Path.Combine(runDirectory, RunFiles.Config)))
        {
            return;
        }
        if (resume && !EarlyRunEntries.Any(n => Path.Exists(Path.Combine(runDirectory, n))))
        {
            // A start that died before writing its config (killed, or failed with failure.json) left its lock or
            // environment behind: resuming it starts the run afresh. A folder with none of those holds no run.
            throw new UserError($"--resume: {runDirectory} holds no run (no {RunFiles.Config}); check --out, or drop --resume to start a run there");
        }
        if (Directory.Exists(runDirectory))
        {
            var foreign = Directory.EnumerateFileSystemEntries(runDirectory)
                .Select(Path.GetFileName)
                .Where(n => n is not null && !EarlyRunEntries.Contains(n) && !(n.StartsWith('.') && n.EndsWith(".tmp", StringComparison.Ordinal)))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (foreign.Count > 0)
            {
                throw new UserError($"--out {runDirectory} is not empty and holds no run ({string.Join(", ", foreign.Take(3))}{(foreign.Count > 3 ? ", …" : "")}); use a new or empty folder");
            }
        }
    }

    /// <summary>
    /// Opens the locked run folder for this run: clears what a killed writer left, refuses a folder holding another run
    /// (or this run, without --resume), then writes config.json and environment.json and says how the last attempt ended.
    /// </summary>
    /// <returns>The summary of the run when it has finished already (resuming it changes nothing), else null.</returns>
    /// <exception cref="UserError">The folder holds another run, or this one without --resume.</exception>
    private static JsonObject? OpenFolder(TrainConfig config, string runDirectory, TrainRunOptions options, CheckpointStore store)
    {
        store.CleanTemporaries();
        AtomicFile.DeleteStaleTemporaries(runDirectory, TimeSpan.Zero); // we hold the lock: any temporary here is a killed writer's
        string configPath = Path.Combine(runDirectory, RunFiles.Config);
        if (File.Exists(configPath))
        {
            var saved = TrainConfig.FromJson(File.ReadAllText(configPath));
            if (!SameRun(saved, config))
            {
                throw new UserError($"{runDirectory} holds a run with a different config ({configPath}: {ConfigDifferences(saved, config)}); use another --out, or the same settings to resume");
            }
            if (!options.Resume && (store.ListValid().Count > 0 || IsFinished(runDirectory)))
            {
                throw new UserError($"{runDirectory} already holds this run; add --resume to continue it, or use another --out");
            }
            if (IsFinished(runDirectory) && JsonNode.Parse(File.ReadAllText(Path.Combine(runDirectory, RunFiles.Summary))) is JsonObject finished)
            {
                // Resuming a finished run changes nothing: its summary (wall time, memory per epoch) stays as it was.
                options.Log.WriteLine($"{runDirectory} has finished already (summary.json); nothing to resume");
                return finished;
            }
        }
        AtomicFile.WriteAllText(configPath, TrainConfig.ToJson(config));
        AtomicFile.WriteAllText(Path.Combine(runDirectory, RunFiles.Environment), EnvironmentJson(config, options).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        ReportPreviousAttempt(runDirectory, options.Log);
        return null;
    }

    /// <summary>Refuses bf16 on a CPU that would only emulate it (<see cref="CpuBf16"/>), before anything is written.</summary>
    /// <exception cref="UserError">precision = bf16 on such a CPU.</exception>
    internal static void CheckPrecision(TrainConfig config, Device device, bool cpuHasBf16)
    {
        if (config.Precision == TrainConfig.BFloat16 && device.type == DeviceType.CPU && !cpuHasBf16)
        {
            throw new UserError("precision = bf16 needs a CPU with AVX-512 BF16 or AMX-BF16, and this one has neither (libtorch would emulate bfloat16, more slowly than fp32); use precision = fp32");
        }
    }

    /// <summary>Each key whose value differs, as "key: FOLDER in the folder, HERE here", in config order.</summary>
    internal static string ConfigDifferences(TrainConfig inFolder, TrainConfig here)
    {
        var a = JsonNode.Parse(TrainConfig.ToJson(inFolder))!.AsObject();
        var b = JsonNode.Parse(TrainConfig.ToJson(here))!.AsObject();
        var keys = a.Select(p => p.Key).Concat(b.Select(p => p.Key)).Distinct();
        var differences = keys
            .Where(k => !JsonNode.DeepEquals(a[k], b[k]))
            .Select(k => $"{k}: {a[k]?.ToJsonString() ?? "null"} in the folder, {b[k]?.ToJsonString() ?? "null"} here")
            .ToList();
        return differences.Count == 0 ? "no key differs in config.json, but the configs are not equal" : string.Join("; ", differences);
    }

    /// <summary>
    /// Says how the run folder's last attempt ended when it did not end cleanly: the failure on record or, when a
    /// process died inside a native phase with no one to record the signal, the phase marker it left (newer than any
    /// failure record: recording a death removes the marker). Clears the
    /// marker (the caller holds the run folder's lock, so its writer is gone).
    /// </summary>
    private static void ReportPreviousAttempt(string runDirectory, TextWriter log)
    {
        if (PreviousAttempt(runDirectory) is { } previous)
        {
            log.WriteLine(previous);
        }
        NativePhase.Clear(runDirectory);
    }

    /// <summary>One line on how the run folder's last attempt ended when it did not end cleanly, or null.</summary>
    public static string? PreviousAttempt(string runDirectory)
    {
        // A marker is always the newest word: a recorded death removes it, and a clean phase end too.
        if (NativePhase.Read(runDirectory) is { } marker)
        {
            return $"the last attempt died during {marker.Phase} (process {marker.Pid} on {marker.Host}, phase started {marker.Started}); no signal was recorded";
        }
        return RunFailure.Read(runDirectory) is { } failure ? $"the last attempt failed: {failure.Error}" : null;
    }

    private static JsonObject EnvironmentJson(TrainConfig config, TrainRunOptions options) => new()
    {
        ["contrastivelab"] = BuildInfo.Toolkit,
        ["torchsharp"] = BuildInfo.TorchSharp,
        ["libtorch"] = BuildInfo.LibTorch,
        ["dotnet"] = Environment.Version.ToString(),
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["machine"] = Environment.MachineName,
        ["cores"] = Environment.ProcessorCount,
        ["threads"] = options.Threads,
        ["device"] = options.Device.type.ToString().ToLowerInvariant(),
        ["seed"] = config.Seed,
        ["started_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    };
}
