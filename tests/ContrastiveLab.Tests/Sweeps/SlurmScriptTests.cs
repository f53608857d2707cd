using System.Diagnostics;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Sweeps;
using ContrastiveLab.Cli;
using ContrastiveLab.Tests.Cli;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Sweeps;

/// <summary>The batch script generator, the Slurm option checks and the submit path's dry run; no Slurm needed.</summary>
public sealed class SlurmScriptTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-slurm-script-" + Guid.NewGuid().ToString("N"));

    private static SlurmScript.Inputs Inputs(IReadOnlyList<int> indices, SlurmOptions? options = null, string results = "/shared/results") => new(
        "paper", indices, ["/opt/dotnet/dotnet", "exec", "/shared/cli/contrastive.dll"], results + "/slurm/paper-1234abcd.sweep.json", results,
        results + "/slurm", "/shared/work", "auto", options ?? new SlurmOptions());

    /// <summary>The value of each #SBATCH line, in order.</summary>
    private static List<string> Directives(string script) =>
        [.. script.Split('\n').Where(l => l.StartsWith("#SBATCH ", StringComparison.Ordinal)).Select(l => l["#SBATCH ".Length..])];

    [Theory]
    [InlineData(new[] { 0 }, "0")]
    [InlineData(new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData(new[] { 9, 7, 8, 5, 0, 1, 2, 3 }, "0-3,5,7-9")]
    [InlineData(new[] { 1, 3, 5 }, "1,3,5")]
    [InlineData(new[] { 10, 11, 97 }, "10-11,97")]
    public void Indices_become_slurms_compact_ranges(int[] indices, string expected) =>
        Assert.Equal(expected, SlurmScript.Ranges(indices));

    [Theory]
    [InlineData(new int[0], "every run has finished")]
    [InlineData(new[] { -1, 2 }, "negative")]
    [InlineData(new[] { 2, 3, 2 }, "twice")]
    public void Bad_index_lists_are_refused(int[] indices, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => SlurmScript.Ranges(indices)).Message);

    [Fact]
    public void The_script_sets_the_array_with_its_limit_requeue_logs_and_resources_and_runs_one_task_of_the_resolved_sweep()
    {
        var options = new SlurmOptions("gpu", "gpu:1", 8, "1-06:00:00", "--account=lab --qos=normal", 4);
        string script = SlurmScript.Build(Inputs([0, 1, 2, 5], options));
        Assert.StartsWith("#!/bin/bash\n", script);
        Assert.Equal(
        [
            "--job-name=paper", "--array=0-2,5%4", "--output=/shared/results/slurm/%A_%a.out", "--chdir=/shared/work", "--ntasks=1",
            "--cpus-per-task=8", "--requeue", "--partition=gpu", "--gres=gpu:1", "--time=1-06:00:00", "--account=lab", "--qos=normal",
        ], Directives(script));
        Assert.EndsWith("exec /opt/dotnet/dotnet exec /shared/cli/contrastive.dll --threads 8 --device auto sweep /shared/results/slurm/paper-1234abcd.sweep.json " +
            "--out /shared/results --task-index \"$SLURM_ARRAY_TASK_ID\"\n", script);
        // No limit, partition, gres or time: those lines are left out, and one CPU means one thread.
        string plain = SlurmScript.Build(Inputs([3]));
        Assert.Equal(["--job-name=paper", "--array=3", "--output=/shared/results/slurm/%A_%a.out", "--chdir=/shared/work", "--ntasks=1", "--cpus-per-task=1", "--requeue"],
            Directives(plain));
        Assert.Contains("--threads 1 ", plain);
    }

    [Fact]
    public void Paths_with_spaces_and_quotes_are_quoted_for_bash_and_for_sbatch()
    {
        string script = SlurmScript.Build(Inputs([0], results: "/shared/my results/it's"));
        Assert.Contains("\"--output=/shared/my results/it's/slurm/%A_%a.out\"", Directives(script));
        Assert.Contains("--out '/shared/my results/it'\\''s' ", script);
        Assert.Contains("sweep '/shared/my results/it'\\''s/slurm/paper-1234abcd.sweep.json' ", script);
        Assert.Equal("'a\"b c'", SlurmScript.Quote("a\"b c"));
        Assert.Equal("''", SlurmScript.Quote(""));
        Assert.Equal("/plain/path-1.2_x", SlurmScript.Quote("/plain/path-1.2_x"));
        Assert.Equal("'$HOME'", SlurmScript.Quote("$HOME"));
    }

    [Fact]
    public void Bash_reads_the_quoted_words_back_unchanged()
    {
        string[] words = ["/a b/c", "it's", "x\"y", "$HOME `id` \\n", "tab\there", ""];
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("printf '%s\\n' " + string.Join(' ', words.Select(SlurmScript.Quote)));
        using var bash = Process.Start(start)!;
        string printed = bash.StandardOutput.ReadToEnd();
        bash.WaitForExit();
        Assert.Equal(words, printed.Split('\n')[..^1]);
    }

    [Fact]
    public void Directive_values_with_spaces_hashes_or_quotes_are_written_in_double_quotes_with_escapes()
    {
        string script = SlurmScript.Build(Inputs([0], new SlurmOptions(Extra: "--comment='grid #2' --mail-user=me@lab.org '--x=a\"b\\c'")));
        var lines = Directives(script);
        Assert.Contains("\"--comment=grid #2\"", lines);
        Assert.Contains("--mail-user=me@lab.org", lines);
        Assert.Contains("\"--x=a\\\"b\\\\c\"", lines); // --x=a"b\c: the quote and the backslash escaped
    }

    [Theory]
    [InlineData(0, null, null, null, "--slurm-cpus 0: must be a positive")]
    [InlineData(1, 0, null, null, "--slurm-max-concurrent 0: must be a positive")]
    [InlineData(1, null, "12:00", null, "--slurm-time '12:00': expected HH:MM:SS")]
    [InlineData(1, null, "1:60:00", null, "--slurm-time")]
    [InlineData(1, null, "two hours", null, "--slurm-time")]
    [InlineData(1, null, null, "account=lab", "not an sbatch option")]
    [InlineData(1, null, null, "--array=0-3", "set by the sweep itself")]
    [InlineData(1, null, null, "--output=x.out", "set by the sweep itself")]
    [InlineData(1, null, null, "--comment='open", "quote is not closed")]
    public void Bad_slurm_options_fail_with_one_line_naming_the_option(int cpus, int? max, string? time, string? extra, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new SlurmOptions(Cpus: cpus, MaxConcurrent: max, Time: time, Extra: extra).Validate());
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("00:30:00")]
    [InlineData("12:00:00")]
    [InlineData("120:00:00")]
    [InlineData("2-00:00:00")]
    public void Good_time_limits_pass(string time) => new SlurmOptions(Time: time).Validate();

    [Fact]
    public void A_dry_run_leaves_finished_runs_out_of_the_array_and_writes_nothing()
    {
        string sweepFile = Path.Combine(_root, "three.json");
        Directory.CreateDirectory(_root);
        File.WriteAllText(sweepFile, """{ "name": "three", "base": { "epochs": 1 }, "grid": [ { "tau": [0.1, 0.2, 0.5] } ] }""");
        var runs = SweepFile.Load(sweepFile).Expand();
        string results = Path.Combine(_root, "my results");
        Directory.CreateDirectory(Path.Combine(results, runs[1].Name));
        File.WriteAllText(Path.Combine(results, runs[1].Name, RunFiles.Summary), "{}");

        var (code, stdout, stderr) = CliRunner.Run("sweep", sweepFile, "--out", results, "--executor", "slurm", "--dry-run", "--slurm-cpus", "2", "--slurm-max-concurrent", "1");
        Assert.True(code == 0, stderr);
        Assert.Contains("#SBATCH --array=0,2%1\n", stdout);
        Assert.Contains("--threads 2 ", stdout);
        Assert.Contains($"--out '{results}'", stdout);
        Assert.Contains("2 of 3 runs would be submitted", stderr);
        Assert.False(Directory.Exists(Path.Combine(results, "slurm")), "a dry run wrote files");

        // Everything finished: nothing to submit, and no sbatch is needed to say so.
        foreach (var run in runs)
        {
            Directory.CreateDirectory(Path.Combine(results, run.Name));
            File.WriteAllText(Path.Combine(results, run.Name, RunFiles.Summary), "{}");
        }
        var done = CliRunner.Run("sweep", sweepFile, "--out", results, "--executor", "slurm");
        Assert.Equal(0, done.ExitCode);
        Assert.Contains("all 3 runs", done.Stdout);
        Assert.Contains("nothing to submit", done.Stdout);

        // A task of a finished run (requeued, or submitted by hand) ends at once with success.
        var task = CliRunner.Run("sweep", sweepFile, "--out", results, "--task-index", "2");
        Assert.Equal(0, task.ExitCode);
        Assert.Contains($"task 2: {runs[2].Name} had finished before", task.Stdout);
    }

    [Theory]
    [InlineData(new[] { "--slurm-time", "5:00" }, "--slurm-time '5:00'")]
    [InlineData(new[] { "--slurm-cpus", "-2" }, "--slurm-cpus -2")]
    [InlineData(new[] { "--executor", "pbs" }, "--executor pbs: expected local or slurm")]
    public void Bad_options_on_the_command_line_are_one_error_line_before_any_work(string[] extra, string expected)
    {
        string[] executor = extra.Contains("--executor") ? [] : ["--executor", "slurm"];
        var (code, stdout, stderr) = CliRunner.Run(["sweep", "--preset", "cpu-quick", "--out", Path.Combine(_root, "never"), .. executor, .. extra]);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(Path.Combine(_root, "never")));
    }

    [Theory]
    [InlineData(new[] { "--slurm-gres", "gpu:1" }, "--slurm-gres goes with --executor slurm")]
    [InlineData(new[] { "--dry-run" }, "--dry-run goes with --executor slurm")]
    [InlineData(new[] { "--executor", "slurm", "--task-index", "0" }, "--task-index runs one run here")]
    [InlineData(new[] { "--task-index", "99" }, "--task-index 99: sweep cpu-quick has")]
    public void Options_that_do_not_go_together_are_refused(string[] extra, string expected)
    {
        var (code, _, stderr) = CliRunner.Run(["sweep", "--preset", "cpu-quick", "--out", Path.Combine(_root, "never"), .. extra]);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public void The_resolved_sweep_file_expands_to_the_same_runs_in_the_same_order_with_overrides_applied()
    {
        var sweep = SweepPresets.Get("paper-cifar10-sweep");
        var overrides = new System.Text.Json.Nodes.JsonObject { ["epochs"] = 3, ["tau"] = 0.5 };
        var expected = sweep.Expand(sweep.Name, overrides);
        var resolved = SweepFile.Parse(sweep.ToResolvedJson(overrides), "resolved.json");
        Assert.Equal(sweep.Name, resolved.Name);
        Assert.Equal(expected, resolved.Expand());
        Assert.All(resolved.Expand(), r => Assert.Equal((3, 0.5), (r.Config.Epochs, r.Config.Tau)));
    }

    [Fact]
    public void Squeue_array_lines_are_parsed_and_other_lines_skipped()
    {
        var tasks = SlurmClient.ParseQueue("812|3|RUNNING|node7\n812|4|PENDING|(JobArrayTaskLimit)\n\n813|N/A|PENDING|(Priority)\ngarbage\n");
        Assert.Equal([new SlurmClient.QueuedTask("812", 3, "RUNNING", "node7"), new SlurmClient.QueuedTask("812", 4, "PENDING", "(JobArrayTaskLimit)")], tasks);
    }

    [Fact]
    public void The_cli_command_for_tasks_is_this_cli()
    {
        // The test host is not the contrastive apphost, so tasks would start the dll through the dotnet host.
        var command = SweepCommand.CliCommand();
        Assert.Equal(3, command.Count);
        Assert.Equal("exec", command[1]);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "contrastive.dll"), command[2]);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
