namespace ContrastiveLab.Training;

/// <summary>
/// MoCo's queue of negatives: a ring buffer of the K most recent key embeddings. Starts with random unit vectors
/// (seeded), as MoCo does. Owns its tensor.
/// </summary>
public sealed class MomentumQueue : IDisposable
{
    private readonly Tensor _keys;

    /// <param name="capacity">K, the number of keys held.</param>
    /// <param name="dim">D, the embedding width.</param>
    /// <param name="generator">Seeded generator for the initial keys.</param>
    /// <param name="device">Where the queue lives.</param>
    public MomentumQueue(long capacity, long dim, Generator? generator = null, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        using var scope = NewDisposeScope();
        _keys = nn.functional.normalize(randn(capacity, dim, generator: generator), p: 2, dim: 1).to(device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <summary>(K, D) keys; read-only for callers.</summary>
    public Tensor Keys => _keys;

    /// <summary>Where the next key goes.</summary>
    public long Pointer { get; private set; }

    public long Capacity => _keys.shape[0];

    /// <summary>Adds a batch of keys, overwriting the oldest.</summary>
    /// <param name="keys">(B, D) keys, B ≤ K.</param>
    public void Enqueue(Tensor keys)
    {
        long b = keys.shape[0];
        if (b > Capacity)
        {
            throw new ArgumentException($"a batch of {b} keys does not fit a queue of {Capacity}", nameof(keys));
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var positions = arange(Pointer, Pointer + b, dtype: ScalarType.Int64).remainder_(Capacity).to(_keys.device);
        _keys.index_copy_(0, positions, keys.detach());
        Pointer = (Pointer + b) % Capacity;
    }

    /// <summary>Restores keys and pointer from a checkpoint.</summary>
    /// <param name="keys">(K, D) keys.</param>
    /// <param name="pointer">Where the next key goes.</param>
    public void Load(Tensor keys, long pointer)
    {
        if (!keys.shape.SequenceEqual(_keys.shape) || pointer < 0 || pointer >= Capacity)
        {
            throw new ArgumentException("queue checkpoint does not match this queue's shape", nameof(keys));
        }
        using var noGrad = no_grad();
        _keys.copy_(keys);
        Pointer = pointer;
    }

    public void Dispose() => _keys.Dispose();
}
