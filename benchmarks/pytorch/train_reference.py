#!/usr/bin/python3
"""An independent PyTorch implementation of ContrastiveLab's training protocol (docs/paper.md §1-§2) with a memory
bank or in-batch negatives,
for end-to-end parity runs beside `contrastive train` (docs/parity-end-to-end.md).

Written from the protocol with torchvision transforms, a DataLoader and PyTorch's own RNG streams; only the
definitions of the numbers it reports follow our code (src/ContrastiveLab/Training/Trainer.cs, Evaluator.cs and
src/ContrastiveLab.Core/Metrics), and the encoder is benchmarks/pytorch/reference.py's SmallCnn, which matches
ours layer by layer. Scope: the bundled fashion-mnist-subset, small-cnn with a linear head, the contrastive loss
against a memory bank or in-batch negatives (--negatives).

Run with Debian's PyTorch (python3-torch, python3-torchvision, python3-numpy):
    /usr/bin/python3 benchmarks/pytorch/train_reference.py --out DIR [--seed 1] [--tau 0.2] [--epochs 30] ...
    /usr/bin/python3 benchmarks/pytorch/train_reference.py --check-metrics DIR [--contrastive-dll DLL]

The run folder gets config.json, metrics.csv (one row per epoch, epoch 0 = the untrained encoder, the same
columns as ours), summary.json, test_embeddings.npy and test_labels.npy.
"""
import argparse
import csv
import gzip
import json
import math
import os
import platform
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
import torchvision.transforms as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import ContrastiveEncoder, SmallCnn  # noqa: E402  (the encoder that matches ours layer by layer)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_DATA = os.path.join(REPO, "data", "fashion-mnist-subset")
FASHION_MEAN, FASHION_STD = 0.2860, 0.3530
# Train presets of src/ContrastiveLab/Augmentation/AugmentationPresets.cs: name -> smallest crop area fraction.
AUGMENTATIONS = {"fashion-mnist": 0.2, "fashion-mnist-mild": 0.5}


# ---- data: gzipped IDX files, the first N images per class in file order (ImageSplitSource.FirstPerClass)
def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic == 2051:
        n, rows, cols = (int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(3))
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, rows, cols)
    if magic == 2049:
        n = int.from_bytes(data[4:8], "big")
        return np.frombuffer(data, dtype=np.uint8, offset=8)[:n].astype(np.int64)
    raise ValueError(f"{path}: not an IDX image (2051) or label (2049) file (magic {magic})")


def find(folder, stem):
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise FileNotFoundError(f"{folder} has no {stem}.gz (or {stem})")


