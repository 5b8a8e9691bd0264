"""How much work an epoch is: the floating-point operations of its matrix products.

Convention (the same count for every contender, so GFLOP/s ∝ 1/time):
three GEMMs per layer per batch of m samples, each 2·m·n_in·n_out FLOPs —

    forward  Z^l = A^{l−1} (W^l)ᵀ          2·m·n_{l−1}·n_l
    BP2      Δ^{l−1} ∝ Δ^l W^l             2·m·n_{l−1}·n_l   (not for the first weight layer:
                                                              no δ is needed for the inputs)
    BP3      ∂C/∂W^l = (Δ^l)ᵀ A^{l−1} / m   2·m·n_{l−1}·n_l

Elementwise work (σ, σ′, biases, the update) is not counted. The count is
linear in m, so an epoch's FLOPs do not depend on the batch size.
"""

from __future__ import annotations

CONVENTION = (
    "GEMM FLOPs only: forward, BP2 and BP3 each 2·m·n_in·n_out per layer, "
    "no BP2 for the first weight layer; elementwise work not counted"
)


def gemm_flops(sizes, m: int) -> int:
    """FLOPs of the forward, BP2 and BP3 products for m samples through ``sizes`` (input first).

    gemm_flops([3, 4, 2], 5) = 2·5·3·4·2 + 2·5·4·2·3 = 240 + 240 = 480.
    """
    total = 0
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        products = 2 if l == 0 else 3
        total += products * 2 * m * n_in * n_out
    return total
