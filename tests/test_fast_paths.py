"""The training loop's NumPy fast paths change no number: costs found once per run, one BLAS thread.

``batch_runs.BatchRuns.run_batches_deferred`` finds the batches' costs and correct counts
together after a run of batches. It is compared, bit for bit, with what the
plain path gives: the public ``backprop`` and an optimizer step written out by
hand, or the same run with a callback that reads every batch.
"""

from __future__ import annotations

import numpy as np
import pytest

import bprop as bp


def _data(m, n_in, classes, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((m, n_in), dtype=np.float32), rng.integers(0, classes, m)


class _Reader:
    """A callback that reads each batch's cost: it keeps the loop on its batch-by-batch path."""

    def __init__(self):
        self.costs = []

    def on_batch_end(self, state):
        self.costs.append(state.batch_cost)


@pytest.mark.parametrize(
    "hidden,output,cost",
    [
        ("relu", "softmax", "log_likelihood"),
        ("sigmoid", "sigmoid", "quadratic"),
        (["tanh", "relu"], "sigmoid", "cross_entropy"),
    ],
)
def test_a_deferred_run_equals_backprop_and_steps_by_hand(hidden, output, cost):
    sizes = [200, 96, 48, 3] if isinstance(hidden, list) else [200, 96, 3]
    batch = 200  # and a last batch of 100
    X, y = _data(500, 200, 3)
    kwargs = dict(activation=hidden, output=output, cost=cost, seed=1)
    trained, by_hand = bp.Network(sizes, **kwargs), bp.Network(sizes, **kwargs)
    bp.train(trained, X, y, epochs=2, batch_size=batch, optimizer=bp.Momentum(lr=0.05), shuffle=False)
    optimizer = bp.Momentum(lr=0.05)
    for _ in range(2):
        for start in range(0, 500, batch):
            optimizer.step(by_hand, by_hand.backprop(X[start : start + batch], y[start : start + batch]))
    for a, b in zip(trained.weights + trained.biases, by_hand.weights + by_hand.biases):
        assert np.array_equal(a, b)


def test_costs_found_once_per_run_equal_those_read_batch_by_batch():
    X, y = _data(230, 12, 4)
    runs = {}
    for name, callbacks in (("deferred", ()), ("per batch", (_Reader(),))):
        net = bp.Network([12, 9, 4], activation="relu", output="softmax", cost="log_likelihood", seed=2)
        history = bp.train(net, X, y, epochs=3, batch_size=16, optimizer=bp.Adam(0.01), seed=3, callbacks=callbacks)
        runs[name] = (history, net)
    (deferred, net_d), (eager, net_e) = runs["deferred"], runs["per batch"]
    last, reader = [], _Reader()
    at_epoch_end = type("E", (), {"on_epoch_end": lambda self, state: last.append(state.grads.cost)})()
    for callbacks in ((at_epoch_end,), (reader,)):
        net = bp.Network([12, 9, 4], activation="relu", output="softmax", cost="log_likelihood", seed=2)
        bp.train(net, X, y, epochs=1, batch_size=16, optimizer=bp.Adam(0.01), seed=3, callbacks=callbacks)
    assert last == [reader.costs[-1]]  # state.grads.cost after a deferred run: the last batch's cost
    assert deferred.train_cost == eager.train_cost  # the same floats, not just close
    assert deferred.train_accuracy == eager.train_accuracy
    for a, b in zip(net_d.weights + net_d.biases, net_e.weights + net_e.biases):
        assert np.array_equal(a, b)


def test_a_divergence_found_after_the_run_names_the_batch_a_reader_would_see():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1)) * 100
    messages, weights = {}, {}
    for name, callbacks in (("deferred", ()), ("per batch", (_Reader(),))):
        net = bp.Network([3, 8, 1], activation="relu", output="identity", init="he", seed=0)
        with pytest.raises(bp.TrainingDiverged) as caught:
            bp.train(net, X, Y, epochs=50, batch_size=4, optimizer=bp.SGD(lr=10.0), seed=0, callbacks=callbacks)
        messages[name], weights[name] = str(caught.value), net.weights + net.biases
    assert "batch" in messages["deferred"]
    assert messages["deferred"] == messages["per batch"]  # the same epoch, batch and cost
    for a, b in zip(weights["deferred"], weights["per batch"]):
        assert np.array_equal(a, b)  # both restored to the start of that epoch


def _blas_threads():
    from threadpoolctl import threadpool_info

    """The thread counts of NumPy's BLAS (SciPy's own OpenBLAS, loaded by other tests, is not bprop's)."""
    return [
        info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas" and "numpy" in info["filepath"]
    ]


