namespace ContrastiveLab.Models;

/// <summary>A network mapping (B, C, H, W) images to (B, FeatureDim) pooled features.</summary>
public interface IBackbone
{
    /// <summary>Width of the pooled feature.</summary>
    long FeatureDim { get; }

    /// <summary>(B, C, H, W) images → (B, FeatureDim) features.</summary>
    Tensor forward(Tensor images);
}
