namespace ContrastiveLab.Training;

/// <summary>Where a run is, for progress bars: reported after every step and after each epoch's evaluation.</summary>
/// <param name="Epoch">1-based epoch in progress.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Step">Steps done in this epoch.</param>
/// <param name="StepsPerEpoch">Steps in one epoch.</param>
/// <param name="Loss">Mean loss of the epoch so far.</param>
/// <param name="ImagesPerSecond">Training throughput of the epoch so far.</param>
/// <param name="KnnTop1">This epoch's kNN top-1 (0–1) in the report made after its evaluation; null during the epoch and for an epoch not evaluated.</param>
/// <param name="Eta">Estimated time to the end of the run.</param>
/// <param name="EpochFinished">True for the report made after the epoch's evaluation.</param>
public sealed record TrainProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss, double ImagesPerSecond, double? KnnTop1, TimeSpan Eta, bool EpochFinished);