def test_a_small_network_trains_on_one_blas_thread_and_gives_the_setting_back():
    from threadpoolctl import threadpool_limits

    X, y = _data(60, 64, 10)
    inside = []
    reader = type("R", (), {"on_batch_end": lambda self, state: inside.append(_blas_threads())})()
    with threadpool_limits(2, user_api="blas"):  # the user's setting
        before = _blas_threads()
        bp.train(bp.Network([64, 30, 10], seed=0), X, y, epochs=1, batch_size=10, callbacks=[reader])
        assert inside[0] == [1] * len(before)
        assert _blas_threads() == before
        rng = np.random.default_rng(0)
        with pytest.raises(bp.TrainingDiverged):  # given back when training raises, too
            bp.train(
                bp.Network([3, 8, 1], activation="relu", output="identity", init="he", seed=0),
                rng.normal(size=(40, 3)),
                rng.normal(size=(40, 1)) * 100,
                epochs=50,
                batch_size=4,
                optimizer=bp.SGD(lr=10.0),
                seed=0,
            )
        assert _blas_threads() == before
        inside.clear()
        bp.train(bp.Network([200, 100, 3], seed=0), *_data(128, 200, 3), epochs=1, batch_size=128, callbacks=[reader])
        assert inside[0] == before  # 128 × 200 × 100 multiply-adds: a product worth two threads


@pytest.mark.parametrize("shuffle", [True, False])
def test_a_small_set_gathered_once_per_epoch_trains_as_batch_by_batch(shuffle):
    X, y = _data(97, 10, 3)  # 97 rows: the last batch of each epoch is smaller
    runs = {}
    for name, callbacks in (("gathered once", ()), ("per batch", (_Reader(),))):
        net = bp.Network([10, 7, 3], activation="tanh", output="softmax", cost="log_likelihood", seed=4)
        history = bp.train(net, X, y, epochs=2, batch_size=8, seed=5, shuffle=shuffle, callbacks=callbacks)
        runs[name] = (history.train_cost, history.train_accuracy, [w.copy() for w in net.weights + net.biases])
    assert runs["gathered once"][:2] == runs["per batch"][:2]
    assert all(np.array_equal(a, b) for a, b in zip(runs["gathered once"][2], runs["per batch"][2]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_row_sum_finite_check_agrees_with_isfinite_on_every_planted_value(dtype):
    from bprop.core.fast import all_finite

    rng = np.random.default_rng(3)
    X = rng.standard_normal((50, 7)).astype(dtype)
    assert all_finite(X)
    huge = np.finfo(dtype).max
    for value in (np.nan, np.inf, -np.inf):
        for row, column in [(0, 0), (49, 6), (17, 3)]:
            Y = X.copy()
            Y[row, column] = value
            assert not all_finite(Y), (value, row, column)
    overflowing = np.full((3, 7), huge / 2, dtype=dtype)  # finite entries whose row sums overflow
    assert all_finite(overflowing)
    overflowing[1, 1] = np.nan
    assert not all_finite(overflowing)
    opposite = X.copy()
    opposite[2, :2] = (np.inf, -np.inf)  # inf − inf in one row sum: NaN
    assert not all_finite(opposite)


@pytest.mark.parametrize("m", [1, 10, 255, 256, 300])
def test_bp2s_product_equals_delta_times_w_and_takes_the_forward_layout(m):
    from bprop.core.fast import SMALL_BATCH, rows_times, rows_times_transposed

    rng = np.random.default_rng(m)
    A, V, D, W = (rng.standard_normal(shape) for shape in [(m, 6), (5, 6), (m, 4), (4, 5)])
    Z = rows_times_transposed(A, V)  # a hidden layer's Z^l (m, 5), as the forward pass leaves it
    back = rows_times(D, W, like=Z)  # BP2's Δ^{l+1} W^{l+1} (m, 5), about to meet σ′(Z^l)
    np.testing.assert_allclose(back, D @ W, rtol=1e-13, atol=1e-13)
    assert Z.flags.f_contiguous == back.flags.f_contiguous and Z.flags.c_contiguous == back.flags.c_contiguous
    if m >= SMALL_BATCH:
        assert back.flags.c_contiguous
    elif m > 1:  # stored transposed, as the forward pass's Z: σ′(Z) then shares Δ's layout
        assert back.flags.f_contiguous and not back.flags.c_contiguous


@pytest.mark.parametrize("m", [10, 100])
def test_bp2_keeps_the_row_layout_when_delta_meets_a_dropout_mask_or_a_sparse_inputs_z(m):
    """Δ takes the layout of what it is multiplied by next: σ′(Z^l)'s Z^l, or the (row-major) dropout mask."""
    import scipy.sparse

    rng = np.random.default_rng(0)
    net = bp.Network([6, 5, 4, 3], activation="relu", output="softmax", cost="log_likelihood", seed=0)
    X, Y = rng.random((m, 6)), np.eye(3)[rng.integers(0, 3, m)]
    plain = net.backprop_placed(X, Y)
    assert all(d.flags.f_contiguous and not d.flags.c_contiguous for d in plain.deltas[:-1])  # like Z^l
    masks = bp.core.dropout.draw_masks((0.5, 0.5), net.sizes, m, rng, net.dtype)
    dropped = net.backprop_placed(X, Y, masks=masks)
    assert all(d.flags.c_contiguous for d in dropped.deltas[:-1])  # like the masks
    sparse = net.backprop_placed(scipy.sparse.csr_matrix(X), Y)
    assert sparse.zs[0].flags.c_contiguous and sparse.deltas[0].flags.c_contiguous  # X Wᵀ on a sparse X: not flipped
    for a, b in zip(sparse.weights + sparse.biases, plain.weights + plain.biases):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
