using System.Diagnostics;
using System.Globalization;
using CsCheck;
using Xunit.Abstractions;

namespace ContrastiveLab.Tests.Fuzz;

/// <summary>
/// Runs a <see cref="FuzzTarget"/> over mutated seeds with CsCheck. Each case is written to a fresh folder and parsed
/// on its own thread with a time limit; the property is: the parse returns, or throws one of the target's documented
/// exception types with a one-line message naming the input; it finishes within the limit; and the managed memory it
/// allocates stays within <c>BytesPerByte × justified bytes + ConstantBytes</c>.
/// </summary>
/// <remarks>
/// In CI each target runs a fixed number of cases (<see cref="SmokeCases"/>). Setting CONTRASTIVE_FUZZ_SECONDS runs
/// each target for that many seconds instead; CONTRASTIVE_FUZZ_SEED replays or varies the seed; CONTRASTIVE_FUZZ_LOG
/// names a file that one line per target (cases, seconds, outcomes) is appended to.
/// </remarks>
internal static class FuzzHarness
{
    /// <summary>Cases per target in the CI smoke run.</summary>
    public const int SmokeCases = 150;

    /// <summary>Time one case may take before it counts as a hang (generous: the CI machine is loaded).</summary>
    public static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(30);

    public static int? Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable("CONTRASTIVE_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0 ? s : null;

    public static void Run(FuzzTarget target, ITestOutputHelper output, int smokeCases = SmokeCases)
    {
        long cases = 0, parsed = 0, refused = 0;
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var watch = Stopwatch.StartNew();
        string root = Directory.CreateTempSubdirectory($"contrastivelab-fuzz-{target.Name}-").FullName;
        try
        {
            // Every seed unmutated first: a seed that fails is a broken target, not a finding.
            for (int s = 0; s < target.Seeds.Count; s++)
            {
                var error = RunOne(target, root, target.Wrap is null ? target.Seeds[s] : target.Wrap(target.Seeds[s]), out _);
                Assert.True(error is null, $"{target.Name}: unmutated seed {s} does not parse: {error}");
            }
            var gen = FuzzCase.Gen;
            Action<FuzzCase> property = c =>
            {
                Interlocked.Increment(ref cases);
                var bytes = Build(target, c);
                string? failure = RunOne(target, root, bytes, out string outcome);
                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                if (outcome == "parsed")
                {
                    Interlocked.Increment(ref parsed);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }
                if (failure is not null)
                {
                    throw new InvalidOperationException(failure);
                }
            };
            string? seed = Environment.GetEnvironmentVariable("CONTRASTIVE_FUZZ_SEED");
            if (Seconds is { } seconds)
            {
                gen.Sample(property, seed: seed, iter: long.MaxValue, time: seconds, threads: 1, print: c => c.ToString());
            }
            else
            {
                gen.Sample(property, seed: seed, iter: smokeCases, threads: 1, print: c => c.ToString());
            }
        }
        finally
        {
            TryDelete(root);
            string line = string.Create(CultureInfo.InvariantCulture,
                $"fuzz {target.Name}: {cases} cases in {watch.Elapsed.TotalSeconds:F1} s ({parsed} parsed, {refused} refused; {string.Join(", ", outcomes.OrderByDescending(o => o.Value).Take(6).Select(o => $"{o.Key} {o.Value}"))})");
            output.WriteLine(line);
            if (Environment.GetEnvironmentVariable("CONTRASTIVE_FUZZ_LOG") is { Length: > 0 } log)
            {
                File.AppendAllText(log, line + Environment.NewLine);
            }
        }
    }

    private static byte[] Build(FuzzTarget target, FuzzCase c)
    {
        var bytes = target.Seeds[c.Seed % target.Seeds.Count];
        if (target.Wrap is not null && c.Outer)
        {
            bytes = target.Wrap(bytes);
            foreach (var op in c.Ops)
            {
                bytes = op.Apply(bytes);
            }
            return bytes;
        }
        foreach (var op in c.Ops)
        {
            bytes = op.Apply(bytes);
        }
        return target.Wrap is null ? bytes : target.Wrap(bytes);
    }

    /// <summary>Parses one input; returns null when the property holds, else what broke it.</summary>
    private static string? RunOne(FuzzTarget target, string root, byte[] bytes, out string outcome)
    {
        string folder = Path.Combine(root, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        try
        {
            string path = target.Materialise(folder, bytes);
            long justified = target.JustifiedBytes(path, bytes);
            Exception? thrown = null;
            long allocated = 0;
            var thread = new Thread(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    target.Parse(path);
                }
                catch (Exception e)
                {
                    thrown = e;
                }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }, maxStackSize: 16 << 20) { IsBackground = true };
            thread.Start();
            if (!thread.Join(CaseLimit))
            {
                outcome = "hang";
                return $"{target.Name}: no result after {CaseLimit.TotalSeconds} s (a hang) on {bytes.Length} bytes";
            }
            long limit = (long)(target.BytesPerByte * justified) + target.ConstantBytes;
            if (allocated > limit)
            {
                outcome = "over-allocation";
                return $"{target.Name}: allocated {allocated} bytes for {justified} justified bytes (limit {limit}){(thrown is null ? "" : $"; ended with {thrown.GetType().Name}: {thrown.Message}")}";
            }
            if (thrown is null)
            {
                outcome = "parsed";
                target.AfterSuccess?.Invoke(path);
                return null;
            }
            outcome = thrown.GetType().Name;
            if (!target.Allowed.TryGetValue(thrown.GetType(), out var names))
            {
                return $"{target.Name}: undocumented {thrown.GetType().FullName}: {thrown.Message}\n{thrown.StackTrace}";
            }
            if (!names(thrown, path))
            {
                return $"{target.Name}: the {thrown.GetType().Name} message does not name the input {path}: {thrown.Message}";
            }
            if (thrown.Message.Contains('\n', StringComparison.Ordinal))
            {
                return $"{target.Name}: the message is not one line: {thrown.Message}";
            }
            return null;
        }
        finally
        {
            TryDelete(folder);
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
