namespace ContrastiveLab.TrainedRuns;

/// <summary>
/// Settings of the linear evaluation protocol (docs/paper.md §2): 100 epochs, SGD lr 30 with momentum 0.9 and no weight
/// decay, ×0.2 at 40%, 60% and 80% of the epochs, batch 256. Immutable; <see cref="Validate"/> names the first
/// setting out of range.
/// </summary>
public sealed record LinearEvalOptions
{
    public int Epochs { get; init; } = 100;

    public double Lr { get; init; } = 30;

    public int BatchSize { get; init; } = 256;

    public double Momentum { get; init; } = 0.9;

    public double WeightDecay { get; init; }

    /// <summary>
    /// Fast mode: features of the clean training images are extracted once (and cached in the run folder) and the
    /// linear layer trains on them; otherwise every epoch sees freshly augmented images through the frozen backbone.
    /// </summary>
    public bool Fast { get; init; } = true;

    /// <summary>Seed of the classifier's initialisation, the batch order and the augmentation (null: the run's seed).</summary>
    public long? Seed { get; init; }

    /// <summary>Augmentation threads in augmented mode (0: one per core).</summary>
    public int Workers { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting, its value and what is allowed.</summary>
    public LinearEvalOptions Validate()
    {
        OptionChecks.Range("epochs", Epochs, 1, 100_000);
        OptionChecks.Range("lr", Lr, 0, 1e6);
        OptionChecks.Range("batch-size", BatchSize, 1, 1 << 20);
        OptionChecks.Range("momentum", Momentum, 0, 0.999999);
        OptionChecks.Range("weight-decay", WeightDecay, 0, 1);
        OptionChecks.Range("workers", Workers, 0, 256);
        return this;
    }
}
