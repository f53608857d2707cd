namespace ContrastiveLab.Data;

/// <summary>The shape of one image in channel, height, width order.</summary>
/// <param name="Channels">1 for grayscale, 3 for RGB.</param>
/// <param name="Height">Rows of pixels.</param>
/// <param name="Width">Columns of pixels.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Number of uint8 values in one image (C·H·W).</summary>
    public int Size => Channels * Height * Width;

    /// <summary>The shape as <c>[C, H, W]</c>.</summary>
    public int[] ToArray() => [Channels, Height, Width];
}

/// <summary>A rectangle of an image's pixels: rows [Top, Top + Height) and columns [Left, Left + Width).</summary>
public readonly record struct ImageRegion(int Top, int Left, int Height, int Width);
