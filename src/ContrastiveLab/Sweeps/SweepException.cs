namespace ContrastiveLab.Sweeps;

/// <summary>A sweep file or a sweep's results folder is unusable; the message names the file and the problem.</summary>
public sealed class SweepException(string message) : Exception(message);
