using ContrastiveLab.Evaluation;
using ContrastiveLab.TrainedRuns;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Training;

public sealed class LinearEvaluationTests
{
    [Theory]
    [InlineData(1, 30.0)]
    [InlineData(40, 30.0)]
    [InlineData(41, 6.0)]
    [InlineData(60, 6.0)]
    [InlineData(61, 1.2)]
    [InlineData(80, 1.2)]
    [InlineData(81, 0.24)]
    [InlineData(100, 0.24)]
    public void The_learning_rate_is_30_times_0_2_per_milestone_passed_at_epochs_40_60_80_of_100(int epoch, double lr) =>
        Assert.Equal(lr, LinearEvaluation.LearningRate(30, epoch, 100), 12);

    [Fact]
    public void The_milestones_scale_with_the_epoch_count()
    {
        // 10 epochs: milestones after epochs 4, 6 and 8.
        double[] expected = [1, 1, 1, 1, 0.2, 0.2, 0.04, 0.04, 0.008, 0.008];
        Assert.Equal(expected, Enumerable.Range(1, 10).Select(e => Math.Round(LinearEvaluation.LearningRate(1, e, 10), 12)));
    }

    [Fact]
    public void The_classifier_separates_separable_features_and_stays_near_chance_on_random_labels()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        const int classes = 4, perClass = 60, dim = 8;
        var centres = randn(classes, dim) * 3;
        Tensor Points(Tensor labels) => centres.index_select(0, labels) + 0.2 * randn(labels.shape[0], dim);
        var trainY = arange(classes).repeat_interleave(perClass);
        var testY = arange(classes).repeat_interleave(20);
        var trainX = Points(trainY);
        var testX = Points(testY);
        var options = new LinearEvalOptions { Epochs = 20, Lr = 0.1 };

        IEnumerable<Func<(Tensor, Tensor)>> Batches(Tensor x, Tensor y) =>
            Enumerable.Range(0, (int)(x.shape[0] / 48)).Select(b => (Func<(Tensor, Tensor)>)(() => (x.narrow(0, b * 48, 48), y.narrow(0, b * 48, 48))));

        var separable = LinearEvaluation.TrainClassifier(_ => Batches(trainX, trainY), testX, testY, dim, classes, options, CPU, TextWriter.Null);
        Assert.Equal(1.0, separable[^1]);

        // Labels unrelated to the features: nothing learnt carries over to fresh noise (80 test points: chance 0.25 ± 0.05).
        var shuffled = trainY.index_select(0, randperm(trainY.shape[0]));
        var chance = LinearEvaluation.TrainClassifier(_ => Batches(randn(trainX.shape[0], dim), shuffled), randn(testX.shape[0], dim), testY,
            dim, classes, options, CPU, TextWriter.Null);
        Assert.InRange(chance[^1], 0.0, 0.5);
    }
}
