using System.CommandLine;
using ContrastiveLab.Sweeps;

namespace ContrastiveLab.Cli;

/// <summary><c>contrastive reproduce</c>: a preset's sweep, then its report. Without arguments: <c>cpu-quick</c> into <c>results/cpu-quick</c>.</summary>
public static class ReproduceCommand
{
    public static Command Build()
    {
        var preset = new Option<string>("--preset") { Description = $"sweep preset: {string.Join(", ", SweepPresets.Names)}", DefaultValueFactory = _ => SweepPresets.Default };
        var file = new Option<string?>("--sweep") { Description = "a sweep file instead of a preset" };
        var output = new Option<string?>("--out") { Description = "results folder (default results/<preset>); the report goes to <out>/report" };
        var command = new Command("reproduce", "Run a preset's sweep (skipping finished runs, resuming interrupted ones), then write its report.")
        {
            preset, file, output, SweepCommand.Set,
        };
        command.SetAction(int (parse) =>
        {
            string? sweepFile = parse.GetValue(file);
            var sweep = SweepCommand.Resolve(sweepFile, sweepFile is null ? parse.GetValue(preset) : null);
            string results = parse.GetValue(output) ?? Path.Combine("results", sweep.Name);
            var overrides = SweepCommand.ParseOverrides(parse.GetValue(SweepCommand.Set) ?? []);
            var session = TorchSession.Start(parse, Console.Error);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            bool allFinished = SweepCommand.Execute(sweep, results, overrides, session);
            string reportDir = Path.Combine(results, "report");
            var report = ReportCommand.Run(results, reportDir, sweep.Name, Console.Error, () => { });
            var output2 = parse.InvocationConfiguration.Output;
            output2.WriteLine($"report: {Path.GetFullPath(Path.Combine(reportDir, "report.html"))} ({report.Figures.Count} figures)");
            foreach (var claim in report.Claims)
            {
                output2.WriteLine($"  claim {claim.Number}: {claim.Headline()}");
            }
            output2.WriteLine($"reproduce {sweep.Name}: {watch.Elapsed.TotalMinutes:F1} min");
            return allFinished ? 0 : 1;
        });
        return command;
    }
}
