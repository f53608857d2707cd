using System.Globalization;
using System.Text;
using ContrastiveLab.Augmentation;
using ContrastiveLab.Data;
using ContrastiveLab.Tests.Data;

namespace ContrastiveLab.Tests.Augmentation;

/// <summary>
/// The crop-and-resize of RandomResizedCrop gives what torchvision gives: for crop boxes that shrink, enlarge, and
/// change the aspect ratio, on decoded fixture images, our (C, S, S) floats equal torchvision's
/// <c>resized_crop(image / 255, top, left, h, w, [S, S], bilinear, antialias=True)</c> (then <c>hflip</c> for a
/// flipped view) to within float rounding. Run with Debian's python3-torchvision.
/// </summary>
public sealed class TorchvisionCropTests
{
    private static readonly (int Top, int Left, int Height, int Width, int Size, bool Flip)[] Boxes =
    [
        (0, 0, 77, 123, 224, false),   // the whole image enlarged, stretched
        (10, 20, 50, 60, 32, false),   // shrunk by about 2
        (3, 7, 70, 110, 28, true),     // shrunk by about 4, flipped
        (30, 40, 9, 13, 96, true),     // a small crop enlarged ×10
        (0, 100, 77, 23, 64, false),   // a tall strip at the right edge
        (76, 0, 1, 123, 16, false),    // the last row
    ];

    [SkippableFact]
    public void Crop_and_resize_match_torchvision_resized_crop_with_antialias()
    {
        Prerequisites.Torchvision();
        using var temp = Fixtures.Temp();
        string file = Fixtures.File("jpeg-kinds/rgb-420.jpg");
        var (pixels, shape) = ImageDecoder.DecodeRgb(File.ReadAllBytes(file), file);
        Assert.Equal(new ImageShape(3, 77, 123), shape);
        File.WriteAllBytes(temp["image.u8"], pixels);
        string boxes = string.Join(';', Boxes.Select(b => string.Join(',', b.Top, b.Left, b.Height, b.Width, b.Size, b.Flip ? 1 : 0)));
        string script = """
            import sys, numpy as np, torch
            import torchvision.transforms.functional as F
            from torchvision.transforms import InterpolationMode
            folder, h, w, boxes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
            image = torch.from_numpy(np.fromfile(folder + "/image.u8", dtype=np.uint8).reshape(3, h, w).astype(np.float32) / 255.0)
            out = []
            for box in boxes.split(";"):
                top, left, bh, bw, size, flip = (int(v) for v in box.split(","))
                view = F.resized_crop(image, top, left, bh, bw, [size, size], interpolation=InterpolationMode.BILINEAR, antialias=True)
                out.append((F.hflip(view) if flip else view).numpy().astype(np.float32).ravel())
            np.concatenate(out).tofile(folder + "/views.f32")
            """;
        var (exit, _, stderr) = ProcessExec.Run(Prerequisites.Python, ["-c", script, temp.Path, "77", "123", boxes]);
        Assert.True(exit == 0, stderr);

        var theirs = File.ReadAllBytes(temp["views.f32"]);
        int offset = 0;
        foreach (var box in Boxes)
        {
            var ours = new float[3 * box.Size * box.Size];
            Resampler.CropResize(pixels, 3, 77, 123, box.Top, box.Left, box.Height, box.Width, box.Size, box.Flip, ours);
            double worst = 0;
            for (int i = 0; i < ours.Length; i++)
            {
                float t = BitConverter.ToSingle(theirs, (offset + i) * 4);
                worst = Math.Max(worst, Math.Abs(ours[i] - t));
            }
            offset += ours.Length;
            Assert.True(worst < 1e-5, $"box {box}: largest difference from torchvision {worst.ToString("G3", CultureInfo.InvariantCulture)}");
        }
        Assert.Equal(offset * 4, theirs.Length);
    }
}
