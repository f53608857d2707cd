namespace ContrastiveLab.Augmentation;

/// <summary>
/// A small, fast random stream (xoshiro256**) for one image view. Each view gets its own stream derived from
/// (seed, epoch, image index, view), so the views of an image do not depend on which thread made them or in
/// what order.
/// </summary>
public struct AugmentRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>The stream for one view of one image in one epoch.</summary>
    public static AugmentRandom ForView(long seed, int epoch, long index, int view)
    {
        ulong x = unchecked((ulong)seed);
        x = Mix(x ^ Mix(unchecked((ulong)epoch) + 0x9E3779B97F4A7C15UL));
        x = Mix(x ^ Mix(unchecked((ulong)index) + 0xD1B54A32D192ED03UL));
        x = Mix(x ^ Mix(unchecked((ulong)view) + 0x8CB92BA72F3D8DD7UL));
        var r = new AugmentRandom();
        r._s0 = SplitMix(ref x);
        r._s1 = SplitMix(ref x);
        r._s2 = SplitMix(ref x);
        r._s3 = SplitMix(ref x);
        return r;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [lo, hi] (both inclusive), as torch.randint(lo, hi + 1).</summary>
    public int NextInt(int lo, int hiInclusive)
    {
        ulong span = (ulong)(hiInclusive - lo + 1);
        return lo + (int)(NextUInt64() % span);
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => p > 0 && NextDouble() < p;
}
