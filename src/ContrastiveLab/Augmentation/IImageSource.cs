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
    /// Lends image <paramref name="index"/>'s (C, H, W) uint8 pixels to <paramref name="read"/> for the length of the
    /// call (a source that decodes on demand reuses the buffer afterwards). What the loader uses.
    /// </summary>
    void Read(int index, PixelReader read) => read(Image(index));

    /// <summary>Class label of image <paramref name="index"/>.</summary>
    int Label(int index);
}
