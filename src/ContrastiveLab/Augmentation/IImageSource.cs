namespace ContrastiveLab.Augmentation;

/// <summary>Random access to a split of equally sized uint8 images, as the loader needs it.</summary>
public interface IImageSource
{
    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>Channels C (1 or 3), height H and width W of every image.</summary>
    int Channels { get; }

    /// <inheritdoc cref="Channels"/>
    int Height { get; }

    /// <inheritdoc cref="Channels"/>
    int Width { get; }

    /// <summary>Image <paramref name="index"/> as (C, H, W) uint8 pixels.</summary>
    ReadOnlySpan<byte> Image(int index);

    /// <summary>Class label of image <paramref name="index"/>.</summary>
    int Label(int index);
}
