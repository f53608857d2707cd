#!/usr/bin/python3
"""Training-step parity with our TrainingStep (src/ContrastiveLab/Training/TrainingStep.cs), per negative source.

`contrastive bench --write-parity DIR` runs 50 real training steps for each negative source and writes, in
DIR/memory-bank, DIR/in-batch and DIR/queue, the initial weights (and bank, or queue and key encoder), every step's
batch indices, augmented views and learning rate, our losses, our final state, and our whole state before every
step (trajectory/). This script replays the steps in PyTorch and compares, in two ways:

  stepwise  every step from OUR state just before it (weights, batch-norm statistics, SGD momentum buffers, bank,
            queue and pointer, key encoder): that step's loss, and everything the step writes (the same list, after
            it). Each step is compared on its own, so this is tight and names the first step that differs.
  free      the 50 steps from the initial state alone, as a training run would take them: every step's loss, and
            the final weights, bank or queue, key encoder and pointer.

The step logic is written here from the C# semantics, not taken from our code:
  memory-bank  one view; positive = the anchor's bank row, negatives = every other bank row; after the SGD step the
               batch's rows become normalize(mu * row + (1 - mu) * z) (MemoryBank.Update).
  in-batch     two views through one forward pass (batch norm sees both); loss averaged over (1 -> 2) and (2 -> 1),
               each anchor's negatives the other rows of the other view.
  queue        query encoder on view 1, key encoder (train mode, no grad) on view 2; negatives = the whole queue;
               after the SGD step key params <- m * key + (1 - m) * query, key buffers <- query buffers, then the
               keys go into the ring buffer at (pointer + 0..B-1) mod K and the pointer moves on by B.
The loss is Eq. 1 of the paper written directly (dense log-sum-exp); SGD is torch.optim.SGD (momentum, weight decay);
the models are reference.py's SmallCnn / ContrastiveEncoder, which match ours layer by layer.

Tolerance, and why (docs/parity.md has every figure). Ours and this replay are two float32 roundings of one
computation (libtorch 2.x with oneDNN against Debian's 1.13 with OpenBLAS: other kernels, other summation orders).
How far apart two such roundings may legitimately be is measured by --measure-drift, which replays every step in
float64 as well (a stand-in for exact arithmetic): the drift is |torch32 - torch64|. Every tolerance is FACTOR = 10
times the largest drift measured (two float32 roundings differ by at most about twice the distance of either from the
exact result; the rest is room for other kernels on other CPUs):
  stepwise  loss: drift <= 1.4e-7 relative at every step of every source, tolerance STEP_LOSS = 2e-6. Everything a
            step writes: per tensor (STEP_DRIFT, floored at one float32 ulp of the tensor's largest value), because
            the drift differs by 10^5 between tensors: 8e-9 for the projection head, up to 6.6e-4 for the momentum
            buffer of the first convolution, whose gradient float64 changes by breaking max-pool ties that float32
            leaves tied (0 to 13 of the 600k pooling windows of a step, counted at in-batch steps 1, 10 and 31).
            Measured ours-vs-torch32, the largest difference is about a tenth of its tolerance or less in every
            tensor; a missing weight decay, lr x 1.0001, tau 0.20001, bank momentum 0.501 or key momentum 0.9901
            fail at step 1 to 3, and two images' views swapped at one step fail that step (loss 900 x tolerance).
  free      the same noise, amplified along 50 steps. Training this small CNN is non-smooth (max-pool ties, ReLU):
            an in-batch float64 replay whose initial weights are moved by 1e-9 (relative) is 1e-3 (relative loss)
            away from the unmoved one by step 25, one moved by 1e-12 stays within 3e-10 for all 50 steps. Float32
            rounding is far above that threshold, so within a dozen or so steps every float32 run, ours and PyTorch's
            alike, becomes another sample of the same training: the drift reaches 1.2e-3 (memory bank), 3.7e-3
            (queue) and 6.4e-2 (in-batch) in relative loss and O(1) in some batch-norm running variances by step
            50. The tolerances (FREE_TOLERANCE, per source) bound the runs to the same statistical trajectory only;
            the stepwise check is the one that shows every step the same.

Run with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 benchmarks/pytorch/parity.py DIR [--only SOURCE,...] [--checks stepwise,free] [--measure-drift]
                                                      [--threads N] [--verbose]
Exit status 0 when every source agrees within tolerance, 1 otherwise, 2 on a usage error.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # importing reference.py leaves no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import ContrastiveEncoder, SmallCnn  # noqa: E402  (the models, layer by layer as ours)

SOURCES = ("memory-bank", "in-batch", "queue")

# Every tolerance is FACTOR times the largest float32-vs-float64 drift measured with --measure-drift (docs/parity.md).
FACTOR = 10
# Stepwise: one step from our state. Loss: relative, largest over the 50 steps of the three sources, times FACTOR.
STEP_LOSS = 2e-6
# The rest: per tensor, FACTOR x max(its drift below, one float32 ulp of its largest value). The drift of each tensor a
# step writes is the largest |torch32 - torch64| over the 50 steps of the three sources; `--measure-drift` prints it
# again in this form. The convolutions before a max-pool (features.0 and .4) drift most: float64 breaks max-pool ties
# that float32 leaves tied, which sends some of the gradient to another pixel.
STEP_DRIFT = {
    'bank': 1.8e-07,
    'key.backbone.features.0.weight': 3.4e-08,
    'key.backbone.features.1.bias': 1.9e-08,
    'key.backbone.features.1.running_mean': 1.9e-08,
    'key.backbone.features.1.running_var': 7.0e-08,
    'key.backbone.features.1.weight': 9.7e-08,
    'key.backbone.features.4.weight': 9.0e-08,
    'key.backbone.features.5.bias': 3.7e-10,
    'key.backbone.features.5.running_mean': 1.4e-07,
    'key.backbone.features.5.running_var': 2.2e-07,
    'key.backbone.features.5.weight': 9.7e-08,
    'key.backbone.features.8.weight': 1.6e-08,
    'key.backbone.features.9.bias': 5.2e-10,
    'key.backbone.features.9.running_mean': 1.4e-07,
    'key.backbone.features.9.running_var': 2.0e-07,
    'key.backbone.features.9.weight': 9.5e-08,
    'key.fc.bias': 8.0e-09,
    'key.fc.weight': 8.2e-09,
    'model.backbone.features.0.weight': 3.6e-05,
    'model.backbone.features.1.bias': 3.1e-06,
    'model.backbone.features.1.running_mean': 6.3e-08,
    'model.backbone.features.1.running_var': 2.9e-07,
    'model.backbone.features.1.weight': 1.3e-06,
    'model.backbone.features.4.weight': 1.6e-05,
    'model.backbone.features.5.bias': 3.6e-07,
    'model.backbone.features.5.running_mean': 2.4e-07,
    'model.backbone.features.5.running_var': 6.1e-07,
    'model.backbone.features.5.weight': 3.2e-07,
    'model.backbone.features.8.weight': 4.4e-06,
    'model.backbone.features.9.bias': 1.8e-06,
    'model.backbone.features.9.running_mean': 2.2e-07,
    'model.backbone.features.9.running_var': 5.5e-07,
    'model.backbone.features.9.weight': 6.2e-08,
    'model.fc.bias': 1.5e-08,
    'model.fc.weight': 8.3e-09,
    'momentum.backbone.features.0.weight': 6.6e-04,
    'momentum.backbone.features.1.bias': 5.7e-05,
    'momentum.backbone.features.1.weight': 2.6e-05,
    'momentum.backbone.features.4.weight': 2.9e-04,
    'momentum.backbone.features.5.bias': 7.6e-06,
    'momentum.backbone.features.5.weight': 7.8e-06,
    'momentum.backbone.features.8.weight': 9.2e-05,
    'momentum.backbone.features.9.bias': 3.7e-05,
    'momentum.backbone.features.9.weight': 6.3e-07,
    'momentum.fc.bias': 5.9e-08,
    'momentum.fc.weight': 4.6e-08,
    'queue': 1.8e-07,
}
# Free-running: per source (the drift differs by an order of magnitude between sources); loss: largest relative
# difference over the 50 steps; the rest: largest |difference| at the end over the group's tensors. Drift measured:
# memory-bank loss 1.17e-3, model 0.347, bank 4.76e-3; in-batch loss 6.41e-2, model 1.54; queue loss 3.68e-3,
# model 0.149, queue 1.21e-2, key 0.149. FACTOR x that, rounded up to one significant figure:
FREE_TOLERANCE = {
    "memory-bank": {"loss": 2e-2, "model": 4e+0, "bank": 5e-2},
    "in-batch": {"loss": 7e-1, "model": 2e+1},
    "queue": {"loss": 4e-2, "model": 2e+0, "queue": 2e-1, "key": 2e+0},
}


def load(folder, name):
    return torch.from_numpy(np.load(os.path.join(folder, name)))


def encoder(config):
    if config["model"] != "small-cnn":
        raise SystemExit(f"parity.py: replays small-cnn only, not {config['model']}")
    return ContrastiveEncoder(SmallCnn(config["in_channels"]), config["embedding_dim"]).train()


def info_nce(anchors, positives, negatives, exclude, tau):
    """Eq. 1, mean over anchors of -log(exp(s_ii/tau) / (exp(s_ii/tau) + sum_j exp(s_ij/tau))) with s_ij the
    anchor's similarity to negatives row j; exclude[i] (or None) is the row of negatives that is anchor i's own."""
    positive = (anchors * positives).sum(1, keepdim=True) / tau
    others = anchors @ negatives.t() / tau
    if exclude is not None:
        own = torch.zeros_like(others, dtype=torch.bool)
        own[torch.arange(anchors.shape[0]), exclude] = True
        others = others.masked_fill(own, float("-inf"))
    return (torch.logsumexp(torch.cat([positive, others], 1), 1) - positive.squeeze(1)).mean()


class Replay:
    """One negative source's training state in PyTorch at a dtype, and its step."""

    def __init__(self, folder, config, dtype):
        self.config, self.dtype, self.source = config, dtype, config["negatives"]
        self.model = encoder(config).to(dtype)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=config["lr"][0], momentum=config["momentum"],
                                         weight_decay=config["weight_decay"])
        self.indices = load(folder, "indices.npy")
        self.view1 = load(folder, "view1.npy").to(dtype)
        self.view2 = load(folder, "view2.npy").to(dtype) if config["views"] > 1 else None
        self.bank = self.queue = self.key_model = None
        self.pointer = config["queue_pointer"]
        if self.source == "queue":
            self.key_model = encoder(config).to(dtype)
            for p in self.key_model.parameters():
                p.requires_grad_(False)

    def load(self, state):
        """Sets everything a step reads from a dict as state() returns it (missing momentum: none yet)."""
        with torch.no_grad():
            self.model.load_state_dict({k[6:]: v for k, v in state.items() if k.startswith("model.")}, strict=True)
            self.model.to(self.dtype)
            self.optimizer.state.clear()
            for name, p in self.model.named_parameters():
                if "momentum." + name in state:
                    self.optimizer.state[p]["momentum_buffer"] = state["momentum." + name].to(self.dtype).clone()
            if self.source == "memory-bank":
                self.bank = state["bank"].to(self.dtype).clone()
            if self.source == "queue":
                self.queue = state["queue"].to(self.dtype).clone()
                self.pointer = int(state["pointer"])
                self.key_model.load_state_dict({k[4:]: v for k, v in state.items() if k.startswith("key.")}, strict=True)
                self.key_model.to(self.dtype)

    def state(self):
        """Everything a step writes: model.*, momentum.*, bank or queue, key.*, pointer."""
        out = {"model." + k: v.detach().clone() for k, v in self.model.state_dict().items()}
        for name, p in self.model.named_parameters():
            buffer = self.optimizer.state.get(p, {}).get("momentum_buffer")
            if buffer is not None:
                out["momentum." + name] = buffer.clone()
        if self.bank is not None:
            out["bank"] = self.bank.clone()
        if self.queue is not None:
            out["queue"] = self.queue.clone()
            out.update({"key." + k: v.detach().clone() for k, v in self.key_model.state_dict().items()})
            out["pointer"] = torch.tensor(self.pointer)
        return out

    def step(self, t):
        """Step t (from 0) on its batch and learning rate; returns the loss."""
        config, tau = self.config, self.config["tau"]
        for group in self.optimizer.param_groups:
            group["lr"] = config["lr"][t]
        self.optimizer.zero_grad()
        index, x1 = self.indices[t], self.view1[t]
        if self.source == "memory-bank":
            z = self.model(x1)
            loss = info_nce(z, self.bank[index], self.bank, index, tau)
            loss.backward()
            self.optimizer.step()
            with torch.no_grad():
                mu = config["bank_momentum"]
                self.bank[index] = F.normalize(mu * self.bank[index] + (1 - mu) * z.detach(), p=2, dim=1)
        elif self.source == "in-batch":
            b = x1.shape[0]
            z = self.model(torch.cat([x1, self.view2[t]]))
            z1, z2 = z[:b], z[b:]
            own = torch.arange(b)
            loss = (info_nce(z1, z2, z2, own, tau) + info_nce(z2, z1, z1, own, tau)) / 2
            loss.backward()
            self.optimizer.step()
        else:
            q = self.model(x1)
            with torch.no_grad():
                k = self.key_model(self.view2[t])
            loss = info_nce(q, k, self.queue, None, tau)
            loss.backward()
            self.optimizer.step()
            with torch.no_grad():
                m = config["key_momentum"]
                query = dict(self.model.named_parameters())
                for name, p in self.key_model.named_parameters():
                    p.mul_(m).add_(query[name], alpha=1 - m)
                query_buffers = dict(self.model.named_buffers())
                for name, b in self.key_model.named_buffers():
                    b.copy_(query_buffers[name])
                size = self.queue.shape[0]
                self.queue[(self.pointer + torch.arange(k.shape[0])) % size] = k
                self.pointer = (self.pointer + k.shape[0]) % size
        return loss.item()


