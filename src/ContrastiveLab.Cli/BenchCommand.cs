using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ContrastiveLab.Bench;

namespace ContrastiveLab.Cli;

/// <summary>
/// <c>contrastive bench [--json OUT] [--only NAME,…] [--smoke] [--repeats N] [--compare-pytorch]</c>: the workloads of
/// docs/performance.md, medians over repeats after warm-up. With <c>--compare-pytorch</c> each workload is followed
/// at once by the same workload in benchmarks/pytorch/reference.py (one Python process per workload), so the two
/// sides of a ratio are measured seconds apart on a noisy machine; a numerical check that both compute the same
/// loss and metrics runs first.
/// </summary>
public static class BenchCommand
{
    public static Command Build()
    {
        var json = new Option<string?>("--json") { Description = "write the results (a JSON list) to this file" };
        var only = new Option<string?>("--only") { Description = $"comma-separated workloads: {string.Join(", ", BenchWorkloads.All.Select(w => w.Name))}" };
        var smoke = new Option<bool>("--smoke") { Description = "one tiny iteration of each workload (CI); the figures mean nothing" };
        var repeats = new Option<int>("--repeats") { Description = "timed runs per figure (median); slow workloads use at most 3", DefaultValueFactory = _ => 5 };
        var compare = new Option<bool>("--compare-pytorch") { Description = "run each workload in PyTorch right after ours and print the ratio" };
        var python = new Option<string>("--python") { Description = "Python with PyTorch + OpenBLAS", DefaultValueFactory = _ => "/usr/bin/python3" };
        var reference = new Option<string>("--reference") { Description = "the PyTorch reference script", DefaultValueFactory = _ => Path.Combine("benchmarks", "pytorch", "reference.py") };
        var writeCheck = new Option<string?>("--write-check") { Description = "only write the check inputs and our values into this folder (for reference.py --check)" };
        var writeParity = new Option<string?>("--write-parity") { Description = "only run 50 training steps per negative source and write their inputs and our results into this folder (for parity.py)" };
        var command = new Command("bench", "Benchmark the training step, the loss, the metrics, augmentation, JPEG decoding, folder streaming and GEMM, optionally against PyTorch; or write the inputs of the PyTorch check (--write-check) or of the step-parity replay (--write-parity).")
        {
            json, only, smoke, repeats, compare, python, reference, writeCheck, writeParity,
        };
        command.SetAction(int (parse) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var settings = new BenchSettings(parse.GetValue(repeats), parse.GetValue(smoke));
            if (settings.Repeats < 1)
            {
                throw new UserError($"--repeats {settings.Repeats}: must be at least 1");
            }
            string[] names = (parse.GetValue(only) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            IReadOnlyList<IBenchWorkload> workloads;
            try
            {
                workloads = BenchWorkloads.Select(names);
            }
            catch (ArgumentException e)
            {
                throw new UserError($"--only: {e.Message}"); // CliApp drops .NET's "(Parameter …)" suffix
            }
            var session = TorchSession.Start(parse, parse.InvocationConfiguration.Error);
            output.WriteLine($"convolution guard: {Runtime.ConvolutionGuard.Describe()}");
            if (parse.GetValue(writeCheck) is { } checkDir)
            {
                foreach (var (key, value) in PyTorchCheck.Write(checkDir))
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key} = {value:R}"));
                }
                return 0;
            }
            if (parse.GetValue(writeParity) is { } parityDir)
            {
                foreach (var (negatives, last) in StepParity.WriteAll(parityDir))
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{negatives}: loss at step {StepParity.Steps} = {last:R} ({Path.Combine(parityDir, negatives)})"));
                }
                return 0;
            }
            var pytorch = parse.GetValue(compare)
                ? new PyTorchReference(parse.GetValue(python)!, parse.GetValue(reference)!, session.Threads, settings)
                : null;
            int code = 0;
            if (pytorch is not null)
            {
                code = pytorch.Check(output);
            }
            var ours = new List<BenchResult>();
            var theirs = new List<BenchResult>();
            foreach (var workload in workloads)
            {
                var results = workload.Run(settings);
                ours.AddRange(results);
                foreach (var r in results)
                {
                    output.WriteLine($"{r.Key}: {Figures(r)}");
                }
                if (pytorch is not null && BenchWorkloads.WithPyTorchReference.Contains(workload.Name))
                {
                    var reply = pytorch.Run(workload.Name);
                    theirs.AddRange(reply);
                    foreach (var r in reply)
                    {
                        output.WriteLine($"{r.Key} (PyTorch): {Figures(r)}");
                    }
                }
            }
            PrintPeakFractions(output, ours);
            if (pytorch is not null)
            {
                PrintRatios(output, ours, theirs);
            }
            if (parse.GetValue(json) is { } jsonPath)
            {
                string text = BenchJson.Write(ours, "torchsharp " + typeof(TorchSharp.torch).Assembly.GetName().Version, theirs);
                IO.AtomicFile.WriteAllText(jsonPath, text);
            }
            return code;
        });
        return command;
    }

    /// <summary>
    /// Each training workload's achieved GFLOP/s as a fraction of this run's fp32 GEMM, when both were measured; a bf16
    /// workload also against the bf16 GEMM.
    /// </summary>
    private static void PrintPeakFractions(TextWriter output, IReadOnlyList<BenchResult> ours)
    {
        var gemm = ours.FirstOrDefault(r => r.Name == "gemm" && r.Variant.Length == 0 && r.Figures.ContainsKey("gflops"));
        var gemmBf16 = ours.FirstOrDefault(r => r.Name == "gemm" && r.Variant == "bf16" && r.Figures.ContainsKey("gflops"));
        var trained = ours.Where(r => r.Name != "gemm" && r.Figures.ContainsKey("images_per_s") && r.Figures.ContainsKey("gflops")).ToList();
        if (gemm is null || trained.Count == 0)
        {
            return;
        }
        double peak = gemm.Figures["gflops"];
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"achieved FLOP rate against this run's fp32 GEMM ({BenchJson.Format(peak)} GFLOP/s; layer FLOPs, backward = 2 × forward):"));
        foreach (var r in trained)
        {
            double rate = r.Figures["gflops"];
            string bf16 = r.Name.EndsWith("-bf16", StringComparison.Ordinal) && gemmBf16 is not null
                ? string.Create(CultureInfo.InvariantCulture, $", {100 * rate / gemmBf16.Figures["gflops"],5:F1} % of the bf16 GEMM ({BenchJson.Format(gemmBf16.Figures["gflops"])} GFLOP/s)")
                : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Key,-44} {BenchJson.Format(rate),8} GFLOP/s  {100 * rate / peak,5:F1} % of GEMM{bf16}"));
        }
    }

    private static string Figures(BenchResult r) =>
        string.Join(", ", r.Figures.Select(f => $"{BenchJson.Format(f.Value)} {f.Key}"));

    private static void PrintRatios(TextWriter output, IReadOnlyList<BenchResult> ours, IReadOnlyList<BenchResult> theirs)
    {
        output.WriteLine();
        output.WriteLine($"{"workload",-34} {"unit",-12} {"TorchSharp",12} {"PyTorch",12} {"ratio",7}");
        foreach (var o in ours)
        {
            var t = theirs.FirstOrDefault(x => x.Key == o.Key);
            if (t is null)
            {
                continue;
            }
            foreach (var (unit, value) in o.Figures)
            {
                if (t.Figures.TryGetValue(unit, out double other) && unit != "baseline_rss_mb")
                {
                    double ratio = BenchRatio.Better(unit, value, other);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{o.Key,-34} {unit,-12} {BenchJson.Format(value),12} {BenchJson.Format(other),12} {ratio,7:F2}"));
                }
            }
        }
        output.WriteLine("ratio > 1: TorchSharp faster (or smaller, for peak_rss_mb).");
    }

    /// <summary>Runs benchmarks/pytorch/reference.py, one process per call.</summary>
    private sealed class PyTorchReference(string python, string script, int threads, BenchSettings settings)
    {
        public IReadOnlyList<BenchResult> Run(string workload)
        {
            var args = new List<string> { script, "--only", workload, "--json", "-", "--threads", threads.ToString(CultureInfo.InvariantCulture),
                "--repeats", settings.Repeats.ToString(CultureInfo.InvariantCulture) };
            if (settings.Smoke)
            {
                args.Add("--smoke");
            }
            string stdout = Execute(args);
            try
            {
                return BenchJson.Read(stdout);
            }
            catch (FormatException e)
            {
                throw new UserError($"{script}: {e.Message}");
            }
        }

        /// <summary>Writes the check inputs, lets the script compare; prints its lines; 0 when they agree.</summary>
        public int Check(TextWriter output)
        {
            string dir = Directory.CreateTempSubdirectory("contrastive-bench-check").FullName;
            try
            {
                PyTorchCheck.Write(dir);
                output.Write(Execute([script, "--check", dir], allowFailure: true, out int code));
                return code == 0 ? 0 : 1;
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        private string Execute(IEnumerable<string> args) => Execute(args, allowFailure: false, out _);

        private string Execute(IEnumerable<string> args, bool allowFailure, out int exitCode)
        {
            if (!File.Exists(script))
            {
                throw new UserError($"--reference {script}: file not found (run from the repository root, or pass --reference)");
            }
            var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in args)
            {
                info.ArgumentList.Add(a);
            }
            using var process = Process.Start(info) ?? throw new UserError($"--python {python}: could not start");
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            exitCode = process.ExitCode;
            if (exitCode != 0 && !allowFailure)
            {
                throw new UserError($"{python} {script} exited with {exitCode}: {stderr.Result.Trim()}");
            }
            return exitCode == 0 ? stdout : stdout + stderr.Result;
        }
    }
}
