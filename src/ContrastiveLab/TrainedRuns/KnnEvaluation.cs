using ContrastiveLab.Augmentation;
using ContrastiveLab.Evaluation;
using ContrastiveLab.IO;
using ContrastiveLab.RunFormat;

namespace ContrastiveLab.TrainedRuns;

/// <summary>Which features the kNN of <see cref="KnnEvaluation"/> votes with; written lower case to knn.json.</summary>
public enum KnnFeatures
{
    /// <summary>The head's normalised output, the features the paper's kNN monitor uses.</summary>
    Embedding,

    /// <summary>The backbone's pooled features before the head (the features the linear protocol uses), L2-normalised.</summary>
    Backbone,
}

/// <summary>
/// Weighted kNN of a trained encoder (<see cref="WeightedKnn"/>): embeddings of the clean test images classified
/// against embeddings of the clean training images, both from the checkpoint's encoder, on the features
/// <see cref="KnnFeatures"/> names; backbone features are L2-normalised so that the vote is by cosine similarity.
/// </summary>
public static class KnnEvaluation
{
    /// <summary>Measures top-1 (a fraction in 0–1) and writes <see cref="RunFiles.Knn"/> into the run folder.</summary>
    /// <param name="run">The opened run.</param>
    /// <param name="k">Neighbours K (the paper: 200).</param>
    /// <param name="sigma">Vote temperature σ (the paper: 0.07).</param>
    /// <param name="workers">Image-preparation threads (0: one per core).</param>
    /// <param name="features">The features voted with.</param>
    public static double Run(TrainedRun run, int k = 200, double sigma = 0.07, int workers = 0, KnnFeatures features = KnnFeatures.Embedding)
    {
        if (!Enum.IsDefined(features))
        {
            throw new ArgumentOutOfRangeException(nameof(features), features, "not a KnnFeatures value");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!(sigma > 0))
        {
            throw new ArgumentException($"sigma = {sigma} is out of range; allowed: > 0", nameof(sigma));
        }
        using var scope = NewDisposeScope();
        workers = workers > 0 ? workers : Environment.ProcessorCount;
        var clean = new AugmentationPipeline(AugmentationPresets.ForDataset(run.Config.Dataset).Eval);
        bool backbone = features == KnnFeatures.Backbone;
        var train = Evaluator.Embed(run.Model, run.TrainImages, clean, run.Device, workers, features: backbone);
        var test = Evaluator.Embed(run.Model, run.TestImages, clean, run.Device, workers, features: backbone);
        var trainLabels = tensor(run.TrainImages.Labels()).to(run.Device);
        var testLabels = tensor(run.TestImages.Labels()).to(run.Device);
        double top1 = backbone
            ? Evaluator.KnnOnFeatures(train, trainLabels, test, testLabels, run.Classes, k, sigma)
            : Evaluator.Knn(train, trainLabels, test, testLabels, run.Classes, k, sigma);
        var file = new KnnResultFile(Name(features), k, sigma, top1, run.TrainImages.Count, run.TestImages.Count, run.Checkpoint.Name);
        AtomicFile.WriteAllText(Path.Combine(run.Directory, RunFiles.Knn), file.ToJson());
        return top1;
    }

    /// <summary>The name the command line and knn.json use: "embedding" or "backbone".</summary>
    public static string Name(KnnFeatures features) => features.ToString().ToLowerInvariant();
}
