using System.Text.Json;
using System.Text.Json.Nodes;
using ContrastiveLab.Augmentation;
using ContrastiveLab.IO;
using ContrastiveLab.Training;
using static TorchSharp.torch;

namespace ContrastiveLab.Evaluation;

/// <summary>
/// Weighted kNN of a trained encoder (<see cref="WeightedKnn"/>): embeddings of the clean test images classified
/// against embeddings of the clean training images, both from the checkpoint's encoder.
/// </summary>
public static class KnnEvaluation
{
    public const string ResultFile = "knn.json";

    /// <summary>Measures top-1 (a fraction in 0–1) and writes <see cref="ResultFile"/> into the run folder.</summary>
    /// <param name="run">The opened run.</param>
    /// <param name="k">Neighbours K (the paper: 200).</param>
    /// <param name="sigma">Vote temperature σ (the paper: 0.07).</param>
    /// <param name="workers">Image-preparation threads (0: one per core).</param>
    public static double Run(TrainedRun run, int k = 200, double sigma = 0.07, int workers = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!(sigma > 0))
        {
            throw new ArgumentException($"sigma = {sigma} is out of range; allowed: > 0", nameof(sigma));
        }
        using var scope = NewDisposeScope();
        workers = workers > 0 ? workers : Environment.ProcessorCount;
        var clean = new AugmentationPipeline(AugmentationPresets.ForDataset(run.Config.Dataset).Eval);
        var train = Evaluator.Embed(run.Model, run.TrainImages, clean, 512, run.Device, workers);
        var test = Evaluator.Embed(run.Model, run.TestImages, clean, 512, run.Device, workers);
        var trainLabels = tensor(run.TrainImages.Labels()).to(run.Device);
        var testLabels = tensor(run.TestImages.Labels()).to(run.Device);
        double top1 = Evaluator.Knn(train, trainLabels, test, testLabels, run.Classes, k, sigma);
        var json = new JsonObject
        {
            ["k"] = k,
            ["sigma"] = sigma,
            ["top1"] = top1,
            ["train_images"] = run.TrainImages.Count,
            ["test_images"] = run.TestImages.Count,
            ["checkpoint"] = run.Checkpoint.Name,
        };
        AtomicFile.WriteAllText(Path.Combine(run.Directory, ResultFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return top1;
    }
}
