#!/usr/bin/env bash
# Times the training step of this working tree against an earlier commit's, on the same machine in the same
# minutes: both are built in Release, then `contrastive bench` runs alternately on each build, PAIRS times, so
# that the machine's drift (its GEMM rate can move by 2x within minutes on a shared VM) falls on both sides alike.
#
#   benchmarks/compare-builds.sh BASE_REV [PAIRS] [WORKLOADS]
#   benchmarks/compare-builds.sh 16a9cf6 5 train-small-cnn-bank,train-small-cnn-inbatch
#
# Prints each pair's figures and ratio, then the median of each side and the median of the per-pair ratios.
# The base commit is built in a temporary git worktree, removed at the end. Run it on a quiet machine.
set -euo pipefail

base_rev=${1:?usage: benchmarks/compare-builds.sh BASE_REV [PAIRS] [WORKLOADS]}
pairs=${2:-5}
workloads=${3:-train-small-cnn-bank}
root=$(git rev-parse --show-toplevel)
base_sha=$(git -C "$root" rev-parse --verify "$base_rev^{commit}")
work=$(mktemp -d)
cleanup() { git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

echo "building $base_sha (base) and the working tree (head) in Release" >&2
git -C "$root" worktree add --detach "$work/base" "$base_sha" >/dev/null 2>&1
dotnet build -c Release "$work/base/src/ContrastiveLab.Cli" -o "$work/bin-base" >/dev/null
dotnet build -c Release "$root/src/ContrastiveLab.Cli" -o "$work/bin-head" >/dev/null

run() { # $1 = side; prints "workload value" lines for the workloads' first figure
    dotnet "$work/bin-$1/contrastive.dll" bench --only "$workloads" --repeats 5 2>/dev/null |
        awk -F'[: ,]+' '/^(train|loss|metrics|gemm|augment)/ { print $1, $2 }'
}

: > "$work/all"
for ((i = 1; i <= pairs; i++)); do
    for side in base head; do
        run "$side" | sed "s/^/$i $side /" >> "$work/all"
    done
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); base $base_sha, head $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' + uncommitted changes')"
python3 - "$work/all" <<'EOF'
import sys, statistics
rows = [line.split() for line in open(sys.argv[1])]
by = {}
for pair, side, name, value in rows:
    by.setdefault(name, {}).setdefault(int(pair), {})[side] = float(value)
for name, pairs in by.items():
    print(f"\n{name}")
    print("pair   base     head     head/base")
    ratios, base, head = [], [], []
    for p in sorted(pairs):
        b, h = pairs[p].get("base"), pairs[p].get("head")
        if b is None or h is None:
            continue
        base.append(b); head.append(h); ratios.append(h / b)
        print(f"{p:<6} {b:<8g} {h:<8g} {h / b:.2f}")
    if ratios:
        print(f"median {statistics.median(base):<8g} {statistics.median(head):<8g} {statistics.median(ratios):.2f} "
              f"(per-pair ratios {min(ratios):.2f} to {max(ratios):.2f})")
EOF