def group_of(name):
    """The figure a state entry counts towards: model, momentum, bank, queue, key or pointer."""
    return name.split(".", 1)[0]


def differences(a, b):
    """{name: |a - b| largest} over the floating entries, and the integer entries that differ."""
    gaps, unequal = {}, []
    for name, left in a.items():
        right = b[name]
        if not left.is_floating_point():
            if not torch.equal(left.long(), right.long()):
                unequal.append(name)
            continue
        gaps[name] = (left.double() - right.double()).abs().max().item()
    return gaps, unequal


def ulp(value):
    """The spacing of float32 numbers at |value| (its unit in the last place)."""
    return float(np.spacing(np.float32(abs(value))))


def step_tolerance(name, reference):
    """The stepwise tolerance of one tensor: FACTOR x max(its measured drift, one ulp of its largest value); 0 for a
    tensor STEP_DRIFT does not know (so it fails, named: measure with --measure-drift)."""
    return FACTOR * max(STEP_DRIFT[name], ulp(reference.abs().max().item())) if name in STEP_DRIFT else 0.0


class Trajectory:
    """Our state before every step and after the last, from trajectory/ and ours.json."""

    def __init__(self, folder, config):
        self.series = {}
        root = os.path.join(folder, "trajectory")
        for group in ("model", "momentum", "key"):
            sub = os.path.join(root, group)
            if os.path.isdir(sub):
                for file in sorted(os.listdir(sub)):
                    self.series[group + "." + file[:-4]] = np.load(os.path.join(sub, file), mmap_mode="r")
        for part in ("bank", "queue"):
            if os.path.exists(os.path.join(root, part + ".npy")):
                self.series[part] = np.load(os.path.join(root, part + ".npy"), mmap_mode="r")
        with open(os.path.join(folder, "ours.json")) as f:
            ours = json.load(f)
        self.losses = np.array(ours["losses"], dtype=np.float64)
        self.pointers = ours.get("queue_pointers") or None
        self.final_pointer = ours["queue_pointer"]

    def at(self, t):
        """The state before step t (from 0); t = steps is the state after the last step. Before the first step SGD
        has no momentum buffers yet (trajectory/momentum holds zeros there)."""
        state = {k: torch.from_numpy(np.array(v[t])) for k, v in self.series.items() if t > 0 or not k.startswith("momentum.")}
        if self.pointers is not None:
            state["pointer"] = torch.tensor(self.pointers[t])
        return state


