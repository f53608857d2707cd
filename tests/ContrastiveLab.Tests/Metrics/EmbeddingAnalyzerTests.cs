using ContrastiveLab.Core.Analysis;
using ContrastiveLab.Core.Metrics;
using TorchSharp;
using static ContrastiveLab.Tests.Metrics.Oracle;

namespace ContrastiveLab.Tests.Metrics;

public class EmbeddingAnalyzerTests
{
    private static readonly double[] Taus = [0.05, 0.3, 1.0];

    public static TheoryData<string> Sets => ["random", "clustered", "near-duplicate"];

    private static (double[,] X, double[,] P, int[] Labels) Data(string kind, int n = 64, int d = 10)
    {
        var (clustered, labels) = Clustered(n, d, 5, 0.4, 11);
        var x = kind switch
        {
            "random" => Gaussian(n, d, 12),
            "clustered" => clustered,
            _ => NearDuplicates(n, d, 13),
        };
        var noise = Gaussian(n, d, 14);
        var p = (double[,])x.Clone();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                p[i, j] += 0.5 * noise[i, j];
            }
        }
        return (x, p, labels);
    }

    /// <summary>Every field of the analysis from the contract's formulas, in double loops.</summary>
    private static EmbeddingAnalysis Expected(double[,] x, double[,]? p, int[]? labels, int k)
    {
        var z = Unit(x);
        var q = p is null ? z : Unit(p);
        int n = z.Length;
        var perTau = Taus.Select(tau =>
        {
            double h = 0, eff = 0, loss = 0, hard = 0;
            for (int i = 0; i < n; i++)
            {
                double[] s = NegativeSimilarities(z, q, Identity(n), i);
                double entropy = Entropy(Penalty(s, tau));
                h += entropy;
                eff += Math.Exp(entropy);
                double sii = Dot(z[i], q[i]);
                loss += Loss(sii, s, tau);
                hard += Loss(sii, s.OrderByDescending(v => v).Take(k), tau);
            }
            return new TemperatureAnalysis(tau, h / n, eff / n, p is null ? null : loss / n, p is null ? null : hard / n);
        }).ToArray();
        double? alignment = null, simple = null;
        if (p is not null)
        {
            alignment = Enumerable.Range(0, n).Average(i => SquaredDistance(z[i], q[i]));
            simple = Enumerable.Range(0, n).Average(i =>
                -Dot(z[i], q[i]) + (1.0 / (n - 1)) * Enumerable.Range(0, n).Where(j => j != i).Sum(j => Dot(z[i], q[j])));
        }
        double? tolerance = labels is null ? null : Tolerance(z, labels, z, labels, Identity(n));
        return new EmbeddingAnalysis(n, x.GetLength(1), UniformitySetWise(z), tolerance, alignment, simple, perTau);
    }

    private static void AssertClose(EmbeddingAnalysis expected, EmbeddingAnalysis actual, double relative)
    {
        static void Close(double? e, double? a, double rel, string what)
        {
            Assert.True(e.HasValue == a.HasValue, $"{what}: expected {e}, got {a}");
            if (e is double ev && a is double av)
            {
                Assert.True(Math.Abs(ev - av) <= rel * Math.Max(Math.Abs(ev), 1e-3), $"{what}: expected {ev}, got {av}");
            }
        }
        Assert.Equal((expected.N, expected.Dim), (actual.N, actual.Dim));
        Close(expected.Uniformity, actual.Uniformity, relative, "uniformity");
        Close(expected.Tolerance, actual.Tolerance, relative, "tolerance");
        Close(expected.Alignment, actual.Alignment, relative, "alignment");
        Close(expected.LossSimple, actual.LossSimple, relative, "loss_simple");
        Assert.Equal(expected.PerTau.Count, actual.PerTau.Count);
        for (int t = 0; t < expected.PerTau.Count; t++)
        {
            var (e, a) = (expected.PerTau[t], actual.PerTau[t]);
            Assert.Equal(e.Tau, a.Tau);
            Close(e.PenaltyEntropy, a.PenaltyEntropy, relative, $"entropy τ={e.Tau}");
            Close(e.EffectiveNegatives, a.EffectiveNegatives, relative, $"effective negatives τ={e.Tau}");
            Close(e.LossContrastive, a.LossContrastive, relative, $"contrastive τ={e.Tau}");
            Close(e.LossHard, a.LossHard, relative, $"hard τ={e.Tau}");
        }
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void Every_field_matches_the_loops_with_labels_and_positives(string kind)
    {
        var (x, p, labels) = Data(kind);
        using var tx = Tensor(x);
        using var tp = Tensor(p);
        using var ty = Labels(labels);
        AssertClose(Expected(x, p, labels, 7), EmbeddingAnalyzer.Analyze(tx, ty, tp, Taus, hardK: 7), 1e-9);
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void Without_positives_penalties_use_the_set_itself_and_losses_are_null(string kind)
    {
        var (x, _, _) = Data(kind);
        using var tx = Tensor(x);
        var actual = EmbeddingAnalyzer.Analyze(tx, null, null, Taus);
        AssertClose(Expected(x, null, null, 1), actual, 1e-9);
        Assert.All(actual.PerTau, t => Assert.Null(t.LossHard));
    }

    [Fact]
    public void Float32_input_is_within_1e4_relative_of_the_double_loops()
    {
        var (x, p, labels) = Data("near-duplicate", n: 120);
        x = RoundToFloat(x);
        p = RoundToFloat(p);
        using var tx = Tensor(x, torch.ScalarType.Float32);
        using var tp = Tensor(p, torch.ScalarType.Float32);
        using var ty = Labels(labels);
        AssertClose(Expected(x, p, labels, 20), EmbeddingAnalyzer.Analyze(tx, ty, tp, Taus, hardK: 20), 1e-4);
    }

    [Fact]
    public void Default_K_covers_all_negatives_for_small_sets_so_hard_equals_contrastive()
    {
        var (x, p, _) = Data("random", n: 40);
        using var tx = Tensor(x);
        using var tp = Tensor(p);
        var a = EmbeddingAnalyzer.Analyze(tx, null, tp, Taus);
        Assert.All(a.PerTau, t => Assert.Equal(t.LossContrastive!.Value, t.LossHard!.Value, 12));
        var small = EmbeddingAnalyzer.Analyze(tx, null, tp, Taus, hardK: 3);
        Assert.All(small.PerTau.Zip(a.PerTau), t => Assert.True(t.First.LossHard < t.Second.LossContrastive));
    }

    [Fact]
    public void Identical_embeddings_have_uniformity_zero_and_tolerance_one()
    {
        using var x = torch.ones(10, 4, dtype: torch.ScalarType.Float64);
        using var y = Labels([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
        var a = EmbeddingAnalyzer.Analyze(x, y, x, [0.1]);
        Assert.Equal(0, a.Uniformity, 12);
        Assert.Equal(1, a.Tolerance!.Value, 12);
        Assert.Equal(0, a.Alignment!.Value, 12);
        // All similarities are 1: the penalty is uniform over the N − 1 negatives and L = log N.
        Assert.Equal(Math.Log(9), a.PerTau[0].PenaltyEntropy, 10);
        Assert.Equal(9, a.PerTau[0].EffectiveNegatives, 8);
        Assert.Equal(Math.Log(10), a.PerTau[0].LossContrastive!.Value, 10);
        Assert.Equal(0, a.LossSimple!.Value, 12);
    }

    [Fact]
    public void Orthonormal_set_has_known_values()
    {
        using var x = torch.eye(8, dtype: torch.ScalarType.Float64);
        var a = EmbeddingAnalyzer.Analyze(x, null, x, [0.5]);
        Assert.Equal(-4, a.Uniformity, 12);
        Assert.Equal(Math.Log(7), a.PerTau[0].PenaltyEntropy, 12);
        Assert.Equal(-2 + Math.Log(Math.Exp(2) + 7), a.PerTau[0].LossContrastive!.Value, 12);
        Assert.Equal(-1, a.LossSimple!.Value, 12);
    }

    [Fact]
    public void Scaling_rows_by_positive_constants_changes_nothing()
    {
        var (x, p, labels) = Data("clustered");
        var scaledX = (double[,])x.Clone();
        var scaledP = (double[,])p.Clone();
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int j = 0; j < x.GetLength(1); j++)
            {
                scaledX[i, j] *= Math.Pow(10, (i % 7) - 3);
                scaledP[i, j] *= 0.5 + i;
            }
        }
        using var ty = Labels(labels);
        using var tx = Tensor(x);
        using var tp = Tensor(p);
        using var sx = Tensor(scaledX);
        using var sp = Tensor(scaledP);
        AssertClose(EmbeddingAnalyzer.Analyze(tx, ty, tp, Taus, 5), EmbeddingAnalyzer.Analyze(sx, ty, sp, Taus, 5), 1e-12);
    }

    [Fact]
    public void Permuting_rows_changes_nothing()
    {
        var (x, p, labels) = Data("clustered");
        int n = labels.Length;
        using var perm = torch.randperm(n, generator: new torch.Generator(5));
        using var tx = Tensor(x);
        using var tp = Tensor(p);
        using var ty = Labels(labels);
        using var px = tx.index_select(0, perm);
        using var pp = tp.index_select(0, perm);
        using var py = ty.index_select(0, perm);
        AssertClose(EmbeddingAnalyzer.Analyze(tx, ty, tp, Taus, 5), EmbeddingAnalyzer.Analyze(px, py, pp, Taus, 5), 1e-12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Tiny_chunks_give_the_same_result(long rows)
    {
        var (x, p, labels) = Data("random");
        using var tx = Tensor(x);
        using var tp = Tensor(p);
        using var ty = Labels(labels);
        var whole = EmbeddingAnalyzer.Analyze(tx, ty, tp, Taus, 6);
        using (SimilarityChunks.OverrideRows(rows))
        {
            AssertClose(whole, EmbeddingAnalyzer.Analyze(tx, ty, tp, Taus, 6), 1e-12);
        }
    }

    [Fact]
    public void Repeated_calls_leave_no_live_tensors_behind()
    {
        using var x = torch.randn(50, 8);
        using var p = torch.randn(50, 8);
        using var y = torch.randint(0, 4, 50, dtype: torch.ScalarType.Int64);
        EmbeddingAnalyzer.Analyze(x, y, p, Taus, 5);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (SimilarityChunks.OverrideRows(7))
        {
            for (int r = 0; r < 20; r++)
            {
                EmbeddingAnalyzer.Analyze(x, y, p, Taus, 5);
                Uniformity.AgainstBank(x, p, y);
                SimilarityOrderStatistics.SetWise(x, p, 3);
                RelativePenalty.Analyze(x, p, Taus, 2);
            }
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Invalid_inputs_are_rejected_with_the_input_named()
    {
        using var x = torch.randn(6, 3);
        using var one = torch.randn(1, 3);
        string Param(Action a) => Assert.Throws<ArgumentException>(a).ParamName!;
        Assert.Equal("embeddings", Param(() => EmbeddingAnalyzer.Analyze(one, null, null, [0.1])));
        using var p4 = torch.randn(6, 4);
        Assert.Equal("positives", Param(() => EmbeddingAnalyzer.Analyze(x, null, p4, [0.1])));
        using var p5 = torch.randn(5, 3);
        Assert.Equal("positives", Param(() => EmbeddingAnalyzer.Analyze(x, null, p5, [0.1])));
        using var y5 = torch.zeros(5, dtype: torch.ScalarType.Int64);
        Assert.Equal("labels", Param(() => EmbeddingAnalyzer.Analyze(x, y5, null, [0.1])));
        using var zero = torch.randn(6, 3).index_fill_(0, torch.tensor(new long[] { 2 }), 0.0);
        Assert.Equal("embeddings", Param(() => EmbeddingAnalyzer.Analyze(zero, null, null, [0.1])));
        using var nan = torch.randn(6, 3).index_fill_(0, torch.tensor(new long[] { 4 }), double.NaN);
        Assert.Contains("row 4", Assert.Throws<ArgumentException>(() => EmbeddingAnalyzer.Analyze(nan, null, null, [0.1])).Message, StringComparison.Ordinal);
        Assert.Equal("taus", Param(() => EmbeddingAnalyzer.Analyze(x, null, null, [0.1, 0])));
        Assert.Equal("hardK", Param(() => EmbeddingAnalyzer.Analyze(x, null, x, [0.1], hardK: 0)));
        Assert.Equal("hardK", Param(() => EmbeddingAnalyzer.Analyze(x, null, x, [0.1], hardK: 6)));
    }
}
