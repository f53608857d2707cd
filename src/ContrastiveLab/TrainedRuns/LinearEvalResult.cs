namespace ContrastiveLab.TrainedRuns;

/// <summary>What a linear evaluation found; written to the run folder as <c>linear.json</c> (<see cref="RunFormat.LinearResultFile"/>).</summary>
/// <param name="Mode">"fast" (cached clean features) or "augmented" (the paper's protocol).</param>
/// <param name="Epochs">Epochs the classifier trained.</param>
/// <param name="BestTop1">Best test top-1 over the epochs, a fraction in 0–1 (the authors' script reports this one).</param>
/// <param name="BestEpoch">1-based epoch of <paramref name="BestTop1"/> (the first, on ties).</param>
/// <param name="LastTop1">Test top-1 after the last epoch, a fraction in 0–1.</param>
/// <param name="Checkpoint">Name of the checkpoint evaluated.</param>
/// <param name="Top1PerEpoch">Test top-1 after each epoch (not written to the file).</param>
public sealed record LinearEvalResult(string Mode, int Epochs, double BestTop1, int BestEpoch, double LastTop1, string Checkpoint, IReadOnlyList<double> Top1PerEpoch);
