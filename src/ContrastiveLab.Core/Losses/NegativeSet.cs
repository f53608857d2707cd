namespace ContrastiveLab.Core.Losses;

/// <summary>
/// A validated <see cref="Negatives"/> in one form: anchor i's negatives are the rows of <see cref="Bank"/>
/// except row <c>ExcludeIndex[i]</c>. In-batch negatives become Bank = positives, ExcludeIndex = 0..B−1.
/// </summary>
/// <param name="Bank">(M, D) candidate rows, same dtype and device as the anchors.</param>
/// <param name="ExcludeIndex">(B,) int64 row of each anchor's own entry, or null when every row is a negative.</param>
/// <param name="Count">Number of negatives per anchor: M, or M − 1 with an exclusion.</param>
internal sealed record NegativeSet(Tensor Bank, Tensor? ExcludeIndex, long Count)
{
    /// <summary>Checks shapes, dtypes and indices; tensors it creates belong to the caller's dispose scope.</summary>
    /// <param name="anchors">(B, D) float32 or float64.</param>
    /// <param name="positives">(B, D), same dtype and device.</param>
    /// <param name="negatives">In-batch (needs B ≥ 2) or a shared (M, D) bank with an optional (B,) int64 exclusion index in [0, M).</param>
    /// <exception cref="ArgumentException">Any of the above does not hold; the message names the argument, the value and what is allowed.</exception>
    public static NegativeSet Resolve(Tensor anchors, Tensor positives, Negatives negatives)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(positives);
        ArgumentNullException.ThrowIfNull(negatives);
        if (anchors.dim() != 2 || anchors.shape[0] < 1 || anchors.shape[1] < 1)
        {
            throw new ArgumentException($"anchors must be a non-empty 2-D (B, D) tensor; got shape {Shape(anchors)}.", nameof(anchors));
        }

        if (anchors.dtype != ScalarType.Float32 && anchors.dtype != ScalarType.Float64)
        {
            throw new ArgumentException($"anchors must be float32 or float64; got {anchors.dtype}.", nameof(anchors));
        }

        RequireLike(positives, anchors, nameof(positives), requireSameRows: true);
        long b = anchors.shape[0];
        switch (negatives)
        {
            case Negatives.InBatchNegatives:
                if (b < 2)
                {
                    throw new ArgumentException($"In-batch negatives need a batch of B ≥ 2 anchors; got B = {b}.", nameof(negatives));
                }

                return new NegativeSet(positives, arange(b, dtype: ScalarType.Int64, device: anchors.device), b - 1);

            case Negatives.SharedNegatives shared:
                return ResolveShared(anchors, shared);

            default:
                throw new ArgumentException($"Unknown negative source {negatives.GetType().Name}.", nameof(negatives));
        }
    }

    private static NegativeSet ResolveShared(Tensor anchors, Negatives.SharedNegatives shared)
    {
        Tensor bank = shared.Bank ?? throw new ArgumentNullException(nameof(shared), "The shared negatives' bank is null.");
        RequireLike(bank, anchors, "bank", requireSameRows: false);
        long m = bank.shape[0];
        if (shared.ExcludeIndex is not { } exclude)
        {
            return new NegativeSet(bank, null, m);
        }

        long b = anchors.shape[0];
        if (exclude.dtype != ScalarType.Int64 || exclude.dim() != 1 || exclude.shape[0] != b)
        {
            throw new ArgumentException(
                $"excludeIndex must be a 1-D int64 tensor of length B = {b}; got {exclude.dtype} with shape {Shape(exclude)}.", "excludeIndex");
        }

        if (exclude.device_type != anchors.device_type)
        {
            throw new ArgumentException($"excludeIndex is on {exclude.device_type} but the anchors are on {anchors.device_type}.", "excludeIndex");
        }

        long lowest = exclude.min().item<long>();
        long highest = exclude.max().item<long>();
        if (lowest < 0 || highest >= m)
        {
            throw new ArgumentException(
                $"excludeIndex values must lie in [0, M − 1] = [0, {m - 1}]; got values from {lowest} to {highest}.", "excludeIndex");
        }

        if (m < 2)
        {
            throw new ArgumentException($"A bank with an exclusion index needs M ≥ 2 rows so that one negative remains; got M = {m}.", "bank");
        }

        return new NegativeSet(bank, exclude, m - 1);
    }

    private static void RequireLike(Tensor t, Tensor anchors, string name, bool requireSameRows)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        bool shapeOk = t.dim() == 2 && t.shape[1] == anchors.shape[1] && t.shape[0] >= 1
            && (!requireSameRows || t.shape[0] == anchors.shape[0]);
        if (!shapeOk)
        {
            string expected = requireSameRows ? $"({anchors.shape[0]}, {anchors.shape[1]}) like the anchors" : $"(M, {anchors.shape[1]}) with M ≥ 1";
            throw new ArgumentException($"{name} must have shape {expected}; got shape {Shape(t)}.", name);
        }

        if (t.dtype != anchors.dtype || t.device_type != anchors.device_type)
        {
            throw new ArgumentException(
                $"{name} must have the anchors' dtype and device ({anchors.dtype} on {anchors.device_type}); got {t.dtype} on {t.device_type}.", name);
        }
    }

    private static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
