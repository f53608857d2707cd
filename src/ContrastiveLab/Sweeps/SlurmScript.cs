namespace ContrastiveLab.Sweeps;

/// <summary>
/// Writes the <c>sbatch</c> script that runs a sweep as one job array: task <c>i</c> trains run <c>i</c> of the
/// resolved sweep file by calling the CLI with <c>--task-index $SLURM_ARRAY_TASK_ID</c>. Only the indices passed
/// in go into <c>--array</c>, so finished runs are never resubmitted. Pure text: no file or process access.
/// </summary>
public static class SlurmScript
{
    /// <summary>Everything the script depends on.</summary>
    /// <param name="JobName">The job's name (the sweep's name).</param>
    /// <param name="Indices">Array indices to run: positions of unfinished runs in the resolved sweep file; at least one.</param>
    /// <param name="Cli">The command that starts the CLI, one word per element (e.g. the dotnet host, <c>exec</c>, the dll).</param>
    /// <param name="SweepFile">The resolved sweep file every task reads (absolute path).</param>
    /// <param name="ResultsDirectory">The results folder (absolute path).</param>
    /// <param name="LogDirectory">Where each task's output goes as <c>%A_%a.out</c> (absolute path).</param>
    /// <param name="WorkingDirectory">The folder tasks start in (relative data paths resolve from it).</param>
    /// <param name="Device">The <c>--device</c> each task passes to the CLI.</param>
    /// <param name="Options">The Slurm resources.</param>
    public sealed record Inputs(string JobName, IReadOnlyList<int> Indices, IReadOnlyList<string> Cli, string SweepFile, string ResultsDirectory,
        string LogDirectory, string WorkingDirectory, string Device, SlurmOptions Options);

    /// <summary>The script's text.</summary>
    /// <exception cref="ArgumentException">No indices, a negative or repeated index, or invalid options.</exception>
    public static string Build(Inputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var options = inputs.Options.Validate();
        string array = Ranges(inputs.Indices) + (options.MaxConcurrent is { } n ? "%" + n.ToString(CultureInfo.InvariantCulture) : "");
        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append("# Written by `contrastive sweep --executor slurm`: one array task per unfinished run of the sweep.\n");
        s.Append("# Task i trains run i of the resolved sweep file below; submitting this script again resumes what is unfinished.\n");
        Directive(s, "--job-name=" + inputs.JobName);
        Directive(s, "--array=" + array);
        Directive(s, "--output=" + Path.Combine(inputs.LogDirectory, "%A_%a.out"));
        Directive(s, "--chdir=" + inputs.WorkingDirectory);
        Directive(s, "--ntasks=1");
        Directive(s, "--cpus-per-task=" + options.Cpus.ToString(CultureInfo.InvariantCulture));
        Directive(s, "--requeue");
        if (options.Partition is not null)
        {
            Directive(s, "--partition=" + options.Partition);
        }
        if (options.Gres is not null)
        {
            Directive(s, "--gres=" + options.Gres);
        }
        if (options.Time is not null)
        {
            Directive(s, "--time=" + options.Time);
        }
        foreach (string extra in options.ExtraOptions())
        {
            Directive(s, extra);
        }
        s.Append('\n');
        s.Append("set -euo pipefail\n");
        s.Append("# A requeued or resubmitted task resumes from the run folder's newest checkpoint; a finished run exits at once.\n");
        var command = inputs.Cli.Select(Quote).Concat([
            "--threads", options.Cpus.ToString(CultureInfo.InvariantCulture),
            "--device", Quote(inputs.Device),
            "sweep", Quote(inputs.SweepFile),
            "--out", Quote(inputs.ResultsDirectory),
            "--task-index", "\"$SLURM_ARRAY_TASK_ID\"",
        ]);
        s.Append("exec ").Append(string.Join(' ', command)).Append('\n');
        return s.ToString();
    }

    /// <summary>Indices as Slurm's compact list: sorted, runs of consecutive numbers as <c>a-b</c> (e.g. <c>0-3,5,7-9</c>).</summary>
    /// <exception cref="ArgumentException">No indices, a negative one, or one given twice.</exception>
    public static string Ranges(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0)
        {
            throw new ArgumentException("no array indices: every run has finished");
        }
        var sorted = indices.Order().ToArray();
        if (sorted[0] < 0)
        {
            throw new ArgumentException($"array index {sorted[0]} is negative");
        }
        var parts = new List<string>();
        int start = sorted[0], previous = sorted[0];
        for (int i = 1; i <= sorted.Length; i++)
        {
            if (i < sorted.Length && sorted[i] == previous)
            {
                throw new ArgumentException($"array index {previous} is given twice");
            }
            if (i < sorted.Length && sorted[i] == previous + 1)
            {
                previous = sorted[i];
                continue;
            }
            parts.Add(start == previous ? start.ToString(CultureInfo.InvariantCulture) : $"{start.ToString(CultureInfo.InvariantCulture)}-{previous.ToString(CultureInfo.InvariantCulture)}");
            if (i < sorted.Length)
            {
                start = previous = sorted[i];
            }
        }
        return string.Join(',', parts);
    }

    /// <summary>A word for bash: unchanged when it holds only safe characters, otherwise in single quotes.</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or '=' or ',' or '+' or '@' or '%'))
        {
            return word;
        }
        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// One <c>#SBATCH</c> line. sbatch reads directives without a shell but honours quotes and backslashes, and an
    /// unquoted <c>#</c> starts a comment; a value holding any of these or a space is written in double quotes with
    /// <c>\</c> and <c>"</c> escaped. A line break cannot be written and is refused.
    /// </summary>
    private static void Directive(StringBuilder s, string option)
    {
        if (option.Contains('\n') || option.Contains('\r'))
        {
            throw new ArgumentException($"cannot write the sbatch option '{option}' into a script: it holds a line break");
        }
        bool plain = option.All(c => !char.IsWhiteSpace(c) && c is not ('#' or '"' or '\'' or '\\'));
        string text = plain ? option : "\"" + option.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        s.Append("#SBATCH ").Append(text).Append('\n');
    }
}
