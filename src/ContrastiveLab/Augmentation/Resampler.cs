namespace ContrastiveLab.Augmentation;

/// <summary>Separable resampling and blurring of planar float images.</summary>
internal static class Resampler
{
    /// <summary>Weights of a separable triangle filter mapping <paramref name="inSize"/> source pixels
    /// (starting at <paramref name="offset"/>) to <paramref name="outSize"/> outputs, pixel centres aligned
    /// (align_corners = false); the support widens by the shrink factor so that shrinking averages.</summary>
    internal static (int[] Start, int[] Count, float[] Weights, int MaxTaps) Weights(int offset, int inSize, int outSize, int limit, bool reverse)
    {
        double scale = (double)inSize / outSize;
        double support = Math.Max(1.0, scale);
        int maxTaps = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new float[outSize * maxTaps];
        for (int o = 0; o < outSize; o++)
        {
            int dest = reverse ? outSize - 1 - o : o;
            double centre = (o + 0.5) * scale - 0.5;
            int lo = (int)Math.Floor(centre - support + 1);
            int hi = (int)Math.Ceiling(centre + support - 1);
            lo = Math.Max(lo, 0);
            hi = Math.Min(hi, inSize - 1);
            double total = 0;
            int n = 0;
            for (int i = lo; i <= hi && n < maxTaps; i++, n++)
            {
                double wgt = Math.Max(0.0, 1.0 - Math.Abs(i - centre) / support);
                weights[dest * maxTaps + n] = (float)wgt;
                total += wgt;
            }
            if (total <= 0)
            {
                // The centre lies outside the source: take the nearest edge pixel.
                lo = Math.Clamp((int)Math.Round(centre), 0, inSize - 1);
                n = 1;
                weights[dest * maxTaps] = 1f;
                total = 1;
            }
            for (int k = 0; k < n; k++)
            {
                weights[dest * maxTaps + k] = (float)(weights[dest * maxTaps + k] / total);
            }
            start[dest] = Math.Min(offset + lo, limit - 1);
            count[dest] = n;
        }
        return (start, count, weights, maxTaps);
    }

    /// <summary>Crops (top, left, cropH, cropW) from a (C, H, W) uint8 image and resizes it to (C, S, S) floats in [0, 1].</summary>
    /// <remarks>
    /// Separable: each source row the vertical filter reads is resampled horizontally once, into a buffer, then each
    /// output row sums its source rows' buffered results in tap order. The sums are the same, in the same order, as
    /// resampling a source row again for every output row that reads it, which is what this did before (and is up to
    /// 2-3 times the horizontal work when shrinking an ImageNet-sized crop, more when enlarging a small one).
    /// </remarks>
    internal static void CropResize(ReadOnlySpan<byte> image, int channels, int height, int width,
        int top, int left, int cropH, int cropW, int size, bool flip, Span<float> output)
    {
        var (rs, rc, rw, rt) = Weights(top, cropH, size, height, reverse: false);
        var (cs, cc, cw, ct) = Weights(left, cropW, size, width, reverse: flip);
        const float inv255 = 1f / 255f;
        int first = int.MaxValue, end = 0;
        for (int oy = 0; oy < size; oy++)
        {
            first = Math.Min(first, rs[oy]);
            end = Math.Max(end, rs[oy] + rc[oy]);
        }
        int rows = end - first;
        float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(rows * size);
        try
        {
            var resampled = rented.AsSpan(0, rows * size);
            for (int c = 0; c < channels; c++)
            {
                var src = image.Slice(c * height * width, height * width);
                var dst = output.Slice(c * size * size, size * size);
                // Horizontal pass, once per source row in use.
                for (int y = 0; y < rows; y++)
                {
                    var srcRow = src.Slice((first + y) * width, width);
                    var outRow = resampled.Slice(y * size, size);
                    for (int ox = 0; ox < size; ox++)
                    {
                        int s0 = cs[ox];
                        int wBase = ox * ct;
                        float acc = 0;
                        for (int tx = 0; tx < cc[ox]; tx++)
                        {
                            acc += cw[wBase + tx] * srcRow[s0 + tx];
                        }
                        outRow[ox] = acc;
                    }
                }
                // Vertical pass: each output row accumulates its source rows in tap order.
                dst.Clear();
                for (int oy = 0; oy < size; oy++)
                {
                    var outRow = dst.Slice(oy * size, size);
                    for (int ty = 0; ty < rc[oy]; ty++)
                    {
                        float wy = rw[oy * rt + ty] * inv255;
                        var row = resampled.Slice((rs[oy] + ty - first) * size, size);
                        // A multiply then an add per element, rounded as the scalar loop rounds them (no fused multiply-add).
                        var weight = new System.Numerics.Vector<float>(wy);
                        int ox = 0;
                        for (; ox <= size - System.Numerics.Vector<float>.Count; ox += System.Numerics.Vector<float>.Count)
                        {
                            var sum = new System.Numerics.Vector<float>(outRow[ox..]) + (weight * new System.Numerics.Vector<float>(row[ox..]));
                            sum.CopyTo(outRow[ox..]);
                        }
                        for (; ox < size; ox++)
                        {
                            outRow[ox] += wy * row[ox];
                        }
                    }
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Gaussian blur of each (S, S) plane with an odd kernel and reflect padding, as torchvision.</summary>
    internal static void GaussianBlur(Span<float> planes, int channels, int size, int kernelSize, double sigma)
    {
        int half = kernelSize / 2;
        var kernel = new float[kernelSize];
        double total = 0;
        for (int k = 0; k < kernelSize; k++)
        {
            double x = k - half;
            kernel[k] = (float)Math.Exp(-0.5 * x * x / (sigma * sigma));
            total += kernel[k];
        }
        for (int k = 0; k < kernelSize; k++)
        {
            kernel[k] = (float)(kernel[k] / total);
        }
        var tmp = new float[size * size];
        for (int c = 0; c < channels; c++)
        {
            var p = planes.Slice(c * size * size, size * size);
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    float acc = 0;
                    for (int k = 0; k < kernelSize; k++)
                    {
                        acc += kernel[k] * p[y * size + Reflect(x + k - half, size)];
                    }
                    tmp[y * size + x] = acc;
                }
            }
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    float acc = 0;
                    for (int k = 0; k < kernelSize; k++)
                    {
                        acc += kernel[k] * tmp[Reflect(y + k - half, size) * size + x];
                    }
                    p[y * size + x] = acc;
                }
            }
        }
    }

    private static int Reflect(int i, int n)
    {
        if (n == 1)
        {
            return 0;
        }
        while (i < 0 || i >= n)
        {
            i = i < 0 ? -i : 2 * (n - 1) - i;
        }
        return i;
    }
}
