using ContrastiveLab.Data;

namespace ContrastiveLab.Augmentation;

/// <summary>Random access to a split of uint8 images with one channel count, as the loader needs it.</summary>
public interface IImageSource
{
    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>Channels C (1 or 3) of every image.</summary>
    int Channels { get; }

    /// <summary>Height and width of image <paramref name="index"/>.</summary>
    (int Height, int Width) Size(int index);

    /// <summary>Image <paramref name="index"/> as (C, H, W) uint8 pixels.</summary>
    ReadOnlySpan<byte> Image(int index);

    /// <summary>
    /// Lends pixels of image <paramref name="index"/> that contain <paramref name="region"/> to <paramref name="read"/>
    /// for the length of the call, with where they lie in the image (a source in memory lends the whole image; one that
    /// decodes on demand decodes little more than the region, into a buffer it reuses afterwards). What the loader uses.
    /// </summary>
    void ReadRegion(int index, ImageRegion region, RegionReader read)
    {
        var (height, width) = Size(index);
        read(Image(index), new ImageRegion(0, 0, height, width));
    }

    /// <summary>Class label of image <paramref name="index"/>.</summary>
    int Label(int index);
}
