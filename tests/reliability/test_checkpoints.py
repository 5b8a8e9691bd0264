"""Checkpoints and resume, in process: nothing lost, nothing changed.

The guarantee: a run interrupted anywhere (inside an epoch, at its end, at a
checkpoint boundary) and resumed from its checkpoint ends with the same
weights, bit for bit in float64, and the same history, as the run that was
never interrupted; and so does resuming from any checkpoint the run wrote.
The oracle is the uninterrupted run itself.
"""

from __future__ import annotations

import shutil
import sys

import numpy as np
import pytest

import bprop as bp
from bprop.errors import InvalidArgument, ModelFileError, TrainingInterrupted
from bprop.storage import archive
from bprop.training import checkpoints
from bprop.training.checkpoints import Checkpointer

from .reliability_helpers import TALLY, same_parameters, small_problem

OPTIMIZERS = {
    "sgd": lambda: bp.SGD(lr=0.5),
    "momentum": lambda: bp.Momentum(lr=0.05, momentum=0.9),
    "nesterov": lambda: bp.Nesterov(lr=0.05, momentum=0.9),
    "adam": lambda: bp.Adam(lr=0.01),
    "schedule": lambda: bp.SGD(lr=lambda t: 0.5 / (1 + 0.01 * t)),
}
EPOCHS, BATCH = 5, 8  # 60 samples: 8 batches an epoch, the last one of 4


def network(dtype="float64"):
    return bp.Network(
        [5, 7, 3], activation="tanh", output="softmax", cost="log_likelihood", init="xavier", seed=1, dtype=dtype
    )


def fit(net, optimizer, **kwargs):
    X, y = small_problem()
    kwargs = {"epochs": EPOCHS, "batch_size": BATCH, "seed": 7, "l2": 0.1, "validation": (X[:20], y[:20]), **kwargs}
    return bp.train(net, X, y, optimizer=optimizer, **kwargs)


def without_times(history):
    figures = history.to_dict()
    figures.pop("epoch_seconds")
    return figures


class InterruptAt:
    """Calls state.interrupt() after the k-th batch of the run (counting from 1)."""

    def __init__(self, k):
        self.k, self.seen = k, 0

    def on_batch_end(self, state):
        self.seen += 1
        if self.seen == self.k:
            state.interrupt()


@pytest.fixture(scope="module")
def uninterrupted():
    """The oracle: each optimizer's run, never stopped (with early stopping watched)."""
    runs = {}
    for name, make in OPTIMIZERS.items():
        net = network()
        history = fit(net, make(), early_stopping=3)
        runs[name] = (net, history)
    return runs


@pytest.mark.slow  # the whole matrix of stops, schedules and optimizers
@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("every", [{"every_epochs": 1}, {"every_batches": 3}, {}])
@pytest.mark.parametrize("stop_after", [1, 7, 8, 9, 16, 23, 39])
def test_interrupted_and_resumed_equals_uninterrupted(tmp_path, uninterrupted, name, every, stop_after):
    path = tmp_path / "run.ckpt"
    with pytest.raises(TrainingInterrupted) as caught:
        fit(
            network(),
            OPTIMIZERS[name](),
            early_stopping=3,
            checkpoint=Checkpointer(path, **every),
            callbacks=[InterruptAt(stop_after)],
        )
    assert caught.value.checkpoint == path and path.is_file()
    net = network()
    net.weights = [np.zeros_like(w) for w in net.weights]  # resume must restore every parameter
    history = fit(
        net, OPTIMIZERS[name](), early_stopping=3, seed=12345, resume=path, checkpoint=Checkpointer(path, **every)
    )
    expected_net, expected_history = uninterrupted[name]
    assert same_parameters(net, expected_net)
    assert without_times(history) == without_times(expected_history)
    TALLY["checkpoint: interrupted in-process runs resumed bit-identically"] += 1


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_resuming_from_every_checkpoint_a_run_wrote_gives_the_same_weights(tmp_path, uninterrupted, name):
    path = tmp_path / "run.ckpt"
    copies = []

    class KeepCopies:
        def on_batch_end(self, state):
            if path.is_file() and (not copies or copies[-1].read_bytes() != path.read_bytes()):
                copies.append(shutil.copy(path, tmp_path / f"copy-{len(copies)}.ckpt"))

    fit(
        network(),
        OPTIMIZERS[name](),
        early_stopping=3,
        checkpoint=Checkpointer(path, every_batches=5),
        callbacks=[KeepCopies()],
    )
    assert len(copies) >= 5
    for copy in map(type(path), copies):
        net = network()
        fit(net, OPTIMIZERS[name](), early_stopping=3, resume=copy)
        assert same_parameters(net, uninterrupted[name][0]), copy
        TALLY["checkpoint: resumes from intermediate checkpoints"] += 1


