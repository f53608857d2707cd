"""Building the right module for an export and loading its weights."""
import torch

from .models import build_backbone, build_encoder
from .safetensors_io import read_safetensors


def load_state_dict(path):
    """(state_dict, metadata) of a `.safetensors` or `.pt` export; a .pt file has no metadata."""
    if str(path).endswith(".safetensors"):
        return read_safetensors(path)
    return torch.load(path, map_location="cpu"), {}


def _first_conv(state):
    for name, tensor in state.items():
        if tensor.dim() == 4:
            return tensor
    raise ValueError("the state dict holds no convolution weight")


def load_encoder(path, model=None, head=None, embedding_dim=None):
    """The module an export was taken from, in eval mode, with its weights loaded strictly.

    A safetensors export names its model, head and embedding size in its metadata; for a .pt export pass `model`
    (and `head`, `embedding_dim` when not the defaults). The number of input channels is read from the first
    convolution. An export of the backbone alone (`--part backbone`) gives the backbone module.
    """
    state, metadata = load_state_dict(path)
    model = model or metadata.get("model")
    if model is None:
        raise ValueError(f"{path}: no model named in the file; pass model=... (small-cnn, resnet18-cifar, resnet50-cifar, resnet50)")
    in_channels = _first_conv(state).shape[1]
    if metadata.get("part") == "backbone" or not any(name.startswith("backbone.") for name in state):
        module = build_backbone(model, in_channels)
    else:
        head = head or metadata.get("head") or ("mlp" if "fc.0.weight" in state else "linear")
        last = "fc.2.weight" if head == "mlp" else "fc.weight"
        embedding_dim = embedding_dim or int(metadata.get("embedding_dim", state[last].shape[0]))
        module = build_encoder(model, in_channels, embedding_dim, head)
    module.load_state_dict(state, strict=True)
    return module.eval()
