"""Monitors: training callbacks that record per-layer figures into the History.

``LayerStats`` records, per epoch and per layer l = 2 … L, how large the error
δ^l = ∂C/∂z^l and the gradient ∂C/∂w^l are. Plotted on a log scale
(``bprop.plots.layer_gradients``) it is the picture of vanishing gradients: by
BP2, δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l), each layer towards the input
multiplies the error by a weight matrix and by σ′ (at most ¼ for the sigmoid),
so in a deep sigmoid network the early layers' δ, and by BP3 their ∂C/∂w, are
orders of magnitude smaller than the last layer's.

It reads only the arrays the training step already computed
(``state.grads``): no extra forward or backward pass.
"""

from __future__ import annotations

from ..core.arguments import positive_int
from ..core.backend import mean_abs

MEAN_ABS_DELTA = "mean_abs_delta"
MEAN_ABS_GRAD_W = "mean_abs_grad_w"


class LayerStats:
    """Per-epoch mean |δ^l| and mean |∂C/∂w^l| for every layer l = 2 … L.

    After each epoch it appends to ``state.history.layer_stats``:

        "layers"           [2, …, L]                       (set at the start)
        "mean_abs_delta"   one list per epoch, one value per layer: the mean
                           over the sampled batches of mean_{i,j} |δ^l_ij|,
                           the batch's Δ^l, (m, n_l)      (BP1, BP2)
        "mean_abs_grad_w"  the same for mean_{j,k} |∂C/∂w^l_jk|, the batch
                           gradient (n_l, n_{l−1})        (BP3)

    Each sampled batch weighs the same (the last, smaller batch included).
    An epoch in which no batch was sampled records None for every layer.

    every : sample every k-th batch of an epoch (batches 1, 1 + k, 1 + 2k, …).

    Cost: no extra forward or backward pass, nothing kept between batches but
    2(L − 1) running sums. On a sampled batch, one |·| and one sum per array:
    m·n_l + n_l·n_{l−1} elementwise operations for layer l, against the
    ≈ 3·m·n_l·n_{l−1} multiply-adds of the step's own matrix products, plus
    about 2 µs of NumPy call overhead per array. On small networks the
    overhead is what shows: the whole training step of [64, 30, 10] on
    batches of 10 takes only ≈ 50 µs, and LayerStats adds 15–20% to it
    ([64, 100, 100, 10]: ≈ 25%; batches of 100: ≈ 10%); with ``every=10``
    it adds 2–3%. For large layers it vanishes next to the matrix products.
    """

    def __init__(self, every=1):
        self.every = positive_int(every, "every")
        self._delta = self._grad_w = None
        self._count = 0

    def on_train_begin(self, state):
        count = len(state.net.weights)
        stats = state.history.layer_stats
        stats["layers"] = list(range(2, count + 2))
        stats.setdefault(MEAN_ABS_DELTA, [])
        stats.setdefault(MEAN_ABS_GRAD_W, [])
        self._reset(count)

    def _reset(self, count):
        self._delta, self._grad_w, self._count = [0.0] * count, [0.0] * count, 0

    def on_batch_end(self, state):
        if (state.batch - 1) % self.every:
            return
        grads = state.grads
        for i, (delta, grad_w) in enumerate(zip(grads.deltas, grads.weights)):
            self._delta[i] += mean_abs(delta)  # mean |δ^l|      (BP1/BP2)
            self._grad_w[i] += mean_abs(grad_w)  # mean |∂C/∂w^l|  (BP3)
        self._count += 1

    def on_epoch_end(self, state):
        stats = state.history.layer_stats
        n = self._count
        stats[MEAN_ABS_DELTA].append([s / n if n else None for s in self._delta])
        stats[MEAN_ABS_GRAD_W].append([s / n if n else None for s in self._grad_w])
        self._reset(len(self._delta))