def test_a_checkpoint_round_trips_exactly(tmp_path):
    path = tmp_path / "run.ckpt"
    with pytest.raises(TrainingInterrupted):
        fit(network(), bp.Adam(lr=0.01), early_stopping=2, checkpoint=path, callbacks=[InterruptAt(13)])
    first = checkpoints.load(path)
    checkpoints.save(first, tmp_path / "again.ckpt")
    assert (tmp_path / "again.ckpt").read_bytes() == path.read_bytes()  # same state, same bytes
    assert first.epochs_done == 1 and first.epoch["batches_done"] == 5
    assert first.optimizer["type"] == "Adam" and first.optimizer["steps"] == 13
    assert sorted(np.asarray(first.order)) == list(range(60))


def test_resuming_the_finished_checkpoint_trains_no_further(tmp_path, uninterrupted):
    path = tmp_path / "run.ckpt"
    net = network()
    fit(net, bp.SGD(lr=0.5), early_stopping=3, checkpoint=Checkpointer(path, every_epochs=1))
    again = network()
    history = fit(again, bp.SGD(lr=0.5), early_stopping=3, resume=path)
    assert same_parameters(again, uninterrupted["sgd"][0]) and len(history) == EPOCHS


def test_more_epochs_on_resume_continue_the_same_run(tmp_path):
    path = tmp_path / "run.ckpt"
    fit(network(), bp.Momentum(lr=0.05), checkpoint=path, epochs=3)
    longer = network()
    fit(longer, bp.Momentum(lr=0.05), resume=path, epochs=6)
    straight = network()
    fit(straight, bp.Momentum(lr=0.05), epochs=6)
    assert same_parameters(longer, straight)


def test_a_run_with_the_l2_of_each_batch_resumes_bit_identically(tmp_path):
    """l2_divisor='batch' (the estimators' alpha) is recorded in the checkpoint and continues exactly."""
    path = tmp_path / "run.ckpt"
    with pytest.raises(TrainingInterrupted):
        fit(network(), bp.Adam(lr=0.01), l2_divisor="batch", checkpoint=path, callbacks=[InterruptAt(11)])
    assert checkpoints.load(path).training["l2_divisor"] == "batch"
    resumed, straight, other = network(), network(), network()
    fit(resumed, bp.Adam(lr=0.01), l2_divisor="batch", resume=path)
    fit(straight, bp.Adam(lr=0.01), l2_divisor="batch")
    fit(other, bp.Adam(lr=0.01))
    assert same_parameters(resumed, straight)
    assert not same_parameters(resumed, other)  # the divisor mattered: 60 samples vs batches of 8 and 4


def test_float32_resume_is_bit_identical_too(tmp_path):
    path = tmp_path / "run.ckpt"
    with pytest.raises(TrainingInterrupted):
        fit(network("float32"), bp.Adam(lr=0.01), checkpoint=path, callbacks=[InterruptAt(11)])
    resumed, straight = network("float32"), network("float32")
    fit(resumed, bp.Adam(lr=0.01), resume=path)
    fit(straight, bp.Adam(lr=0.01))
    assert same_parameters(resumed, straight)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_same_seed_data_and_dtype_give_identical_weights(dtype, name):
    first, second = network(dtype), network(dtype)
    fit(first, OPTIMIZERS[name]())
    fit(second, OPTIMIZERS[name]())
    assert same_parameters(first, second)
    TALLY["determinism: repeated runs compared"] += 1


def test_interrupt_without_a_checkpointer_stops_after_the_batch():
    net = network()
    with pytest.raises(TrainingInterrupted, match="in epoch 2 of 5, after batch 3 of 8") as caught:
        fit(net, bp.SGD(lr=0.5), callbacks=[InterruptAt(11)])
    assert caught.value.checkpoint is None and len(caught.value.history) == 1


def test_interrupt_at_the_end_of_an_epoch_saves_the_boundary(tmp_path):
    class InterruptInEpochEnd:
        def on_epoch_end(self, state):
            if state.epoch == 2:
                state.interrupt()

    path = tmp_path / "run.ckpt"
    with pytest.raises(TrainingInterrupted, match="after epoch 2 of 5"):
        fit(network(), bp.SGD(lr=0.5), checkpoint=Checkpointer(path), callbacks=[InterruptInEpochEnd()])
    saved = checkpoints.load(path)
    assert saved.epochs_done == 2 and saved.epoch is None and saved.order is None


