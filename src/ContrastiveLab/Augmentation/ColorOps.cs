namespace ContrastiveLab.Augmentation;

/// <summary>Colour operations on planar float images in [0, 1], with torchvision's formulas.</summary>
internal static class ColorOps
{
    private const float Rw = 0.299f, Gw = 0.587f, Bw = 0.114f;

    /// <summary>ColorJitter: four factors drawn, then applied in a random order.</summary>
    internal static void Jitter(Span<float> img, int channels, int plane, AugmentationOptions o, ref AugmentRandom rng)
    {
        float b = Factor(o.Brightness, ref rng);
        float c = Factor(o.Contrast, ref rng);
        float s = Factor(o.Saturation, ref rng);
        float h = o.Hue > 0 ? (float)rng.Uniform(-o.Hue, o.Hue) : 0f;
        Span<int> order = [0, 1, 2, 3];
        for (int i = 3; i > 0; i--)
        {
            int j = rng.NextInt(0, i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        foreach (int op in order)
        {
            switch (op)
            {
                case 0 when o.Brightness > 0:
                    Scale(img, b);
                    break;
                case 1 when o.Contrast > 0:
                    Contrast(img, channels, plane, c);
                    break;
                case 2 when o.Saturation > 0 && channels == 3:
                    Saturation(img, plane, s);
                    break;
                case 3 when o.Hue > 0 && channels == 3:
                    HueShift(img, plane, h);
                    break;
            }
        }
    }

    private static float Factor(double strength, ref AugmentRandom rng) =>
        strength > 0 ? (float)rng.Uniform(Math.Max(0, 1 - strength), 1 + strength) : 1f;

    internal static void Scale(Span<float> img, float f)
    {
        for (int i = 0; i < img.Length; i++)
        {
            img[i] = Math.Clamp(img[i] * f, 0f, 1f);
        }
    }

    internal static void Contrast(Span<float> img, int channels, int plane, float f)
    {
        double sum = 0;
        if (channels == 3)
        {
            for (int i = 0; i < plane; i++)
            {
                sum += Rw * img[i] + Gw * img[plane + i] + Bw * img[2 * plane + i];
            }
        }
        else
        {
            for (int i = 0; i < plane; i++)
            {
                sum += img[i];
            }
        }
        float mean = (float)(sum / plane) * (1 - f);
        for (int i = 0; i < img.Length; i++)
        {
            img[i] = Math.Clamp(img[i] * f + mean, 0f, 1f);
        }
    }

    internal static void Saturation(Span<float> img, int plane, float f)
    {
        for (int i = 0; i < plane; i++)
        {
            float grey = (Rw * img[i] + Gw * img[plane + i] + Bw * img[2 * plane + i]) * (1 - f);
            img[i] = Math.Clamp(img[i] * f + grey, 0f, 1f);
            img[plane + i] = Math.Clamp(img[plane + i] * f + grey, 0f, 1f);
            img[2 * plane + i] = Math.Clamp(img[2 * plane + i] * f + grey, 0f, 1f);
        }
    }

    internal static void ToGrey(Span<float> img, int plane)
    {
        for (int i = 0; i < plane; i++)
        {
            float grey = Rw * img[i] + Gw * img[plane + i] + Bw * img[2 * plane + i];
            img[i] = grey;
            img[plane + i] = grey;
            img[2 * plane + i] = grey;
        }
    }

    /// <summary>Rotates hue by <paramref name="shift"/> turns (in [−0.5, 0.5]) through HSV.</summary>
    internal static void HueShift(Span<float> img, int plane, float shift)
    {
        for (int i = 0; i < plane; i++)
        {
            float r = img[i], g = img[plane + i], b = img[2 * plane + i];
            float max = MathF.Max(r, MathF.Max(g, b));
            float min = MathF.Min(r, MathF.Min(g, b));
            float delta = max - min;
            if (delta <= 0f)
            {
                continue; // grey pixels have no hue
            }
            float hue;
            if (max == r)
            {
                hue = (g - b) / delta;
            }
            else if (max == g)
            {
                hue = 2f + (b - r) / delta;
            }
            else
            {
                hue = 4f + (r - g) / delta;
            }
            hue = hue / 6f + shift;
            hue -= MathF.Floor(hue);
            float sat = delta / max;
            float v = max;
            float h6 = hue * 6f;
            int sector = (int)h6 % 6;
            float frac = h6 - MathF.Floor(h6);
            float p = v * (1f - sat);
            float q = v * (1f - sat * frac);
            float t = v * (1f - sat * (1f - frac));
            (r, g, b) = sector switch
            {
                0 => (v, t, p),
                1 => (q, v, p),
                2 => (p, v, t),
                3 => (p, q, v),
                4 => (t, p, v),
                _ => (v, p, q),
            };
            img[i] = r;
            img[plane + i] = g;
            img[2 * plane + i] = b;
        }
    }
}
