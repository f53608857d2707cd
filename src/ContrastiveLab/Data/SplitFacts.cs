using System.Security.Cryptography;

namespace ContrastiveLab.Data;

/// <summary>
/// What <c>contrastive data info</c> reports for one split, the same facts the test fixtures' facts.json lists.
/// </summary>
/// <param name="Count">Number of images.</param>
/// <param name="LabelCounts">Images per label, by label number, ascending; labels with no image are absent.</param>
/// <param name="PixelMean">Mean of every uint8 value of every image (0 for an empty split).</param>
/// <param name="FirstImageSha256Hwc">Lower-case hex SHA-256 of image 0's uint8 bytes in (H, W, C) order; empty for an empty split.</param>
/// <param name="ShapeChw">Image 0's shape as [C, H, W].</param>
/// <param name="Classes">Class names, by label.</param>
public sealed record SplitFacts(int Count, IReadOnlyList<KeyValuePair<int, int>> LabelCounts, double PixelMean, string FirstImageSha256Hwc, int[] ShapeChw, IReadOnlyList<string> Classes)
{
    /// <summary>Measures the facts of <paramref name="split"/>.</summary>
    public static SplitFacts Of(ImageSplit split)
    {
        var counts = split.Labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => KeyValuePair.Create(g.Key, g.Count())).ToList();
        long sum = 0, values = 0;
        for (int i = 0; i < split.Count; i++)
        {
            // One image at a time, so a split decoded on demand is never held whole.
            foreach (byte b in split.Image(i))
            {
                sum += b;
            }
            values += split.Shape(i).Size;
        }
        double mean = values == 0 ? 0 : (double)sum / values;
        string sha = split.Count == 0 ? "" : Convert.ToHexStringLower(SHA256.HashData(split.ImageHwc(0)));
        int[] shape = split.Count == 0 ? [] : split.Shape(0).ToArray();
        return new SplitFacts(split.Count, counts, mean, sha, shape, split.ClassNames);
    }
}
