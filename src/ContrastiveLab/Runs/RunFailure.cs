using ContrastiveLab.IO;
using ContrastiveLab.RunFormat;

namespace ContrastiveLab.Runs;

/// <summary>
/// <see cref="RunFiles.Failure"/> in a run folder: why the run's last attempt failed (its last error line, when, where and,
/// for a process that died by a signal, the signal, the phase and the command that resumes it). Written atomically;
/// a run that later finishes removes it.
/// </summary>
public static class RunFailure
{
    /// <summary>What <see cref="Read"/> returns.</summary>
    /// <param name="Error">The last error line.</param>
    /// <param name="Resume">The command that continues the run, when the writer knew it.</param>
    public sealed record Entry(string Error, string? Resume);

    /// <summary>Writes the record; <paramref name="extra"/> adds fields (signal, phase, resume). Never throws for an unwritable folder.</summary>
    public static void Write(string runDirectory, string message, JsonObject? extra = null)
    {
        try
        {
            Directory.CreateDirectory(runDirectory);
            var failure = new JsonObject
            {
                ["error"] = message.Split('\n')[0].Trim(),
                ["at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["host"] = Environment.MachineName,
                ["slurm_job"] = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { } job
                    ? $"{job}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}"
                    : Environment.GetEnvironmentVariable("SLURM_JOB_ID"),
            };
            foreach (var (key, value) in extra ?? [])
            {
                failure[key] = value?.DeepClone();
            }
            AtomicFile.WriteAllText(Path.Combine(runDirectory, RunFiles.Failure), failure.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The failure itself is reported by the caller; a folder we cannot write to must not hide it.
        }
    }

    /// <summary>The record in <paramref name="runDirectory"/>, or null when there is none.</summary>
    public static Entry? Read(string runDirectory)
    {
        string path = Path.Combine(runDirectory, RunFiles.Failure);
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path));
            return new Entry(node?["error"]?.GetValue<string>() ?? "(no error line)", node?["resume"]?.GetValue<string>());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            return File.Exists(path) ? new Entry($"({RunFiles.Failure} unreadable)", null) : null;
        }
    }

    /// <summary>Removes the record (an earlier attempt's failure no longer applies).</summary>
    public static void Clear(string runDirectory) => AtomicFile.TryDelete(Path.Combine(runDirectory, RunFiles.Failure));
}
