namespace ContrastiveLab.Reports;

/// <summary>A file in a run folder is damaged or not what the trainer writes; the message is one line, <c>FILE: problem</c>.</summary>
public sealed class RunFormatException : IOException
{
    public RunFormatException(string path, string problem)
        : base($"{path}: {problem}")
    {
        Path = path;
    }

    public RunFormatException(string path, string problem, Exception inner)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
    }

    /// <summary>The damaged file.</summary>
    public string Path { get; }
}
