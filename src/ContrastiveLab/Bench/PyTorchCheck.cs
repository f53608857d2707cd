using ContrastiveLab.Core.Losses;
using ContrastiveLab.Core.Metrics;
using ContrastiveLab.IO;
using ContrastiveLab.Models;

namespace ContrastiveLab.Bench;

/// <summary>
/// Writes fixed inputs (.npy) and the values this library computes on them (<c>expected.json</c>, and the loss's
/// gradient as <c>grad_anchors.npy</c>), so that benchmarks/pytorch/reference.py --check can verify that its
/// PyTorch code computes the same thing: the contrastive loss with a memory bank (value and gradient), the
/// in-batch loss, set-wise uniformity and tolerance, and the forward pass of the small CNN and ResNet-18
/// (same weights, same input, same embeddings: the models are the same layer by layer).
/// </summary>
public static class PyTorchCheck
{
    /// <summary>Temperature of the checked losses.</summary>
    public const double Tau = 0.2;

    /// <summary>
    /// A freshly initialised encoder's parameters and buffers (one .npy per state-dict key), a fixed (B, C, S, S)
    /// input and the (B, 128) embeddings the model gives in training mode (batch statistics), for a model-level check.
    /// </summary>
    private static void WriteModel(string directory, string name, int channels, int size, int batch)
    {
        Directory.CreateDirectory(directory);
        using var scope = NewDisposeScope();
        using var model = ModelFactory.Create(name, channels);
        model.train();
        var input = randn(batch, channels, size, size);
        using (no_grad())
        {
            NpyWriter.Write(Path.Combine(directory, "output.npy"), model.forward(input));
        }
        NpyWriter.Write(Path.Combine(directory, "input.npy"), input);
        foreach (var (key, value) in model.state_dict())
        {
            NpyWriter.Write(Path.Combine(directory, key + ".npy"), value.detach().contiguous());
        }
    }

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
        WriteModel(Path.Combine(directory, "small-cnn"), "small-cnn", 1, 28, 8);
        WriteModel(Path.Combine(directory, "resnet18-cifar"), "resnet18-cifar", 3, 32, 4);
        File.WriteAllText(Path.Combine(directory, "expected.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return expected;
    }
}
