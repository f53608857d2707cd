using ContrastiveLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Training;

public class MemoryBankTests
{
    [Fact]
    public void Initialisation_is_uniform_within_one_over_sqrt_d_over_three()
    {
        using var bank = new MemoryBank(2000, 128, generator: new Generator(3));
        double a = 1 / Math.Sqrt(128 / 3.0);
        Assert.True(bank.Entries.abs().max().item<float>() <= a + 1e-6);
        // Uniform(−a, a) has variance a²/3.
        Assert.Equal(a * a / 3, bank.Entries.var().item<float>(), 3);
    }

    [Fact]
    public void Update_mixes_half_and_half_then_normalises_only_the_given_rows()
    {
        using var scope = NewDisposeScope();
        using var bank = new MemoryBank(4, 2, generator: new Generator(1));
        var before = bank.Entries.clone();
        var idx = tensor(new long[] { 2, 0 });
        var f = tensor(new float[] { 1, 0, 0, 1 }, 2, 2);
        bank.Update(idx, f);
        for (int row = 0; row < 2; row++)
        {
            long i = row == 0 ? 2 : 0;
            double mx = 0.5 * before[i, 0].item<float>() + 0.5 * f[row, 0].item<float>();
            double my = 0.5 * before[i, 1].item<float>() + 0.5 * f[row, 1].item<float>();
            double n = Math.Sqrt(mx * mx + my * my);
            Assert.Equal(mx / n, bank.Entries[i, 0].item<float>(), 5);
            Assert.Equal(my / n, bank.Entries[i, 1].item<float>(), 5);
        }
        Assert.True(bank.Entries[1].eq(before[1]).all().item<bool>());
        Assert.True(bank.Entries[3].eq(before[3]).all().item<bool>());
    }

    [Fact]
    public void Queue_overwrites_its_oldest_keys_in_ring_order()
    {
        using var scope = NewDisposeScope();
        using var queue = new MomentumQueue(3, 2, generator: new Generator(1));
        queue.Enqueue(tensor(new float[] { 1, 0, 0, 1 }, 2, 2));
        queue.Enqueue(tensor(new float[] { -1, 0, 0, -1 }, 2, 2));
        Assert.Equal(1, queue.Pointer);
        Assert.Equal(new float[] { 0, -1, 0, 1, -1, 0 }, queue.Keys.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => queue.Enqueue(zeros(4, 2)));
    }

    [Fact]
    public void Schedules_follow_the_paper_and_cosine_shapes()
    {
        var m = LearningRateSchedule.PaperMilestones;
        Assert.Equal(0.03, LearningRateSchedule.StepDecay(0.03, 159, 200, m), 12);
        Assert.Equal(0.003, LearningRateSchedule.StepDecay(0.03, 160, 200, m), 12);
        Assert.Equal(0.0003, LearningRateSchedule.StepDecay(0.03, 190, 200, m), 12);
        Assert.Equal(0.0003, LearningRateSchedule.StepDecay(0.03, 19, 20, m), 12); // scaled: 16 and 19 of 20
        Assert.Equal(0.1, LearningRateSchedule.CosineWithWarmup(1, 0, 110, warmupSteps: 10), 12);
        Assert.Equal(1.0, LearningRateSchedule.CosineWithWarmup(1, 10, 110, warmupSteps: 10), 12);
        Assert.Equal(0.5, LearningRateSchedule.CosineWithWarmup(1, 60, 110, warmupSteps: 10), 12);
        Assert.Equal(0.0, LearningRateSchedule.CosineWithWarmup(1, 110, 110, warmupSteps: 10), 12);
    }
}
