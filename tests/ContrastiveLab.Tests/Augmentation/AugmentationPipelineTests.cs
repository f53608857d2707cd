using ContrastiveLab.Augmentation;

namespace ContrastiveLab.Tests.Augmentation;

public class AugmentationPipelineTests
{
    private static readonly AugmentationOptions Plain = new() { OutputSize = 4, RandomResizedCrop = false };

    private static float[] Run(AugmentationOptions options, byte[] image, int c, int h, int w, int view = 0)
    {
        var pipeline = new AugmentationPipeline(options);
        var output = new float[pipeline.ViewLength(c)];
        var rng = AugmentRandom.ForView(7, 0, 0, view);
        pipeline.Apply(image, c, h, w, output, ref rng);
        return output;
    }

    [Fact]
    public void Without_random_ops_a_same_size_image_is_only_scaled_and_normalised()
    {
        var image = Enumerable.Range(0, 16).Select(i => (byte)(i * 16)).ToArray();
        var options = Plain with { Mean = [0.5f], Std = [0.25f] };
        var output = Run(options, image, 1, 4, 4);
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal((image[i] / 255f - 0.5f) / 0.25f, output[i], 1e-5f);
        }
    }

    [Fact]
    public void Upscaling_matches_bilinear_with_half_pixel_centres()
    {
        // A 1×2 row [0, 255] resized to width 4: samples at x = −0.25, 0.25, 0.75, 1.25 clamp to the edges.
        var output = Run(Plain, [0, 255, 0, 255], 1, 2, 2);
        Assert.Equal([0f, 0.25f, 0.75f, 1f], output[..4].Select(v => MathF.Round(v, 5)).ToArray());
    }

    [Fact]
    public void Downscaling_averages_with_a_widened_triangle_filter()
    {
        // [0, 1, 2, 3]/255 → 2 samples: centres 0.5 and 2.5, support 2: (0·.75 + 1·.75 + 2·.25)/1.75 = 5/7.
        var options = Plain with { OutputSize = 2 };
        var image = new byte[16];
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                image[y * 4 + x] = (byte)(x * 51);
            }
        }
        var output = Run(options, image, 1, 4, 4);
        Assert.Equal(5.0 / 7.0 * 51 / 255, output[0], 5);
        Assert.Equal((1 * .25 + 2 * .75 + 3 * .75) / 1.75 * 51 / 255, output[1], 5);
    }

    [Fact]
    public void A_certain_flip_mirrors_each_row()
    {
        var image = Enumerable.Range(0, 16).Select(i => (byte)(i * 10)).ToArray();
        var output = Run(Plain with { FlipProbability = 1 }, image, 1, 4, 4);
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                Assert.Equal(image[y * 4 + 3 - x] / 255f, output[y * 4 + x], 5);
            }
        }
    }

    [Fact]
    public void Grayscale_uses_itu601_weights_on_all_three_channels()
    {
        byte[] image = [255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0]; // pure red 2×2
        var output = Run(Plain with { OutputSize = 2, GrayscaleProbability = 1 }, image, 3, 2, 2);
        Assert.All(output, v => Assert.Equal(0.299f, v, 5));
    }

    [Fact]
    public void Hue_shift_of_a_third_turns_red_into_green()
    {
        float[] img = [1, 0, 0];
        ColorOps.HueShift(img, 1, 1f / 3f);
        Assert.Equal(0f, img[0], 5);
        Assert.Equal(1f, img[1], 5);
        Assert.Equal(0f, img[2], 5);
    }

    [Fact]
    public void Contrast_blends_with_the_mean_grey_level()
    {
        float[] img = [0.2f, 0.6f];
        ColorOps.Contrast(img, 1, 2, 0.5f);
        Assert.Equal(0.3f, img[0], 5); // 0.5·0.2 + 0.5·0.4
        Assert.Equal(0.5f, img[1], 5);
    }

    [Fact]
    public void Saturation_zero_gives_grey_and_one_changes_nothing()
    {
        float[] img = [0.9f, 0.3f, 0.1f];
        float[] same = [.. img];
        ColorOps.Saturation(same, 1, 1f);
        Assert.Equal(img, same);
        ColorOps.Saturation(img, 1, 0f);
        float grey = 0.299f * 0.9f + 0.587f * 0.3f + 0.114f * 0.1f;
        Assert.All(img, v => Assert.Equal(grey, v, 5));
    }

    [Fact]
    public void Blur_keeps_a_constant_image_constant()
    {
        var image = Enumerable.Repeat((byte)100, 3 * 8 * 8).ToArray();
        var output = Run(new AugmentationOptions { OutputSize = 8, RandomResizedCrop = false, BlurProbability = 1, BlurKernelSize = 5 }, image, 3, 8, 8);
        Assert.All(output, v => Assert.Equal(100f / 255f, v, 4));
    }

    [Fact]
    public void Random_resized_crops_stay_inside_the_image_with_area_and_ratio_in_range()
    {
        var pipeline = new AugmentationPipeline(AugmentationPresets.CifarPaper);
        int inRange = 0;
        for (int i = 0; i < 2000; i++)
        {
            var rng = AugmentRandom.ForView(3, 0, i, 0);
            var (top, left, h, w) = pipeline.SampleCrop(32, 32, ref rng);
            Assert.InRange(top, 0, 32 - h);
            Assert.InRange(left, 0, 32 - w);
            double area = h * w / 1024.0;
            double ratio = (double)w / h;
            // Rounding of h and w moves area and ratio a little beyond the drawn values.
            if (area >= 0.15 && area <= 1.0 && ratio >= 0.6 && ratio <= 1.6)
            {
                inRange++;
            }
        }
        Assert.Equal(2000, inRange);
    }

    [Fact]
    public void Crop_fallback_takes_the_centred_crop_of_the_widest_allowed_ratio()
    {
        // A 1×100 strip can never fit a ratio ≤ 4/3 crop of area ≥ 20%: the fallback takes height 1, width round(4/3).
        var pipeline = new AugmentationPipeline(AugmentationPresets.CifarPaper);
        var rng = AugmentRandom.ForView(1, 0, 0, 0);
        var (top, left, h, w) = pipeline.SampleCrop(1, 100, ref rng);
        Assert.Equal((0, 1, 1), (top, h, w));
        Assert.Equal((100 - 1) / 2, left);
    }

    [Fact]
    public void Same_seed_gives_the_same_view_and_another_view_differs()
    {
        var image = new byte[3 * 32 * 32];
        new Random(5).NextBytes(image);
        var a = Run(AugmentationPresets.CifarPaper, image, 3, 32, 32, view: 0);
        var b = Run(AugmentationPresets.CifarPaper, image, 3, 32, 32, view: 0);
        var c = Run(AugmentationPresets.CifarPaper, image, 3, 32, 32, view: 1);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Invalid_options_name_the_setting_and_the_allowed_range()
    {
        var e = Assert.Throws<ArgumentException>(() => new AugmentationPipeline(new AugmentationOptions { Hue = 0.7 }));
        Assert.Contains("Hue", e.Message);
        Assert.Contains("0 to 0.5", e.Message);
        Assert.Throws<ArgumentException>(() => new AugmentationPipeline(new AugmentationOptions { BlurKernelSize = 4 }));
        Assert.Throws<ArgumentException>(() => AugmentationPresets.Get("cifar"));
    }

    [Fact]
    public void Wrong_buffer_sizes_are_refused()
    {
        var pipeline = new AugmentationPipeline(Plain);
        var output = new float[16];
        var rng = AugmentRandom.ForView(0, 0, 0, 0);
        Assert.Throws<ArgumentException>(() => pipeline.Apply(new byte[15], 1, 4, 4, output, ref rng));
        Assert.Throws<ArgumentException>(() => pipeline.Apply(new byte[32], 2, 4, 4, new float[32], ref rng));
    }
}
