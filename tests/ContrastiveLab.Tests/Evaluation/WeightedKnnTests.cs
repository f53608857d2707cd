using ContrastiveLab.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Evaluation;

public class WeightedKnnTests
{
    [Fact]
    public void Matches_a_naive_vote_on_random_features()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        var train = nn.functional.normalize(randn(300, 8, generator: g), dim: 1);
        var trainLabels = randint(0, 4, [300], generator: g);
        var test = nn.functional.normalize(randn(50, 8, generator: g), dim: 1);
        var testLabels = randint(0, 4, [50], generator: g);
        double fast = WeightedKnn.Top1(train, trainLabels, test, testLabels, 4, k: 20, sigma: 0.1, chunk: 7);

        float[] tr = train.data<float>().ToArray(), te = test.data<float>().ToArray();
        long[] trl = trainLabels.data<long>().ToArray(), tel = testLabels.data<long>().ToArray();
        int correct = 0;
        for (int i = 0; i < 50; i++)
        {
            var sims = Enumerable.Range(0, 300).Select(j => (j, s: Enumerable.Range(0, 8).Sum(d => (double)te[i * 8 + d] * tr[j * 8 + d])))
                .OrderByDescending(p => p.s).Take(20);
            var votes = new double[4];
            foreach (var (j, s) in sims)
            {
                votes[trl[j]] += Math.Exp(s / 0.1);
            }
            if (Array.IndexOf(votes, votes.Max()) == tel[i])
            {
                correct++;
            }
        }
        Assert.Equal(correct / 50.0, fast, 10);
    }

    [Fact]
    public void Perfectly_separated_clusters_are_classified_perfectly()
    {
        using var scope = NewDisposeScope();
        var train = eye(3).repeat(10, 1);
        var labels = arange(3, dtype: ScalarType.Int64).repeat(10);
        Assert.Equal(1.0, WeightedKnn.Top1(train, labels, eye(3), arange(3, dtype: ScalarType.Int64), 3));
    }
}
