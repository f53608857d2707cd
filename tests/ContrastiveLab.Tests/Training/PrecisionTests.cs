using ContrastiveLab.Sweeps;
using ContrastiveLab.Training;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Training;

public class PrecisionTests
{
    [Fact]
    public void Fp32_is_the_default_and_is_not_written_so_existing_runs_keep_their_config_and_folder_names()
    {
        var plain = new TrainConfig();
        var explicitFp32 = new TrainConfig { Precision = "fp32" };
        Assert.Null(explicitFp32.Precision);
        Assert.Equal(plain, explicitFp32);
        Assert.DoesNotContain("precision", TrainConfig.ToJson(explicitFp32), StringComparison.Ordinal);
        Assert.Equal(SweepFile.RunName(plain), SweepFile.RunName(explicitFp32));

        var bf16 = new TrainConfig { Precision = "bf16" };
        string json = TrainConfig.ToJson(bf16);
        Assert.Contains("\"precision\": \"bf16\"", json, StringComparison.Ordinal);
        Assert.Equal(bf16, TrainConfig.FromJson(json));
        Assert.NotEqual(SweepFile.RunName(plain), SweepFile.RunName(bf16));
        Assert.Contains("_bf16_", SweepFile.RunName(bf16), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_precision_is_refused_by_name()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new TrainConfig { Precision = "fp16" }.Validate());
        Assert.Contains("precision", e.Message, StringComparison.Ordinal);
        Assert.Contains("bf16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bf16_is_refused_in_one_line_on_a_cpu_without_native_bf16_and_allowed_where_it_has_it()
    {
        var bf16 = new TrainConfig { Precision = "bf16" };
        var e = Assert.Throws<UserError>(() => Trainer.CheckPrecision(bf16, CPU, cpuHasBf16: false));
        Assert.Contains("precision = bf16", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Trainer.CheckPrecision(bf16, CPU, cpuHasBf16: true);
        Trainer.CheckPrecision(new TrainConfig(), CPU, cpuHasBf16: false);
    }
}
