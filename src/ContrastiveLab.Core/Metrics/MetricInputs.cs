namespace ContrastiveLab.Core.Metrics;

/// <summary>Validation and normalisation shared by the metrics: every failure is an <see cref="ArgumentException"/> naming the input.</summary>
internal static class MetricInputs
{
    /// <summary>
    /// Checks a (rows, dim) matrix of finite values without zero rows and returns it L2-normalised in float64,
    /// in the caller's dispose scope. The input is never modified.
    /// </summary>
    internal static Tensor UnitRowsFloat64(Tensor x, string name, long? rows = null, long? dim = null, long minRows = 1)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.dim() != 2)
        {
            throw new ArgumentException($"{name} must be a 2-D (rows, dim) tensor; got shape {Shape(x)}.", name);
        }
        if (!x.is_floating_point())
        {
            throw new ArgumentException($"{name} must be floating point (float32 or float64); got {x.dtype}.", name);
        }
        if (x.shape[0] < minRows)
        {
            throw new ArgumentException($"{name} needs at least {minRows} rows; got {x.shape[0]}.", name);
        }
        if (rows is long r && x.shape[0] != r)
        {
            throw new ArgumentException($"{name} must have {r} rows to match the other inputs; got {x.shape[0]}.", name);
        }
        if (dim is long d && x.shape[1] != d)
        {
            throw new ArgumentException($"{name} must have dimension {d} to match the other inputs; got {x.shape[1]}.", name);
        }
        if (x.shape[1] < 1)
        {
            throw new ArgumentException($"{name} must have dimension ≥ 1; got shape {Shape(x)}.", name);
        }
        var y = x.detach().to_type(ScalarType.Float64);
        var badRows = y.isfinite().all(1).logical_not().nonzero();
        if (badRows.shape[0] > 0)
        {
            throw new ArgumentException($"{name} holds NaN or infinite values (first in row {badRows[0, 0].item<long>()}).", name);
        }
        var norms = y.norm(1, keepdim: true);
        var zeroRows = norms.eq(0).nonzero();
        if (zeroRows.shape[0] > 0)
        {
            throw new ArgumentException($"{name} has a zero row (row {zeroRows[0, 0].item<long>()}); rows must be non-zero to be normalised.", name);
        }
        return y.div(norms);
    }

    /// <summary>As <see cref="UnitRowsFloat64"/>, then cast to the compute dtype of <paramref name="dtypeOf"/>.</summary>
    internal static Tensor UnitRows(Tensor x, string name, Tensor dtypeOf, long? rows = null, long? dim = null, long minRows = 1)
        => UnitRowsFloat64(x, name, rows, dim, minRows).to_type(ComputeType(dtypeOf));

    /// <summary>The dtype similarities are computed in: float64 for float64 input, float32 otherwise.</summary>
    internal static ScalarType ComputeType(Tensor input) => input.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>Checks a (n,) integer label vector and returns it as int64, in the caller's dispose scope.</summary>
    internal static Tensor Labels(Tensor labels, string name, long n)
    {
        ArgumentNullException.ThrowIfNull(labels, name);
        if (labels.dim() != 1 || labels.shape[0] != n)
        {
            throw new ArgumentException($"{name} must be a 1-D tensor of {n} labels (one per row); got shape {Shape(labels)}.", name);
        }
        if (labels.is_floating_point() || labels.is_complex() || labels.dtype == ScalarType.Bool)
        {
            throw new ArgumentException($"{name} must hold integer class labels; got {labels.dtype}.", name);
        }
        return labels.detach().to_type(ScalarType.Int64);
    }

    /// <summary>Checks a (b,) index of one excluded bank row per anchor, each in [0, m), and returns it as int64.</summary>
    internal static Tensor ExcludeIndex(Tensor index, string name, long b, long m)
    {
        var idx = Labels(index, name, b);
        if (b > 0)
        {
            long lo = idx.min().item<long>(), hi = idx.max().item<long>();
            if (lo < 0 || hi >= m)
            {
                throw new ArgumentException($"{name} must index bank rows in [0, {m - 1}]; got values from {lo} to {hi}.", name);
            }
        }
        return idx;
    }

    /// <summary>Rejects a temperature that is not a finite positive number.</summary>
    internal static void Temperatures(IReadOnlyList<double> taus, string name)
    {
        ArgumentNullException.ThrowIfNull(taus, name);
        if (taus.Count == 0)
        {
            throw new ArgumentException($"{name} must list at least one temperature.", name);
        }
        foreach (double tau in taus)
        {
            if (!(tau > 0) || double.IsInfinity(tau))
            {
                throw new ArgumentException($"{name}: every temperature τ must be a finite number > 0; got {tau}.", name);
            }
        }
    }

    /// <summary>Rejects an integer outside [lo, hi].</summary>
    internal static void InRange(long value, long lo, long hi, string name, string what)
    {
        if (value < lo || value > hi)
        {
            throw new ArgumentException($"{name} ({what}) must be in [{lo}, {hi}]; got {value}.", name);
        }
    }

    internal static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
