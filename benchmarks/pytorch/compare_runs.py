#!/usr/bin/python3
"""Side-by-side table of two sets of runs of the same settings, epoch by epoch: ours (folders written by
`contrastive train`) and theirs (folders written by benchmarks/pytorch/train_reference.py).

    /usr/bin/python3 benchmarks/pytorch/compare_runs.py --ours R1 R2 R3 --theirs P1 P2 P3 [--metrics LIST] [--out FILE]

For each epoch and metric: the mean over seeds ± its standard error (s/sqrt(n)) on each side, the difference of
the means (theirs - ours) with a two-sided 95 % Welch interval (Student's t with the Welch-Satterthwaite degrees
of freedom), and a verdict: "within noise" when the interval contains 0, "differs" when it does not. Needs only
the standard library (no SciPy): the t quantile is computed here from the regularised incomplete beta function.
"""
import argparse
import csv
import json
import math
import os
import sys

# Settings that must agree between all runs compared (seed, threads and workers may differ).
SETTINGS = ["dataset", "train_per_class", "model", "head", "embedding_dim", "negatives", "loss", "tau", "augmentation",
            "epochs", "batch_size", "lr", "momentum", "weight_decay", "schedule", "warmup_epochs", "bank_momentum",
            "bank_init", "eval_every", "diagnostic_anchors", "knn_k", "knn_sigma", "max_steps"]
# Our defaults (src/ContrastiveLab/Training/TrainConfig.cs), for a key a config.json lacks.
DEFAULTS = {"dataset": "fashion-mnist-subset", "train_per_class": None, "model": "small-cnn", "head": "linear", "embedding_dim": 128,
            "negatives": "memory-bank", "loss": "contrastive", "tau": 0.2, "augmentation": None, "epochs": 30, "batch_size": 256,
            "lr": 0.06, "momentum": 0.9, "weight_decay": 5e-4, "schedule": "cosine", "warmup_epochs": 0, "bank_momentum": 0.5,
            "bank_init": "random", "eval_every": 1, "diagnostic_anchors": 1000, "knn_k": 200, "knn_sigma": 0.07,
            "max_steps": None}
LABELS = {"knn_top1": "kNN top-1 (%)", "knn_bank_top1": "kNN on bank (%)", "knn_backbone_top1": "kNN backbone (%)",
          "neg_uniformity": "−uniformity", "tolerance": "tolerance", "penalty_entropy": "penalty entropy",
          "effective_negatives": "effective negatives", "loss": "loss", "pos_sim": "pos. similarity", "images_per_s": "images/s"}
PERCENT = {"knn_top1", "knn_bank_top1", "knn_backbone_top1"}


# ---- Student's t quantile, from the regularised incomplete beta function (Numerical Recipes' continued fraction)
def _beta_cf(a, b, x):
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _beta_inc(a, b, x):
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_cf(a, b, x) / a
    return 1.0 - front * _beta_cf(b, a, 1.0 - x) / b


