#!/usr/bin/python3
"""PyTorch reference for `contrastive bench`: workloads 1-5 and 7 with the same models (layer by layer), batch
sizes, shapes, step counts and algorithms as src/ContrastiveLab/Bench, printing the same JSON.

Run with Debian's PyTorch + OpenBLAS (apt-get install python3-torch libopenblas0-openmp):
    /usr/bin/python3 benchmarks/pytorch/reference.py [--only NAME,...] [--json OUT|-] [--repeats N] [--smoke]
    /usr/bin/python3 benchmarks/pytorch/reference.py --check DIR   # DIR from `contrastive bench --write-check DIR`
"""
import argparse
import ctypes
import gc
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TAU = 0.2


# ---- models: src/ContrastiveLab/Models/SmallCnn.cs, ResNet.cs, BasicBlock.cs, ContrastiveEncoder.cs
def initialise(module):
    """ResNetParts.Initialise: Kaiming normal (fan out, ReLU) for convolutions, batch norm to identity."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


class SmallCnn(nn.Module):
    def __init__(self, in_channels=1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1, bias=False), nn.BatchNorm2d(128), nn.ReLU(inplace=True))
        self.feature_dim = 128
        initialise(self)

    def forward(self, x):
        return F.adaptive_avg_pool2d(self.features(x), (1, 1)).flatten(1)


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(h.add_(identity))


class ResNet18Cifar(nn.Module):
    def __init__(self, in_channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 64, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        planes_in = 64
        layers = []
        for planes, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers.append(nn.Sequential(BasicBlock(planes_in, planes, stride), BasicBlock(planes, planes, 1)))
            planes_in = planes
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.feature_dim = 512
        initialise(self)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.layer4(self.layer3(self.layer2(self.layer1(h))))
        return F.adaptive_avg_pool2d(h, (1, 1)).flatten(1)


class ContrastiveEncoder(nn.Module):
    def __init__(self, backbone, embedding_dim=128):
        super().__init__()
        self.backbone = backbone
        self.fc = nn.Linear(backbone.feature_dim, embedding_dim)

    def forward(self, x):
        return F.normalize(self.fc(self.backbone(x)), p=2, dim=1)


# ---- the contrastive loss: src/ContrastiveLab.Core/Losses/ContrastiveLoss.cs and BankScan.cs
DENSE_ELEMENT_LIMIT = 16 << 20
CHUNK_ELEMENTS = 4 << 20


def masked_similarities(anchors, bank, exclude, start=0):
    s = anchors @ bank.t()
    if exclude is None:
        return s
    columns = torch.arange(start, start + bank.shape[0])
    return s.masked_fill(columns.unsqueeze(0).eq(exclude.unsqueeze(1)), float("-inf"))


def contrastive_loss(anchors, positives, bank, exclude, tau, chunk_rows=None):
    """Mean over anchors of -s_ii/tau + logsumexp({s_ii/tau} + {s_ij/tau : j negative}); chunked like BankScan
    (exact value and anchor gradient, no bank gradient) when B*M exceeds 16M or chunk_rows is given."""
    pos = (anchors * positives).sum(1) / tau
    b, m = anchors.shape[0], bank.shape[0]
    if chunk_rows is None and (bank.requires_grad or b * m <= DENSE_ELEMENT_LIMIT):
        s = masked_similarities(anchors, bank, exclude)
        lse = torch.cat([pos.unsqueeze(1), s / tau], 1).logsumexp(1)
        return (lse - pos).mean()
    rows = chunk_rows or max(1, CHUNK_ELEMENTS // b)
    with torch.no_grad():
        a = anchors.detach()
        mx = pos.detach().clone()
        total = torch.ones_like(mx)
        weighted = torch.zeros_like(a)
        for start in range(0, m, rows):
            chunk = bank.narrow(0, start, min(rows, m - start))
            z = masked_similarities(a, chunk, exclude, start).div_(tau)
            new_max = torch.maximum(mx, z.amax(1))
            rescale = (mx - new_max).exp_()
            p = z.sub_(new_max.unsqueeze(1)).exp_()
            total.mul_(rescale).add_(p.sum(1))
            weighted.mul_(rescale.unsqueeze(1)).addmm_(p, chunk)
            mx.copy_(new_max)
        lse = mx + total.log()
        weighted = weighted / total.unsqueeze(1)
    positive_weight = (pos.detach() - lse).exp()
    linear = positive_weight * pos + (anchors * weighted).sum(1) / tau
    surrogate = linear + (lse - linear.detach())
    return (surrogate - pos).mean()


def inbatch_loss(anchors, positives, tau):
    return contrastive_loss(anchors, positives, positives, torch.arange(anchors.shape[0]), tau)


# ---- metrics: src/ContrastiveLab.Core/Metrics/Uniformity.cs, Tolerance.cs, SimilarityChunks.cs
def uniformity(embeddings, t=2.0):
    z = F.normalize(embeddings.double(), p=2, dim=1).float()
    n = z.shape[0]
    rows = min(n, max(1, (1 << 24) // n))
    buffer = torch.empty(rows * n)
    lower = torch.ones(rows, rows, dtype=torch.bool).tril()
    lse = float("-inf")
    for start in range(0, n, rows):
        c, w = min(rows, n - start), n - start
        s = buffer.narrow(0, 0, c * w).view(c, w)
        torch.addmm(s, z.narrow(0, start, c), z.narrow(0, start, w).t(), beta=0, alpha=1, out=s)
        s.narrow(1, 0, c).masked_fill_(lower[:c, :c], float("-inf"))
        s.mul_(2 * t).sub_(2 * t)
        if 4 * t > 80:
            mx = s.max().double().item()
            if mx == float("-inf"):
                continue
            total = s.sub_(mx).exp_().sum(dtype=torch.float64).item()
        else:  # 2t(s - 1) in [-4t, 0]: no max shift needed (Uniformity.AddBlock)
            mx, total = 0.0, s.exp_().sum(1).sum(dtype=torch.float64).item()
            if total == 0:
                continue
        block = mx + math.log(total)
        hi, lo = max(lse, block), min(lse, block)
        lse = hi + math.log1p(math.exp(lo - hi)) if lo != float("-inf") else hi
    return lse - math.log(n * (n - 1.0) / 2)


def tolerance(embeddings, labels):
    z = F.normalize(embeddings.double(), p=2, dim=1)
    classes, inverse = labels.unique(sorted=True, return_inverse=True)
    sums = torch.zeros(classes.shape[0], z.shape[1], dtype=torch.float64).index_add_(0, inverse, z)
    counts = torch.zeros(classes.shape[0], dtype=torch.float64).index_add_(0, inverse, torch.ones(z.shape[0], dtype=torch.float64))
    same = (z * sums.index_select(0, inverse)).sum(1) - (z * z).sum(1)
    n = counts.index_select(0, inverse) - 1
    keep = n.ge(1)
    return (same[keep] / n[keep]).sum().item() / keep.sum().item()


# ---- timing
def median_seconds(body, warmups, repeats):
    for _ in range(warmups):
        body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def reset_peak():
    """Hands the heap's free memory back (malloc_trim, as the C# side does), then resets VmHWM to VmRSS."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def status_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


