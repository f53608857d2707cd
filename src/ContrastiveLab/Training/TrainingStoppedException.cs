namespace ContrastiveLab.Training;

/// <summary>A run stopped before its end: diverged (NaN/Inf loss) or interrupted; the message says where and what to do.</summary>
public sealed class TrainingStoppedException(string message, bool interrupted) : Exception(message)
{
    /// <summary>True when stopped on request (Ctrl-C), false when the loss diverged.</summary>
    public bool Interrupted { get; } = interrupted;
}
