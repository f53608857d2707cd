using ContrastiveLab.Augmentation;
using SkiaSharp;

namespace ContrastiveLab.Tests.Augmentation;

public class PreviewGridTests
{
    [Fact]
    public void The_grid_has_one_row_per_image_and_three_columns_and_is_not_blank()
    {
        var source = new ArrayImageSource(10, 3, 32, 32);
        byte[] png = PreviewGrid.Render(source, new AugmentationPipeline(AugmentationPresets.CifarPaper), 4, seed: 2, cell: 40);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(3 * 44 + 4, bitmap.Width);
        Assert.Equal(4 * 44 + 4, bitmap.Height);
        // Random pixels: the cells are far from the white background.
        var centre = bitmap.GetPixel(4 + 20, 4 + 20);
        Assert.NotEqual(SKColors.White, centre);
    }

    [Fact]
    public void The_preview_command_writes_a_png_and_refuses_a_bad_count()
    {
        string file = Path.Combine(Path.GetTempPath(), $"cl-preview-{Guid.NewGuid():N}.png");
        var (code, _, _) = Cli.CliRunner.Run("data", "preview", "--count", "3", "--out", file);
        Assert.Equal(0, code);
        Assert.Equal(0x89, File.ReadAllBytes(file)[0]);
        File.Delete(file);
        var (bad, _, err) = Cli.CliRunner.Run("data", "preview", "--count", "0", "--out", file);
        Assert.Equal(2, bad);
        Assert.StartsWith("error: --count", err);
    }
}
