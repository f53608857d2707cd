namespace ContrastiveLab.RunFormat;

/// <summary>
/// The names of everything in a run folder and in a results folder, in one place: the trainer, the sweeps, the
/// evaluations and the reports all name files through here, so a writer and a reader cannot spell one differently.
/// </summary>
public static class RunFiles
{
    /// <summary>The run's config (every key of TrainConfig, snake_case); its presence makes a folder a run folder.</summary>
    public const string Config = "config.json";

    /// <summary>The summary (<see cref="RunSummaryFile"/>); written last, it marks the run finished.</summary>
    public const string Summary = "summary.json";

    /// <summary>One row per epoch (epoch 0: the untrained encoder); a header naming the columns, empty cells where nothing was measured.</summary>
    public const string Metrics = "metrics.csv";

    /// <summary>Versions, machine, cores, threads and device of the run's last start.</summary>
    public const string Environment = "environment.json";

    /// <summary>(N, D) float32 embeddings of the test split by the final encoder.</summary>
    public const string TestEmbeddings = "test_embeddings.npy";

    /// <summary>(N,) int64 labels of the test split.</summary>
    public const string TestLabels = "test_labels.npy";

    /// <summary>Per diagnostic anchor: <c>pos</c>, then <c>neg1</c>… the negatives' similarities in descending order.</summary>
    public const string OrderStatistics = "order_statistics.csv";

    /// <summary>The kNN evaluation of <c>contrastive eval --protocol knn</c>.</summary>
    public const string Knn = "knn.json";

    /// <summary>The linear evaluation of <c>contrastive eval --protocol linear</c>.</summary>
    public const string Linear = "linear.json";

    /// <summary>How the last attempt failed, when it did.</summary>
    public const string Failure = "failure.json";

    /// <summary>The folder of TensorBoard event files.</summary>
    public const string TensorBoardDirectory = "tensorboard";

    /// <summary>The folder of checkpoints, one subfolder each.</summary>
    public const string CheckpointsDirectory = "checkpoints";

    /// <summary>In a checkpoint: the encoder's parameters and buffers.</summary>
    public const string CheckpointModel = "model.bin";

    /// <summary>In a checkpoint: the optimiser's state.</summary>
    public const string CheckpointOptimizer = "optimizer.bin";

    /// <summary>In a checkpoint: where the run stood (epoch, batch, step, wall time, best kNN, the metric rows so far).</summary>
    public const string CheckpointMeta = "meta.json";

    /// <summary>
    /// The linear evaluation's cache of the backbone's features of the clean training and test images, one subfolder
    /// per checkpoint name (<c>features_cache/epoch-0100/</c>).
    /// </summary>
    public const string FeaturesCacheDirectory = "features_cache";

    /// <summary>In a features-cache subfolder: the SHA-256 of the model.bin the features came from; a cache whose
    /// checksum differs from the checkpoint's is made again.</summary>
    public const string FeaturesCacheSource = "model_sha256.txt";

    /// <summary>In a features-cache subfolder: the arrays, each <c>NAME.npy</c> (features float32 (N, F), labels int64 (N,)).</summary>
    public static IReadOnlyList<string> FeaturesCacheArrays { get; } = ["train_features", "train_labels", "test_features", "test_labels"];

    /// <summary>In a results folder: one listing per sweep (<see cref="SweepListing"/>), <c>sweeps/NAME.json</c>.</summary>
    public const string SweepsDirectory = "sweeps";

    /// <summary>In a results folder: the report written by <c>contrastive report</c> and <c>reproduce</c>.</summary>
    public const string ReportDirectory = "report";

    /// <summary>The listing of sweep <paramref name="sweepName"/> under <paramref name="resultsDirectory"/>.</summary>
    public static string SweepListingPath(string resultsDirectory, string sweepName) =>
        Path.Combine(resultsDirectory, SweepsDirectory, sweepName + ".json");
}
