"""The toolkit's encoders as PyTorch modules: the small CNN, CIFAR-stem and ImageNet-stem ResNets, and the
backbone-plus-head encoder. Parameter and buffer names follow the exported state dicts."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCnn(nn.Module):
    """Three 3x3 convolutions (32, 64, 128 channels), each with batch norm and ReLU, max-pooling after the first
    two, then global average pooling: 128 features."""

    feature_dim = 128

    def __init__(self, in_channels=1):
        super().__init__()
        layers = []
        channels = in_channels
        for index, width in enumerate((32, 64, 128)):
            layers += [nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
            if index < 2:
                layers.append(nn.MaxPool2d(2))
            channels = width
        self.features = nn.Sequential(*layers)

    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1)


def _shortcut(in_planes, out_planes, stride):
    if stride == 1 and in_planes == out_planes:
        return None
    return nn.Sequential(nn.Conv2d(in_planes, out_planes, 1, stride=stride, bias=False), nn.BatchNorm2d(out_planes))


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = _shortcut(in_planes, planes, stride)

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = _shortcut(in_planes, planes * 4, stride)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    """A ResNet without its classifier: pooled features out. The CIFAR stem is one 3x3 stride-1 convolution and no
    max-pool; the ImageNet stem is torchvision's 7x7 stride-2 convolution and 3x3 max-pool."""

    def __init__(self, block, depths, cifar_stem, in_channels=3):
        super().__init__()
        if cifar_stem:
            self.conv1 = nn.Conv2d(in_channels, 64, 3, stride=1, padding=1, bias=False)
            self.maxpool = None
        else:
            self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(64)
        in_planes = 64
        stages = []
        for planes, depth, stride in zip((64, 128, 256, 512), depths, (1, 2, 2, 2)):
            blocks = []
            for index in range(depth):
                blocks.append(block(in_planes, planes, stride if index == 0 else 1))
                in_planes = planes * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.feature_dim = in_planes

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        if self.maxpool is not None:
            x = self.maxpool(x)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)


class ContrastiveEncoder(nn.Module):
    """Backbone, then the head (`fc`: one linear layer, or linear-ReLU-linear as `fc.0`/`fc.2`), then L2
    normalisation."""

    def __init__(self, backbone, embedding_dim=128, head="linear"):
        super().__init__()
        self.backbone = backbone
        d = backbone.feature_dim
        if head == "linear":
            self.fc = nn.Linear(d, embedding_dim)
        elif head == "mlp":
            self.fc = nn.Sequential(nn.Linear(d, d), nn.ReLU(inplace=True), nn.Linear(d, embedding_dim))
        else:
            raise ValueError(f"unknown head '{head}'; known: linear, mlp")

    def forward(self, x):
        return F.normalize(self.fc(self.backbone(x)), p=2, dim=1)


MODELS = ("small-cnn", "resnet18-cifar", "resnet50-cifar", "resnet50")


def build_backbone(model, in_channels):
    """The backbone named as in a run's config (`model`)."""
    if model == "small-cnn":
        return SmallCnn(in_channels)
    if model == "resnet18-cifar":
        return ResNet(BasicBlock, (2, 2, 2, 2), True, in_channels)
    if model == "resnet50-cifar":
        return ResNet(Bottleneck, (3, 4, 6, 3), True, in_channels)
    if model == "resnet50":
        return ResNet(Bottleneck, (3, 4, 6, 3), False, in_channels)
    raise ValueError(f"unknown model '{model}'; known: {', '.join(MODELS)}")


def build_encoder(model, in_channels, embedding_dim=128, head="linear"):
    return ContrastiveEncoder(build_backbone(model, in_channels), embedding_dim, head)
