"""Load encoders exported by ContrastiveLab (`contrastive export`) into PyTorch.

    import sys; sys.path.insert(0, "path/to/ContrastiveLab/python")
    from contrastivelab import load_encoder
    encoder = load_encoder("runs/default/export/encoder.safetensors")   # eval mode, weights loaded strictly
    z = encoder(images)          # (B, embedding_dim), unit length
    h = encoder.backbone(images) # (B, feature_dim) pooled features, for a linear probe

Needs only PyTorch and NumPy. The modules have the same layers, names and forward pass as the toolkit's
(src/ContrastiveLab/Models), so a state dict loads with strict=True.
"""
from .models import BasicBlock, Bottleneck, ContrastiveEncoder, ResNet, SmallCnn, build_backbone, build_encoder
from .safetensors_io import read_safetensors
from .loading import load_encoder, load_state_dict

__all__ = [
    "BasicBlock", "Bottleneck", "ContrastiveEncoder", "ResNet", "SmallCnn", "build_backbone", "build_encoder",
    "read_safetensors", "load_encoder", "load_state_dict",
]
