using ContrastiveLab.Evaluation;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;

namespace ContrastiveLab.Training;

/// <summary>
/// Everything a run logs as it goes: the metric rows (kept whole, rewritten to <c>metrics.csv</c> after each), the
/// TensorBoard scalars, the per-epoch log line and the resident memory after each epoch.
/// </summary>
internal sealed class RunLogs : IDisposable
{
    private readonly string _runDirectory;
    private readonly TensorBoardWriter _tensorboard;
    private readonly TextWriter _log;
    private readonly int _epochs;
    private readonly int _tensorboardEvery;

    /// <param name="runDirectory">The run folder.</param>
    /// <param name="history">The rows recorded before (a resumed run's, from its checkpoint); grows with every row.</param>
    /// <param name="firstStep">The first step this process logs: TensorBoard drops what an earlier attempt logged from there on.</param>
    /// <param name="config">The run's config (epochs, TensorBoard interval).</param>
    /// <param name="log">Where the log lines go.</param>
    public RunLogs(string runDirectory, List<MetricRow> history, long firstStep, TrainConfig config, TextWriter log)
    {
        (_runDirectory, History, _log, _epochs, _tensorboardEvery) = (runDirectory, history, log, config.Epochs, config.TensorboardEvery);
        _tensorboard = new TensorBoardWriter(Path.Combine(runDirectory, RunFiles.TensorBoardDirectory));
        _tensorboard.SessionStart(firstStep);
    }

    /// <summary>The metric rows so far, one per epoch (epoch 0: the untrained encoder).</summary>
    public List<MetricRow> History { get; }

    /// <summary>Resident memory (MB) after each epoch of this process (a resumed run starts afresh), keyed by epoch.</summary>
    public Dictionary<string, double> ResidentAfterEpoch { get; } = new(StringComparer.Ordinal);

    /// <summary>Records one epoch's row: metrics.csv, TensorBoard, and the log line with the time left.</summary>
    public void Record(MetricRow row, TimeSpan? left)
    {
        History.Add(row);
        Trainer.WriteMetricsCsv(Path.Combine(_runDirectory, RunFiles.Metrics), History);
        _tensorboard.Scalars(row.Step, row.Columns().Where(p => p.Key is not ("epoch" or "step")).Select(p => KeyValuePair.Create(Trainer.TensorBoardTag(p.Key), p.Value)));
        _log.WriteLine(Trainer.EpochLine(row.ToDictionary(), _epochs, row.Epoch == 0 ? null : left));
    }

    /// <summary>Logs one step's loss and learning rate to TensorBoard, every <see cref="TrainConfig.TensorboardEvery"/> steps.</summary>
    public void Step(long step, double loss, double lr)
    {
        if (_tensorboardEvery > 0 && step % _tensorboardEvery == 0)
        {
            _tensorboard.Scalars(step, [KeyValuePair.Create("train/step_loss", loss), KeyValuePair.Create("train/step_lr", lr)]);
        }
    }

    /// <summary>Records the resident memory after <paramref name="epoch"/>.</summary>
    public void Resident(int epoch, long step, double megabytes)
    {
        ResidentAfterEpoch[epoch.ToString(CultureInfo.InvariantCulture)] = megabytes;
        _tensorboard.Scalars(step, [KeyValuePair.Create("system/resident_mb", megabytes)]);
    }

    /// <inheritdoc/>
    public void Dispose() => _tensorboard.Dispose();
}

/// <summary>The time a run has left, from the rate of the steps this process has taken.</summary>
internal sealed class EtaClock(int epochs, int batchesPerEpoch, int startEpoch, int startBatch, System.Diagnostics.Stopwatch wall)
{
    /// <summary>The time left when <paramref name="batchIndex"/> batches of <paramref name="epoch"/> are done (zero before the first step here).</summary>
    public TimeSpan Left(int epoch, int batchIndex)
    {
        long total = (long)epochs * batchesPerEpoch;
        long done = (long)(epoch - 1) * batchesPerEpoch + batchIndex;
        long doneHere = done - ((long)(startEpoch - 1) * batchesPerEpoch + startBatch);
        if (doneHere <= 0 || total <= done)
        {
            return TimeSpan.Zero;
        }
        return TimeSpan.FromSeconds(wall.Elapsed.TotalSeconds / doneHere * (total - done));
    }
}
