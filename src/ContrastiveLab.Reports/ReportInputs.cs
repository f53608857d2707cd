namespace ContrastiveLab.Reports;

/// <summary>Everything a report is built from: the runs and the data the caller computed from them.</summary>
/// <param name="Runs">The run folders found (<see cref="RunFolderReader.ReadAll"/>).</param>
/// <param name="PenaltyCurves">Fig. 3 curves, one per τ.</param>
/// <param name="Maps">Fig. 2 embedding maps (may be empty).</param>
/// <param name="Preset">The sweep preset the runs came from, null when not given.</param>
public sealed record ReportInputs(RunCollection Runs, IReadOnlyList<PenaltyCurveSeries> PenaltyCurves, IReadOnlyList<EmbeddingMap> Maps, string? Preset);
