namespace ContrastiveLab.Models;

/// <summary>
/// Backbone plus projection head; <see cref="forward"/> returns L2-normalised embeddings. The head is one linear
/// layer to <c>embeddingDim</c> (the paper), named <c>fc</c> as torchvision's classifier, or an MLP
/// (<c>fc.0</c> linear, <c>fc.1</c> ReLU, <c>fc.2</c> linear). The backbone's parameters sit under <c>backbone.</c>.
/// </summary>
public sealed class ContrastiveEncoder : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> backbone;
    private readonly Module<Tensor, Tensor> fc;

    public ContrastiveEncoder(string name, Module<Tensor, Tensor> backbone, long featureDim, long embeddingDim, bool mlpHead) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        this.backbone = backbone;
        FeatureDim = featureDim;
        EmbeddingDim = embeddingDim;
        fc = mlpHead
            ? Sequential(("0", Linear(featureDim, featureDim)), ("1", ReLU(inplace: true)), ("2", Linear(featureDim, embeddingDim)))
            : Linear(featureDim, embeddingDim);
        RegisterComponents();
    }

    public long FeatureDim { get; }

    public long EmbeddingDim { get; }

    /// <summary>The backbone alone, for linear evaluation and export.</summary>
    public Module<Tensor, Tensor> Backbone => backbone;

    /// <summary>(B, C, H, W) images → (B, FeatureDim) pooled features (no head, not normalised).</summary>
    public Tensor Features(Tensor images) => backbone.call(images);

    /// <summary>(B, C, H, W) images → (B, EmbeddingDim) embeddings on the unit sphere.</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return Embeddings(backbone.call(images)).MoveToOuterDisposeScope();
    }

    /// <summary>One pass: the pooled features (as <see cref="Features"/>) and the embeddings (as <see cref="forward"/>).</summary>
    public (Tensor Features, Tensor Embeddings) FeaturesAndEmbeddings(Tensor images)
    {
        using var scope = NewDisposeScope();
        var h = backbone.call(images);
        var z = Embeddings(h);
        return (h.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope());
    }

    private Tensor Embeddings(Tensor features) => functional.normalize(fc.call(features), p: 2, dim: 1);
}