def ours_final(folder, config, trajectory):
    """Our final state from final/, bank_final.npy, queue_final.npy, final_key/ (what a user would load)."""
    names = list(encoder(config).state_dict())
    state = {"model." + k: load(os.path.join(folder, "final"), k + ".npy") for k in names}
    if config["negatives"] == "memory-bank":
        state["bank"] = load(folder, "bank_final.npy")
    if config["negatives"] == "queue":
        state["queue"] = load(folder, "queue_final.npy")
        state.update({"key." + k: load(os.path.join(folder, "final_key"), k + ".npy") for k in names})
        state["pointer"] = torch.tensor(trajectory.final_pointer)
    return state


def ours_initial(folder, config):
    names = list(encoder(config).state_dict())
    state = {"model." + k: load(os.path.join(folder, "initial"), k + ".npy") for k in names}
    if config["negatives"] == "memory-bank":
        state["bank"] = load(folder, "bank_initial.npy")
    if config["negatives"] == "queue":
        state["queue"] = load(folder, "queue_initial.npy")
        state.update({"key." + k: load(os.path.join(folder, "initial_key"), k + ".npy") for k in names})
        state["pointer"] = torch.tensor(config["queue_pointer"])
    return state


def stepwise(folder, config, trajectory, dtype):
    """Every step from our state before it: the losses, per step ({tensor: largest |diff| against ours after the
    step}, [integer entries that differ]), and the states after each step."""
    replay = Replay(folder, config, dtype)
    losses, diffs, states = [], [], []
    for t in range(config["steps"]):
        replay.load(trajectory.at(t))
        losses.append(replay.step(t))
        after = replay.state()
        worst, unequal = differences(after, trajectory.at(t + 1))
        diffs.append((worst, unequal))
        states.append(after)
    return np.array(losses), diffs, states


