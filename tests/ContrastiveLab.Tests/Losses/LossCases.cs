using ContrastiveLab.Core.Losses;

namespace ContrastiveLab.Tests.Losses;

/// <summary>One configured instance of every loss and variant, with a chosen chunking policy.</summary>
internal static class LossCases
{
    private static readonly Dictionary<string, Func<double, ChunkPolicy, IContrastiveLoss>> Factories = new()
    {
        ["contrastive"] = (tau, c) => new ContrastiveLoss(tau) { Chunking = c },
        ["simple"] = (_, _) => new SimpleContrastiveLoss(),
        ["simple-authors"] = (_, _) => new SimpleContrastiveLoss(authorsVariant: true),
        ["hard-k5"] = (tau, c) => new HardContrastiveLoss(tau, k: 5) { Chunking = c },
        ["hard-alpha"] = (tau, c) => new HardContrastiveLoss(tau, alpha: 0.08) { Chunking = c },
        ["hard-simple-k4"] = (_, c) => new HardSimpleLoss(k: 4) { Chunking = c },
        ["hard-simple-authors-k4"] = (_, c) => new HardSimpleLoss(k: 4, authorsVariant: true) { Chunking = c },
        ["single"] = (_, c) => new SingleLoss { Chunking = c },
    };

    public static IReadOnlyList<string> Names => [.. Factories.Keys];

    /// <summary>Every case whose result depends on the dense/chunked choice (the simple loss never chunks).</summary>
    public static IReadOnlyList<string> ChunkedNames => [.. Factories.Keys.Where(n => !n.StartsWith("simple", StringComparison.Ordinal))];

    /// <summary>Always take the bank path, a few rows per chunk (a ragged last chunk for most M).</summary>
    public static ChunkPolicy Chunked(long batch, long rows = 7) => new(0, batch * rows);

    public static IContrastiveLoss Create(string name, ChunkPolicy chunking, double tau = 0.2) => Factories[name](tau, chunking);
}
