namespace ContrastiveLab.Training;

/// <summary>
/// The memory bank of instance discrimination (Wu et al. 2018), as the paper uses it: one D-dimensional entry
/// per training image, initialised uniform(−a, a) with a = 1/sqrt(D/3), updated after each step by
/// m_i ← normalize(μ·m_i + (1 − μ)·f(x_i)) with μ = 0.5. Owns its tensor; dispose it when done.
/// </summary>
public sealed class MemoryBank : IDisposable
{
    private Tensor _entries;

    /// <param name="size">N, the number of training images.</param>
    /// <param name="dim">D, the embedding width.</param>
    /// <param name="momentum">μ of the update, in [0, 1).</param>
    /// <param name="generator">Seeded generator for the initialisation.</param>
    /// <param name="device">Where the bank lives.</param>
    public MemoryBank(long size, long dim, double momentum = 0.5, Generator? generator = null, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        if (momentum is < 0 or >= 1 || double.IsNaN(momentum))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "bank momentum must lie in [0, 1)");
        }
        Momentum = momentum;
        double a = 1.0 / Math.Sqrt(dim / 3.0);
        using var scope = NewDisposeScope();
        _entries = (rand(size, dim, generator: generator) * (2 * a) - a).to(device ?? CPU).MoveToOuterDisposeScope();
    }

    public double Momentum { get; }

    /// <summary>(N, D) entries; read-only for callers, never requires grad.</summary>
    public Tensor Entries => _entries;

    public long Size => _entries.shape[0];

    public long Dim => _entries.shape[1];

    /// <summary>(B, D) entries of the images at <paramref name="indices"/>, a new tensor.</summary>
    public Tensor Gather(Tensor indices) => _entries.index_select(0, indices);

    /// <summary>
    /// Moves the entries of a batch towards its new features: m_i ← normalize(μ·m_i + (1 − μ)·f_i).
    /// </summary>
    /// <param name="indices">(B,) int64 image indices; distinct.</param>
    /// <param name="features">(B, D) new features on the unit sphere (detached inside).</param>
    public void Update(Tensor indices, Tensor features)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var old = _entries.index_select(0, indices);
        var mixed = old.mul_(Momentum).add_(features.detach(), alpha: 1 - Momentum);
        var normalised = nn.functional.normalize(mixed, p: 2, dim: 1);
        _entries.index_copy_(0, indices, normalised);
    }

    /// <summary>Replaces every entry, e.g. when restoring a checkpoint.</summary>
    /// <param name="entries">(N, D) values to copy in.</param>
    public void Load(Tensor entries)
    {
        if (!entries.shape.SequenceEqual(_entries.shape))
        {
            throw new ArgumentException($"bank shape [{string.Join(", ", entries.shape)}] does not match [{Size}, {Dim}]", nameof(entries));
        }
        using var noGrad = no_grad();
        _entries.copy_(entries);
    }

    public void Dispose() => _entries.Dispose();
}
