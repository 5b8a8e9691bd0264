"""One BP1–BP4 code on several array libraries (bprop.core.backend).

Every check runs the same network on NumPy (the reference) and on another
library, in float64, and asks for the same numbers to 1e-10. PyTorch CPU
tensors and array_api_strict arrays run here; the GPU tests run only where
CUDA is available (CI has none, and skips them saying so).
"""

import pickle

import numpy as np
import pytest

import bprop as bp
from bprop.core.backend import backend_for, to_numpy
from bprop.training.diagnostics import Diagnostics
from bprop.training.monitors import LayerStats
from conftest import HIDDEN, OUTPUT_COST, cuda_available, host, on_backend, random_targets, requires_gpu

OTHER_BACKENDS = ["torch", "array_api_strict"]
OPTIMIZERS = {
    "sgd": lambda: bp.SGD(lr=0.5),
    "momentum": lambda: bp.Momentum(lr=0.1, momentum=0.9),
    "nesterov": lambda: bp.Nesterov(lr=0.1, momentum=0.9),
    "adam": lambda: bp.Adam(lr=0.01),
}


def problem(hidden="tanh", output="softmax", cost="log_likelihood", m=53, seed=0):
    rng = np.random.default_rng(seed)
    net = bp.Network(
        [6, 7, 5, 3], activation=hidden, output=output, cost=cost, init="xavier", seed=seed, dtype="float64"
    )
    X = rng.normal(size=(m, 6))
    y = rng.integers(0, 3, m) if output in ("softmax", "sigmoid") else random_targets(rng, output, cost, m, 3)
    return net, X, y


def assert_same_parameters(net, reference, tol=1e-10):
    for ours, theirs in zip(host([*net.weights, *net.biases]), [*reference.weights, *reference.biases]):
        np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output,cost", OUTPUT_COST)
