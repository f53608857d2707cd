namespace ContrastiveLab.Reports;

/// <summary>The run folders found under a results folder.</summary>
/// <param name="Root">The results folder.</param>
/// <param name="Runs">Finished, readable runs, ordered by name.</param>
/// <param name="Missing">Unfinished or unreadable run folders, ordered by name.</param>
public sealed record RunCollection(string Root, IReadOnlyList<RunRecord> Runs, IReadOnlyList<UnfinishedRun> Missing);
