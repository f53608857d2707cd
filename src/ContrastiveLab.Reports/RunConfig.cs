namespace ContrastiveLab.Reports;

/// <summary>The parts of a run's <c>config.json</c> a report needs.</summary>
/// <param name="Dataset">Dataset name, e.g. <c>fashion-mnist-subset</c> or <c>cifar10</c>.</param>
/// <param name="Model">Encoder name.</param>
/// <param name="Negatives">Negative source: memory-bank, in-batch or queue.</param>
/// <param name="Loss">contrastive, simple, hard, hard-simple or single.</param>
/// <param name="Tau">Temperature τ.</param>
/// <param name="HardK">K of the hard loss, null when not set.</param>
/// <param name="HardAlpha">α of the hard loss, null when not set.</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="BatchSize">Batch size.</param>
/// <param name="Lr">Base learning rate.</param>
/// <param name="Seed">Random seed.</param>
/// <param name="TrainPerClass">Images per class in the training subset, null for the whole split.</param>
public sealed record RunConfig(
    string Dataset, string Model, string Negatives, string Loss, double Tau, int? HardK, double? HardAlpha,
    int Epochs, int BatchSize, double Lr, long Seed, int? TrainPerClass)
{
    /// <summary>
    /// Keys that do not define the protocol a run belongs to: what a sweep varies within one table (loss, τ, the hard
    /// loss's K or α, the seed), where the data was found, and speed or bookkeeping settings.
    /// </summary>
    public static IReadOnlySet<string> NotProtocol { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "dataset", "loss", "tau", "hard_k", "hard_alpha", "seed", "data_path", "data_dir", "workers", "checkpoint_every", "eval_every", "tensorboard_every", "max_steps",
    };

    /// <summary>Every other key of config.json with its value as JSON text: runs pool into one cell only when these agree.</summary>
    public IReadOnlyDictionary<string, string> Protocol { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The protocol as one comparable string, keys sorted.</summary>
    public string ProtocolKey => string.Join(", ", Protocol.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
