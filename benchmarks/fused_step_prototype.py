"""Evidence for a decision, not part of bprop: the digits step fused into one compiled function.

    pip install numba        # not a bprop dependency (DESIGN.md: ask before adding one)
    python benchmarks/fused_step_prototype.py

Issue 20 asks digits [64, 30, 10] (sigmoid, quadratic cost, SGD η = 3, batch
10) to train in at most 0.10× PyTorch's time. bprop's NumPy step is about 25
array calls of a few hundred nanoseconds each plus the Python between them,
and measures 0.19–0.20× PyTorch here. This script writes the same step (forward
pass, BP1–BP4 and the update w ← w − (η/m) Σ δ aᵀ) as loops compiled by
numba, and times one epoch of it beside ``bprop.train`` and a PyTorch loop,
interleaved, median of 6 epochs after a warm-up. Measured on the 2-core Xeon
of benchmarks/RESULTS.md (2026-12-04, quiet machine, numba 0.68.1): bprop.train
6.19 ms, the fused step (called once per batch from Python) 2.71 ms, PyTorch
30.97 ms — the fused step at 0.088× PyTorch, bprop at 0.200×; the fused
network's test accuracy after its 7 epochs 0.944. The step below is a second
copy of the equations: adding it to bprop would mean a compiled dependency and
a fast path kept equal to the equations by tests.

Second, Adam's update (issue 20: Adam ≤ 0.7× PyTorch; bprop's NumPy update is
about 12 array passes per parameter). ``fused_adam`` is one pass, with the very
operations of ``bprop.core.optimizers.Adam`` in the same order and float32
constants, so that it gives the same bits: six epochs of Fashion-MNIST
[784, 256, 128, 10] at batch 128 ended with identical weights (max |Δw| = 0.0).
Measured the same day: 104 µs against NumPy's 330 µs for a 256 × 784 update
(14 against 45 µs at 128 × 256); a whole epoch took 0.79× the NumPy update's
time in two runs on a quiet machine (0.637 against 0.808 s, 0.658 against
0.829 s; 0.84× and 0.89× in two runs while other work shared the two cores),
with identical weights every time (a variant compiled with fastmath, whose bits
differ, took 0.75×). ``python benchmarks/fused_step_prototype.py --adam`` reruns that
(it needs the Fashion-MNIST files, as ``bprop bench`` does).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

try:
    from numba import njit
except ImportError:  # pragma: no cover - the script says what it needs
    raise SystemExit("this prototype needs numba: pip install numba") from None


@njit(error_model="numpy")
def fused_step(X, Y, rows, W1, b1, W2, b2, eta):
    """One SGD step of [n0, n1, n2] sigmoid/quadratic on rows ``rows`` of X, Y: forward, BP1–BP4, update."""
    m, n0, n1, n2 = rows.shape[0], X.shape[1], W1.shape[0], W2.shape[0]
    A1 = np.empty((m, n1), np.float32)
    D2 = np.empty((m, n2), np.float32)
    D1 = np.empty((m, n1), np.float32)
    for i in range(m):
        x = X[rows[i]]
        for j in range(n1):
            z = b1[j]
            for k in range(n0):
                z += W1[j, k] * x[k]  # z^2 = w^2 x + b^2
            A1[i, j] = 1.0 / (1.0 + np.exp(-z))  # a^2 = σ(z^2)
        for j in range(n2):
            z = b2[j]
            for k in range(n1):
                z += W2[j, k] * A1[i, k]
            a = 1.0 / (1.0 + np.exp(-z))
            D2[i, j] = (a - Y[rows[i], j]) * a * (1.0 - a)  # BP1: (a − y) σ′(z^L)
        for k in range(n1):
            s = 0.0
            for j in range(n2):
                s += D2[i, j] * W2[j, k]
            D1[i, k] = s * A1[i, k] * (1.0 - A1[i, k])  # BP2: ((w^3)ᵀ δ^3) ⊙ σ′(z^2)
    G2 = np.zeros((n2, n1), np.float32)
    G1 = np.zeros((n1, n0), np.float32)
    for i in range(m):  # BP3: Σ_i δ_j a_k, contiguous in k
        x = X[rows[i]]
        for j in range(n2):
            for k in range(n1):
                G2[j, k] += D2[i, j] * A1[i, k]
        for j in range(n1):
            for k in range(n0):
                G1[j, k] += D1[i, j] * x[k]
    scale = eta / m
    for j in range(n2):
        b2[j] -= scale * D2[:, j].sum()  # BP4 and the update
        for k in range(n1):
            W2[j, k] -= scale * G2[j, k]
    for j in range(n1):
        b1[j] -= scale * D1[:, j].sum()
        for k in range(n0):
            W1[j, k] -= scale * G1[j, k]


@njit(error_model="numpy")  # numpy's error model: no zero-division check, so the loop vectorizes
def fused_adam(w, g, m, v, beta1, one_minus_beta1, beta2, one_minus_beta2, alpha_t, eps_hat):
    """m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; w ← w − α_t m/(√v + ε̂).

    One pass, in the order of operations of ``bprop.core.optimizers.Adam``.
    """
    w, g, m, v = w.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1)
    for i in range(w.shape[0]):
        gi = g[i]
        mi = m[i] * beta1 + gi * one_minus_beta1
        vi = v[i] * beta2 + (gi * gi) * one_minus_beta2
        m[i], v[i] = mi, vi
        w[i] -= (mi / (np.sqrt(vi) + eps_hat)) * alpha_t


def fused_adam_update(self, key, param, grad, eta):
    """A stand-in for ``Adam._update`` (float32 NumPy parameters) that calls ``fused_adam``."""
    import math

    m, v = self._buffer(key + ("m",), param), self._buffer(key + ("v",), param)
    t = self.steps + 1
    alpha_t = eta * math.sqrt(1 - self.beta2**t) / (1 - self.beta1**t)
    eps_hat = self.eps * math.sqrt(1 - self.beta2**t)
    f32 = np.float32
    fused_adam(param, np.ascontiguousarray(grad), m, v, f32(self.beta1), f32(1 - self.beta1), f32(self.beta2),
               f32(1 - self.beta2), f32(alpha_t), f32(eps_hat))  # fmt: skip


def adam_epochs() -> None:
    """NumPy's Adam against fused_adam inside ``bprop.train``: epoch times and the final weights' difference."""
    import bprop as bp
    from bprop.benchmarking.cases import load_data
    from bprop.core import optimizers
    from bprop.training.loop import train

    data = load_data("fashion-mnist", quick=False, seed=0)
    start = bp.Network([784, 256, 128, 10], activation="relu", output="softmax", cost="log_likelihood",
                       dtype="float32", seed=0, init="he")  # fmt: skip
    numpy_update = optimizers.Adam._update
    runs = {name: (start.copy(), bp.Adam(1e-3), []) for name in ("NumPy", "fused")}
    try:
        for epoch in range(7):
            for name, (net, adam, seconds) in runs.items():
                optimizers.Adam._update = fused_adam_update if name == "fused" else numpy_update
                begun = time.perf_counter()
                train(net, data.X_train, data.y_train, epochs=1, batch_size=128, optimizer=adam, seed=epoch)
                if epoch:  # the first compiles and warms up
                    seconds.append(time.perf_counter() - begun)
    finally:
        optimizers.Adam._update = numpy_update
    medians = {name: statistics.median(seconds) for name, (_, _, seconds) in runs.items()}
    for name, median in medians.items():
        print(f"Adam, {name:6s} {median:.3f} s/epoch")
    print(f"fused ÷ NumPy {medians['fused'] / medians['NumPy']:.3f}")
    (a, _, _), (b, _, _) = runs.values()
    print("max |Δw| after 7 epochs:", max(float(np.abs(x - y).max()) for x, y in zip(a.weights, b.weights)))


def main() -> None:
    import torch

    import bprop as bp
    from bprop.benchmarking.cases import load_data
    from bprop.training.loop import train

    data = load_data("digits", quick=False, seed=0)
    X, y = data.X_train.astype(np.float32), data.y_train
    Y = np.eye(10, dtype=np.float32)[y]
    net = bp.Network([64, 30, 10], dtype="float32", seed=0)
    W1, W2 = (w.copy() for w in net.weights)
    b1, b2 = (b.copy() for b in net.biases)
    eta, batch = np.float32(3.0), 10
    rng = np.random.default_rng(0)

    def fused_epoch():
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch):
            fused_step(X, Y, order[start : start + batch], W1, b1, W2, b2, eta)

    trained, optimizer = net.copy(), bp.SGD(3.0)

    def bprop_epoch():
        train(trained, X, y, epochs=1, batch_size=batch, optimizer=optimizer, seed=rng)

    torch.set_num_threads(2)
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 30), torch.nn.Sigmoid(), torch.nn.Linear(30, 10), torch.nn.Sigmoid()
    )
    sgd = torch.optim.SGD(model.parameters(), lr=3.0)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)

    def torch_epoch():
        order = torch.randperm(len(Xt))
        for start in range(0, len(Xt), batch):
            rows = order[start : start + batch]
            sgd.zero_grad()
            loss = 0.5 * ((model(Xt[rows]) - Yt[rows]) ** 2).sum(dim=1).mean()
            loss.backward()
            sgd.step()
            loss.item()

    epochs = {"bprop.train": bprop_epoch, "fused (numba)": fused_epoch, "PyTorch": torch_epoch}
    seconds = {name: [] for name in epochs}
    for repeat in range(7):
        for name, epoch in epochs.items():
            start = time.perf_counter()
            epoch()
            if repeat:  # the first round compiles and warms up
                seconds[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(times) for name, times in seconds.items()}
    for name, median in medians.items():
        print(f"{name:14s} {median * 1e3:7.2f} ms/epoch   ÷ PyTorch {median / medians['PyTorch']:.3f}")
    hidden = 1 / (1 + np.exp(-(data.X_test @ W1.T + b1)))
    outputs = 1 / (1 + np.exp(-(hidden @ W2.T + b2)))
    print(f"fused step's test accuracy: {np.mean(outputs.argmax(axis=1) == data.y_test):.3f}")


if __name__ == "__main__":
    import sys

    adam_epochs() if "--adam" in sys.argv else main()
