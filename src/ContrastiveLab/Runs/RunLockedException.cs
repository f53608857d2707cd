namespace ContrastiveLab.Runs;

/// <summary>Another process is training into the same run folder.</summary>
public sealed class RunLockedException(string message) : Exception(message);
