namespace ContrastiveLab.Bench;

/// <summary>
/// A workload that times the trainer's step (<see cref="TrainingStepBench"/>: forward, loss, backward, SGD and, with a
/// bank, its update) on random inputs of one model and shape; <see cref="BenchWorkloads.All"/> lists three, each a row
/// of its settings, and each again with <c>precision = bf16</c> (<see cref="InBf16"/>). Reports images per second
/// (anchors) and the achieved GFLOP/s of the model's layers.
/// </summary>
public sealed class TrainingStepWorkload(string name, string description) : BenchWorkload(name, description)
{
    /// <summary>Model name of <see cref="Models.ModelFactory"/>.</summary>
    public required string Model { get; init; }

    /// <summary>Image channels and side of the random inputs.</summary>
    public required (int Channels, int Size) Input { get; init; }

    /// <summary>Images per step, full run and smoke run.</summary>
    public required (int Full, int Smoke) Batch { get; init; }

    /// <summary>Rows of the memory bank, full run and smoke run; null for in-batch negatives over two views.</summary>
    public (long Full, long Smoke)? Bank { get; init; }

    /// <summary>Untimed steps before timing, and steps per timed run.</summary>
    public required (int Warmup, int PerRun) Steps { get; init; }

    /// <summary>At most three timed runs (<see cref="BenchSettings.FewRepeats"/>) instead of <see cref="BenchSettings.Repeats"/>.</summary>
    public bool FewRepeats { get; init; }

    /// <summary>
    /// The step with <c>precision = bf16</c> (convolutions in bfloat16). On a CPU without native bf16 the row is reported
    /// as skipped, as training would refuse it.
    /// </summary>
    public bool Bf16 { get; init; }

    /// <summary>What the figures mean, carried into the result.</summary>
    public required string Note { get; init; }

    /// <summary>This workload with <c>precision = bf16</c>, named NAME-bf16.</summary>
    public TrainingStepWorkload InBf16() => new(Name + "-bf16", $"{Name} with precision = bf16: images_per_s")
    {
        Model = Model, Input = Input, Batch = Batch, Bank = Bank, Steps = Steps, FewRepeats = FewRepeats, Bf16 = true,
        Note = $"as {Name}, convolutions in bfloat16",
    };

    protected override IReadOnlyList<BenchResult> Measure(BenchSettings settings)
    {
        if (Bf16 && !Runtime.CpuBf16.Supported)
        {
            return [new BenchResult(Name, "", new Dictionary<string, double>(), "skipped: this CPU has neither AVX-512 BF16 nor AMX-BF16")];
        }
        long? bank = Bank is { } b ? (settings.Smoke ? b.Smoke : b.Full) : null;
        return [TrainingStepBench.Measure(Name, Model, Input.Channels, Input.Size, settings.Smoke ? Batch.Smoke : Batch.Full, bank,
            settings, Steps.Warmup, Steps.PerRun, FewRepeats ? settings.FewRepeats : settings.Repeats, Note, Bf16)];
    }
}