def t_cdf(t, dof):
    tail = 0.5 * _beta_inc(dof / 2.0, 0.5, dof / (dof + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p, dof):
    """The p quantile (p > 0.5) of Student's t with dof > 0 degrees of freedom (not necessarily whole)."""
    if math.isinf(dof):
        lo, hi, f = 0.0, 10.0, lambda x: 0.5 * math.erfc(-x / math.sqrt(2))
    else:
        lo, hi, f = 0.0, 1.0, lambda x: t_cdf(x, dof)
        while f(hi) < p:
            hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if f(mid) < p else (lo, mid)
    return 0.5 * (lo + hi)


# ---- runs
def read_run(folder):
    path = os.path.join(folder, "metrics.csv")
    if not os.path.exists(path):
        raise SystemExit(f"{folder}: no metrics.csv (not a run folder)")
    rows = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            values = {k: (float(v) if v not in ("", None) else math.nan) for k, v in row.items()}
            rows[int(values["epoch"])] = values
    config = {}
    if os.path.exists(os.path.join(folder, "config.json")):
        with open(os.path.join(folder, "config.json")) as f:
            config = json.load(f)
    settings = {k: config.get(k, DEFAULTS[k]) for k in SETTINGS}
    if settings["augmentation"] is None and settings["dataset"] == "fashion-mnist-subset":
        settings["augmentation"] = "fashion-mnist"  # the dataset's default preset
    summary = None
    if os.path.exists(os.path.join(folder, "summary.json")):
        with open(os.path.join(folder, "summary.json")) as f:
            summary = json.load(f)
    return {"folder": folder, "rows": rows, "settings": settings, "seed": config.get("seed"), "summary": summary,
            "framework": config.get("framework", "ContrastiveLab (TorchSharp)")}


def mean_se(values):
    n = len(values)
    if n == 0:
        return math.nan, math.nan, 0
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else math.nan
    if var < (1e-12 * max(1.0, abs(mean))) ** 2:
        var = 0.0  # equal values: no spread, only rounding
    return mean, var, n


def welch(a, b):
    """(difference b - a, low, high, dof) of the 95 % Welch interval; NaNs when a side has fewer than 2 values."""
    ma, va, na = mean_se(a)
    mb, vb, nb = mean_se(b)
    d = mb - ma
    if na < 2 or nb < 2:
        return d, math.nan, math.nan, math.nan
    wa, wb = va / na, vb / nb
    se = math.sqrt(wa + wb)
    if se == 0:
        return d, d, d, math.inf
    dof = (wa + wb) ** 2 / ((wa ** 2 / (na - 1) if wa else 0.0) + (wb ** 2 / (nb - 1) if wb else 0.0))
    q = t_quantile(0.975, dof)
    return d, d - q * se, d + q * se, dof


def formatter(metric):
    scale = 100.0 if metric in PERCENT else 1.0
    digits = 2 if metric in PERCENT else (1 if metric in ("effective_negatives", "images_per_s") else 3)
    return lambda v: "—" if not math.isfinite(v) else f"{v * scale:.{digits}f}"


def cell(values, fmt):
    mean, var, n = mean_se(values)
    if n == 0:
        return "—"
    return f"{fmt(mean)} (n=1)" if n == 1 else f"{fmt(mean)} ± {fmt(math.sqrt(var / n))}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ours", nargs="+", required=True, help="run folders written by `contrastive train`")
    parser.add_argument("--theirs", nargs="+", required=True, help="run folders written by train_reference.py")
    parser.add_argument("--metrics", default="knn_top1,neg_uniformity,tolerance",
                        help="comma-separated metrics.csv columns (default: knn_top1,neg_uniformity,tolerance)")
    parser.add_argument("--epochs", default=None, help="comma-separated epochs to show (default: every epoch with a value)")
    parser.add_argument("--allow-mismatch", action="store_true", help="compare even when the runs' settings differ")
    parser.add_argument("--out", default=None, help="also write the Markdown to this file")
    args = parser.parse_args()
    metrics = [m for m in args.metrics.split(",") if m]
    sides = {"ours": [read_run(f) for f in args.ours], "theirs": [read_run(f) for f in args.theirs]}
    lines = []
    out = lines.append

    # Settings: every run must agree on everything but the seed.
    problems = []
    reference = sides["ours"][0]["settings"]
    for side, runs in sides.items():
        for run in runs:
            diff = [f"{k}={run['settings'][k]!r} (vs {reference[k]!r})" for k in SETTINGS if run["settings"][k] != reference[k]]
            if diff:
                problems.append(f"{run['folder']}: " + ", ".join(diff))
            if run["summary"] is None:
                problems.append(f"{run['folder']}: no summary.json (the run has not finished)")
        seeds = [r["seed"] for r in runs]
        if len(set(seeds)) != len(seeds):
            problems.append(f"{side}: a seed appears twice ({seeds}); runs of one side must be independent")
    if problems and not args.allow_mismatch:
        for p in problems:
            print("compare_runs: " + p, file=sys.stderr)
        print("compare_runs: the runs differ in more than their seeds (or are unfinished); add --allow-mismatch to compare anyway",
              file=sys.stderr)
        return 2

    ours_name = "ours (C#)"
    theirs_name = "PyTorch " + sides["theirs"][0]["framework"].split(",")[0].replace("pytorch ", "")
    shown = {k: reference[k] for k in ("tau", "epochs", "batch_size", "lr", "bank_init", "train_per_class", "augmentation", "eval_every")}
    out("Settings: " + ", ".join(f"{k} {v}" for k, v in shown.items()))
    out("")
    for side, name in (("ours", ours_name), ("theirs", theirs_name)):
        runs = sides[side]
        rates = [r["rows"][e]["images_per_s"] for r in runs for e in r["rows"] if e > 0 and math.isfinite(r["rows"][e].get("images_per_s", math.nan))]
        walls = [r["summary"]["wall_seconds"] for r in runs if r["summary"] and r["summary"].get("wall_seconds") is not None]
        out(f"- {name}: {len(runs)} run(s), seeds {', '.join(str(r['seed']) for r in runs)}"
            + (f"; training {sum(rates) / len(rates):.0f} images/s on average" if rates else "")
            + (f"; {sum(walls) / len(walls):.0f} s wall per run" if walls else ""))
    for p in problems:
        out(f"- **warning**: {p}")
    out("")

    epochs = sorted({e for runs in sides.values() for r in runs for e in r["rows"]})
    if args.epochs:
        wanted = {int(e) for e in args.epochs.split(",") if e}
        epochs = [e for e in epochs if e in wanted]
    out(f"| epoch | metric | {ours_name} | {theirs_name} | difference (PyTorch − ours) | 95 % interval (Welch) | verdict |")
    out("|---:|---|---:|---:|---:|---:|---|")
    counted = differing = 0
    for epoch in epochs:
        for metric in metrics:
            values = {side: [r["rows"][epoch][metric] for r in runs if epoch in r["rows"] and math.isfinite(r["rows"][epoch].get(metric, math.nan))]
                      for side, runs in sides.items()}
            if not values["ours"] and not values["theirs"]:
                continue
            fmt = formatter(metric)
            d, lo, hi, dof = welch(values["ours"], values["theirs"]) if values["ours"] and values["theirs"] else (math.nan,) * 4
            if math.isfinite(lo):
                counted += 1
                inside = lo <= 0 <= hi
                differing += not inside
                verdict = "within noise" if inside else "**differs**"
                interval = f"[{fmt(lo)}, {fmt(hi)}]" + (f" (df {dof:.1f})" if math.isfinite(dof) else "")
            else:
                verdict = "n/a (needs 2+ seeds per side)" if math.isfinite(d) else "n/a (one side has no value)"
                interval = "—"
            out(f"| {epoch} | {LABELS.get(metric, metric)} | {cell(values['ours'], fmt)} | {cell(values['theirs'], fmt)} "
                f"| {fmt(d)} | {interval} | {verdict} |")
    out("")
    out("Cells: mean over seeds ± standard error (s/√n). Epoch 0 is the untrained encoder. kNN: weighted kNN "
        "(K = 200, σ = 0.07) of clean test embeddings against clean embeddings of every training image; −uniformity "
        "and tolerance: augmented views of 1,000 training anchors against "
        + ("the memory bank (epoch 0: against the clean training embeddings)" if reference["negatives"] == "memory-bank"
           else "the clean embeddings of every training image")
        + ", each anchor's own row left out.")
    if counted:
        out(f"{differing} of {counted} rows differ at 95 %; with no real difference about 1 row in 20 is expected to "
            "differ by chance, and rows of neighbouring epochs are not independent.")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
