using ContrastiveLab.Augmentation;
using ContrastiveLab.Data;

namespace ContrastiveLab.Evaluation;

/// <summary>Some images of another source, in a given order.</summary>
internal sealed class RowsSource(IImageSource inner, int[] rows) : IImageSource
{
    public int Count => rows.Length;

    public int Channels => inner.Channels;

    public (int Height, int Width) Size(int index) => inner.Size(rows[index]);

    public ReadOnlySpan<byte> Image(int index) => inner.Image(rows[index]);

    public void ReadRegion(int index, ImageRegion region, RegionReader read) => inner.ReadRegion(rows[index], region, read);

    public int Label(int index) => inner.Label(rows[index]);
}
