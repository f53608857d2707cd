using System.Diagnostics;
using ContrastiveLab.Bench;
using ContrastiveLab.IO;
using ContrastiveLab.Runtime;
using ContrastiveLab.Training;
using Xunit.Abstractions;

namespace ContrastiveLab.Tests.Bench;

/// <summary>
/// Training-step parity with PyTorch (docs/parity.md): benchmarks/pytorch/parity.py replays the 50 steps that
/// <see cref="StepParity"/> ran for each negative source and agrees with every step; and it notices when one step's
/// input differs.
/// </summary>
public sealed class StepParityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("step-parity").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task PyTorch_replays_every_step_of_every_negative_source_and_flags_a_changed_view()
    {
        Prerequisites.PyTorch(); // CI installs Debian's python3-torch; without it there is nothing to compare against
        string script = Path.Combine(Cli.CliRunner.RepositoryRoot(), "benchmarks", "pytorch", "parity.py");
        var watch = Stopwatch.StartNew();
        string broken = Path.Combine(_dir, "broken");
        var replays = new List<Task<(string Name, int Code, string Stdout, string Stderr)>>();
        Task<(string, int, string, string)> Replay(string name, string directory, params string[] args) =>
            Task.Run(() =>
            {
                var (code, stdout, stderr) = ProcessExec.Run(Prerequisites.Python, [script, directory, .. args]);
                return (name, code, stdout, stderr);
            });

        // Each source's replay (one Python thread) runs while ours trains the next (one libtorch thread: the steps are
        // small, and two threads on two busy cores run several times slower).
        int threads = TorchSharp.torch.get_num_threads();
        TorchRuntime.ConfigureThreads(1);
        try
        {
            foreach (string source in StepParity.Sources)
            {
                var losses = StepParity.Write(Path.Combine(_dir, source), source);
                Assert.Equal(StepParity.Steps, losses.Count);
                Assert.All(losses, v => Assert.True(double.IsFinite(v) && v > 0, $"{source} loss {v}"));
                replays.Add(Replay(source, _dir, "--only", source));
                if (source == "memory-bank")
                {
                    // A harness that cannot fail proves nothing: in a copy, swap the first views of two images at step
                    // 20 (what a loader handing the step the wrong image would do). Ours did not train on that, so the
                    // replay of step 20 must differ, and steps 1 to 19 must not.
                    CopyDirectory(Path.Combine(_dir, source), Path.Combine(broken, source));
                    SwapImages(Path.Combine(broken, source, "view1.npy"), step: 19, 0, 1);
                    replays.Add(Replay("broken", broken, "--only", source, "--checks", "stepwise"));
                }
            }
        }
        finally
        {
            TorchRuntime.ConfigureThreads(threads);
        }
        output.WriteLine($"ours: {watch.Elapsed.TotalSeconds:F1} s");
        var results = await Task.WhenAll(replays);
        output.WriteLine($"with parity.py: {watch.Elapsed.TotalSeconds:F1} s");

        foreach (var (name, _, stdout, stderr) in results)
        {
            output.WriteLine($"---- {name}\n{stdout}{stderr}");
        }
        foreach (var (name, code, stdout, stderr) in results.Where(r => r.Name != "broken"))
        {
            Assert.True(code == 0, $"{name}: parity.py exited {code}\n{stdout}{stderr}");
            Assert.Contains($"{name}: agrees (50 steps, stepwise and free)", stdout, StringComparison.Ordinal);
            Assert.Contains("parity: every source agrees within tolerance", stdout, StringComparison.Ordinal);
        }
        var (_, brokenCode, brokenOut, brokenErr) = results.Single(r => r.Name == "broken");
        Assert.True(brokenCode == 1, $"parity.py exited {brokenCode} on a changed view\n{brokenOut}{brokenErr}");
        Assert.Matches(@"memory-bank\s+stepwise\s+loss \(rel\).*MISMATCH \(first over at step 20\)", brokenOut);
        Assert.Contains("memory-bank: MISMATCH", brokenOut, StringComparison.Ordinal);
        Assert.Contains("parity: MISMATCH in memory-bank", brokenOut, StringComparison.Ordinal);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (string folder in Directory.GetDirectories(from))
        {
            CopyDirectory(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }

    /// <summary>Swaps images <paramref name="a"/> and <paramref name="b"/> of one step in a (steps, B, …) view file.</summary>
    private static void SwapImages(string path, int step, int a, int b)
    {
        var array = NpyReader.Read(path);
        var data = array.AsSpan<float>().ToArray();
        var shape = array.Shape.ToArray();
        int image = (int)(data.Length / (shape[0] * shape[1]));
        var first = data.AsSpan((int)((step * shape[1] + a) * image), image);
        var second = data.AsSpan((int)((step * shape[1] + b) * image), image);
        var keep = first.ToArray();
        second.CopyTo(first);
        keep.CopyTo(second);
        NpyWriter.Write(path, NpyArray.Create(data, shape));
    }
}