def free(folder, config, dtype):
    """The steps from the initial state alone: (losses, final state)."""
    replay = Replay(folder, config, dtype)
    replay.load(ours_initial(folder, config))
    losses = [replay.step(t) for t in range(config["steps"])]
    return np.array(losses), replay.state()


class Table:
    """The printed comparison: one row per figure, with the live drift beside the tolerance when measured."""

    def __init__(self, measured):
        self.measured = measured
        head = f"{'source':12s} {'check':9s} {'figure':14s} {'ours-torch32':>12s} {'tolerance':>10s}"
        if measured:
            head += f" {'torch32-64':>11s} {'tol/drift':>9s}"
        print(head + "  result")
        print("-" * (len(head) + 30))

    def row(self, source, check, figure, gap, tolerance, drift=None, note="", exact=False, passed=None):
        if passed is None:
            passed = gap == 0 if exact else gap <= tolerance
        line = f"{source:12s} {check:9s} {figure:14s} {gap:12.3e} {tolerance:10.1e}"
        if self.measured:
            line += f" {drift:11.3e} {tolerance / drift:9.0f}" if drift else f" {'':11s} {'':9s}"
        print(line + f"  {'ok' if passed else 'MISMATCH'}" + (f" ({note})" if note else ""))
        return passed


def compare(folder, table, measure, verbose, checks, drift_table):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    source, steps = config["negatives"], config["steps"]
    trajectory = Trajectory(folder, config)
    ok = True
    if "stepwise" in checks:
        ok &= compare_stepwise(folder, config, trajectory, table, measure, drift_table)
    if "free" in checks:
        ok &= compare_free(folder, config, trajectory, table, measure, verbose)
    print(f"{source}: {'agrees' if ok else 'MISMATCH'} ({steps} steps, {' and '.join(checks)})")
    return ok


