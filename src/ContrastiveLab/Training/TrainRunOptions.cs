namespace ContrastiveLab.Training;

/// <summary>How to run a <see cref="TrainConfig"/>: where, on what, and who listens.</summary>
public sealed record TrainRunOptions
{
    /// <summary>Continue from the newest valid checkpoint in the run folder.</summary>
    public bool Resume { get; init; }

    /// <summary>Compute device.</summary>
    public Device Device { get; init; } = CPU;

    /// <summary>libtorch threads in force, recorded in the run folder.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Called after each step and each epoch.</summary>
    public Action<TrainProgress>? Progress { get; init; }

    /// <summary>Human-readable log lines (run start, resume, checkpoints).</summary>
    public TextWriter Log { get; init; } = TextWriter.Null;

    /// <summary>Fetches a dataset that is nowhere on disk (see <c>DatasetCatalog.Load</c>); null: never download.</summary>
    public Action<IReadOnlyList<Data.DownloadItem>, string>? Download { get; init; }

    /// <summary>How long to keep trying when another process holds the run folder's lock (zero: fail at once).</summary>
    public TimeSpan LockWait { get; init; }

    /// <summary>Stops the run at the next step boundary, after writing a checkpoint.</summary>
    public CancellationToken Cancel { get; init; }

    /// <summary>
    /// Whether this CPU computes bfloat16 natively (<see cref="Runtime.CpuBf16"/>); <c>precision = bf16</c> is refused on
    /// the CPU when false. Tests set it to exercise bf16 on any machine, where libtorch then emulates it.
    /// </summary>
    internal bool CpuHasBf16 { get; init; } = Runtime.CpuBf16.Supported;
}