def test_backprop_equals_numpy_for_every_pair(backend, hidden, output, cost):
    net, X, y = problem(hidden, output, cost)
    ours, reference = on_backend(net, backend).backprop(X, y, l2=0.3), net.backprop(X, y, l2=0.3)
    arrays = ("weights", "biases", "deltas", "zs", "activations")
    for name in arrays:
        for a, b in zip(host(getattr(ours, name)), getattr(reference, name)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert ours.cost == pytest.approx(reference.cost, rel=1e-12)


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_training_equals_numpy(backend, optimizer):
    """Shuffled batches, a short last batch, L2, validation and early stopping: the same run."""
    net, X, y = problem()
    moved = on_backend(net, backend)
    options = dict(epochs=4, batch_size=10, l2=0.2, validation=(X[:20], y[:20]), seed=7, early_stopping=2)
    theirs = bp.train(net, X, y, optimizer=OPTIMIZERS[optimizer](), **options)
    ours = bp.train(moved, X, y, optimizer=OPTIMIZERS[optimizer](), **options)
    assert_same_parameters(moved, net)
    assert ours.train_accuracy == theirs.train_accuracy
    np.testing.assert_allclose(ours.train_cost, theirs.train_cost, rtol=1e-10)
    np.testing.assert_allclose(ours.validation_cost, theirs.validation_cost, rtol=1e-10)
    assert ours.best_epoch == theirs.best_epoch


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_training_with_dropout_and_l1_equals_numpy(backend):
    """The masks are drawn in NumPy from the seed and placed: the same masks, batch by batch, on any library."""
    net, X, y = problem()
    moved = on_backend(net, backend)
    options = dict(epochs=3, batch_size=10, dropout=0.4, l1=0.1, seed=4)
    theirs = bp.train(net, X, y, optimizer=bp.SGD(lr=0.5), **options)
    ours = bp.train(moved, X, y, optimizer=bp.SGD(lr=0.5), **options)  # no on_batch_end: the GPU path's loop
    assert_same_parameters(moved, net)
    np.testing.assert_allclose(ours.train_cost, theirs.train_cost, rtol=1e-10)


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_regression_training_equals_numpy(backend):
    net, X, Y = problem("relu", "identity", "quadratic")
    moved = on_backend(net, backend)
    for target in (net, moved):
        bp.train(target, X, Y, epochs=3, batch_size=8, optimizer=bp.SGD(lr=0.01), seed=1)
    assert_same_parameters(moved, net)


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_results_are_arrays_of_the_network_library(backend):
    net, X, y = problem()
    moved = on_backend(net, backend)
    library = type(backend_for(backend).asarray(np.zeros(1)))
    assert all(type(w) is library for w in moved.weights)
    for result in (moved.feedforward(X), moved.predict(X), moved.feedforward(X[0]), moved.backprop(X, y).weights[0]):
        assert type(result) is library
    np.testing.assert_allclose(to_numpy(moved.feedforward(X)), net.feedforward(X), rtol=1e-12)
    np.testing.assert_array_equal(to_numpy(moved.predict(X)), net.predict(X))
    assert moved.evaluate(X, y) == pytest.approx(net.evaluate(X, y), rel=1e-12)
    assert moved.device == "cpu" and f"backend={backend!r}" in repr(moved)


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_data_may_come_as_arrays_of_the_network_library(backend):
    net, X, y = problem()
    moved = on_backend(net, backend)
    there = backend_for(backend)
    g = moved.backprop(there.asarray(X), there.asarray(y))
    np.testing.assert_allclose(to_numpy(g.weights[0]), net.backprop(X, y).weights[0], rtol=1e-10)
    bp.train(moved, there.asarray(X), there.asarray(y), epochs=1, batch_size=16, seed=0)
    bp.train(net, X, y, epochs=1, batch_size=16, seed=0)
    assert_same_parameters(moved, net)


def test_the_default_backend_is_plain_numpy():
    net = bp.Network([3, 2], seed=0)
    assert net.backend == backend_for() and net.device == "cpu"
    assert all(type(w) is np.ndarray and w.flags.c_contiguous for w in net.weights)
    assert type(net.backprop(np.ones((2, 3)), [0, 1]).biases[0]) is np.ndarray


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_a_network_moves_between_libraries_and_back(backend, tmp_path):
    net, X, _ = problem()
    moved = on_backend(net, backend)
    back = moved.to("cpu")
    assert back.backend.name == "numpy"
    assert_same_parameters(back, net, tol=0)
    path = moved.save(tmp_path / "model.bprop")  # saved from the other library …
    assert_same_parameters(bp.load(path), net, tol=0)  # … loads as NumPy
    again = bp.load(path, backend=backend)
    assert again.backend.name == backend
    assert_same_parameters(again, net, tol=0)
    assert_same_parameters(pickle.loads(pickle.dumps(moved)), net, tol=0)


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_resume_on_another_library_gives_the_uninterrupted_weights(backend, tmp_path):
    net, X, y = problem()
    options = dict(epochs=3, batch_size=10, seed=3)

    reference = on_backend(net, backend)
    bp.train(reference, X, y, optimizer=bp.Adam(lr=0.01), **options)

    class StopAtBatch:
        def on_batch_end(self, state):
            if state.epoch == 2 and state.batch == 3:
                state.interrupt()

    stopped = on_backend(net, backend)
    checkpoint = bp.Checkpointer(tmp_path / "run.ckpt")
    with pytest.raises(bp.TrainingInterrupted):
        bp.train(stopped, X, y, optimizer=bp.Adam(lr=0.01), callbacks=[StopAtBatch()], checkpoint=checkpoint, **options)
    resumed = on_backend(net, backend)
    bp.train(resumed, X, y, optimizer=bp.Adam(lr=0.01), resume=tmp_path / "run.ckpt", **options)
    assert_same_parameters(resumed, reference.to("cpu"), tol=0)


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_monitors_and_diagnostics_read_any_library(backend):
    net, X, y = problem("sigmoid", "sigmoid", "quadratic")
    histories, findings = [], []
    for target in (net.copy(), on_backend(net, backend)):
        seen = []
        callbacks = [LayerStats(), Diagnostics(seen.append)]
        # η = 300 saturates the sigmoid outputs: the BP1 finding fires, on every library alike.
        histories.append(
            bp.train(target, X, y, epochs=2, batch_size=10, seed=0, optimizer=bp.SGD(lr=300.0), callbacks=callbacks)
        )
        findings.append([(f.epoch, f.equation, str(f)) for f in seen])
    numpy_stats, other_stats = (h.layer_stats for h in histories)
    for key in ("mean_abs_delta", "mean_abs_grad_w"):
        np.testing.assert_allclose(other_stats[key], numpy_stats[key], rtol=1e-10)
    assert findings[0] and findings[1] == findings[0]


def test_unknown_backend_and_device_are_refused_with_the_fix():
    with pytest.raises(bp.InvalidArgument, match="backend must be one of 'numpy', 'torch'"):
        bp.Network([2, 1], backend="jax")
    with pytest.raises(bp.InvalidArgument, match="device must be 'cpu', 'cuda' or 'cuda:N'"):
        bp.Network([2, 1], device="gpu")
    with pytest.raises(bp.InvalidArgument, match="NumPy arrays live on the CPU"):
        bp.Network([2, 1], device="cuda", backend="numpy")
    with pytest.raises(bp.InvalidArgument, match="array_api_strict arrays live on the CPU"):
        bp.Network([2, 1], device="cuda", backend="array_api_strict")


@pytest.mark.skipif(cuda_available(), reason="this machine has a GPU; the no-GPU message cannot be shown")
def test_cuda_without_a_gpu_is_one_clear_error():
    with pytest.raises(bp.InvalidArgument) as caught:
        bp.Network([2, 1], device="cuda")
    message = str(caught.value)
    assert "needs a CUDA GPU" in message and "device='cpu'" in message and "PyTorch sees no CUDA GPU" in message
    with pytest.raises(bp.InvalidArgument, match="torch.cuda.is_available"):
        bp.Network([2, 1], device="cuda", backend="torch")


# -- on a GPU (skipped without one) ----------------------------------------------------


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("output,cost", OUTPUT_COST)
def test_gpu_backprop_equals_numpy(output, cost):
    net, X, y = problem("relu", output, cost)
    on_gpu = net.to("cuda")
    assert on_gpu.device == "cuda"
    ours, reference = on_gpu.backprop(X, y, l2=0.3), net.backprop(X, y, l2=0.3)
    for a, b in zip(
        host(ours.weights + ours.biases + ours.deltas), reference.weights + reference.biases + reference.deltas
    ):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert bp.gradcheck(on_gpu, X[:5], y[:5]).max_error <= 1e-6


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_gpu_training_equals_numpy(optimizer, tmp_path):
    net, X, y = problem()
    on_gpu = net.to("cuda")
    for target in (net, on_gpu):
        bp.train(target, X, y, epochs=3, batch_size=10, optimizer=OPTIMIZERS[optimizer](), seed=2, l2=0.1)
    assert_same_parameters(on_gpu, net)
    path = on_gpu.save(tmp_path / "gpu.bprop")
    assert_same_parameters(bp.load(path), net)


@pytest.mark.slow  # the whole GPU check script
def test_the_gpu_check_script_runs_every_step_on_torch_cpu_tensors(tmp_path):
    """The script that runs on a GPU machine, as a dry run here: checks pass, the report is written."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "gpu_check.py"
    done = subprocess.run(
        [
            sys.executable,
            str(script),
            "--device",
            "cpu",
            "--samples",
            "512",
            "--epochs",
            "1",
            "--repeats",
            "1",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = (tmp_path / "gpu_check.md").read_text()
    assert "FAIL" not in report and report.count("- ok:") == 16
    assert "bprop ÷ PyTorch throughput" in report


def test_distributed_training_needs_a_numpy_network():
    net = bp.Network([2, 2], backend="torch")
    with pytest.raises(bp.InvalidArgument, match="distributed training combines NumPy gradients"):
        bp.train(net, np.zeros((4, 2)), np.array([0, 1, 0, 1]), distributed=True)


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_explain_and_pictures_take_a_network_of_any_library(backend, tmp_path):
    from bprop import plots

    net, x, y = bp.explanation.classic_example()
    moved = on_backend(net, backend)
    assert bp.explain(moved, x, y).render("text") == bp.explain(net, x, y).render("text")
    assert bp.explain_steps(moved, x, y, steps=3) == pytest.approx(bp.explain_steps(net, x, y, steps=3), rel=1e-12)
    wide, X, labels = problem()
    plots.weight_histograms(on_backend(wide, backend), on_backend(wide, backend), tmp_path / "w.png")
    plots.first_layer_weights(on_backend(wide, backend), (2, 3), tmp_path / "f.png")
    flat = bp.Network([2, 4, 3], activation="tanh", output="softmax", cost="log_likelihood", seed=0)
    plots.decision_boundary(
        on_backend(flat, backend),
        np.random.default_rng(0).normal(size=(20, 2)),
        np.arange(20) % 3,
        tmp_path / "d.png",
        resolution=20,
    )
    assert all((tmp_path / name).stat().st_size > 0 for name in ("w.png", "f.png", "d.png"))


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_inputs_already_in_the_library_are_checked_there(backend, monkeypatch):
    """feedforward/predict on arrays of the network's own library never bring them to the host."""
    net, X, y = problem()
    moved = on_backend(net, backend)
    there = backend_for(backend)
    X_there = there.asarray(X.astype(np.float32))  # another dtype: converted there
    expected = net.feedforward(X.astype(np.float32))
    monkeypatch.setattr(bp.validation, "to_numpy", lambda value: pytest.fail("inputs went to the host"))
    out = moved.feedforward(X_there)
    assert type(out) is type(X_there)
    np.testing.assert_allclose(to_numpy(out), expected, rtol=1e-12)
    assert type(moved.predict(X_there[0, ...])) is type(X_there)
    with pytest.raises(bp.InvalidArgument, match="has 5 features per sample"):
        moved.feedforward(there.asarray(np.ones((3, 5))))
    with pytest.raises(bp.InvalidArgument, match="NaN or infinite"):
        moved.feedforward(there.asarray(np.full((2, 6), np.nan)))
    with pytest.raises(bp.InvalidArgument, match="must have shape"):
        moved.feedforward(there.asarray(np.ones((2, 3, 6))))
