namespace ContrastiveLab.Core.Metrics;

/// <summary>
/// Streams a similarity matrix anchors · bankᵀ in blocks of whole rows, so that no B×M matrix is ever held at
/// once: each block is one matrix product into a reused buffer of about <see cref="DefaultChunkElements"/> entries.
/// </summary>
internal static class SimilarityChunks
{
    /// <summary>Entries per block: 2^24 (64 MiB in float32, 128 MiB in float64).</summary>
    internal const long DefaultChunkElements = 1L << 24;

    [ThreadStatic]
    private static long t_rowsOverride;

    /// <summary>Receives one block: <paramref name="start"/> is the first anchor row, <paramref name="s"/> the (c, w)
    /// similarities, which the receiver may overwrite; <paramref name="excludedFlat"/> the (c,) flat positions of excluded entries.</summary>
    internal delegate void Visitor(long start, Tensor s, Tensor? excludedFlat);

    /// <summary>Forces a block height (rows per block) on this thread until disposed; for tests of the chunking.</summary>
    internal static IDisposable OverrideRows(long rows) => new RowsOverride(rows);

    internal static long RowsPerChunk(long columns)
        => t_rowsOverride > 0 ? t_rowsOverride : Math.Max(1, DefaultChunkElements / Math.Max(1, columns));

    /// <summary>
    /// Visits anchors · bankᵀ block by block; where <paramref name="exclude"/> is given, entry (i, exclude[i]) is −∞.
    /// </summary>
    /// <param name="anchors">(B, D) rows in the compute dtype.</param>
    /// <param name="bank">(M, D) rows in the same dtype.</param>
    /// <param name="exclude">Optional (B,) int64 column to exclude per anchor.</param>
    /// <param name="visit">Called once per block, in row order.</param>
    internal static void ForEach(Tensor anchors, Tensor bank, Tensor? exclude, Visitor visit)
    {
        long b = anchors.shape[0], m = bank.shape[0];
        long rows = Math.Min(b, RowsPerChunk(m));
        using var scope = NewDisposeScope();
        var bankT = bank.t();
        var buffer = empty(rows * m, dtype: anchors.dtype, device: anchors.device);
        for (long start = 0; start < b; start += rows)
        {
            using var step = NewDisposeScope();
            long c = Math.Min(rows, b - start);
            var s = buffer.narrow(0, 0, c * m).view(c, m);
            s.addmm_(anchors.narrow(0, start, c), bankT, beta: 0, alpha: 1);
            Tensor? flat = null;
            if (exclude is not null)
            {
                flat = exclude.narrow(0, start, c).add(arange(c, dtype: ScalarType.Int64, device: anchors.device).mul(m));
                s.view(-1).index_fill_(0, flat, double.NegativeInfinity);
            }
            visit(start, s, flat);
        }
    }

    /// <summary>Largest tile of <see cref="ForEachUpperTile"/>: 512 × 2048 entries (4 MiB in float32), small enough to
    /// stay in cache between the matrix product that writes it and the element-wise passes that read it (measured
    /// against 256 × 2048 and 512 × 1024 on this project's reference machine: docs/performance.md).</summary>
    internal const long TileElements = 1L << 20;

    /// <summary>
    /// Visits the pairs i &lt; j of alpha · z · zᵀ in cache-sized tiles: rows [r, r + c) against columns [r, N) in
    /// pieces of at most <see cref="TileElements"/> entries; in each row band's first tile the entries with j ≤ i are
    /// −∞. Half the work of the full matrix, and each tile is written once by the product and read back from cache.
    /// </summary>
    /// <param name="z">(N, D) rows in the compute dtype.</param>
    /// <param name="alpha">Scale folded into the matrix product (saves an element-wise pass).</param>
    /// <param name="visit">Called once per tile; <c>start</c> is the tile's first row; <c>excludedFlat</c> is null.</param>
    internal static void ForEachUpperTile(Tensor z, double alpha, Visitor visit)
    {
        long n = z.shape[0];
        // A forced height (tests) also forces narrow tiles, so that every band is split into several.
        long rows = Math.Min(n, t_rowsOverride > 0 ? t_rowsOverride : 512);
        long columns = t_rowsOverride > 0 ? 2 * rows + 1 : Math.Max(rows, TileElements / rows);
        using var scope = NewDisposeScope();
        var buffer = empty(rows * columns, dtype: z.dtype, device: z.device);
        var lowerWithDiagonal = ones(rows, rows, dtype: ScalarType.Bool, device: z.device).tril();
        var zT = z.t();
        bool exactAlpha = (double)(float)alpha == alpha; // addmm takes its scale as float32
        for (long r = 0; r < n; r += rows)
        {
            long c = Math.Min(rows, n - r);
            var band = z.narrow(0, r, c);
            for (long col = r; col < n; col += columns)
            {
                using var step = NewDisposeScope();
                long w = Math.Min(columns, n - col);
                var s = buffer.narrow(0, 0, c * w).view(c, w);
                if (exactAlpha)
                {
                    s.addmm_(band, zT.narrow(1, col, w), beta: 0, alpha: (float)alpha);
                }
                else
                {
                    s.addmm_(band, zT.narrow(1, col, w), beta: 0, alpha: 1).mul_(alpha);
                }
                if (col == r)
                {
                    long d = Math.Min(c, w);
                    s.narrow(1, 0, d).masked_fill_(lowerWithDiagonal.narrow(0, 0, c).narrow(1, 0, d), double.NegativeInfinity);
                }
                visit(r, s, null);
            }
        }
    }

    /// <summary>Adds log Σ exp(x) over a whole block to a running log-sum-exp; overwrites the block (no block-sized temporary).</summary>
    internal static double AddLogSumExp(double running, Tensor block)
    {
        double max = block.max().to_type(ScalarType.Float64).item<double>();
        if (double.IsNegativeInfinity(max))
        {
            return running;
        }
        double sum = block.sub_(max).exp_().sum(ScalarType.Float64).item<double>();
        return LogMath.LogAddExp(running, max + Math.Log(sum));
    }

    private sealed class RowsOverride : IDisposable
    {
        private readonly long _previous;

        internal RowsOverride(long rows)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
            _previous = t_rowsOverride;
            t_rowsOverride = rows;
        }

        public void Dispose() => t_rowsOverride = _previous;
    }
}
