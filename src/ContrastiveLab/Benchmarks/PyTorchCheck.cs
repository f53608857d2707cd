using System.Text.Json;
using System.Text.Json.Nodes;
using ContrastiveLab.Core.Losses;
using ContrastiveLab.Core.Metrics;
using ContrastiveLab.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Benchmarks;

/// <summary>
/// Writes fixed inputs (.npy) and the values this library computes on them (<c>expected.json</c>, and the loss's
/// gradient as <c>grad_anchors.npy</c>), so that benchmarks/pytorch/reference.py --check can verify that its
/// PyTorch code computes the same thing: the contrastive loss with a memory bank (value and gradient), the
/// in-batch loss, set-wise uniformity and tolerance.
/// </summary>
public static class PyTorchCheck
{
    /// <summary>Temperature of the checked losses.</summary>
    public const double Tau = 0.2;

    /// <summary>Writes the files into <paramref name="directory"/> (created) and returns the expected values.</summary>
    public static IReadOnlyDictionary<string, double> Write(string directory)
    {
        Directory.CreateDirectory(directory);
        using var scope = NewDisposeScope();
        manual_seed(5);
        var bank = nn.functional.normalize(randn(200, 32), p: 2, dim: 1);
        var index = randperm(200).narrow(0, 0, 16);
        var anchors = nn.functional.normalize(randn(16, 32), p: 2, dim: 1);
        var others = nn.functional.normalize(randn(16, 32), p: 2, dim: 1);
        var labels = randint(0, 7, 500, dtype: ScalarType.Int64);
        var embeddings = randn(7, 32).index_select(0, labels).add(randn(500, 32).mul(0.7)); // clustered: tolerance well above 0
        var loss = new ContrastiveLoss(Tau);
        var leaf = anchors.clone().requires_grad_();
        var bankLoss = loss.Forward(leaf, bank.index_select(0, index), Negatives.Shared(bank, index));
        bankLoss.backward();
        var expected = new Dictionary<string, double>
        {
            ["loss_bank"] = bankLoss.item<float>(),
            ["loss_inbatch"] = loss.Forward(anchors, others, Negatives.InBatch).item<float>(),
            ["uniformity"] = Uniformity.SetWise(embeddings),
            ["tolerance"] = Tolerance.SetWise(embeddings, labels),
        };
        NpyWriter.Write(Path.Combine(directory, "bank.npy"), bank);
        NpyWriter.Write(Path.Combine(directory, "index.npy"), index);
        NpyWriter.Write(Path.Combine(directory, "anchors.npy"), anchors);
        NpyWriter.Write(Path.Combine(directory, "others.npy"), others);
        NpyWriter.Write(Path.Combine(directory, "embeddings.npy"), embeddings);
        NpyWriter.Write(Path.Combine(directory, "labels.npy"), labels);
        NpyWriter.Write(Path.Combine(directory, "grad_anchors.npy"), leaf.grad!.detach().clone());
        var json = new JsonObject { ["tau"] = Tau };
        foreach (var (key, value) in expected)
        {
            json[key] = value;
        }
        File.WriteAllText(Path.Combine(directory, "expected.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return expected;
    }
}
