#!/usr/bin/python3
"""Independent NumPy reference for `contrastive analyze`, written from the JSON contract, not from the C# code.

Usage: analyze_reference.py EMB.npy [--labels LAB.npy] [--positives POS.npy]
                            [--tau 0.07,0.2,...] [--hard-k K] --json OUT.json

Definitions (natural logs; rows of EMB and POS are L2-normalised first; z_i = embedding rows, p_i = positives):
  uniformity        log(mean over pairs i<j of exp(-2 ||z_i - z_j||^2))
  tolerance         mean over anchors i having another row with the same label of
                    mean_{j != i, l_j = l_i} z_i . z_j                              (null without labels)
  alignment         mean_i ||z_i - p_i||^2                                          (null without positives)
  s_ij              z_i . p_j with positives, z_i . z_j without
  loss_simple       mean_i [-s_ii + (1/(N-1)) sum_{j != i} s_ij]                     (null without positives)
  per tau:
    r_i(j)              softmax over j != i of s_ij / tau
    penalty_entropy     mean_i H(r_i)
    effective_negatives mean_i exp(H(r_i))
    loss_contrastive    mean_i [-s_ii/tau + log(exp(s_ii/tau) + sum_{j != i} exp(s_ij/tau))]
    loss_hard           the same with the sum over the K largest s_ij, j != i, K = --hard-k or min(4095, N-1)
Everything is computed in float64, a block of rows at a time, so 10,000 rows need only a few hundred MB.
Uniformity's mean over pairs i<j equals the mean over ordered pairs i != j (the kernel is symmetric).
"""
import argparse
import json
import math
import os

import numpy as np

BLOCK = 1024


def unit_rows(a):
    a = np.asarray(a, dtype=np.float64)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def logsumexp_rows(a):
    """log(sum_j exp(a_ij)) per row; rows may contain -inf but not only -inf."""
    m = a.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=1, keepdims=True)))[:, 0]


def analyze(z, labels, p, taus, hard_k):
    n, dim = z.shape
    k = hard_k if hard_k is not None else min(4095, n - 1)

    # Tolerance needs no pairwise matrix: sum_{j != i, l_j = l_i} z_i.z_j = z_i.(class sum of l_i) - z_i.z_i.
    tolerance = None
    if labels is not None:
        classes, index, counts = np.unique(labels, return_inverse=True, return_counts=True)
        class_sums = np.zeros((len(classes), dim))
        np.add.at(class_sums, index, z)
        others = counts[index] - 1
        same_sum = np.einsum("ij,ij->i", z, class_sums[index]) - np.einsum("ij,ij->i", z, z)
        has = others > 0
        tolerance = float((same_sum[has] / others[has]).mean()) if has.any() else None

    all_pairs_sum = 0.0  # sum over i != j of exp(-2 ||z_i - z_j||^2)
    simple_sum = 0.0
    entropy_sum = np.zeros(len(taus))
    eff_sum = np.zeros(len(taus))
    contrast_sum = np.zeros(len(taus))
    hard_sum = np.zeros(len(taus))

    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        rows = np.arange(start, stop)
        local = rows - start

        # ||z_i - z_j||^2 from the norms and the dot product (rows are unit but use the norms anyway).
        # einsum, not @: Debian's numpy without OpenBLAS has a reference BLAS that is about twice as slow here.
        zz = np.einsum("ik,jk->ij", z[start:stop], z)
        sq = (z[start:stop] ** 2).sum(1)[:, None] + (z ** 2).sum(1)[None, :] - 2.0 * zz
        np.maximum(sq, 0.0, out=sq)
        sq[local, rows] = np.inf  # exp(-inf) = 0: drops i = j
        all_pairs_sum += np.exp(-2.0 * sq).sum()
        del sq

        s = zz if p is None else np.einsum("ik,jk->ij", z[start:stop], p)
        s_pos = s[local, rows].copy()
        if p is not None:
            simple_sum += (-s_pos + (s.sum(1) - s_pos) / (n - 1)).sum()
            # K largest negatives per row: with the diagonal at -inf it is never among them, as K <= N-1.
            s_neg = s.copy()
            s_neg[local, rows] = -np.inf
            top = np.partition(s_neg, n - k, axis=1)[:, n - k:]
            del s_neg

        for t, tau in enumerate(taus):
            a = s / tau
            a[local, rows] = -np.inf  # r_i runs over j != i only
            m = a.max(axis=1, keepdims=True)
            np.subtract(a, m, out=a)
            np.exp(a, out=a)  # e_ij = exp(s_ij/tau - m_i), zero on the diagonal
            total = a.sum(1)
            lse_neg = m[:, 0] + np.log(total)
            # H(r_i) = log sum_j e^{a_ij} - sum_j r_ij a_ij, with r_ij = e_ij / total_i; s_ii is finite and e_ii = 0.
            mean_a = np.einsum("ij,ij->i", a, s) / tau / total
            entropy = lse_neg - mean_a
            entropy_sum[t] += entropy.sum()
            eff_sum[t] += np.exp(entropy).sum()
            if p is not None:
                pos = s_pos / tau
                contrast_sum[t] += (np.logaddexp(pos, lse_neg) - pos).sum()
                hard_sum[t] += (np.logaddexp(pos, logsumexp_rows(top / tau)) - pos).sum()

    result = {
        "n": int(n),
        "dim": int(dim),
        "uniformity": math.log(all_pairs_sum / (n * (n - 1))),
        "tolerance": tolerance,
        "alignment": float(((z - p) ** 2).sum(1).mean()) if p is not None else None,
        "loss_simple": simple_sum / n if p is not None else None,
        "per_tau": [],
    }
    for t, tau in enumerate(taus):
        result["per_tau"].append({
            "tau": tau,
            "penalty_entropy": entropy_sum[t] / n,
            "effective_negatives": eff_sum[t] / n,
            "loss_contrastive": contrast_sum[t] / n if p is not None else None,
            "loss_hard": hard_sum[t] / n if p is not None else None,
        })
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("emb")
    parser.add_argument("--labels")
    parser.add_argument("--positives")
    parser.add_argument("--tau", default="0.07,0.2,0.3,0.5,0.7,1.0")
    parser.add_argument("--hard-k", type=int)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()

    z = unit_rows(np.load(args.emb))
    labels = np.load(args.labels).astype(np.int64) if args.labels else None
    p = unit_rows(np.load(args.positives)) if args.positives else None
    taus = [float(t) for t in args.tau.split(",")]
    result = analyze(z, labels, p, taus, args.hard_k)

    tmp = args.json + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=2, default=float)
    os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