def compare_stepwise(folder, config, trajectory, table, measure, drift_table):
    """Each step from our state before it; True when every figure is within tolerance. With measure, adds each
    tensor's largest float32-vs-float64 drift to drift_table."""
    source, steps, ok = config["negatives"], config["steps"], True
    losses32, diffs32, states32 = stepwise(folder, config, trajectory, torch.float32)
    gap = np.abs(trajectory.losses - losses32) / np.abs(losses32)
    drift_loss, drift = None, {}
    if measure:
        losses64, _, states64 = stepwise(folder, config, trajectory, torch.float64)
        drift_loss = (np.abs(losses32 - losses64) / np.abs(losses64)).max()
        for a, b in zip(states32, states64):
            for name, d in differences(a, b)[0].items():
                drift[name] = max(drift.get(name, 0.0), d)
        drift_table["loss"] = max(drift_table.get("loss", 0.0), drift_loss)
        for name, d in drift.items():
            drift_table[name] = max(drift_table.get(name, 0.0), d)
    over = [t + 1 for t in range(steps) if not gap[t] <= STEP_LOSS]
    ok &= table.row(source, "stepwise", "loss (rel)", gap.max(), STEP_LOSS, drift_loss,
                    f"first over at step {over[0]}" if over else f"largest at step {gap.argmax() + 1}")
    # Per group, the tensor and step closest to (or furthest over) its own tolerance.
    worst, first_over, largest = {}, {}, {}
    for t, (gaps, _) in enumerate(diffs32):
        after = trajectory.at(t + 1)
        for name, d in gaps.items():
            group, tolerance = group_of(name), step_tolerance(name, after[name])
            largest[group] = max(largest.get(group, (0.0, "")), (d, name))
            ratio = d / tolerance if tolerance > 0 else float("inf")
            if ratio > worst.get(group, (-1.0,))[0]:
                worst[group] = (ratio, d, tolerance, name, t + 1)
            if not d <= tolerance and group not in first_over:
                first_over[group] = (t + 1, name if name in STEP_DRIFT else name + " (no measured drift)")
    for group in sorted(worst, key=["model", "momentum", "bank", "queue", "key"].index):
        _, d, tolerance, name, t = worst[group]
        note = (f"first over at step {first_over[group][0]}, {first_over[group][1]}; furthest over: {name}, step {t}"
                if group in first_over else f"closest to its tolerance: {name}, step {t}")
        note += f"; largest |diff| {largest[group][0]:.1e}, {largest[group][1]}"
        ok &= table.row(source, "stepwise", group + " |diff|", d, tolerance, drift.get(name) if measure else None, note,
                        passed=group not in first_over)
    unequal = [(t + 1, names) for t, (_, names) in enumerate(diffs32) if names]
    ok &= table.row(source, "stepwise", "integers", float(len(unequal)), 0.0, None,
                    f"step {unequal[0][0]}: {', '.join(unequal[0][1])} differ" if unequal
                    else "num_batches_tracked" + (", queue pointer" if source == "queue" else "") + " equal at every step", exact=True)
    return ok


