using ContrastiveLab.Augmentation;
using ContrastiveLab.Models;

namespace ContrastiveLab.Evaluation;

/// <summary>
/// The evaluation the trainer runs after an epoch (and at epoch 0, on the untrained encoder): weighted kNN of clean
/// embeddings of every training image against the test split, the kNN against the memory bank (the paper's monitor,
/// which lags the encoder early in training) when there is one, the backbone's kNN when asked, and the diagnostics
/// (uniformity, tolerance, the relative-penalty entropy, order statistics) on augmented views of fixed training anchors.
/// </summary>
internal sealed class EpochEvaluation(EvaluationSettings settings, ContrastiveEncoder model, IImageSource train, IImageSource test, int classes,
    Tensor trainLabels, Tensor testLabels, AugmentationPipeline trainPipeline, AugmentationPipeline evalPipeline, int[] anchorRows, Device device, int workers)
{
    /// <summary>One metric row: the training figures given plus everything measured now.</summary>
    /// <param name="epoch">The epoch just finished (0: the untrained encoder); also seeds the anchors' views.</param>
    /// <param name="atStep">Optimisation steps done.</param>
    /// <param name="meanLoss">The epoch's mean training loss (NaN at epoch 0).</param>
    /// <param name="lr">The learning rate at the epoch's end (NaN at epoch 0).</param>
    /// <param name="rate">The epoch's training images per second (NaN at epoch 0).</param>
    /// <param name="monitor">The embeddings a negative source keeps per training image (the memory bank), to run the bank kNN against and to take as the diagnostics' reference (null: none).</param>
    /// <param name="initialise">Takes the clean training embeddings this pass computes (a memory bank that starts from the encoder), or null.</param>
    public MetricRow Evaluate(int epoch, long atStep, double meanLoss, double lr, double rate, Tensor? monitor, Action<Tensor>? initialise)
    {
        using var scope = NewDisposeScope();
        Tensor trainEmb, testEmb;
        double knnBackbone = double.NaN;
        if (settings.KnnBackbone)
        {
            // One pass keeps the pooled features too, for a kNN on the backbone beside the head's.
            var (trainFeatures, trainZ) = Evaluator.EmbedBoth(model, train, evalPipeline, device, workers);
            var (testFeatures, testZ) = Evaluator.EmbedBoth(model, test, evalPipeline, device, workers);
            (trainEmb, testEmb) = (trainZ, testZ);
            knnBackbone = Evaluator.KnnOnFeatures(trainFeatures, trainLabels, testFeatures, testLabels, classes, settings.KnnK, settings.KnnSigma);
            trainFeatures.Dispose();
            testFeatures.Dispose();
        }
        else
        {
            trainEmb = Evaluator.Embed(model, train, evalPipeline, device, workers);
            testEmb = Evaluator.Embed(model, test, evalPipeline, device, workers);
        }
        initialise?.Invoke(trainEmb);
        double knn = Evaluator.Knn(trainEmb, trainLabels, testEmb, testLabels, classes, settings.KnnK, settings.KnnSigma);
        double knnBank = monitor is null ? double.NaN : Evaluator.Knn(monitor, trainLabels, testEmb, testLabels, classes, settings.KnnK, settings.KnnSigma);
        var reference = monitor ?? trainEmb;
        // Diagnostics: augmented views of fixed training anchors against the reference (the authors' protocol).
        var anchors = Evaluator.Embed(model, new RowsSource(train, anchorRows), trainPipeline, device, workers,
            seed: Evaluator.DiagnosticSeed(settings.Seed), epoch: epoch);
        using var rows = tensor(anchorRows.Select(r => (long)r).ToArray()).to(device);
        return new MetricRow(epoch, atStep, lr, meanLoss, rate, knn)
        {
            Evaluated = true,
            KnnBankTop1 = knnBank,
            KnnBackboneTop1 = knnBackbone,
            Diagnostics = [.. Evaluator.Diagnostics(anchors, rows, trainLabels.index_select(0, rows), reference, trainLabels, settings.Tau)],
        };
    }
}

/// <summary>What the per-epoch evaluation needs of a run's config.</summary>
/// <param name="KnnK">Neighbours of the weighted kNN.</param>
/// <param name="KnnSigma">Temperature σ of the kNN's weights.</param>
/// <param name="KnnBackbone">Also run the kNN on the backbone's pooled features.</param>
/// <param name="Tau">The loss's τ, for the relative-penalty entropy.</param>
/// <param name="Seed">The run's seed, from which the anchors' augmented views are drawn.</param>
internal sealed record EvaluationSettings(int KnnK, double KnnSigma, bool KnnBackbone, double Tau, long Seed);
