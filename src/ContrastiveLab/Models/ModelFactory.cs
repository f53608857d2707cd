namespace ContrastiveLab.Models;

/// <summary>Models by the names configs and the CLI use.</summary>
public static class ModelFactory
{
    /// <summary>Known model names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["small-cnn", "resnet18-cifar", "resnet50-cifar", "resnet50"];

    /// <summary>Builds the encoder <paramref name="name"/> for images of <paramref name="inChannels"/> channels.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ContrastiveEncoder Create(string name, long inChannels, long embeddingDim = 128, bool mlpHead = false)
    {
        (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> backbone, long dim) = name switch
        {
            "small-cnn" => Make(new SmallCnn(inChannels)),
            "resnet18-cifar" => Make(ResNet.ResNet18Cifar(inChannels)),
            "resnet50-cifar" => Make(ResNet.ResNet50Cifar(inChannels)),
            "resnet50" => Make(ResNet.ResNet50(inChannels)),
            _ => throw new ArgumentException($"unknown model '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
        };
        return new ContrastiveEncoder(name, backbone, dim, embeddingDim, mlpHead);
    }

    private static (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>, long) Make<T>(T model)
        where T : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>, IBackbone => (model, model.FeatureDim);
}
