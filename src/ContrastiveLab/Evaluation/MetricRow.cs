namespace ContrastiveLab.Evaluation;

/// <summary>
/// One row of a run's metrics (metrics.csv, TensorBoard, the checkpoint's history): an epoch's training figures and,
/// when the epoch was evaluated, its kNN accuracies and diagnostics. NaN marks a figure that was not measured (epoch
/// 0 has no loss, learning rate or rate).
/// </summary>
/// <param name="Epoch">The epoch (0: the untrained encoder).</param>
/// <param name="Step">Optimisation steps done by the end of it.</param>
/// <param name="Lr">The learning rate at its end.</param>
/// <param name="Loss">Its mean training loss.</param>
/// <param name="ImagesPerS">Its training images per second.</param>
/// <param name="KnnTop1">Weighted kNN top-1 of the encoder's embeddings (NaN: not evaluated this epoch).</param>
public sealed record MetricRow(int Epoch, long Step, double Lr, double Loss, double ImagesPerS, double KnnTop1)
{
    private static readonly HashSet<string> Fixed = new(StringComparer.Ordinal)
    {
        "epoch", "step", "lr", "loss", "images_per_s", "knn_top1", "knn_bank_top1", "knn_backbone_top1", "gflops_per_s",
    };

    /// <summary>True when the epoch was evaluated: the row then has the bank and backbone kNN columns and the diagnostics.</summary>
    public bool Evaluated { get; init; }

    /// <summary>kNN top-1 against the memory bank (NaN without one).</summary>
    public double KnnBankTop1 { get; init; } = double.NaN;

    /// <summary>kNN top-1 on the backbone's pooled features (NaN when not asked for).</summary>
    public double KnnBackboneTop1 { get; init; } = double.NaN;

    /// <summary>The diagnostics (<see cref="Evaluator.Diagnostics"/>), in their column order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Diagnostics { get; init; } = [];

    /// <summary>Training GFLOP/s of the epoch (null for epoch 0, which trains nothing).</summary>
    public double? GflopsPerS { get; init; }

    /// <summary>The row's columns as metrics.csv names and orders them; only those the row has.</summary>
    public IEnumerable<KeyValuePair<string, double>> Columns()
    {
        yield return KeyValuePair.Create("epoch", (double)Epoch);
        yield return KeyValuePair.Create("step", (double)Step);
        yield return KeyValuePair.Create("lr", Lr);
        yield return KeyValuePair.Create("loss", Loss);
        yield return KeyValuePair.Create("images_per_s", ImagesPerS);
        yield return KeyValuePair.Create("knn_top1", KnnTop1);
        if (Evaluated)
        {
            yield return KeyValuePair.Create("knn_bank_top1", KnnBankTop1);
            yield return KeyValuePair.Create("knn_backbone_top1", KnnBackboneTop1);
            foreach (var d in Diagnostics)
            {
                yield return d;
            }
        }
        if (GflopsPerS is { } gflops)
        {
            yield return KeyValuePair.Create("gflops_per_s", gflops);
        }
    }

    /// <summary>The columns as a dictionary, in column order.</summary>
    public Dictionary<string, double> ToDictionary() => Columns().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>A row from its columns (a checkpoint's history); the inverse of <see cref="Columns"/>.</summary>
    /// <exception cref="KeyNotFoundException">A column every row has (epoch, step, lr, loss, images_per_s, knn_top1) is missing.</exception>
    public static MetricRow FromColumns(IReadOnlyDictionary<string, double> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        bool evaluated = columns.ContainsKey("knn_bank_top1");
        return new MetricRow((int)columns["epoch"], (long)columns["step"], columns["lr"], columns["loss"], columns["images_per_s"], columns["knn_top1"])
        {
            Evaluated = evaluated,
            KnnBankTop1 = columns.GetValueOrDefault("knn_bank_top1", double.NaN),
            KnnBackboneTop1 = columns.GetValueOrDefault("knn_backbone_top1", double.NaN),
            Diagnostics = evaluated ? [.. columns.Where(p => !Fixed.Contains(p.Key))] : [],
            GflopsPerS = columns.TryGetValue("gflops_per_s", out double g) ? g : null,
        };
    }
}
