namespace ContrastiveLab.Data;

/// <summary>A dataset that is not on disk: the message says which file to put where and where it comes from.</summary>
public sealed class DatasetNotFoundException(string message) : Exception(message);
