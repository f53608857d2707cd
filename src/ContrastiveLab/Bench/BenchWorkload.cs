namespace ContrastiveLab.Bench;

/// <summary>The common part of a workload: its name and description, and the settings checked before it runs.</summary>
public abstract class BenchWorkload(string name, string description) : IBenchWorkload
{
    public string Name => name;

    public string Description => description;

    public IReadOnlyList<BenchResult> Run(BenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Measure(settings);
    }

    /// <summary>Warm-up, then timed repeats; one result per variant.</summary>
    protected abstract IReadOnlyList<BenchResult> Measure(BenchSettings settings);
}
