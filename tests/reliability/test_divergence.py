"""Divergence: NaN, infinite or exploding costs stop training with the last finite weights kept.

Definition (bprop.train): a batch cost C diverges when it is NaN or ±inf, or
when |C| > EXPLOSION_FACTOR (10⁶) × the first epoch's mean training cost
(checked from epoch 2 on); a step that leaves a weight non-finite is caught at
the end of its epoch. The oracle for "the weights kept" is an independent run
of the epochs before the one that diverged: same seed, fewer epochs.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bprop as bp
from bprop.cli import main
from bprop.training.loop import EXPLOSION_FACTOR

from .reliability_helpers import TALLY, same_parameters, small_problem

X, Y = small_problem()
TARGETS = np.eye(3)[Y]


def linear(seed=0):
    return bp.Network([5, 3], activation="identity", cost="quadratic", seed=seed, dtype="float64")


def test_an_exploding_cost_stops_training_before_it_overflows():
    net = linear()
    with pytest.raises(
        bp.TrainingDiverged,
        match=r"rose to .* more than 1e\+06 times the first epoch's mean "
        r"cost .* smaller learning rate \(now 2.0\)",
    ) as caught:
        bp.train(net, X, TARGETS, epochs=50, batch_size=60, optimizer=bp.SGD(lr=2.0), seed=0)
    history = caught.value.history
    assert 1 < len(history) < 50 and all(np.isfinite(history.train_cost))
    assert max(history.train_cost) <= EXPLOSION_FACTOR * history.train_cost[0]
    before = linear()  # the oracle: the epochs that did not diverge, run again
    bp.train(before, X, TARGETS, epochs=len(history), batch_size=60, optimizer=bp.SGD(lr=2.0), seed=0)
    assert same_parameters(net, before)


def test_a_nan_cost_keeps_the_weights_of_the_start_of_the_epoch():
    net = bp.Network([5, 16, 3], activation="relu", output="identity", seed=0, dtype="float64")
    with pytest.raises(bp.TrainingDiverged, match="smaller learning rate") as caught:
        bp.train(net, X * 1e3, TARGETS, epochs=20, batch_size=10, optimizer=bp.SGD(lr=1e3), seed=0)
    assert all(np.isfinite(w).all() for w in [*net.weights, *net.biases])
    before = bp.Network([5, 16, 3], activation="relu", output="identity", seed=0, dtype="float64")
    if len(caught.value.history):
        bp.train(
            before, X * 1e3, TARGETS, epochs=len(caught.value.history), batch_size=10, optimizer=bp.SGD(lr=1e3), seed=0
        )
    assert same_parameters(net, before)


class PoisonAt(bp.SGD):
    """SGD whose k-th step leaves an infinite weight: a step the next cost would not see in time."""

    def __init__(self, k):
        super().__init__(lr=0.1)
        self.k = k

    def step(self, net, grads):
        super().step(net, grads)
        if self.steps == self.k:
            net.weights[0][0, 0] = np.inf


def test_a_last_step_that_leaves_a_weight_infinite_is_caught_at_the_end_of_its_epoch():
    net = linear()
    with pytest.raises(bp.TrainingDiverged, match="made a weight NaN or infinite") as caught:
        bp.train(net, X, TARGETS, epochs=3, batch_size=20, optimizer=PoisonAt(6), seed=0)  # 3 batches an epoch
    assert len(caught.value.history) == 1
    before = linear()
    bp.train(before, X, TARGETS, epochs=1, batch_size=20, optimizer=bp.SGD(lr=0.1), seed=0)
    assert same_parameters(net, before)


@settings(max_examples=40, deadline=None)
@given(
    lr=st.floats(1e-2, 1e4),
    activation=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
    optimizer=st.sampled_from(["sgd", "momentum", "adam"]),
    scale=st.sampled_from([1.0, 1e3]),
)
def test_training_either_succeeds_or_diverges_and_the_weights_are_always_finite(lr, activation, optimizer, scale):
    make = {"sgd": bp.SGD, "momentum": bp.Momentum, "adam": bp.Adam}[optimizer]
    net = bp.Network([5, 8, 3], activation=activation, output="identity", seed=0, dtype="float64")
    try:
        bp.train(net, X * scale, TARGETS, epochs=4, batch_size=15, optimizer=make(lr=lr), seed=0)
        TALLY["divergence: random settings that trained"] += 1
    except bp.TrainingDiverged:
        TALLY["divergence: random settings that diverged (weights kept finite)"] += 1
    assert all(np.isfinite(w).all() for w in [*net.weights, *net.biases])


def test_the_cli_saves_a_finite_model_when_the_cost_explodes(tmp_path, capsys):
    status = main(
        [
            "train",
            "--data",
            "xor",
            "--n",
            "40",
            "--activation",
            "identity",
            "--lr",
            "40",
            "--dtype",
            "float64",
            "--epochs",
            "60",
            "--quiet",
            "--out",
            str(tmp_path / "runs"),
        ]
    )
    err = capsys.readouterr().err
    assert status == 1 and "diverged" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    (folder,) = (tmp_path / "runs").iterdir()
    net = bp.load(folder / "model.bprop")
    assert all(np.isfinite(w).all() for w in [*net.weights, *net.biases])
    assert json.loads((folder / "results.json").read_text())["diverged"] is True
    assert not (folder / "checkpoint.ckpt").exists()
