namespace ContrastiveLab.Bench;

/// <summary>How long a benchmark run is: full sizes with medians over <see cref="Repeats"/> timed runs after a
/// warm-up, or the smoke mode (tiny sizes, one iteration, no warm-up) that keeps the workloads working in CI.</summary>
/// <param name="Repeats">Timed runs per figure, at least 1; workloads that take seconds per step cap it at 3.</param>
/// <param name="Smoke">Tiny sizes, one iteration; the figures mean nothing.</param>
public sealed record BenchSettings(int Repeats = 5, bool Smoke = false)
{
    /// <summary>The smoke mode: one tiny iteration of each workload.</summary>
    public static BenchSettings SmokeRun { get; } = new(1, true);

    /// <summary>Timed runs for a workload whose single run takes seconds: at most 3.</summary>
    public int FewRepeats => Math.Min(Repeats, 3);

    /// <summary>Throws when <see cref="Repeats"/> is below 1.</summary>
    public void Validate()
    {
        if (Repeats < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Repeats), Repeats, "repeats must be at least 1");
        }
    }
}
