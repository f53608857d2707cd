using ContrastiveLab.Augmentation;
using ContrastiveLab.Evaluation;
using ContrastiveLab.IO;
using ContrastiveLab.RunFormat;

namespace ContrastiveLab.TrainedRuns;

/// <summary>
/// Weighted kNN of a trained encoder (<see cref="WeightedKnn"/>): embeddings of the clean test images classified
/// against embeddings of the clean training images, both from the checkpoint's encoder. The features are the head's
/// L2-normalised output (the paper's monitor, <see cref="Embedding"/>) or the backbone's pooled features before the
/// head, L2-normalised so that the vote is by cosine similarity (<see cref="Backbone"/>).
/// </summary>
public static class KnnEvaluation
{
    /// <summary>The head's normalised output, the features the paper's kNN monitor uses.</summary>
    public const string Embedding = "embedding";

    /// <summary>The backbone's pooled features before the head (the features the linear protocol uses).</summary>
    public const string Backbone = "backbone";

    /// <summary>Measures top-1 (a fraction in 0–1) and writes <see cref="RunFiles.Knn"/> into the run folder.</summary>
    /// <param name="run">The opened run.</param>
    /// <param name="k">Neighbours K (the paper: 200).</param>
    /// <param name="sigma">Vote temperature σ (the paper: 0.07).</param>
    /// <param name="workers">Image-preparation threads (0: one per core).</param>
    /// <param name="features"><see cref="Embedding"/> or <see cref="Backbone"/>.</param>
    public static double Run(TrainedRun run, int k = 200, double sigma = 0.07, int workers = 0, string features = Embedding)
    {
        if (features is not (Embedding or Backbone))
        {
            throw new ArgumentException($"features = '{features}' is not known; allowed: {Embedding}, {Backbone}", nameof(features));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!(sigma > 0))
        {
            throw new ArgumentException($"sigma = {sigma} is out of range; allowed: > 0", nameof(sigma));
        }
        using var scope = NewDisposeScope();
        workers = workers > 0 ? workers : Environment.ProcessorCount;
        var clean = new AugmentationPipeline(AugmentationPresets.ForDataset(run.Config.Dataset).Eval);
        bool backbone = features == Backbone;
        var train = Evaluator.Embed(run.Model, run.TrainImages, clean, run.Device, workers, features: backbone);
        var test = Evaluator.Embed(run.Model, run.TestImages, clean, run.Device, workers, features: backbone);
        var trainLabels = tensor(run.TrainImages.Labels()).to(run.Device);
        var testLabels = tensor(run.TestImages.Labels()).to(run.Device);
        double top1 = backbone
            ? Evaluator.KnnOnFeatures(train, trainLabels, test, testLabels, run.Classes, k, sigma)
            : Evaluator.Knn(train, trainLabels, test, testLabels, run.Classes, k, sigma);
        var json = new JsonObject
        {
            ["features"] = features,
            ["k"] = k,
            ["sigma"] = sigma,
            ["top1"] = top1,
            ["train_images"] = run.TrainImages.Count,
            ["test_images"] = run.TestImages.Count,
            ["checkpoint"] = run.Checkpoint.Name,
        };
        AtomicFile.WriteAllText(Path.Combine(run.Directory, RunFiles.Knn), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return top1;
    }
}
