using System.Diagnostics;
using System.Globalization;
using ContrastiveLab.Core.Losses;
using ContrastiveLab.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Benchmarks;

/// <summary>
/// Peak resident memory and time of one forward + backward of each loss against an ImageNet-size memory bank
/// (M = 1,281,167, D = 128, float32, B = 256, positives = bank[idx], excludeIndex = idx).
/// Run: <c>dotnet run -c Release --project benchmarks/ContrastiveLab.Benchmarks -- loss-bank [M]</c>.
/// </summary>
internal static class LossBankBenchmark
{
    public static void Run(long bankRows)
    {
        const int b = 256;
        const int d = 128;
        Console.WriteLine($"threads {get_num_threads()}, M = {bankRows}, B = {b}, D = {d}, float32");
        Console.WriteLine($"start: {Memory()}");
        using var scope = NewDisposeScope();
        Tensor bank = randn(bankRows, d);
        bank.div_(bank.norm(1, true));
        Tensor index = randint(0, bankRows, [b], dtype: ScalarType.Int64);
        Tensor anchors = randn(b, d);
        anchors.div_(anchors.norm(1, true));
        anchors.requires_grad_();
        Tensor positives = bank.index_select(0, index);
        Console.WriteLine($"bank built ({bankRows * d * 4 / 1e6:F0} MB): {Memory()}");

        IContrastiveLoss[] losses =
        [
            new ContrastiveLoss(0.07),
            new HardContrastiveLoss(0.07, k: 4095),
            new HardSimpleLoss(k: 4095, authorsVariant: true),
            new SingleLoss(),
            new SimpleContrastiveLoss(),
        ];
        foreach (IContrastiveLoss loss in losses)
        {
            for (int repeat = 0; repeat < 2; repeat++)
            {
                using var step = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                Tensor value = loss.Forward(anchors, positives, Negatives.Shared(bank, index));
                value.backward();
                double norm = anchors.grad!.norm().item<float>();
                clock.Stop();
                anchors.grad!.zero_();
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{loss.Name,-12} run {repeat}: loss {value.item<float>():F5}, |grad| {norm:E3}, {clock.Elapsed.TotalSeconds:F2} s; {Memory()}"));
            }
        }
    }

    private static string Memory() =>
        string.Create(CultureInfo.InvariantCulture, $"RSS {ProcessMemory.ResidentMb():F0} MB, peak {ProcessMemory.PeakResidentMb():F0} MB");
}
