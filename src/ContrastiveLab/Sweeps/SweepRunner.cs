using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContrastiveLab.IO;
using ContrastiveLab.Runs;
using ContrastiveLab.Training;

namespace ContrastiveLab.Sweeps;

/// <summary>
/// Runs a sweep's runs one after another into a results folder: a finished run (its summary.json exists) is
/// skipped, an interrupted one resumes from its newest valid checkpoint, and a run that fails is recorded and
/// the sweep goes on. Several sweeps may share a results folder; each writes <c>sweeps/&lt;name&gt;.json</c>
/// listing its runs, which reports use to tell what belongs to which preset.
/// </summary>
public static class SweepRunner
{
    /// <summary>What happened to one run.</summary>
    public sealed record Outcome(string Name, string State, string? Error, double Seconds);

    /// <summary>Runs <paramref name="sweep"/> into <paramref name="resultsDirectory"/>.</summary>
    /// <param name="sweep">The sweep.</param>
    /// <param name="resultsDirectory">Where run folders go, one per run.</param>
    /// <param name="options">Device, threads, log and cancellation; <c>Resume</c> is decided per run.</param>
    /// <param name="overrides">Config keys applied to every run (e.g. <c>max_steps</c> for smoke tests).</param>
    /// <param name="onRunStart">Called with (index, count, run) before each run.</param>
    public static IReadOnlyList<Outcome> Run(SweepFile sweep, string resultsDirectory, TrainRunOptions options, JsonObject? overrides = null,
        Action<int, int, SweepRun>? onRunStart = null)
    {
        var runs = sweep.Expand(sweep.Name, overrides);
        Directory.CreateDirectory(Path.Combine(resultsDirectory, "sweeps"));
        // Listings left half-written by a killed sweep (other sweeps may share the folder, so only old ones).
        AtomicFile.DeleteStaleTemporaries(Path.Combine(resultsDirectory, "sweeps"), TimeSpan.FromMinutes(10));
        var listing = new JsonObject
        {
            ["name"] = sweep.Name,
            ["description"] = sweep.Description,
            ["follows"] = sweep.Follows,
            ["runs"] = new JsonArray([.. runs.Select(r => (JsonNode?)r.Name)]),
        };
        AtomicFile.WriteAllText(Path.Combine(resultsDirectory, "sweeps", sweep.Name + ".json"), listing.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var outcomes = new List<Outcome>();
        for (int i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            string dir = Path.Combine(resultsDirectory, run.Name);
            if (Trainer.IsFinished(dir))
            {
                options.Log.WriteLine($"[{i + 1}/{runs.Count}] {run.Name}: finished before, skipped");
                outcomes.Add(new Outcome(run.Name, "skipped", null, 0));
                continue;
            }
            options.Cancel.ThrowIfCancellationRequested();
            bool resume = File.Exists(Path.Combine(dir, Trainer.ConfigFile));
            options.Log.WriteLine($"[{i + 1}/{runs.Count}] {run.Name}: {(resume ? "resuming" : "starting")} ({run.Config.Describe})");
            onRunStart?.Invoke(i, runs.Count, run);
            var watch = Stopwatch.StartNew();
            try
            {
                Trainer.Run(run.Config, dir, options with { Resume = resume });
                outcomes.Add(new Outcome(run.Name, "finished", null, watch.Elapsed.TotalSeconds));
            }
            catch (TrainingStoppedException e) when (!e.Interrupted)
            {
                options.Log.WriteLine($"[{i + 1}/{runs.Count}] {run.Name}: failed: {e.Message}");
                outcomes.Add(new Outcome(run.Name, "failed", e.Message, watch.Elapsed.TotalSeconds));
            }
        }
        return outcomes;
    }
}
