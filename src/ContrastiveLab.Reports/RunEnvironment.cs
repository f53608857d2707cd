namespace ContrastiveLab.Reports;

/// <summary>A run's <c>environment.json</c>: where and with what it ran.</summary>
/// <param name="Machine">Host name.</param>
/// <param name="Os">Operating system description.</param>
/// <param name="Cores">Logical cores of the machine.</param>
/// <param name="Threads">Threads the run used.</param>
/// <param name="Device">cpu or cuda.</param>
/// <param name="Versions">Version strings by component (contrastivelab, torchsharp, libtorch, dotnet).</param>
public sealed record RunEnvironment(string Machine, string Os, int Cores, int Threads, string Device, IReadOnlyDictionary<string, string> Versions);