def load_split(folder, prefix):
    images = read_idx(find(folder, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find(folder, f"{prefix}-labels-idx1-ubyte"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{folder}: {images.shape[0]} {prefix} images but {labels.shape[0]} labels")
    return images, labels


def first_per_class(labels, per_class):
    taken, rows = {}, []
    for i, y in enumerate(labels.tolist()):
        if taken.get(y, 0) < per_class:
            rows.append(i)
            taken[y] = taken.get(y, 0) + 1
    return np.asarray(rows, dtype=np.int64)


def to_unit_float(images):
    """(N, 28, 28) uint8 -> (N, 1, 28, 28) float32 in [0, 1]."""
    return torch.from_numpy(np.array(images, dtype=np.float32)).unsqueeze(1).div_(255.0)


def normalise(x):
    return (x - FASHION_MEAN) / FASHION_STD


# ---- augmentation: torchvision's transforms on float tensors in [0, 1]
def train_transform(crop_scale_min):
    """RandomResizedCrop(28, scale (min, 1), ratio 3/4-4/3, bilinear WITH antialiasing as PIL and ours do; torchvision
    0.14 leaves antialias off for tensors unless asked), horizontal flip 0.5, ColorJitter(brightness 0.4, contrast 0.4)
    (on one channel contrast blends with the image mean, brightness scales; both clamp to [0, 1]), normalise."""
    return T.Compose([
        T.RandomResizedCrop(28, scale=(crop_scale_min, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                            interpolation=T.InterpolationMode.BILINEAR, antialias=True),
        T.RandomHorizontalFlip(0.5),
        T.ColorJitter(brightness=0.4, contrast=0.4),
        T.Normalize([FASHION_MEAN], [FASHION_STD]),
    ])


class AugmentedImages(torch.utils.data.Dataset):
    """One augmented view per image (memory bank) or two (in-batch), with the image's index (the memory-bank row)."""

    def __init__(self, images, transform, views=1):
        self.images, self.transform, self.views = images, transform, views

    def __len__(self):
        return self.images.shape[0]

    def __getitem__(self, index):
        image = self.images[index]
        return tuple(self.transform(image) for _ in range(self.views)) + (index,)


def augmented_views(images, transform, seed):
    """Augmented views of every image, drawn from a private RNG stream (the training stream is left untouched)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.stack([transform(img) for img in images])


# ---- schedule: LearningRateSchedule.CosineWithWarmup per step, or the paper's step decay per epoch
def cosine_with_warmup(base, step, total, warmup=0, final=0.0):
    if total <= 0:
        return base
    if step < warmup:
        return base * (step + 1) / warmup
    progress = min(1.0, max(0.0, (step - warmup) / max(1, total - warmup)))
    return base * (final + (1 - final) * 0.5 * (1 + math.cos(math.pi * progress)))


def step_decay(base, epoch0, epochs, milestones=(160 / 200, 190 / 200), gamma=0.1):
    lr = base
    for m in milestones:
        if epoch0 >= round(m * epochs):  # Python's round, like .NET's Math.Round, rounds halves to even
            lr *= gamma
    return lr


def learning_rate(args, epoch, batch_index, batches_per_epoch):
    """Learning rate of the step at (epoch from 1, batch index from 0)."""
    if args.schedule == "step":
        return step_decay(args.lr, epoch - 1, args.epochs)
    return cosine_with_warmup(args.lr, (epoch - 1) * batches_per_epoch + batch_index, args.epochs * batches_per_epoch,
                              args.warmup_epochs * batches_per_epoch)


# ---- evaluation
@torch.no_grad()
def embed(model, x, batch=512, features=False):
    """Embeddings (and, with features=True, the pooled backbone features) of x in eval mode."""
    was_training = model.training
    model.eval()
    zs, hs = [], []
    for start in range(0, x.shape[0], batch):
        h = model.backbone(x[start:start + batch])
        zs.append(F.normalize(model.fc(h), p=2, dim=1))
        hs.append(h)
    model.train(was_training)
    z = torch.cat(zs)
    return (z, torch.cat(hs)) if features else z


@torch.no_grad()
def knn_top1(train_z, train_y, test_z, test_y, classes, k=200, sigma=0.07, chunk=1024):
    """Weighted kNN (Wu et al. 2018): the K most similar training rows vote with weight exp(s/sigma); a fraction."""
    k = min(k, train_z.shape[0])
    correct = 0
    for start in range(0, test_z.shape[0], chunk):
        sims = test_z[start:start + chunk] @ train_z.t()
        top, idx = sims.topk(k, dim=1)
        votes = torch.zeros(sims.shape[0], classes, dtype=top.dtype)
        votes.scatter_add_(1, train_y[idx], (top / sigma).exp())
        correct += (votes.argmax(1) == test_y[start:start + chunk]).sum().item()
    return correct / test_z.shape[0] if test_z.shape[0] else 0.0


@torch.no_grad()
def diagnostics(anchors, rows, anchor_labels, reference, reference_labels, tau, chunk=256):
    """The paper's diagnostics of anchors (augmented views of training images) against a reference set (the memory
    bank, or clean embeddings of every training image), each anchor's own reference row left out; in float64.
      neg_uniformity  -log mean_{i, j != row_i} exp(-2 |a_i - m_j|^2)          (Eq. 10, t = 2)
      tolerance       mean_i mean_{j != row_i, y_j = y_i} a_i . m_j, over anchors with such j   (Eq. 11)
      penalty_entropy mean_i H(softmax_{j != row_i}(s_ij / tau))  (Eq. 5); effective_negatives mean_i exp(H_i)
      pos_sim         median_i a_i . m_{row_i};  negK  median_i of the K-th largest s_ij, j != row_i (K <= 10)
    Rows are L2-normalised first."""
    a = F.normalize(anchors.double(), p=2, dim=1)
    m = F.normalize(reference.double(), p=2, dim=1)
    b, n = a.shape[0], m.shape[0]
    ranks = min(10, n - 1)
    kernel_sum = 0.0
    same_sum, same_count, entropy, top = [], [], [], []
    for start in range(0, b, chunk):
        s = a[start:start + chunk] @ m.t()
        c = s.shape[0]
        own = torch.zeros(c, n, dtype=torch.bool)
        own[torch.arange(c), rows[start:start + c]] = True
        kernel_sum += torch.exp(4.0 * (s - 1.0)).masked_fill(own, 0.0).sum().item()  # exp(-2|a-m|^2) = exp(4(s-1))
        same = (reference_labels.unsqueeze(0) == anchor_labels[start:start + c].unsqueeze(1)) & ~own
        same_sum.append((s * same).sum(1))
        same_count.append(same.sum(1))
        log_p = (s / tau).masked_fill(own, float("-inf")).log_softmax(1)
        entropy.append(-(log_p.exp() * log_p.masked_fill(own, 0.0)).sum(1))
        top.append(s.masked_fill(own, float("-inf")).topk(ranks, dim=1).values)
    same_sum, same_count = torch.cat(same_sum), torch.cat(same_count)
    keep = same_count >= 1
    entropy, top = torch.cat(entropy), torch.cat(top)
    result = {
        "neg_uniformity": -(math.log(kernel_sum) - math.log(b * (n - 1.0))),
        "tolerance": (same_sum[keep] / same_count[keep]).mean().item() if keep.any() else float("nan"),
        "penalty_entropy": entropy.mean().item(),
        "effective_negatives": entropy.exp().mean().item(),
        "pos_sim": float(np.median((a * m[rows]).sum(1).numpy())),
    }
    for k in range(ranks):
        result[f"neg{k + 1}"] = float(np.median(top[:, k].numpy()))
    return result


def memory_bank_loss(z, bank, index, tau):
    """Eq. 1 against a memory bank: positive = the image's own bank row, negatives = every other row; the mean over
    the batch of -s_ii/tau + log(exp(s_ii/tau) + sum_{j != i} exp(s_ij/tau)), i.e. cross-entropy over all rows."""
    return F.cross_entropy(z @ bank.t() / tau, index)


def in_batch_loss(z1, z2, tau):
    """Eq. 1 within the batch, symmetrised: each first view against every second view (its own is the positive, the
    other B - 1 the negatives), and the same with the views swapped; the mean of the two."""
    targets = torch.arange(z1.shape[0])
    return (F.cross_entropy(z1 @ z2.t() / tau, targets) + F.cross_entropy(z2 @ z1.t() / tau, targets)) / 2


# ---- output
def fmt(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def write_metrics(path, history):
    columns = []
    for row in history:
        columns += [k for k in row if k not in columns]
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for row in history:
            w.writerow([fmt(row.get(c)) for c in columns])
    os.replace(tmp, path)


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2, allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)


def finite_or_none(v):
    return v if isinstance(v, (int, float)) and math.isfinite(v) else None


def epoch_line(row):
    parts = []
    if math.isfinite(row.get("loss", float("nan"))):
        parts.append(f"loss {row['loss']:.4f}")
    if math.isfinite(row.get("knn_top1", float("nan"))):
        parts.append(f"kNN {100 * row['knn_top1']:.2f} %")
    for key, label in (("neg_uniformity", "-uniformity"), ("tolerance", "tolerance")):
        if key in row and math.isfinite(row[key]):
            parts.append(f"{label} {row[key]:.3f}")
    if math.isfinite(row.get("images_per_s", float("nan"))):
        parts.append(f"{row['images_per_s']:.0f} img/s")
    name = "epoch 0 (untrained)" if row["epoch"] == 0 else f"epoch {row['epoch']}"
    return f"{name}: {', '.join(parts)}"


def seed_for(seed, *stream):
    """A 63-bit seed for one named RNG stream of a run."""
    return int(np.random.SeedSequence([seed, *stream]).generate_state(2, dtype=np.uint64)[0] >> np.uint64(1))


# ---- training
def train(args):
    wall = time.perf_counter()
    if os.path.exists(os.path.join(args.out, "summary.json")):
        raise SystemExit(f"{args.out} already holds a finished run (summary.json); use another --out")
    os.makedirs(args.out, exist_ok=True)

    train_images, train_labels = load_split(args.data, "train")
    test_images, test_labels = load_split(args.data, "t10k")
    classes = int(train_labels.max()) + 1
    if args.train_per_class is not None:
        rows = first_per_class(train_labels, args.train_per_class)
        train_images, train_labels = train_images[rows], train_labels[rows]
    x_train, x_test = to_unit_float(train_images), to_unit_float(test_images)
    y_train, y_test = torch.from_numpy(train_labels), torch.from_numpy(test_labels)
    n_train = x_train.shape[0]
    if args.batch_size > n_train:
        raise SystemExit(f"batch-size = {args.batch_size} exceeds the {n_train} training images")
    x_train_clean, x_test_clean = normalise(x_train), normalise(x_test)

    config = {
        "framework": f"pytorch {torch.__version__}, torchvision {torchvision.__version__}",
        "dataset": "fashion-mnist-subset" if os.path.samefile(args.data, DEFAULT_DATA) else "idx:" + os.path.abspath(args.data),
        "data_path": os.path.abspath(args.data), "train_per_class": args.train_per_class,
        "model": "small-cnn", "head": "linear", "embedding_dim": args.embedding_dim, "negatives": args.negatives,
        "loss": "contrastive", "tau": args.tau, "augmentation": args.augmentation, "epochs": args.epochs,
        "batch_size": args.batch_size, "lr": args.lr, "momentum": args.momentum, "weight_decay": args.weight_decay,
        "schedule": args.schedule, "warmup_epochs": args.warmup_epochs, "bank_momentum": args.bank_momentum,
        "bank_init": args.bank_init, "seed": args.seed, "workers": args.workers, "eval_every": args.eval_every,
        "diagnostic_anchors": args.diagnostic_anchors, "knn_k": args.knn_k, "knn_sigma": args.knn_sigma,
        "threads": torch.get_num_threads(),
    }
    write_json(os.path.join(args.out, "config.json"), config)

    # Independent RNG streams, all from --seed: model initialisation, bank, shuffling, augmentation, anchors.
    torch.manual_seed(seed_for(args.seed, 0))
    model = ContrastiveEncoder(SmallCnn(1), args.embedding_dim).train()
    bank_generator = torch.Generator().manual_seed(seed_for(args.seed, 1))
    a = 1.0 / math.sqrt(args.embedding_dim / 3.0)
    bank = torch.rand(n_train, args.embedding_dim, generator=bank_generator) * (2 * a) - a  # uniform(-a, a)
    order_generator = torch.Generator().manual_seed(seed_for(args.seed, 2))
    torch.manual_seed(seed_for(args.seed, 3))  # the global stream: torchvision's random choices (0 workers)
    anchor_rows = torch.from_numpy(np.random.default_rng(seed_for(args.seed, 4)).permutation(n_train)[:min(args.diagnostic_anchors, n_train)])
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)

    transform = train_transform(AUGMENTATIONS[args.augmentation])
    in_batch = args.negatives == "in-batch"
    loader = torch.utils.data.DataLoader(AugmentedImages(x_train, transform, 2 if in_batch else 1), batch_size=args.batch_size, shuffle=True,
                                         drop_last=True, num_workers=args.workers, generator=order_generator)
    batches_per_epoch = len(loader)
    print(f"run: contrastive tau={args.tau} {args.negatives} small-cnn (PyTorch {torch.__version__}), {args.epochs} epochs, "
          f"batch {args.batch_size}, lr {args.lr}, seed {args.seed}; {n_train} train / {x_test.shape[0]} test images, "
          f"augmentation {args.augmentation}, {torch.get_num_threads()} thread(s)", flush=True)

    def evaluate(epoch, step, loss, lr, rate, use_bank, initialise_bank=False):
        nonlocal bank
        train_z, train_h = embed(model, x_train_clean, features=True)
        test_z, test_h = embed(model, x_test_clean, features=True)
        if initialise_bank:
            bank = train_z.clone()
        row = {"epoch": epoch, "step": step, "lr": lr, "loss": loss, "images_per_s": rate,
               "knn_top1": knn_top1(train_z, y_train, test_z, y_test, classes, args.knn_k, args.knn_sigma),
               "knn_bank_top1": knn_top1(bank, y_train, test_z, y_test, classes, args.knn_k, args.knn_sigma) if use_bank else float("nan"),
               "knn_backbone_top1": knn_top1(F.normalize(train_h, dim=1), y_train, F.normalize(test_h, dim=1), y_test, classes, args.knn_k, args.knn_sigma)}
        reference = bank if use_bank else train_z
        views = augmented_views(x_train[anchor_rows], transform, seed_for(args.seed, 5, epoch))
        anchors = embed(model, views)
        row.update(diagnostics(anchors, anchor_rows, y_train[anchor_rows], reference, y_train, args.tau))
        return row

    history = []
    nan = float("nan")
    history.append(evaluate(0, 0, nan, nan, nan, use_bank=False, initialise_bank=not in_batch and args.bank_init == "encoder" and args.epochs > 0))
    write_metrics(os.path.join(args.out, "metrics.csv"), history)
    print(epoch_line(history[-1]), flush=True)

    step = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        started = time.perf_counter()
        loss_sum, loss_count, images, lr = 0.0, 0, 0, args.lr
        for batch_index, (*views, index) in enumerate(loader):
            lr = learning_rate(args, epoch, batch_index, batches_per_epoch)
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.zero_grad()
            if in_batch:
                # Both views in one forward pass, so batch norm sees them together.
                z = model(torch.cat(views, 0))
                loss = in_batch_loss(z[:index.shape[0]], z[index.shape[0]:], args.tau)
            else:
                z = model(views[0])
                loss = memory_bank_loss(z, bank, index, args.tau)
            loss.backward()
            optimizer.step()
            if not in_batch:
                with torch.no_grad():
                    mixed = bank[index] * args.bank_momentum + z.detach() * (1 - args.bank_momentum)
                    bank[index] = F.normalize(mixed, p=2, dim=1)
            value = loss.item()
            if not math.isfinite(value):
                raise SystemExit(f"loss became {value} at epoch {epoch}, step {batch_index + 1} (global step {step + 1})")
            loss_sum += value
            loss_count += 1
            images += index.shape[0]
            step += 1
        seconds = time.perf_counter() - started
        mean_loss, rate = loss_sum / max(1, loss_count), images / max(1e-9, seconds)
        if epoch % args.eval_every == 0 or epoch == args.epochs:
            row = evaluate(epoch, step, mean_loss, lr, rate, use_bank=not in_batch)
        else:
            row = {"epoch": epoch, "step": step, "lr": lr, "loss": mean_loss, "images_per_s": rate, "knn_top1": nan}
        history.append(row)
        write_metrics(os.path.join(args.out, "metrics.csv"), history)
        print(epoch_line(row), flush=True)

    test_z = embed(model, x_test_clean)
    np.save(os.path.join(args.out, "test_embeddings.npy"), test_z.numpy().astype(np.float32))
    np.save(os.path.join(args.out, "test_labels.npy"), y_test.numpy().astype(np.int64))
    final = history[-1]
    knns = [r["knn_top1"] for r in history if math.isfinite(r["knn_top1"])]
    rates = [r["images_per_s"] for r in history if math.isfinite(r.get("images_per_s", nan))]
    summary = {
        "status": "finished", "framework": config["framework"], "dataset": "fashion-mnist-subset", "model": "small-cnn",
        "negatives": args.negatives, "loss": "contrastive", "tau": args.tau, "epochs": args.epochs, "steps": step,
        "seed": args.seed, "train_images": n_train, "test_images": int(x_test.shape[0]),
        "knn_top1": finite_or_none(final["knn_top1"]), "best_knn_top1": max(knns) if knns else None,
        "final": {k: finite_or_none(v) for k, v in final.items()},
        "wall_seconds": time.perf_counter() - wall, "threads": torch.get_num_threads(), "device": "cpu",
        "mean_images_per_s": sum(rates) / len(rates) if rates else None,
        "python": platform.python_version(),
    }
    write_json(os.path.join(args.out, "summary.json"), summary)
    print(f"finished: kNN top-1 {100 * final['knn_top1']:.2f} % after {args.epochs} epoch(s) in {summary['wall_seconds']:.0f} s", flush=True)
    return 0


# ---- cross-check of the metric definitions against `contrastive analyze`
def check_metrics(args):
    """Writes a fixed random embedding set (EMB.npy, L.npy, P.npy), computes the diagnostics here with each row's own
    entry left out, and compares with `contrastive analyze` (set-wise over the same rows) when the CLI is at hand."""
    os.makedirs(args.check_metrics, exist_ok=True)
    rng = np.random.default_rng(12345)
    n, d, classes, tau = 2000, 128, 10, args.tau
    labels = rng.integers(0, classes, n).astype(np.int64)
    centres = rng.standard_normal((classes, d))
    emb = (centres[labels] * 0.35 + rng.standard_normal((n, d))).astype(np.float32)
    pos = (emb + 0.5 * rng.standard_normal((n, d))).astype(np.float32)
    paths = {name: os.path.join(args.check_metrics, name + ".npy") for name in ("EMB", "L", "P")}
    np.save(paths["EMB"], emb)
    np.save(paths["L"], labels)
    np.save(paths["P"], pos)
    z, p, y, rows = torch.from_numpy(emb), torch.from_numpy(pos), torch.from_numpy(labels), torch.arange(n)
    self_set = diagnostics(z, rows, y, z, y, tau)        # reference = the set itself: set-wise over pairs i != j
    against_p = diagnostics(z, rows, y, p, y, tau)       # reference = positives: s_ij = z_i . p_j, j != i
    zn, pn = F.normalize(z.double(), dim=1), F.normalize(p.double(), dim=1)
    pytorch = {
        "uniformity": -self_set["neg_uniformity"],
        "tolerance": self_set["tolerance"],
        "penalty_entropy (negatives: the set)": self_set["penalty_entropy"],
        "effective_negatives (negatives: the set)": self_set["effective_negatives"],
        "penalty_entropy (negatives: positives)": against_p["penalty_entropy"],
        "effective_negatives (negatives: positives)": against_p["effective_negatives"],
        "loss_contrastive (bank = positives)": memory_bank_loss(zn, pn, rows, tau).item(),
    }
    dll = args.contrastive_dll or os.path.join(REPO, "src", "ContrastiveLab.Cli", "bin", "Release", "net10.0", "contrastive.dll")
    if not os.path.exists(dll):
        for k, v in pytorch.items():
            print(f"{k:44s} PyTorch {v:.9f}")
        print(f"(no {dll}: build the CLI to compare with `contrastive analyze`)")
        return 0
    jsons = {}
    for name, extra in (("set", []), ("positives", ["--positives", paths["P"]])):
        out = os.path.join(args.check_metrics, f"analyze_{name}.json")
        done = subprocess.run(["dotnet", dll, "analyze", paths["EMB"], "--labels", paths["L"], *extra, "--tau", repr(tau),
                               "--json", out, "--threads", str(max(1, torch.get_num_threads())), "--device", "cpu"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"contrastive analyze failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        with open(out) as f:
            jsons[name] = json.load(f)
    csharp = {
        "uniformity": jsons["set"]["uniformity"],
        "tolerance": jsons["set"]["tolerance"],
        "penalty_entropy (negatives: the set)": jsons["set"]["per_tau"][0]["penalty_entropy"],
        "effective_negatives (negatives: the set)": jsons["set"]["per_tau"][0]["effective_negatives"],
        "penalty_entropy (negatives: positives)": jsons["positives"]["per_tau"][0]["penalty_entropy"],
        "effective_negatives (negatives: positives)": jsons["positives"]["per_tau"][0]["effective_negatives"],
        "loss_contrastive (bank = positives)": jsons["positives"]["per_tau"][0]["loss_contrastive"],
    }
    ok = True
    for k, v in pytorch.items():
        gap = abs(v - csharp[k])
        passed = gap <= 1e-5 * max(1.0, abs(csharp[k]))
        ok &= passed
        print(f"{k:44s} {'ok  ' if passed else 'FAIL'} PyTorch {v:.9f}  C# {csharp[k]:.9f}  |difference| {gap:.1e}")
    print("check: the definitions agree to 1e-5" if ok else "check: MISMATCH")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="run folder")
    parser.add_argument("--data", default=DEFAULT_DATA, help="folder with the gzipped IDX files (default: the bundled subset)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tau", type=float, default=0.2)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.06)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--schedule", choices=["cosine", "step"], default="cosine")
    parser.add_argument("--warmup-epochs", type=int, default=0)
    parser.add_argument("--negatives", choices=["memory-bank", "in-batch"], default="memory-bank")
    parser.add_argument("--bank-momentum", type=float, default=0.5)
    parser.add_argument("--bank-init", choices=["random", "encoder"], default="random")
    parser.add_argument("--embedding-dim", type=int, default=128)
    parser.add_argument("--train-per-class", type=int, default=None)
    parser.add_argument("--augmentation", choices=sorted(AUGMENTATIONS), default="fashion-mnist")
    parser.add_argument("--eval-every", type=int, default=1)
    parser.add_argument("--diagnostic-anchors", type=int, default=1000)
    parser.add_argument("--knn-k", type=int, default=200)
    parser.add_argument("--knn-sigma", type=float, default=0.07)
    parser.add_argument("--workers", type=int, choices=[0, 1], default=0, help="DataLoader worker processes")
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: PyTorch's default)")
    parser.add_argument("--check-metrics", metavar="DIR", help="cross-check the metric definitions with `contrastive analyze`, then exit")
    parser.add_argument("--contrastive-dll", help="path of contrastive.dll for --check-metrics (default: the Release build)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(1)
    if args.check_metrics:
        return check_metrics(args)
    if not args.out:
        parser.error("--out is required")
    for name in ("epochs", "eval_every", "batch_size", "diagnostic_anchors", "knn_k"):
        if getattr(args, name) < (0 if name == "epochs" else 1):
            parser.error(f"--{name.replace('_', '-')} is out of range")
    if args.train_per_class is not None and args.train_per_class < 1:
        parser.error("--train-per-class must be >= 1")
    if not (args.tau > 0 and 0 <= args.bank_momentum < 1):
        parser.error("--tau must be > 0 and --bank-momentum in [0, 1)")
    return train(args)


if __name__ == "__main__":
    sys.exit(main())
