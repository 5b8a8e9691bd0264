"""Tests of the training monitors: LayerStats (per-layer |δ^l|, |∂C/∂w^l|) and Diagnostics.

LayerStats is checked against means computed independently from the very
Gradients of each batch (recorded by a callback of the test). The vanishing
gradient test states the physics: by BP2, δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l).
With scaled-normal weights (std 1/√n_in) the product with (w^{l+1})ᵀ keeps the
size of δ about the same from one 30-wide layer to the next, and the sigmoid's
σ′ ≤ ¼ divides it by 4 or more at each of the 5 steps from the output to the
first hidden layer: ≥ 4⁵ ≈ 1000 expected (measured 3,400–5,000 over 10
seeds). ReLU with He weights keeps E[δ²] layer to layer (He et al. 2015), so
the per-layer means stay within a small factor (measured ≤ 3.3).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import bprop as bp
from bprop.training.diagnostics import Diagnostics, Finding
from bprop.training.monitors import LayerStats

DEEP = [64, 30, 30, 30, 30, 30, 10]
BP2_TEXT = "δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l)"


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.data[:300] / 16.0, d.target[:300]


class Recorder:
    """Keeps a copy of every batch's δ^l and ∂C/∂w^l, per epoch."""

    def __init__(self):
        self.epochs = []

    def on_batch_end(self, state):
        while len(self.epochs) < state.epoch:
            self.epochs.append([])
        g = state.grads
        self.epochs[-1].append(([d.copy() for d in g.deltas], [w.copy() for w in g.weights], state.batch))


# ---------------------------------------------------------------- LayerStats


@pytest.mark.parametrize("every", [1, 2])
def test_layer_stats_are_the_means_of_each_batch_gradients(every):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(23, 4)), rng.integers(0, 3, 23)
    net = bp.Network(
        [4, 5, 6, 3], activation="tanh", output="softmax", cost="log_likelihood", init="xavier", seed=1, dtype="float64"
    )
    recorder = Recorder()
    history = bp.train(
        net, X, y, epochs=3, batch_size=5, optimizer=bp.SGD(0.5), seed=2, callbacks=[recorder, LayerStats(every=every)]
    )
    stats = history.layer_stats
    assert stats["layers"] == [2, 3, 4]
    assert len(stats["mean_abs_delta"]) == len(stats["mean_abs_grad_w"]) == 3
    for epoch, batches in enumerate(recorder.epochs):
        assert len(batches) == 5  # 23 samples: 4 batches of 5 and one of 3
        sampled = [(deltas, weights) for deltas, weights, batch in batches if (batch - 1) % every == 0]
        for i in range(3):
            expected_delta = np.mean([np.mean(np.abs(deltas[i])) for deltas, _ in sampled])
            expected_grad_w = np.mean([np.mean(np.abs(weights[i])) for _, weights in sampled])
            assert stats["mean_abs_delta"][epoch][i] == pytest.approx(expected_delta, rel=1e-12)
            assert stats["mean_abs_grad_w"][epoch][i] == pytest.approx(expected_grad_w, rel=1e-12)


def test_layer_stats_survive_json_and_from_dict():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 3)), rng.integers(0, 2, 12)
    net = bp.Network([3, 4, 2], output="softmax", cost="log_likelihood", seed=0)
    history = bp.train(net, X, y, epochs=2, batch_size=4, seed=0, callbacks=[LayerStats()])
    again = bp.History.from_dict(json.loads(json.dumps(history.to_dict())))
    assert again.layer_stats == history.layer_stats
    assert set(again.layer_stats) == {"layers", "mean_abs_delta", "mean_abs_grad_w"}
    assert bp.History().layer_stats == {} and bp.History.from_dict({}).layer_stats == {}


def test_training_state_holds_the_last_batch_gradients():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(9, 3)), rng.integers(0, 2, 9)
    seen = []

    class Watch:
        def on_batch_end(self, state):
            seen.append(
                (state.grads.cost, state.batch_cost, state.grads.activations[0].shape[0], state.batch_targets.shape)
            )

    bp.train(bp.Network([3, 4, 2], seed=0), X, y, epochs=1, batch_size=4, seed=0, callbacks=[Watch()])
    assert [(c == bc, m, t) for c, bc, m, t in seen] == [(True, 4, (4, 2)), (True, 4, (4, 2)), (True, 1, (1, 2))]


