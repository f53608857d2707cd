using ContrastiveLab.Core.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Losses;

public class BankPathTests
{
    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in LossCases.ChunkedNames)
        {
            data.Add(name, true);
            data.Add(name, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Chunked_bank_path_matches_the_dense_path_in_value_and_gradients(string name, bool exclude)
    {
        const int b = 8;
        const int m = 300;
        var fixture = new LossFixture(seed: 21, batch: b, bankRows: m, dim: 16);
        var dense = Run(LossCases.Create(name, ChunkPolicy.Default, tau: 0.1), fixture, exclude);
        var chunked = Run(LossCases.Create(name, LossCases.Chunked(b), tau: 0.1), fixture, exclude);

        Assert.Equal(dense.Loss, chunked.Loss, 1e-11);
        AssertClose(dense.AnchorGrad, chunked.AnchorGrad);
        AssertClose(dense.PositiveGrad, chunked.PositiveGrad);
        Assert.Contains(dense.AnchorGrad, g => Math.Abs(g) > 1e-3);
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void In_batch_negatives_without_grad_take_the_chunked_path_with_the_same_result(string name)
    {
        // A frozen positive view (e.g. a momentum encoder's) may use the bank path with Bank = positives, own row excluded.
        const int b = 12;
        var fixture = new LossFixture(seed: 13, batch: b, bankRows: 1, dim: 6);
        double Loss(ChunkPolicy policy, out double[] anchorGrad)
        {
            using var scope = NewDisposeScope();
            Tensor anchors = LossFixture.ToTensor(fixture.Anchors, requiresGrad: true);
            Tensor value = LossCases.Create(name, policy).Forward(anchors, LossFixture.ToTensor(fixture.Positives), Negatives.InBatch);
            value.backward();
            anchorGrad = Values(anchors.grad!);
            return value.item<double>();
        }

        double dense = Loss(ChunkPolicy.Default, out double[] denseGrad);
        double chunked = Loss(LossCases.Chunked(b, rows: 5), out double[] chunkedGrad);
        Assert.Equal(dense, chunked, 1e-11);
        AssertClose(denseGrad, chunkedGrad);
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Gradient_steps_on_the_anchors_lower_the_loss_on_the_bank_path(string name)
    {
        var fixture = new LossFixture(seed: 17, batch: 6, bankRows: 80, dim: 8);
        using var scope = NewDisposeScope();
        IContrastiveLoss loss = LossCases.Create(name, LossCases.Chunked(6, rows: 9));
        Tensor anchors = LossFixture.ToTensor(fixture.Anchors, requiresGrad: true);
        Tensor positives = LossFixture.ToTensor(fixture.Positives);
        Negatives negatives = fixture.Negatives(NegativeSource.BankExcluding);
        double first = loss.Forward(anchors, positives, negatives).item<double>();
        for (int step = 0; step < 10; step++)
        {
            anchors.grad?.zero_();
            loss.Forward(anchors, positives, negatives).backward();
            using (no_grad())
            {
                anchors.sub_(anchors.grad!.mul(0.05));
            }
        }

        Assert.True(loss.Forward(anchors, positives, negatives).item<double>() < first - 1e-3);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32_stays_finite_and_close_to_float64_at_extreme_temperatures(string name, bool chunked)
    {
        const int b = 6;
        var fixture = new LossFixture(seed: 4, batch: b, bankRows: 200, dim: 8);
        foreach (double tau in new[] { 0.01, 100.0 })
        {
            ChunkPolicy policy = chunked ? LossCases.Chunked(b, rows: 64) : ChunkPolicy.Default;
            var single = Run(LossCases.Create(name, policy, tau), fixture, exclude: true, ScalarType.Float32);
            var reference = Run(LossCases.Create(name, ChunkPolicy.Default, tau), fixture, exclude: true);

            Assert.True(double.IsFinite(single.Loss), $"τ = {tau}: loss {single.Loss}");
            Assert.All(single.AnchorGrad.Concat(single.PositiveGrad), g => Assert.True(double.IsFinite(g)));
            double scale = Math.Max(1, Math.Abs(reference.Loss));
            Assert.True(Math.Abs(single.Loss - reference.Loss) <= 1e-4 * scale, $"τ = {tau}: float32 {single.Loss} vs float64 {reference.Loss}");
        }
    }

    [Fact]
    public void Memory_bank_positive_at_tau_0_01_is_finite_in_float32()
    {
        // positives = bank[idx] gives s_ii = 1, logits of 100 at τ = 0.01; log-sum-exp must absorb them.
        using var scope = NewDisposeScope();
        var fixture = new LossFixture(seed: 8, batch: 1, bankRows: 500, dim: 16);
        Tensor bank = LossFixture.ToTensor(fixture.Bank, ScalarType.Float32);
        Tensor index = arange(0, 40, 1, dtype: ScalarType.Int64).mul_(5);
        Tensor anchors = bank.index_select(0, index).detach().requires_grad_();
        Tensor positives = bank.index_select(0, index);
        foreach (ChunkPolicy policy in new[] { ChunkPolicy.Default, LossCases.Chunked(40) })
        {
            Tensor loss = new ContrastiveLoss(0.01) { Chunking = policy }.Forward(anchors, positives, Negatives.Shared(bank, index));
            loss.backward();
            Assert.True(double.IsFinite(loss.item<float>()));
            Assert.False(anchors.grad!.isnan().any().item<bool>() || anchors.grad!.isinf().any().item<bool>());
            anchors.grad!.zero_();
        }
    }

    [Fact]
    public void Forward_leaves_only_its_result_alive()
    {
        var fixture = new LossFixture(seed: 2, batch: 6, bankRows: 50, dim: 8);
        Tensor anchors = LossFixture.ToTensor(fixture.Anchors, requiresGrad: true);
        Tensor positives = LossFixture.ToTensor(fixture.Positives);
        Tensor bank = LossFixture.ToTensor(fixture.Bank);
        Tensor exclude = tensor(fixture.Exclude);
        try
        {
            foreach (string name in LossCases.Names)
            {
                foreach (ChunkPolicy policy in new[] { ChunkPolicy.Default, LossCases.Chunked(6) })
                {
                    long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                    Tensor loss = LossCases.Create(name, policy).Forward(anchors, positives, Negatives.Shared(bank, exclude));
                    Assert.Equal(before + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
                    Assert.Empty(loss.shape);
                    loss.Dispose();
                }
            }
        }
        finally
        {
            anchors.Dispose();
            positives.Dispose();
            bank.Dispose();
            exclude.Dispose();
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(200)]
    public void Bank_scans_leave_only_their_results_whatever_the_chunk_size(long rowsPerChunk)
    {
        // Each scan owns a dispose scope: its accumulators and per-chunk temporaries never reach the caller.
        var fixture = new LossFixture(seed: 2, batch: 6, bankRows: 120, dim: 8);
        using var scope = NewDisposeScope();
        Tensor anchors = LossFixture.ToTensor(fixture.Anchors);
        var set = new NegativeSet(LossFixture.ToTensor(fixture.Bank), tensor(fixture.Exclude), 119);
        Tensor logits = ones(6, dtype: ScalarType.Float64);
        Tensor weights = ones(6, 5, dtype: ScalarType.Float64);

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        _ = BankScan.Softmax(anchors, set, logits, 0.1, rowsPerChunk);
        Assert.Equal(before + 2, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        var (_, indices) = BankScan.TopK(anchors, set, 5, rowsPerChunk);
        Assert.Equal(before + 4, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        _ = BankScan.WeightedRows(set.Bank, indices, weights, rowsPerChunk);
        Assert.Equal(before + 5, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    public static TheoryData<string> AllLosses() => new(LossCases.Names);

    private static (double Loss, double[] AnchorGrad, double[] PositiveGrad) Run(
        IContrastiveLoss loss, LossFixture fixture, bool exclude, ScalarType dtype = ScalarType.Float64)
    {
        using var scope = NewDisposeScope();
        Tensor anchors = LossFixture.ToTensor(fixture.Anchors, dtype, requiresGrad: true);
        Tensor positives = LossFixture.ToTensor(fixture.Positives, dtype, requiresGrad: true);
        Tensor value = loss.Forward(anchors, positives, fixture.Negatives(exclude ? NegativeSource.BankExcluding : NegativeSource.Bank, dtype));
        value.backward();
        return (value.to_type(ScalarType.Float64).item<double>(), Values(anchors.grad!), Values(positives.grad!));
    }

    private static double[] Values(Tensor t) => t.to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-10);
        }
    }
}