def result(name, figures, note="", variant=""):
    return dict(name=name, variant=variant, framework="pytorch " + torch.__version__, **figures, note=note)


# ---- workloads: one function each, mirroring src/ContrastiveLab/Bench/*Workload.cs
class TrainingStep:
    """TrainingStepBench: forward, loss, backward, SGD(0.06, 0.9, wd 5e-4) (+ memory-bank update, momentum 0.5)."""

    def __init__(self, model, channels, size, batch, bank_size):
        torch.manual_seed(1)
        self.batch = batch
        backbone = SmallCnn(channels) if model == "small-cnn" else ResNet18Cifar(channels)
        self.model = ContrastiveEncoder(backbone).train()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.06, momentum=0.9, weight_decay=5e-4)
        self.bank = None
        if bank_size is not None:
            a = 1.0 / math.sqrt(128 / 3.0)
            self.bank = torch.rand(bank_size, 128) * (2 * a) - a
        views = 2 if self.bank is None else 1
        self.views = torch.randn(views * batch, channels, size, size)

    def step(self):
        self.optimizer.zero_grad()
        if self.bank is not None:
            indices = torch.randperm(self.bank.shape[0]).narrow(0, 0, self.batch)
            z = self.model(self.views)
            positives = self.bank.index_select(0, indices)
            value = contrastive_loss(z, positives, self.bank, indices, TAU)
            value.backward()
            self.optimizer.step()
            with torch.no_grad():
                mixed = self.bank.index_select(0, indices).mul_(0.5).add_(z.detach(), alpha=0.5)
                self.bank.index_copy_(0, indices, F.normalize(mixed, p=2, dim=1))
        else:
            both = self.model(self.views)
            z1, z2 = both.narrow(0, 0, self.batch), both.narrow(0, self.batch, self.batch)
            value = (inbatch_loss(z1, z2, TAU) + inbatch_loss(z2, z1, TAU)) / 2
            value.backward()
            self.optimizer.step()
        return value.item()

    def images_per_second(self, warmup_steps, steps_per_run, repeats):
        for _ in range(warmup_steps):
            self.step()
        seconds = median_seconds(lambda: [self.step() for _ in range(steps_per_run)], 0, repeats)
        return self.batch * steps_per_run / seconds


