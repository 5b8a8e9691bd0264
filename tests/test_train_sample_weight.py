"""``train(..., sample_weight=s)``: weighted batch means in the training loop.

Whole-number weights must train exactly as repeating each row s_i times, when
both runs put the same rows in each batch (one batch per epoch, no shuffling).
"""

from __future__ import annotations

import numpy as np
import pytest

import bprop as bp
from bprop.core.network import Network
from bprop.errors import InvalidArgument
from bprop.training.loop import train
from conftest import requires_gpu


def data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 4))
    y = rng.integers(0, 3, size=30)
    s = rng.integers(0, 4, size=30)
    return X, y, s


def network():
    return Network(
        [4, 6, 3], activation="tanh", output="softmax", cost="log_likelihood", init="xavier", seed=1, dtype="float64"
    )


@pytest.mark.parametrize("l2_divisor", ["batch", "training_set"])
@pytest.mark.parametrize("optimizer", [lambda: bp.SGD(0.5), lambda: bp.Adam(0.01)])
def test_whole_number_weights_train_as_repeated_rows(l2_divisor, optimizer):
    X, y, s = data()
    rows = np.repeat(np.arange(len(X)), s)
    weighted, repeated = network(), network()
    common = dict(epochs=4, shuffle=False, l2=0.3, l2_divisor=l2_divisor)
    h1 = train(weighted, X, y, batch_size=len(X), optimizer=optimizer(), sample_weight=s, **common)
    h2 = train(repeated, X[rows], y[rows], batch_size=len(rows), optimizer=optimizer(), **common)
    for a, b in zip((*weighted.weights, *weighted.biases), (*repeated.weights, *repeated.biases)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h1.train_cost, h2.train_cost, rtol=0, atol=1e-12)


def test_epoch_cost_is_the_weighted_mean_over_batches():
    X, y, s = data(1)
    s = s + 0.5
    net = network()
    before = net.copy()
    history = train(net, X, y, epochs=1, batch_size=7, shuffle=False, optimizer=bp.SGD(1e-12), sample_weight=s)
    # with a negligible step, the epoch cost is that of the starting weights, weighted
    per_sample = before.cost.value(before.feedforward(X), np.eye(3)[y])
    assert history.train_cost[0] == pytest.approx(np.sum(s * per_sample) / s.sum(), rel=1e-9)


def test_ones_give_the_unweighted_bits():
    X, y, _ = data()
    a, b = network(), network()
    train(a, X, y, epochs=2, batch_size=8, seed=3, optimizer=bp.SGD(0.3))
    train(b, X, y, epochs=2, batch_size=8, seed=3, optimizer=bp.SGD(0.3), sample_weight=np.ones(len(X)))
    for p, q in zip((*a.weights, *a.biases), (*b.weights, *b.biases)):
        np.testing.assert_allclose(p, q, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(
    "weights, match", [(np.ones(5), r"shape \(30,\)"), (-np.ones(30), "≥ 0"), (np.zeros(30), "not all zero")]
)
def test_bad_weights_are_named(weights, match):
    X, y, _ = data()
    with pytest.raises(InvalidArgument, match=match):
        train(network(), X, y, epochs=1, sample_weight=weights)


@pytest.mark.parametrize("l2_divisor", ["batch", "training_set"])
def test_the_device_loop_weights_as_the_host_loop(l2_divisor):
    """A torch network (here on the CPU) runs the loop's device path, costs read once per epoch."""
    pytest.importorskip("torch")
    X, y, s = data(2)
    net = network()
    on_torch = net.to("cpu", backend="torch")
    kw = dict(epochs=3, batch_size=7, seed=4, l2=0.2, l2_divisor=l2_divisor, sample_weight=s + 0.25)
    histories = [train(target, X, y, optimizer=bp.Adam(0.01), **kw) for target in (net, on_torch)]
    back = on_torch.to("cpu", backend="numpy")
    for a, b in zip((*back.weights, *back.biases), (*net.weights, *net.biases)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(histories[1].train_cost, histories[0].train_cost, rtol=1e-10)


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("l2_divisor", ["batch", "training_set"])
def test_weighted_training_on_a_gpu_equals_numpy(l2_divisor):
    X, y, s = data(2)
    net = network()
    on_gpu = net.to("cuda")
    histories = [
        train(
            target,
            X,
            y,
            epochs=3,
            batch_size=7,
            seed=4,
            l2=0.2,
            l2_divisor=l2_divisor,
            optimizer=bp.Adam(0.01),
            sample_weight=s + 0.25,
        )
        for target in (net, on_gpu)
    ]
    for a, b in zip((*on_gpu.to("cpu").weights, *on_gpu.to("cpu").biases), (*net.weights, *net.biases)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(histories[1].train_cost, histories[0].train_cost, rtol=1e-10)
