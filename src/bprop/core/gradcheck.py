"""Finite differences against backprop: the proof that BP1–BP4 are right.

For each parameter θ (a weight w^l_jk or a bias b^l_j) the central difference

    ∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / 2ε

is compared with the gradient from ``backprop``. Only the forward pass and the
cost are used for the differences, never the backward pass.

Backprop runs on a float64 copy of the network; the differences run on a copy
in extended precision (``np.longdouble``, 80-bit on x86: 3 more digits than
float64), because the subtraction C(θ + ε) − C(θ − ε) cancels most digits of
C. The caller's network is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arguments import as_inputs, as_targets, non_negative_float, positive_int, real_number
from .backend import backend_for, to_numpy
from .dropout import check_masks

FLOOR = 1e-8


@dataclass
class LayerCheck:
    """The comparison for layer l.

    *_error : ‖g_backprop − g_numeric‖ / max(‖g_backprop‖ + ‖g_numeric‖, FLOOR)
    over the checked entries: a relative error that stays meaningful when
    single entries of the gradient are 0. Central differences resolve a
    gradient only to about 1e-14 (rounding of C, divided by 2ε), so a layer
    whose whole gradient is tinier than FLOOR (a vanishing gradient) is judged
    by its absolute error over FLOOR instead.
    """

    layer: int
    weight_error: float
    bias_error: float
    weights_checked: int
    biases_checked: int

    @property
    def error(self) -> float:
        return max(self.weight_error, self.bias_error)


@dataclass
class GradcheckReport:
    layers: list
    eps: float

    @property
    def max_error(self) -> float:
        return max(layer.error for layer in self.layers)

    def passed(self, tolerance=1e-6) -> bool:
        return self.max_error <= tolerance

    def format(self) -> str:
        rows = [f"{'layer':>5}  {'∂C/∂w error':>12}  {'∂C/∂b error':>12}  checked"]
        for c in self.layers:
            rows.append(
                f"{c.layer:>5}  {c.weight_error:12.3e}  {c.bias_error:12.3e}  "
                f"{c.weights_checked} w, {c.biases_checked} b"
            )
        return "\n".join(rows)


def gradcheck(net, X, Y, *, l2=0.0, l1=0.0, masks=None, eps=1e-6, max_per_layer=None, seed=0) -> GradcheckReport:
    """Compare backprop's ∂C/∂w, ∂C/∂b with central finite differences, per layer.

    X, Y : a batch, as for ``Network.backprop``.
    l2 : checks the regularized cost C₀ + (λ/2n) Σ w² (n = len(X)).
    l1 : checks the cost with the L1 term (λ₁/n) Σ |w| (its subgradient sgn(w)
        is the derivative wherever no checked weight is within ε of 0).
    masks : dropout masks m^l/(1−p), one (m, n_l) array or None per hidden layer
        (``bprop.core.dropout.draw_masks``): the differences are then of the
        cost of the network with those neurons dropped, the very function whose
        gradient backprop's dropout BP2 claims to compute.
    eps : the step ε of the central difference.
    max_per_layer : check at most this many weights and biases per layer,
        chosen at random from ``seed`` (None: all of them).
    """
    # backprop runs where the network lives (a GPU's BP1–BP4 is what is checked);
    # the finite differences run on the CPU in extended precision.
    eps = real_number(eps, "eps (ε of the central difference)", low=0, high=1, low_open=True, hint="; use about 1e-6")
    net64, net_fd = net.copy(dtype="float64"), net.converted(np.longdouble, backend_for("numpy"))
    X = as_inputs(X, net.sizes[0], np.float64)
    Y = as_targets(Y, X.shape[0], net.sizes[-1], np.float64)
    X_fd, Y_fd = X.astype(np.longdouble), Y.astype(np.longdouble)
    l2 = non_negative_float(l2, "l2")
    l1 = non_negative_float(l1, "l1")
    if masks is not None:
        check_masks(masks, net.sizes, X.shape[0])
        masks = [None if mask is None else np.asarray(to_numpy(mask), np.float64) for mask in masks]
    if max_per_layer is not None:
        max_per_layer = positive_int(max_per_layer, "max_per_layer")
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    placed_masks = None if masks is None else [None if mask is None else net64.place(mask) for mask in masks]
    grads = net64.backprop_placed(net64.place(X), net64.place(Y), l2, n, l1=l1, masks=placed_masks)
    masks_fd = None if masks is None else [None if mask is None else mask.astype(np.longdouble) for mask in masks]

    def cost():
        if masks_fd is None:
            A = net_fd.feedforward_placed(X_fd)
        else:
            A = net_fd.forward_dropped(X_fd, masks_fd)[1][-1]
        return net_fd.batch_cost(A, Y_fd, l2, n, l1=l1)

    checks = []
    for i in range(len(net64.weights)):
        w_err, w_count = _compare(net_fd.weights[i], to_numpy(grads.weights[i]), cost, eps, max_per_layer, rng)
        b_err, b_count = _compare(net_fd.biases[i], to_numpy(grads.biases[i]), cost, eps, max_per_layer, rng)
        checks.append(LayerCheck(i + 2, w_err, b_err, w_count, b_count))
    return GradcheckReport(checks, eps)


def _compare(param, analytic, cost, eps, limit, rng):
    """Relative error between ``analytic`` and central differences of ``cost`` in ``param``."""
    flat, grad = param.reshape(-1), analytic.reshape(-1)
    indices = np.arange(flat.size)
    if limit is not None and flat.size > limit:
        indices = rng.choice(flat.size, size=limit, replace=False)
    numeric = np.empty(indices.size)
    for k, index in enumerate(indices):
        saved = flat[index]
        flat[index] = saved + eps
        plus = cost()
        flat[index] = saved - eps
        minus = cost()
        flat[index] = saved
        numeric[k] = (plus - minus) / (2 * eps)
    picked = grad[indices]
    scale = max(np.linalg.norm(picked) + np.linalg.norm(numeric), FLOOR)
    error = float(np.linalg.norm(picked - numeric) / scale)
    return error, int(indices.size)
