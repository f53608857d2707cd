using ContrastiveLab.Core.Losses;
using ContrastiveLab.Runtime;

namespace ContrastiveLab.Bench;

/// <summary>
/// Workload 4: the contrastive loss (τ = 0.07) forward + backward with respect to the anchors, B = 256, D = 128,
/// against a shared bank of M = 16,384 and of M = 1,281,167 unit rows (positives = bank[idx], idx excluded).
/// Reports ms per forward + backward and the process-wide peak resident memory while the variant ran: the peak
/// is reset just before its bank is allocated (after the heap's free memory is handed back to the OS), so it
/// counts the bank and everything still live in the process (<c>baseline_rss_mb</c>: the .NET runtime, libtorch,
/// model code of earlier workloads).
/// </summary>
public sealed class LossBankWorkload() : BenchWorkload("loss-bank",
    "contrastive loss fwd+bwd, B = 256, D = 128, M = 16,384 and 1,281,167: ms, peak_rss_mb")
{
    /// <summary>The bank sizes measured.</summary>
    public static IReadOnlyList<long> BankSizes { get; } = [16_384, 1_281_167];

    protected override IReadOnlyList<BenchResult> Measure(BenchSettings settings)
    {
        var results = new List<BenchResult>();
        foreach (long m in settings.Smoke ? [1024] : BankSizes)
        {
            bool large = m > 100_000;
            results.Add(Measure(m, settings.Smoke ? 8 : 256, settings.Smoke ? 0 : large ? 1 : 3, settings.Smoke ? 1 : large ? settings.FewRepeats : settings.Repeats));
        }
        return results;
    }

    private BenchResult Measure(long m, int b, int warmups, int repeats)
    {
        const int d = 128;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        MallocTuning.ReleaseFreeMemory();
        bool reset = ProcessMemory.ResetPeak();
        double baseline = ProcessMemory.ResidentMb();
        double ms;
        using (var scope = NewDisposeScope())
        {
            manual_seed(2);
            var bank = nn.functional.normalize(randn(m, d), p: 2, dim: 1);
            var index = randperm(m).narrow(0, 0, b);
            var positives = bank.index_select(0, index);
            var anchors = nn.functional.normalize(randn(b, d), p: 2, dim: 1).requires_grad_();
            var loss = new ContrastiveLoss(0.07);
            void Once()
            {
                using var step = NewDisposeScope();
                anchors.grad?.zero_();
                var value = loss.Forward(anchors, positives, Negatives.Shared(bank, index));
                value.backward();
                _ = value.item<float>();
            }
            ms = BenchClock.MedianSeconds(Once, warmups, repeats) * 1000;
        }
        double peak = ProcessMemory.PeakResidentMb();
        string note = reset
            ? "peak: process-wide VmHWM, reset (after malloc_trim) just before the bank was allocated"
            : "peak: process-wide VmHWM since start (reset not allowed here)";
        return new BenchResult(Name, string.Create(CultureInfo.InvariantCulture, $"m={m}"),
            new Dictionary<string, double> { ["ms"] = ms, ["peak_rss_mb"] = peak, ["baseline_rss_mb"] = baseline }, note);
    }
}
