using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;
using ContrastiveLab.Runtime;
using ContrastiveLab.Training;
using ContrastiveLab.Training.Sources;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Models;

public class AutocastTests
{
    private static double RelativeError(Tensor a, Tensor b) => a.sub(b).norm().item<float>() / b.norm().item<float>();

    [Fact]
    public void A_bf16_convolution_is_close_to_fp32_returns_float32_and_trains_the_float32_weights()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var conv = nn.Conv2d(8, 16, 3, stride: 2, padding: 1, bias: true);
        var x = randn(4, 8, 12, 12);

        var reference = conv.call(x);
        reference.square().sum().backward();
        var referenceGrad = conv.weight!.grad!.clone();
        conv.weight.grad!.zero_();
        conv.bias!.grad!.zero_();

        Tensor y;
        using (Autocast.BFloat16())
        {
            Assert.True(Autocast.Active);
            y = Autocast.Conv(conv, x);
        }
        Assert.False(Autocast.Active);
        y.square().sum().backward();

        Assert.Equal(ScalarType.Float32, y.dtype);
        Assert.Equal(reference.shape, y.shape);
        // bfloat16 keeps 8 bits of mantissa: about 0.4 % per value; the sums of 72 products stay within 2 %.
        double error = RelativeError(y, reference);
        Assert.InRange(error, 1e-5, 2e-2); // not zero: the product really ran in bfloat16
        Assert.Equal(ScalarType.Float32, conv.weight.dtype);
        Assert.Equal(ScalarType.Float32, conv.weight.grad!.dtype);
        Assert.InRange(RelativeError(conv.weight.grad, referenceGrad), 1e-5, 3e-2);
    }

    [Fact]
    public void Outside_a_scope_and_in_a_disabled_one_a_convolution_is_the_modules_own()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var conv = nn.Conv2d(3, 5, 3, padding: 1, bias: false);
        var x = randn(2, 3, 8, 8);
        var reference = conv.call(x);
        Assert.True(Autocast.Conv(conv, x).eq(reference).all().item<bool>());
        using (Autocast.BFloat16())
        {
            using (Autocast.BFloat16(enabled: false))
            {
                Assert.True(Autocast.Conv(conv, x).eq(reference).all().item<bool>());
            }
            Assert.True(Autocast.Active); // the inner scope restores the outer one
        }
    }

    [Theory]
    [InlineData("small-cnn", 1, 28)]
    [InlineData("resnet18-cifar", 3, 32)]
    public void A_bf16_training_step_gives_a_loss_close_to_fp32_and_keeps_float32_weights(string name, int channels, int size)
    {
        using var scope = NewDisposeScope();
        var views = (randn(6, channels, size, size, generator: new Generator(1)), randn(6, channels, size, size, generator: new Generator(2)));
        double Step(bool bf16)
        {
            manual_seed(7);
            using var model = ModelFactory.Create(name, channels, 16);
            var step = new TrainingStep(model, optim.SGD(model.parameters(), 0.1), new ContrastiveLoss(0.5), new InBatchSource(), bf16);
            double loss = step.Run(arange(6, dtype: ScalarType.Int64), views.Item1, views.Item2);
            Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
            return loss;
        }

        double fp32 = Step(false), bf16 = Step(true);
        Assert.True(double.IsFinite(bf16));
        Assert.NotEqual(fp32, bf16);
        Assert.InRange(Math.Abs(bf16 - fp32) / Math.Abs(fp32), 0, 2e-2);
    }

    [Fact]
    public void Bf16_support_is_read_from_cpuid_leaf_7()
    {
        static CpuCacheProbe.CpuId Cpu(int maxLeaf, int leaf7Edx, int leaf7Subleaves, int leaf7Sub1Eax) => (leaf, sub) => (leaf, sub) switch
        {
            (0, _) => (maxLeaf, 0, 0, 0),
            (7, 0) => (leaf7Subleaves, 0, 0, leaf7Edx),
            (7, 1) => (leaf7Sub1Eax, 0, 0, 0),
            _ => (0, 0, 0, 0),
        };
        Assert.True(CpuBf16.Supports(Cpu(0x10, 0, 1, 1 << 5), avx512Enabled: true));   // AVX-512 BF16
        Assert.False(CpuBf16.Supports(Cpu(0x10, 0, 1, 1 << 5), avx512Enabled: false)); // ... with AVX-512 off in the OS
        Assert.False(CpuBf16.Supports(Cpu(0x10, 0, 0, 1 << 5), avx512Enabled: true));  // no subleaf 1 to read
        Assert.True(CpuBf16.Supports(Cpu(0x10, 1 << 22, 0, 0), avx512Enabled: false)); // AMX-BF16
        Assert.False(CpuBf16.Supports(Cpu(0x10, 0, 1, 1 << 4), avx512Enabled: true));  // AVX-VNNI, not BF16
        Assert.False(CpuBf16.Supports(Cpu(6, 1 << 22, 1, 1 << 5), avx512Enabled: true)); // no leaf 7 at all
        Assert.False(CpuBf16.Supports(null, avx512Enabled: false));                   // not x86
    }
}
