using System.Text.RegularExpressions;

namespace ContrastiveLab.Sweeps;

/// <summary>
/// What a sweep asks of Slurm for each of its array tasks. Every value is checked by <see cref="Validate"/> before
/// anything is written or submitted.
/// </summary>
/// <param name="Partition">Partition (<c>--partition</c>); null: the cluster's default.</param>
/// <param name="Gres">Generic resources per task (<c>--gres</c>, e.g. <c>gpu:1</c>); null: none.</param>
/// <param name="Cpus">CPUs per task (<c>--cpus-per-task</c>); also the run's libtorch thread count.</param>
/// <param name="Time">Time limit per task, <c>[D-]HH:MM:SS</c>; null: the partition's default.</param>
/// <param name="Extra">Further <c>sbatch</c> options, copied as one more <c>#SBATCH</c> line each (split on spaces outside quotes).</param>
/// <param name="MaxConcurrent">At most this many tasks at once (the array's <c>%N</c>); null: no limit.</param>
public sealed partial record SlurmOptions(string? Partition = null, string? Gres = null, int Cpus = 1, string? Time = null, string? Extra = null, int? MaxConcurrent = null)
{
    [GeneratedRegex(@"^(\d+-)?\d{1,3}:[0-5]\d:[0-5]\d$", RegexOptions.CultureInvariant)]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.,:\-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainWord();

    /// <summary>Returns this when every value is usable.</summary>
    /// <exception cref="ArgumentException">The option and what is wrong with it, in one line.</exception>
    public SlurmOptions Validate()
    {
        if (Cpus < 1)
        {
            throw new ArgumentException($"--slurm-cpus {Cpus.ToString(CultureInfo.InvariantCulture)}: must be a positive whole number");
        }
        if (MaxConcurrent is { } n && n < 1)
        {
            throw new ArgumentException($"--slurm-max-concurrent {n.ToString(CultureInfo.InvariantCulture)}: must be a positive whole number");
        }
        if (Time is not null && !TimePattern().IsMatch(Time))
        {
            throw new ArgumentException($"--slurm-time '{Time}': expected HH:MM:SS or D-HH:MM:SS (e.g. 12:00:00 or 1-06:00:00)");
        }
        if (Partition is not null && !PlainWord().IsMatch(Partition))
        {
            throw new ArgumentException($"--slurm-partition '{Partition}': expected a partition name (letters, digits, _ . , : -)");
        }
        if (Gres is not null && !PlainWord().IsMatch(Gres))
        {
            throw new ArgumentException($"--slurm-gres '{Gres}': expected a resource list such as gpu:1 or gpu:a100:2");
        }
        foreach (string option in ExtraOptions())
        {
            if (!option.StartsWith('-'))
            {
                throw new ArgumentException($"--slurm-extra: '{option}' is not an sbatch option (each must start with -, e.g. --account=lab)");
            }
            if (option.StartsWith("--array", StringComparison.Ordinal) || option.StartsWith("--output", StringComparison.Ordinal) || option.StartsWith("--error", StringComparison.Ordinal))
            {
                throw new ArgumentException($"--slurm-extra: '{option}' is set by the sweep itself; leave it out");
            }
        }
        return this;
    }

    /// <summary><see cref="Extra"/> split into single options: on spaces, except inside single or double quotes (which are removed).</summary>
    /// <exception cref="ArgumentException">An unterminated quote, or a line break.</exception>
    public IReadOnlyList<string> ExtraOptions()
    {
        var options = new List<string>();
        if (string.IsNullOrWhiteSpace(Extra))
        {
            return options;
        }
        if (Extra.Contains('\n') || Extra.Contains('\r'))
        {
            throw new ArgumentException("--slurm-extra: must be one line");
        }
        var current = new System.Text.StringBuilder();
        char? quote = null;
        bool any = false;
        foreach (char c in Extra)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (current.Length > 0 || any)
                {
                    options.Add(current.ToString());
                }
                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
            }
        }
        if (quote is not null)
        {
            throw new ArgumentException($"--slurm-extra '{Extra}': a quote is not closed");
        }
        if (current.Length > 0 || any)
        {
            options.Add(current.ToString());
        }
        return options;
    }
}
