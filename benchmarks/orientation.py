"""The measured table behind core/fast.py's product orientations.

    python benchmarks/orientation.py > benchmarks/orientation.md

Each product of a training step can be handed to BLAS two ways, with the
same result up to rounding: forward A Wᵀ or (W Aᵀ)ᵀ, BP2 Δ W or (Wᵀ Δᵀ)ᵀ,
BP3 Δᵀ A or (Aᵀ Δ)ᵀ. This script times both ways at the benchmark's layer
shapes and batch sizes (NumPy float32, NumPy's BLAS threads as they are;
best of 7 repeats) and prints them as a Markdown table, followed by the two
elementwise costs that decide whether a faster product pays off in the step:
a multiply of two (m, n) arrays in one layout or in two, and the update
w ← w − η g with g laid out as w or transposed. Run it on the machine whose
choices you want to check; ratios, not seconds, carry over.
"""

from __future__ import annotations

import platform
import time

import numpy as np

LAYERS = [(64, 30), (30, 10), (784, 256), (256, 128), (128, 10), (784, 1024), (1024, 1024), (1024, 10)]
BATCHES = (10, 32, 128, 256, 1024)


def best_microseconds(f, budget=2e-3, repeats=7) -> float:
    f()
    start = time.perf_counter()
    f()
    once = max(time.perf_counter() - start, 1e-7)
    n = max(3, int(budget / once))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            f()
        best = min(best, (time.perf_counter() - start) / n)
    return best * 1e6


def pair(plain, flipped) -> str:
    """Both times, with the faster way marked when it wins by 10 % or more."""
    mark = " (flipped faster)" if flipped < 0.9 * plain else (" (plain faster)" if plain < 0.9 * flipped else "")
    return f"{plain:.1f} / {flipped:.1f}{mark}"


def main() -> None:
    rng = np.random.default_rng(0)
    print("# Product orientations, measured\n")
    print(f"Machine: {platform.processor() or platform.machine()}; NumPy {np.__version__}; float32; µs, best of 7.\n")
    print("plain / flipped: forward A Wᵀ / (W Aᵀ)ᵀ; BP2 Δ W / (Wᵀ Δᵀ)ᵀ; BP3 Δᵀ A / (Aᵀ Δ)ᵀ.\n")
    print("| m | layer n_in → n_out | forward | BP2 | BP3 |")
    print("|---|---|---|---|---|")
    for m in BATCHES:
        for n_in, n_out in LAYERS:
            A = rng.standard_normal((m, n_in), dtype=np.float32)
            W = rng.standard_normal((n_out, n_in), dtype=np.float32)
            D = rng.standard_normal((m, n_out), dtype=np.float32)
            forward = pair(best_microseconds(lambda: A @ W.T), best_microseconds(lambda: (W @ A.T).T))
            bp2 = pair(best_microseconds(lambda: D @ W), best_microseconds(lambda: (W.T @ D.T).T))
            bp3 = pair(best_microseconds(lambda: D.T @ A), best_microseconds(lambda: (A.T @ D).T))
            print(f"| {m} | {n_in} → {n_out} | {forward} | {bp2} | {bp3} |")
    print("\n## What a flipped product costs the lines around it\n")
    print("| shape | Δ ⊙ σ′, one layout | Δ ⊙ σ′, two layouts | w −= η g, g as w | w −= η g, g transposed |")
    print("|---|---|---|---|---|")
    for m, n in [(32, 256), (128, 256), (128, 128), (256, 784), (1024, 256)]:
        signs = np.sign(rng.standard_normal((m, n), dtype=np.float32))  # ±1: no under- or overflow when repeated
        same, other, rowwise = signs.copy(), np.asfortranarray(signs), signs.copy()
        w = rng.standard_normal((m, n), dtype=np.float32)
        g_same, g_transposed = np.array(w), np.asfortranarray(w)
        work = np.empty_like(w)
        one = best_microseconds(lambda: rowwise.__imul__(same))
        two = best_microseconds(lambda: rowwise.__imul__(other))
        update_same = best_microseconds(lambda: w.__isub__(np.multiply(g_same, 0.0, out=work)))
        update_other = best_microseconds(lambda: w.__isub__(np.multiply(g_transposed, 0.0, out=work)))
        print(f"| {m} × {n} | {one:.1f} | {two:.1f} | {update_same:.1f} | {update_other:.1f} |")
    print(
        "\nHence core/fast.py: below SMALL_BATCH rows the forward product is flipped and BP2 follows the layout of what Δ meets next (σ′(Z), or a dropout mask), "
        "so that Z, Δ and σ′ share one layout; BP3 stays Δᵀ A, since its flipped result is laid out "
        "transposed to w and the optimizer's update would then pay more than the product saves."
    )


if __name__ == "__main__":
    main()