def train_small_cnn_bank(smoke, repeats):
    bench = TrainingStep("small-cnn", 1, 28, 8 if smoke else 256, 64 if smoke else 60_000)
    rate = bench.images_per_second(0, 1, 1) if smoke else bench.images_per_second(3, 5, repeats)
    return [result("train-small-cnn-bank", {"images_per_s": rate}, "random 1x28x28 inputs; 5 steps per timed run")]


def train_small_cnn_inbatch(smoke, repeats):
    bench = TrainingStep("small-cnn", 1, 28, 8 if smoke else 256, None)
    rate = bench.images_per_second(0, 1, 1) if smoke else bench.images_per_second(2, 3, repeats)
    return [result("train-small-cnn-inbatch", {"images_per_s": rate}, "random inputs, 2 views; images counted once")]


def train_resnet18_cifar(smoke, repeats):
    bench = TrainingStep("resnet18-cifar", 3, 32, 2 if smoke else 128, 16 if smoke else 50_000)
    rate = bench.images_per_second(0, 1, 1) if smoke else bench.images_per_second(1, 1, min(repeats, 3))
    return [result("train-resnet18-cifar", {"images_per_s": rate}, "random 3x32x32 inputs; 1 step per timed run")]


def loss_bank(smoke, repeats):
    out = []
    for m in ([1024] if smoke else [16_384, 1_281_167]):
        large = m > 100_000
        b, d = (8 if smoke else 256), 128
        warmups = 0 if smoke else (1 if large else 3)
        reps = 1 if smoke else (min(repeats, 3) if large else repeats)
        reset = reset_peak()
        baseline = status_mb("VmRSS:")
        torch.manual_seed(2)
        bank = F.normalize(torch.randn(m, d), p=2, dim=1)
        index = torch.randperm(m).narrow(0, 0, b)
        positives = bank.index_select(0, index)
        anchors = F.normalize(torch.randn(b, d), p=2, dim=1).requires_grad_()

        def once():
            if anchors.grad is not None:
                anchors.grad.zero_()
            value = contrastive_loss(anchors, positives, bank, index, 0.07)
            value.backward()
            value.item()

        ms = median_seconds(once, warmups, reps) * 1000
        del bank, positives
        out.append(result("loss-bank", {"ms": ms, "peak_rss_mb": status_mb("VmHWM:"), "baseline_rss_mb": baseline},
                          "peak: process-wide VmHWM" + (", reset (after malloc_trim) just before the bank was allocated" if reset else ""), f"m={m}"))
    return out


def metrics(smoke, repeats):
    n, d = (300 if smoke else 60_000), 128
    torch.manual_seed(3)
    embeddings = torch.randn(n, d)
    labels = torch.randint(0, 10, (n,))
    if not smoke:
        uniformity(embeddings[:4000])
    seconds = median_seconds(lambda: (uniformity(embeddings), tolerance(embeddings, labels)), 0, 1 if smoke else min(repeats, 3))
    flops = n * (n - 1) / 2.0 * 2 * d
    return [result("metrics", {"seconds": seconds, "gflops": flops / seconds / 1e9}, "float32 similarities")]


