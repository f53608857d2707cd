using ContrastiveLab.Augmentation;
using ContrastiveLab.Core.Metrics;
using ContrastiveLab.Models;

namespace ContrastiveLab.Evaluation;

/// <summary>The per-epoch evaluation of a run: weighted kNN on the test split and the paper's diagnostics.</summary>
internal static class Evaluator
{
    /// <summary>Images per forward pass when embedding a split of small images (32×32 and below) for evaluation.</summary>
    public const int BatchSize = 512;

    /// <summary>
    /// Images per evaluation forward pass for <paramref name="pipeline"/>'s output size: <see cref="BatchSize"/> up to
    /// 32×32, then as many as hold the same number of pixels (at least 16). A ResNet-50 forward of 512 images at 224×224
    /// held about 17 GB resident on the CPU; 16 hold well under 1 GB, and the embeddings do not depend on the batch.
    /// </summary>
    public static int BatchSizeFor(AugmentationPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        long pixels = (long)pipeline.Options.OutputSize * pipeline.Options.OutputSize;
        return pixels <= 32 * 32 ? BatchSize : (int)Math.Max(16, BatchSize * 32L * 32 / pixels);
    }

    /// <summary>
    /// The augmentation stream of the diagnostic anchors' views: a fixed function of the run's seed, apart from the
    /// training views' stream, so every evaluation of a run scores the same anchors through the same kind of views.
    /// </summary>
    public static long DiagnosticSeed(long runSeed) => runSeed ^ 0x5EED;

    /// <summary>
    /// Embeddings (or pooled features) of every image of <paramref name="source"/>, model in eval mode, (N, D) float32 on
    /// <paramref name="device"/>, in forward passes of <paramref name="batchSize"/> images (default
    /// <see cref="BatchSizeFor"/> the pipeline).
    /// </summary>
    public static Tensor Embed(ContrastiveEncoder model, IImageSource source, AugmentationPipeline pipeline, Device device, int workers,
        bool features = false, long seed = 0, int epoch = 0, int? batchSize = null) =>
        Collect(model, source, pipeline, batchSize ?? BatchSizeFor(pipeline), device, workers, seed, epoch, x => [features ? model.Features(x) : model.forward(x)])[0];

    /// <summary>Pooled features and embeddings of every image of <paramref name="source"/> in one pass, as <see cref="Embed"/> gives each.</summary>
    public static (Tensor Features, Tensor Embeddings) EmbedBoth(ContrastiveEncoder model, IImageSource source, AugmentationPipeline pipeline, Device device, int workers)
    {
        var both = Collect(model, source, pipeline, BatchSizeFor(pipeline), device, workers, 0, 0, x =>
        {
            var (h, z) = model.FeaturesAndEmbeddings(x);
            return [h, z];
        });
        return (both[0], both[1]);
    }

    private static Tensor[] Collect(ContrastiveEncoder model, IImageSource source, AugmentationPipeline pipeline, int batchSize, Device device, int workers,
        long seed, int epoch, Func<Tensor, Tensor[]> outputs)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            var loader = new AugmentedLoader(source, pipeline, batchSize, 1, seed, shuffle: false, workers: workers);
            var parts = new List<Tensor[]>();
            foreach (var batch in loader.Epoch(epoch))
            {
                using var scope = NewDisposeScope();
                var x = BatchTensor(batch, 0, device);
                batch.Dispose();
                parts.Add([.. outputs(x).Select(t => t.MoveToOuterDisposeScope())]);
            }
            int count = parts.Count == 0 ? 0 : parts[0].Length;
            var all = Enumerable.Range(0, count).Select(i => cat(parts.Select(p => p[i]).ToList(), 0)).ToArray();
            foreach (var t in parts.SelectMany(p => p))
            {
                t.Dispose();
            }
            return all;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>View <paramref name="view"/> of a batch as a (B, C, S, S) float32 tensor on <paramref name="device"/>.</summary>
    public static Tensor BatchTensor(AugmentedBatch batch, int view, Device device)
    {
        var t = tensor(batch.Views[view], [batch.Count, batch.Channels, batch.Size, batch.Size]);
        return device.type == DeviceType.CPU ? t : t.to(device);
    }

    /// <summary>
    /// The paper's diagnostics: <paramref name="anchors"/> (augmented views of training images) against
    /// <paramref name="reference"/> (the memory bank, or embeddings of every training image), each anchor's own
    /// row excluded. Keys: neg_uniformity, tolerance, penalty_entropy, effective_negatives, pos_sim, neg1…neg10 (medians).
    /// </summary>
    public static Dictionary<string, double> Diagnostics(Tensor anchors, Tensor anchorRows, Tensor anchorLabels, Tensor reference, Tensor referenceLabels, double tau)
    {
        using var scope = NewDisposeScope();
        int ranks = Ranks(reference);
        var result = new Dictionary<string, double>
        {
            ["neg_uniformity"] = -Uniformity.AgainstBank(anchors, reference, anchorRows),
            ["tolerance"] = Tolerance.AgainstBank(anchors, anchorLabels, reference, referenceLabels, anchorRows),
        };
        var penalty = RelativePenalty.Analyze(anchors, reference, [tau], topK: ranks, excludeIndex: anchorRows)[0];
        result["penalty_entropy"] = penalty.MeanEntropy;
        result["effective_negatives"] = penalty.MeanEffectiveNegatives;
        var positives = reference.index_select(0, anchorRows);
        var order = SimilarityOrderStatistics.AgainstBank(anchors, positives, reference, anchorRows, ranks: ranks);
        foreach (var s in order.Summaries)
        {
            result[s.Rank == 0 ? "pos_sim" : "neg" + s.Rank.ToString(CultureInfo.InvariantCulture)] = s.Median;
        }
        return result;
    }

    /// <summary>Nearest negatives reported: 10 as in Fig. 8, fewer when the reference holds fewer negatives.</summary>
    public static int Ranks(Tensor reference) => (int)Math.Min(10, reference.shape[0] - 1);

    /// <summary>Weighted kNN top-1 of the test embeddings against the training reference.</summary>
    public static double Knn(Tensor reference, Tensor referenceLabels, Tensor test, Tensor testLabels, int classes, int k, double sigma) =>
        WeightedKnn.Top1(reference, referenceLabels, test, testLabels, classes, k, sigma);

    /// <summary>
    /// The weighted kNN on pooled backbone features (as <see cref="Embed"/> gives them with <c>features: true</c>):
    /// each row scaled to unit length first, so that the vote is by cosine similarity as it is for embeddings.
    /// </summary>
    public static double KnnOnFeatures(Tensor referenceFeatures, Tensor referenceLabels, Tensor testFeatures, Tensor testLabels, int classes, int k, double sigma)
    {
        using var scope = NewDisposeScope();
        return Knn(nn.functional.normalize(referenceFeatures, dim: 1), referenceLabels, nn.functional.normalize(testFeatures, dim: 1), testLabels, classes, k, sigma);
    }
}