# ---------------------------------------------------------------- resume refuses what would not continue the run


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "run.ckpt"
    with pytest.raises(TrainingInterrupted):
        fit(network(), bp.Momentum(lr=0.05), checkpoint=path, callbacks=[InterruptAt(10)])
    return path


@pytest.mark.parametrize(
    "change, fragment",
    [
        (dict(batch_size=4), "batch_size=8"),
        (dict(l2=0.2), "l2=0.1"),
        (dict(l2_divisor="batch"), "l2_divisor='training_set'"),
        (dict(shuffle=False), "shuffle=True"),
        (dict(early_stopping=2), "early_stopping=None"),
        (dict(epochs=1), "epochs=1 is too few"),
        (dict(optimizer=bp.Adam()), "'Momentum'"),
    ],
)
def test_resume_refuses_other_settings(saved, change, fragment):
    kwargs = {"optimizer": bp.Momentum(lr=0.05), **change}
    optimizer = kwargs.pop("optimizer")
    with pytest.raises(InvalidArgument, match=fragment):
        fit(network(), optimizer, resume=saved, **kwargs)


def test_resume_refuses_other_data(saved):
    X, y = small_problem()
    X = X.copy()
    X[0, 0] += 1e-9
    with pytest.raises(InvalidArgument, match="SHA-256"):
        bp.train(
            network(),
            X,
            y,
            epochs=EPOCHS,
            batch_size=BATCH,
            optimizer=bp.Momentum(lr=0.05),
            l2=0.1,
            validation=(X[:20], y[:20]),
            resume=saved,
        )


def test_resume_refuses_another_network(saved):
    other = bp.Network([5, 8, 3], activation="tanh", output="softmax", cost="log_likelihood", dtype="float64")
    with pytest.raises(InvalidArgument, match="network"):
        fit(other, bp.Momentum(lr=0.05), resume=saved)


def test_resume_from_a_model_file_is_refused(tmp_path):
    network().save(tmp_path / "model.bprop")
    with pytest.raises(ModelFileError, match="not a bprop checkpoint"):
        fit(network(), bp.SGD(), resume=tmp_path / "model.bprop")


def test_a_failed_checkpoint_write_leaves_the_previous_one(tmp_path, monkeypatch):
    path = tmp_path / "run.ckpt"
    fit(network(), bp.SGD(lr=0.5), checkpoint=path, epochs=2)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive.npy_format, "write_array", broken)
    with pytest.raises(OSError, match="No space left"):
        fit(network(), bp.SGD(lr=0.5), checkpoint=path, epochs=2)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.ckpt"]


def test_checkpointer_arguments_are_checked(tmp_path):
    with pytest.raises(InvalidArgument, match="not both"):
        Checkpointer(tmp_path / "c", every_epochs=1, every_batches=1)
    with pytest.raises(InvalidArgument, match="every_batches must be a positive whole number, got 0"):
        Checkpointer(tmp_path / "c", every_batches=0)
    with pytest.raises(InvalidArgument, match="file path"):
        Checkpointer(3)


def test_without_checkpoints_no_data_is_hashed_and_nothing_is_written(tmp_path, monkeypatch):
    """The hot loop pays nothing for checkpoints it was not asked for."""
    resume_module = sys.modules["bprop.training.resume"]

    monkeypatch.setattr(resume_module, "data_fingerprint", lambda *a: pytest.fail("hashed without checkpoints"))
    monkeypatch.setattr(checkpoints, "save", lambda *a: pytest.fail("saved without checkpoints"))
    fit(network(), bp.SGD(lr=0.5))


def test_optimizer_state_dict_continues_exactly():
    X, y = small_problem()
    for name, make in OPTIMIZERS.items():
        net, twin = network(), network()
        first = make()
        bp.train(net, X, y, epochs=2, batch_size=BATCH, optimizer=first, shuffle=False)
        twin.weights, twin.biases = net.weights, net.biases
        second = make()
        second.load_state_dict(first.state_dict())
        bp.train(net, X, y, epochs=1, batch_size=BATCH, optimizer=first, shuffle=False)
        bp.train(twin, X, y, epochs=1, batch_size=BATCH, optimizer=second, shuffle=False)
        assert same_parameters(net, twin), name


def test_optimizer_load_state_dict_refuses_another_class():
    with pytest.raises(InvalidArgument, match="'SGD'"):
        bp.Adam().load_state_dict(bp.SGD().state_dict())
    with pytest.raises(InvalidArgument, match="step count"):
        bp.SGD().load_state_dict({"type": "SGD", "steps": -1, "state": {}})