def gemm(smoke, repeats):
    n = 64 if smoke else 2048
    torch.manual_seed(4)
    a, b, c = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
    seconds = median_seconds(lambda: torch.mm(a, b, out=c), 0 if smoke else 2, repeats)
    return [result("gemm", {"gflops": 2.0 * n ** 3 / seconds / 1e9})]


WORKLOADS = {
    "train-small-cnn-bank": train_small_cnn_bank,
    "train-small-cnn-inbatch": train_small_cnn_inbatch,
    "train-resnet18-cifar": train_resnet18_cifar,
    "loss-bank": loss_bank,
    "metrics": metrics,
    "gemm": gemm,
}


# ---- verification against the C# values
def load(directory, name):
    return torch.from_numpy(np.load(os.path.join(directory, name)))


def check(directory):
    with open(os.path.join(directory, "expected.json")) as f:
        expected = json.load(f)
    tau = expected["tau"]
    bank, index = load(directory, "bank.npy"), load(directory, "index.npy")
    anchors, others = load(directory, "anchors.npy"), load(directory, "others.npy")
    embeddings, labels = load(directory, "embeddings.npy"), load(directory, "labels.npy")
    leaf = anchors.clone().requires_grad_()
    dense = contrastive_loss(leaf, bank.index_select(0, index), bank, index, tau)
    dense.backward()
    leaf_chunked = anchors.clone().requires_grad_()
    chunked = contrastive_loss(leaf_chunked, bank.index_select(0, index), bank, index, tau, chunk_rows=37)
    chunked.backward()
    ours = {
        "loss_bank": dense.item(),
        "loss_bank_chunked": chunked.item(),
        "loss_inbatch": inbatch_loss(anchors, others, tau).item(),
        "uniformity": uniformity(embeddings),
        "tolerance": tolerance(embeddings, labels),
    }
    for name, make in (("small-cnn", lambda: SmallCnn(1)), ("resnet18-cifar", lambda: ResNet18Cifar(3))):
        folder = os.path.join(directory, name)
        model = ContrastiveEncoder(make()).train()
        state = {k: load(folder, k + ".npy") for k in model.state_dict()}  # KeyError: a parameter name differs
        model.load_state_dict(state, strict=True)
        with torch.no_grad():
            output = model(load(folder, "input.npy"))
        ours["model_" + name + "_max"] = (output - load(folder, "output.npy")).abs().max().item()
        expected["model_" + name + "_max"] = 0.0
    grad = load(directory, "grad_anchors.npy")
    gaps = {k: abs(v - expected[k.replace("_chunked", "")]) for k, v in ours.items()}
    ours = {k: v for k, v in ours.items() if not k.startswith("model_")}
    gaps["grad_anchors_max"] = (leaf.grad - grad).abs().max().item()
    gaps["grad_anchors_chunked_max"] = (leaf_chunked.grad - grad).abs().max().item()
    ok = True
    for key, gap in gaps.items():
        scale = max(1.0, abs(expected.get(key, 1.0)))
        passed = gap <= 1e-5 * scale
        ok &= passed
        print(f"{key:26s} {'ok' if passed else 'FAIL'}  |difference| = {gap:.2e}" +
              (f"  (C# {expected[key.replace('_chunked', '')]:.7f}, PyTorch {ours[key]:.7f})" if key in ours else ""))
    print("check: PyTorch and TorchSharp agree to 1e-5" if ok else "check: MISMATCH")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated workload names (default: all)")
    parser.add_argument("--json", default=None, help="write the JSON to this file, or - for stdout")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--check", default=None, help="directory written by `contrastive bench --write-check DIR`")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.check:
        return check(args.check)
    names = [n for n in args.only.split(",") if n] or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        print(f"unknown workload(s) {', '.join(unknown)}; known: {', '.join(WORKLOADS)}", file=sys.stderr)
        return 2
    results = []
    for name in names:
        results.extend(WORKLOADS[name](args.smoke, args.repeats))
        if args.json != "-":
            for r in results[-1:]:
                print(json.dumps(r), file=sys.stderr)
    text = json.dumps(results, indent=2)
    if args.json == "-":
        print(text)
    elif args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
