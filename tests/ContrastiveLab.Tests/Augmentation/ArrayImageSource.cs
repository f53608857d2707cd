using ContrastiveLab.Augmentation;

namespace ContrastiveLab.Tests.Augmentation;

/// <summary>Random uint8 images in memory, for loader tests.</summary>
internal sealed class ArrayImageSource(int count, int channels, int height, int width, int seed = 1) : IImageSource
{
    private readonly byte[] _pixels = MakePixels(count * channels * height * width, seed);

    public int Count => count;

    public int Channels => channels;

    public (int Height, int Width) Size(int index) => (height, width);

    public ReadOnlySpan<byte> Image(int index) => _pixels.AsSpan(index * channels * height * width, channels * height * width);

    public int Label(int index) => index % 10;

    private static byte[] MakePixels(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
