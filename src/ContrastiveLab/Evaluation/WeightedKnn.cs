namespace ContrastiveLab.Evaluation;

/// <summary>
/// Weighted k-nearest-neighbour classification on the unit sphere (Wu et al. 2018), the paper's training
/// monitor: the K most similar training features vote for their class with weight exp(s/σ).
/// </summary>
public static class WeightedKnn
{
    /// <summary>
    /// Top-1 accuracy (a fraction in 0–1) of test features classified against training features.
    /// </summary>
    /// <param name="trainFeatures">(N, D) training features on the unit sphere (e.g. the memory bank).</param>
    /// <param name="trainLabels">(N,) int64 labels in [0, classes).</param>
    /// <param name="testFeatures">(T, D) test features on the unit sphere.</param>
    /// <param name="testLabels">(T,) int64 labels.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="k">Neighbours K (clamped to N), 200 in the paper.</param>
    /// <param name="sigma">Temperature σ of the vote weights, 0.07 in the paper.</param>
    /// <param name="chunk">Test rows per block, bounding memory to chunk×N.</param>
    public static double Top1(Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, Tensor testLabels,
        int classes, int k = 200, double sigma = 0.07, int chunk = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (sigma <= 0 || double.IsNaN(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "kNN σ must be > 0");
        }
        if (trainFeatures.shape[0] != trainLabels.shape[0] || testFeatures.shape[0] != testLabels.shape[0]
            || trainFeatures.shape[1] != testFeatures.shape[1])
        {
            throw new ArgumentException("kNN feature and label shapes disagree");
        }
        using var noGrad = no_grad();
        long t = testFeatures.shape[0];
        long kk = Math.Min(k, trainFeatures.shape[0]);
        long correct = 0;
        for (long start = 0; start < t; start += chunk)
        {
            using var scope = NewDisposeScope();
            long len = Math.Min(chunk, t - start);
            var q = testFeatures.narrow(0, start, len);
            var sims = q.matmul(trainFeatures.T);
            var (topSims, topIdx) = sims.topk((int)kk, dim: 1);
            var neighbourLabels = trainLabels.index_select(0, topIdx.flatten()).view(len, kk);
            var weights = topSims.div(sigma).exp_();
            var votes = zeros(len, classes, dtype: weights.dtype, device: weights.device);
            votes.scatter_add_(1, neighbourLabels, weights);
            var predicted = votes.argmax(1);
            correct += predicted.eq(testLabels.narrow(0, start, len)).sum().item<long>();
        }
        return t == 0 ? 0 : (double)correct / t;
    }
}
