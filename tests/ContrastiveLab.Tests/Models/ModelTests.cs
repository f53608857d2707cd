using ContrastiveLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Models;

public class ModelTests
{
    private static long Count(nn.Module module, string prefix) =>
        module.named_parameters().Where(p => p.name.StartsWith(prefix, StringComparison.Ordinal)).Sum(p => p.parameter.numel());

    [Fact]
    public void ResNet18_cifar_has_torchvision_names_and_parameter_count()
    {
        using var model = ModelFactory.Create("resnet18-cifar", 3);
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Contains("backbone.conv1.weight", names);
        Assert.Contains("backbone.bn1.weight", names);
        Assert.Contains("backbone.layer1.0.conv1.weight", names);
        Assert.Contains("backbone.layer2.0.downsample.0.weight", names);
        Assert.Contains("backbone.layer2.0.downsample.1.bias", names);
        Assert.Contains("backbone.layer4.1.bn2.weight", names);
        Assert.Contains("fc.weight", names);
        var buffers = model.named_buffers().Select(b => b.name).ToHashSet();
        Assert.Contains("backbone.bn1.running_mean", buffers);
        // torchvision resnet18 without its classifier has 11,176,512 parameters; the CIFAR stem replaces the
        // 7×7×3×64 conv (9,408) by a 3×3×3×64 one (1,728).
        Assert.Equal(11_176_512 - 9_408 + 1_728, Count(model, "backbone."));
        Assert.Equal(512 * 128 + 128, Count(model, "fc."));
    }

    [Theory]
    [InlineData("resnet18-cifar", "backbone.layer2.0.", "conv1 bn1 conv2 bn2 downsample.0 downsample.1")]
    [InlineData("resnet50", "backbone.layer1.0.", "conv1 bn1 conv2 bn2 conv3 bn3 downsample.0 downsample.1")]
    public void A_residual_block_registers_its_layers_in_torchvision_order_with_the_shortcut_last(string name, string block, string layers)
    {
        // The order is torchvision's state_dict order and the order in which the initialisation draws the weights.
        using var model = ModelFactory.Create(name, 3);
        var order = model.named_parameters().Select(p => p.name).Where(n => n.StartsWith(block, StringComparison.Ordinal))
            .Select(n => n[block.Length..n.LastIndexOf('.')]).Distinct();
        Assert.Equal(layers.Split(' '), order);
    }

    [Fact]
    public void ResNet50_has_the_torchvision_backbone_parameter_count()
    {
        using var model = ModelFactory.Create("resnet50", 3);
        // torchvision resnet50: 25,557,032 parameters, of which the classifier holds 2048·1000 + 1000.
        Assert.Equal(25_557_032 - 2_049_000, Count(model, "backbone."));
        Assert.Equal(2048, model.FeatureDim);
        Assert.Contains(model.named_parameters(), p => p.name == "backbone.layer3.5.conv3.weight");
    }

    [Theory]
    [InlineData("small-cnn", 1, 28, 128)]
    [InlineData("resnet18-cifar", 3, 32, 512)]
    public void Encoders_give_unit_embeddings_and_pooled_features(string name, int channels, int side, int featureDim)
    {
        using var scope = NewDisposeScope();
        using var model = ModelFactory.Create(name, channels, embeddingDim: 16);
        model.eval();
        var x = randn(2, channels, side, side, generator: new Generator(1));
        var z = model.forward(x);
        Assert.Equal(new long[] { 2, 16 }, z.shape);
        Assert.Equal(1.0, z.norm(1).min().item<float>(), 4);
        Assert.Equal(new long[] { 2, featureDim }, model.Features(x).shape);
    }

    [Fact]
    public void Mlp_head_is_named_like_a_sequential()
    {
        using var model = ModelFactory.Create("small-cnn", 1, mlpHead: true);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("fc.0.weight", names);
        Assert.Contains("fc.2.bias", names);
    }

    [Fact]
    public void Unknown_model_names_list_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelFactory.Create("resnet19", 3));
        Assert.Contains("resnet18-cifar", e.Message);
    }
}
