namespace ContrastiveLab.Data;

/// <summary>A dataset file that is not what its format promises: names the file and what is wrong.</summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string path, string problem)
        : base($"{path}: {problem}")
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file (or folder) at fault.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }
}
