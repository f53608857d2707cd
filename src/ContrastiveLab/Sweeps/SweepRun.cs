using ContrastiveLab.Training;

namespace ContrastiveLab.Sweeps;

/// <summary>One run of a sweep: its folder name under the results folder and its config.</summary>
public sealed record SweepRun(string Name, TrainConfig Config);
