namespace ContrastiveLab.Reports;

/// <summary>A run folder the report could not use: not finished, or a file in it is damaged.</summary>
/// <param name="Name">The folder's path relative to the results folder.</param>
/// <param name="Reason">Why, in one line (for a damaged file: the file and the problem).</param>
public sealed record UnfinishedRun(string Name, string Reason);