def _first_epoch_deltas(sizes, seed, X, y, **kwargs):
    """mean |δ^l| per layer over the first epoch (the network barely moved from its initialization)."""
    lr = kwargs.pop("lr")
    net = bp.Network(sizes, seed=seed, **kwargs)
    history = bp.train(
        net, X[:200], y[:200], epochs=1, batch_size=10, optimizer=bp.SGD(lr), seed=seed, callbacks=[LayerStats()]
    )
    return np.array(history.layer_stats["mean_abs_delta"][0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deep_sigmoid_errors_vanish_towards_the_input_but_relu_he_errors_do_not(digits, seed):
    X, y = digits
    sigmoid = _first_epoch_deltas(DEEP, seed, X, y, init="scaled_normal", lr=3.0)
    relu = _first_epoch_deltas(
        DEEP, seed, X, y, activation="relu", output="softmax", cost="log_likelihood", init="he", lr=0.1
    )
    # Sigmoid: |δ^L| / |δ^2| measured 3.4e3 … 5.0e3 (10 seeds); each layer at least 4.1× the one before.
    assert sigmoid[-1] / sigmoid[0] > 100
    assert np.all(sigmoid[1:] / sigmoid[:-1] > 2)
    # ReLU + He: |δ^L| / |δ^2| measured 1.6 … 3.0; the largest / smallest layer ≤ 3.3.
    assert relu.max() / relu.min() < 10
    assert (sigmoid[-1] / sigmoid[0]) > 10 * (relu[-1] / relu[0])


# ---------------------------------------------------------------- Diagnostics


def _findings(net, X, y, epochs=1, optimizer=None, **options):
    found = []
    try:
        bp.train(
            net,
            X,
            y,
            epochs=epochs,
            batch_size=10,
            optimizer=optimizer or bp.SGD(3.0),
            seed=0,
            callbacks=[Diagnostics(found.append, **options)],
        )
    except bp.TrainingDiverged:
        pass  # findings of the batches before still count
    assert all(isinstance(f, Finding) for f in found)
    return found


def _kinds(found):
    return [f.kind for f in found]


def _saturated_net(seed, cost):
    net = bp.Network([64, 30, 10], cost=cost, seed=seed)
    net.weights = [10 * w for w in net.weights]  # |z| ≫ 5: σ′(z) ≈ 0
    return net


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_saturated_sigmoid_outputs_with_quadratic_cost_are_reported_as_bp1(digits, seed, capsys):
    X, y = digits
    found = _findings(_saturated_net(seed, "quadratic"), X, y)
    saturation = [f for f in found if f.kind == "saturation"]
    assert len(saturation) == 1
    f = saturation[0]
    assert f.equation == "BP1" and f.epoch == 1 and f.value > 0.5
    assert f.message.startswith("BP1: δ^L = ∇_a C ⊙ σ′(z^L)")
    assert "cost=cross_entropy" in f.message and "δ^L = a − y" in f.message
    assert str(f) == f.message
    assert capsys.readouterr() == ("", "")  # the module never prints


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_cross_entropy_shortcut_is_not_reported_as_saturated(digits, seed):
    X, y = digits
    assert "saturation" not in _kinds(_findings(_saturated_net(seed, "cross_entropy"), X, y, optimizer=bp.SGD(0.5)))


def test_a_healthy_classic_run_reports_nothing(digits):
    X, y = digits
    assert _findings(bp.Network([64, 30, 10], seed=0), X, y, epochs=10) == []


@pytest.mark.parametrize("seed", [0, 1])
def test_deep_sigmoid_net_is_reported_as_vanishing_bp2(digits, seed):
    X, y = digits
    found = _findings(bp.Network(DEEP, init="scaled_normal", seed=seed), X[:200], y[:200])
    vanishing = [f for f in found if f.kind == "vanishing"]
    assert len(vanishing) == 1
    assert vanishing[0].equation == "BP2" and vanishing[0].value < 1e-3
    assert BP2_TEXT in vanishing[0].message and "relu" in vanishing[0].message and "he" in vanishing[0].message
    relu = bp.Network(DEEP, activation="relu", output="softmax", cost="log_likelihood", init="he", seed=seed)
    assert _findings(relu, X[:200], y[:200], optimizer=bp.SGD(0.1)) == []


def test_exploding_errors_are_reported_as_bp2(digits):
    X, y = digits
    net = bp.Network(
        DEEP, activation="identity", output="softmax", cost="log_likelihood", init="normal", seed=0
    )  # N(0, 1) weights, σ′ = 1: ×√30 per layer
    found = _findings(net, X[:50], y[:50], optimizer=bp.SGD(1e-6))
    exploding = [f for f in found if f.kind == "exploding"]
    assert len(exploding) == 1 and exploding[0].value > 1e3 and BP2_TEXT in exploding[0].message


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_huge_learning_rate_is_reported_and_a_small_one_is_not(digits, seed):
    X, y = digits

    def net():
        return bp.Network(
            [64, 30, 10], activation="relu", output="softmax", cost="log_likelihood", init="he", seed=seed
        )

    found = [f for f in _findings(net(), X, y, optimizer=bp.SGD(100.0)) if f.kind == "step_size"]
    assert len(found) == 1
    assert found[0].equation == "update" and found[0].value < 0  # the cost went up: measured/predicted < 0
    assert "η may be too large" in found[0].message and "η = 100" in found[0].message
    assert "step_size" not in _kinds(_findings(net(), X, y, epochs=3, optimizer=bp.SGD(0.03)))


def test_the_step_size_check_skips_adam_and_momentum(digits):
    X, y = digits
    for optimizer in (bp.Adam(lr=1.0), bp.Momentum(lr=100.0)):
        net = bp.Network([64, 30, 10], activation="relu", output="softmax", cost="log_likelihood", init="he", seed=0)
        assert "step_size" not in _kinds(_findings(net, X, y, optimizer=optimizer))


def test_a_kind_fires_at_most_once_per_repeat_after_epochs(digits):
    X, y = digits
    found = _findings(_saturated_net(0, "quadratic"), X, y, epochs=4, repeat_after=2)
    assert [f.epoch for f in found if f.kind == "saturation"] == [1, 3]
    found = _findings(_saturated_net(0, "quadratic"), X, y, epochs=4)
    assert [f.epoch for f in found if f.kind == "saturation"] == [1]


def test_report_must_be_callable():
    with pytest.raises(bp.InvalidArgument, match="report"):
        Diagnostics(report=None)


def _one_big_step(digits, masks_seed=None, state_class=None):
    """(the findings, net, X, Y, masks) after one SGD step with η = 100 on 40 digits, seen as batch 1."""
    from bprop.core.dropout import draw_masks
    from bprop.training.state import History, TrainingState

    X, y = digits[0][:40], digits[1][:40]
    Y = np.eye(10)[y]
    net = bp.Network([64, 30, 10], activation="relu", output="softmax", cost="log_likelihood", seed=0, dtype="float64")
    masks = None
    if masks_seed is not None:
        masks = draw_masks((0.5,), net.sizes, len(X), np.random.default_rng(masks_seed), np.float64)
    grads = net.backprop(X, Y, masks=masks)
    optimizer = bp.SGD(lr=100.0)
    optimizer.step(net, grads)
    found = []
    state = (state_class or TrainingState)(net, optimizer, History(), 1, 1, epoch=1, batch=1, grads=grads)
    state.batch_targets, state.masks, state.n = Y, masks, len(X)
    Diagnostics(found.append).on_batch_end(state)
    return [f for f in found if f.kind == "step_size"], net, X, Y, masks


def test_with_dropout_the_step_size_check_measures_the_batch_again_with_its_own_masks(digits):
    """The step's cost C was measured with the batch's masks; the cost after the step must be too."""
    (finding,), net, X, Y, masks = _one_big_step(digits, masks_seed=3)
    masked, unmasked = net.backprop(X, Y, masks=masks).cost, net.backprop(X, Y).cost  # after the step
    assert f"to {masked:.4g}, where" in finding.message
    assert f"{masked:.4g}" != f"{unmasked:.4g}"  # measuring without the masks would read otherwise


def test_under_mpi_the_step_size_check_stays_silent_as_a_rank_holds_part_of_the_batch(digits):
    from bprop.training.state import SharedState

    assert len(_one_big_step(digits)[0]) == 1  # one process: the overshoot is reported
    assert _one_big_step(digits, state_class=SharedState)[0] == []  # a rank of an MPI run: not measured
