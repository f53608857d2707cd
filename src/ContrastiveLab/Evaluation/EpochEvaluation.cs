using ContrastiveLab.Augmentation;
using ContrastiveLab.Data;
using ContrastiveLab.Models;
using ContrastiveLab.Training;
using ContrastiveLab.Training.Sources;
using static TorchSharp.torch;

namespace ContrastiveLab.Evaluation;

/// <summary>
/// The evaluation the trainer runs after an epoch (and at epoch 0, on the untrained encoder): weighted kNN of clean
/// embeddings of every training image against the test split, the kNN against the memory bank (the paper's monitor,
/// which lags the encoder early in training) when there is one, the backbone's kNN when asked, and the diagnostics
/// (uniformity, tolerance, the relative-penalty entropy, order statistics) on augmented views of fixed training anchors.
/// </summary>
internal sealed class EpochEvaluation(TrainConfig config, ContrastiveEncoder model, IImageSource train, IImageSource test, int classes,
    Tensor trainLabels, Tensor testLabels, AugmentationPipeline trainPipeline, AugmentationPipeline evalPipeline, int[] anchorRows, Device device, int workers)
{
    /// <summary>One metric row: the training figures given plus everything measured now.</summary>
    /// <param name="epoch">The epoch just finished (0: the untrained encoder); also seeds the anchors' views.</param>
    /// <param name="atStep">Optimisation steps done.</param>
    /// <param name="meanLoss">The epoch's mean training loss (NaN at epoch 0).</param>
    /// <param name="lr">The learning rate at the epoch's end (NaN at epoch 0).</param>
    /// <param name="rate">The epoch's training images per second (NaN at epoch 0).</param>
    /// <param name="monitor">The embeddings a negative source keeps per training image (the memory bank), to run the bank kNN against and to take as the diagnostics' reference (null: none).</param>
    /// <param name="toInitialise">A negative source to start from the clean training embeddings this pass computes (bank_init = encoder).</param>
    public Dictionary<string, double> Evaluate(int epoch, long atStep, double meanLoss, double lr, double rate, Tensor? monitor, INegativeSource? toInitialise)
    {
        using var scope = NewDisposeScope();
        Tensor trainEmb, testEmb;
        double knnBackbone = double.NaN;
        if (config.KnnBackbone)
        {
            // One pass keeps the pooled features too, for a kNN on the backbone beside the head's.
            var (trainFeatures, trainZ) = Evaluator.EmbedBoth(model, train, evalPipeline, Evaluator.BatchSize, device, workers);
            var (testFeatures, testZ) = Evaluator.EmbedBoth(model, test, evalPipeline, Evaluator.BatchSize, device, workers);
            (trainEmb, testEmb) = (trainZ, testZ);
            knnBackbone = Evaluator.KnnOnFeatures(trainFeatures, trainLabels, testFeatures, testLabels, classes, config.KnnK, config.KnnSigma);
            trainFeatures.Dispose();
            testFeatures.Dispose();
        }
        else
        {
            trainEmb = Evaluator.Embed(model, train, evalPipeline, Evaluator.BatchSize, device, workers);
            testEmb = Evaluator.Embed(model, test, evalPipeline, Evaluator.BatchSize, device, workers);
        }
        toInitialise?.Initialise(trainEmb);
        double knn = Evaluator.Knn(trainEmb, trainLabels, testEmb, testLabels, classes, config.KnnK, config.KnnSigma);
        double knnBank = monitor is null ? double.NaN : Evaluator.Knn(monitor, trainLabels, testEmb, testLabels, classes, config.KnnK, config.KnnSigma);
        var reference = monitor ?? trainEmb;
        // Diagnostics: augmented views of fixed training anchors against the reference (the authors' protocol).
        var anchors = Evaluator.Embed(model, new RowsSource(train, anchorRows), trainPipeline, Evaluator.BatchSize, device, workers,
            seed: Evaluator.DiagnosticSeed(config.Seed), epoch: epoch);
        using var rows = tensor(anchorRows.Select(r => (long)r).ToArray()).to(device);
        var row = new Dictionary<string, double>
        {
            ["epoch"] = epoch,
            ["step"] = atStep,
            ["lr"] = lr,
            ["loss"] = meanLoss,
            ["images_per_s"] = rate,
            ["knn_top1"] = knn,
            ["knn_bank_top1"] = knnBank,
            ["knn_backbone_top1"] = knnBackbone,
        };
        foreach (var (k, v) in Evaluator.Diagnostics(anchors, rows, trainLabels.index_select(0, rows), reference, trainLabels, config.Tau))
        {
            row[k] = v;
        }
        return row;
    }
}