def compare_free(folder, config, trajectory, table, measure, verbose):
    """The steps from the initial state alone; True when every figure is within tolerance."""
    source, steps, ok = config["negatives"], config["steps"], True
    free32, final32 = free(folder, config, torch.float32)
    ours = ours_final(folder, config, trajectory)
    gap = np.abs(trajectory.losses - free32) / np.abs(free32)
    live = {}
    if measure:
        free64, final64 = free(folder, config, torch.float64)
        live["loss"] = (np.abs(free32 - free64) / np.abs(free64)).max()
        for name, d in differences(final32, final64)[0].items():
            live[group_of(name)] = max(live.get(group_of(name), 0.0), d)
    tolerance = FREE_TOLERANCE[source]
    ok &= table.row(source, "free", "loss (rel)", gap.max(), tolerance["loss"], live.get("loss"),
                    f"largest at step {gap.argmax() + 1}; step 1-5 within {gap[:5].max():.1e}")
    gaps, unequal = differences(ours, final32)
    for group in [g for g in ("model", "bank", "queue", "key") if any(group_of(k) == g for k in gaps)]:
        d, where = max((v, k) for k, v in gaps.items() if group_of(k) == group)
        ok &= table.row(source, "free", "final " + group, d, tolerance[group], live.get(group), f"at {where}")
    ok &= table.row(source, "free", "final integers", float(len(unequal)), 0.0, None,
                    (", ".join(unequal) + " differ") if unequal else "equal", exact=True)
    if verbose:
        for t in range(steps):
            print(f"  step {t + 1:3d}  lr {config['lr'][t]:.6f}  ours {trajectory.losses[t]:.9f}  torch32 {free32[t]:.9f}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", help="folder written by `contrastive bench --write-parity DIR`")
    parser.add_argument("--only", default="", help="comma-separated negative sources (default: every subfolder)")
    parser.add_argument("--measure-drift", action="store_true", help="also replay in float64 and print the drift beside each tolerance (slow: ~10x)")
    parser.add_argument("--checks", default="stepwise,free", help="comma-separated: stepwise, free (default: both)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--verbose", action="store_true", help="also print every step's losses")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    names = [n for n in args.only.split(",") if n] or [s for s in SOURCES if os.path.isdir(os.path.join(args.directory, s))]
    unknown = [n for n in names if n not in SOURCES]
    if unknown or not names:
        print(f"parity.py: {'unknown source(s) ' + ', '.join(unknown) if unknown else 'no source subfolder in ' + args.directory}; known: {', '.join(SOURCES)}", file=sys.stderr)
        return 2
    checks = [c for c in args.checks.split(",") if c]
    if not checks or any(c not in ("stepwise", "free") for c in checks):
        print(f"parity.py: --checks {args.checks}: give stepwise, free or both", file=sys.stderr)
        return 2
    missing = [n for n in names if not os.path.isdir(os.path.join(args.directory, n))]
    if missing:
        print(f"parity.py: {', '.join(os.path.join(args.directory, n) for n in missing)} does not exist", file=sys.stderr)
        return 2
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s); every tolerance is {FACTOR} x the largest float32-vs-float64"
          " drift measured (docs/parity.md), stepwise per tensor" + ("; the drift measured now beside it" if args.measure_drift else ""))
    table = Table(args.measure_drift)
    drift_table = {}
    results = {name: compare(os.path.join(args.directory, name), table, args.measure_drift, args.verbose, checks, drift_table) for name in names}
    if drift_table:
        print("stepwise drift measured here (largest |torch32 - torch64| over the steps of these sources), in STEP_DRIFT's form:")
        print("STEP_DRIFT_MEASURED = {\n" + "".join(f"    {k!r}: {v:.1e},\n" for k, v in sorted(drift_table.items()) if k != "loss") + "}")
        print(f"loss: {drift_table['loss']:.2e} relative")
    if all(results.values()):
        print("parity: every source agrees within tolerance")
        return 0
    print("parity: MISMATCH in " + ", ".join(n for n, ok in results.items() if not ok))
    return 1


if __name__ == "__main__":
    sys.exit(main())
