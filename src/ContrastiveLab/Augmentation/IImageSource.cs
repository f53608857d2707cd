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

    /// <summary>Class label of image <paramref name="index"/>.</summary>
    int Label(int index);
}
