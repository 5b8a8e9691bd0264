"""On a machine with a CUDA GPU: bprop's BP1–BP4 on the GPU, checked, then timed against PyTorch CUDA.

    python benchmarks/gpu_check.py --out gpu-results            # on a machine with a CUDA GPU
    python benchmarks/gpu_check.py --device cpu --samples 2048 --epochs 1 --repeats 1
                                  # a dry run of every step with PyTorch CPU tensors (the test suite's)

1. Correctness, in float64 on the GPU: for every output activation and cost
   (and a relu hidden layer), backprop's ∂C/∂w, ∂C/∂b and δ^l equal NumPy's
   to 1e-10 and pass ``bp.gradcheck`` (≤ 1e-6); a few epochs of training with
   each optimizer end at NumPy's weights (1e-10); a model saved from the GPU
   loads on the CPU with the same weights. With pytest installed it also runs
   the suite's GPU tests (``pytest -m gpu``).
2. Speed, float32: the issue's case, [784, 1024, 1024, 10] relu/softmax/
   log_likelihood, SGD η = 0.1, batch 1024, on Fashion-MNIST when its files
   are found (else 60,000 uniform random samples with random labels: the
   same work, and the report says so). bprop: ``bp.train(net, X, y,
   epochs=E)`` on a ``device="cuda"`` network; PyTorch: nn.Sequential +
   torch.optim on CUDA tensors, a permutation per epoch, and ``loss.item()``
   per batch, as bprop reads each batch's cost. Both start from the same host
   NumPy arrays, so each pays its one move of the data to the GPU; the
   medians of R repeats give samples/s and bprop ÷ PyTorch throughput
   (target ≥ 0.8).

Writes ``gpu_check.json`` and ``gpu_check.md`` (with the card's name) into
--out, and exits 1 when a check fails, 2 when there is no usable GPU.

On this workplace's lent GPU machines (the ``run`` tool: Python 3.12 with
numpy, torch, CuPy, typer, rich, scikit-learn, matplotlib, pytest and
hypothesis, no network) only array-api-compat is missing; ``device="cuda"``
runs on PyTorch's arrays there (``--backend cupy`` for CuPy's). Here, once::

    echo /.whl/ >> .git/info/exclude
    python3 -m pip download --no-deps -d .whl array-api-compat==1.16.0

then one run, carrying ``.whl``::

    python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl &&
    PYTHONPATH=/tmp/site:src PYTHONUNBUFFERED=1 python3 benchmarks/gpu_check.py --out $OUT
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import bprop as bp
from bprop.core.backend import to_numpy

PAIRS = [
    ("sigmoid", "quadratic"),
    ("sigmoid", "cross_entropy"),
    ("softmax", "log_likelihood"),
    ("softmax", "quadratic"),
    ("tanh", "quadratic"),
    ("identity", "quadratic"),
]
OPTIMIZERS = {
    "sgd": lambda: bp.SGD(lr=0.5),
    "momentum": lambda: bp.Momentum(lr=0.1),
    "nesterov": lambda: bp.Nesterov(lr=0.1),
    "adam": lambda: bp.Adam(lr=0.01),
}
SPEED_SIZES = [784, 1024, 1024, 10]
TARGET = 0.8


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("gpu-results"))
    parser.add_argument("--epochs", type=int, default=5, help="epochs per timed repeat (E)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats (R), after one warm-up")
    parser.add_argument("--device", default="cuda", help="cuda, cuda:N, or cpu for a dry run on PyTorch CPU tensors")
    parser.add_argument("--samples", type=int, default=None, help="keep this many training samples (dry runs)")
    parser.add_argument(
        "--backend",
        default=None,
        choices=["torch", "cupy"],
        help="bprop's array library on the GPU (default: PyTorch with CUDA if installed, else CuPy)",
    )
    args = parser.parse_args(argv)

    try:
        import torch
    except ImportError:
        print("gpu_check: PyTorch is not installed; it is the reference here (pip install torch).", file=sys.stderr)
        return 2
    if args.device != "cpu" and not torch.cuda.is_available():
        print("gpu_check: no CUDA GPU is usable here (torch.cuda.is_available() is False).", file=sys.stderr)
        return 2
    backend = "torch" if args.device == "cpu" else args.backend
    probe = bp.Network([2, 1], device=args.device, backend=backend)
    card = (
        torch.cuda.get_device_name() if args.device != "cpu" else f"none (dry run on the CPU: {platform.processor()})"
    )
    report = {
        "card": card,
        "device": args.device,
        "bprop_backend": probe.backend.name,
        "versions": {
            "bprop": bp.__version__,
            "numpy": np.__version__,
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
            "python": platform.python_version(),
        },
    }
    print(f"GPU: {report['card']}; bprop uses {probe.backend.name} arrays on {args.device}", flush=True)

    report["checks"] = correctness(args.device, backend)
    report["pytest_gpu"] = pytest_gpu() if args.device != "cpu" else {"ran": False, "why": "dry run"}
    report["speed"] = speed(args.device, backend, args.epochs, args.repeats, args.samples)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "gpu_check.md").write_text(markdown(report))
    print(markdown(report))
    failed = [c for c in report["checks"] if not c["passed"]]
    return 1 if failed or report["pytest_gpu"].get("exit_code", 0) not in (0, None) else 0


# -- 1. correctness ------------------------------------------------------------------


def correctness(device, backend) -> list:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 6))
    checks = []
    for output, cost in PAIRS:
        net = bp.Network([6, 8, 4], activation="relu", output=output, cost=cost, init="xavier", seed=1, dtype="float64")
        Y = np.eye(4)[rng.integers(0, 4, 40)] if output in ("softmax", "sigmoid") else rng.normal(size=(40, 4))
        if output == "sigmoid":
            Y = np.clip(Y, 0.05, 0.95)
        on_gpu = net.to(device, backend)
        ours, reference = on_gpu.backprop(X, Y, l2=0.2), net.backprop(X, Y, l2=0.2)
        difference = max(
            float(np.max(np.abs(to_numpy(a) - b)))
            for a, b in zip(
                ours.weights + ours.biases + ours.deltas, reference.weights + reference.biases + reference.deltas
            )
        )
        checks.append(_check(f"backprop on the GPU = NumPy ({output}/{cost})", difference, 1e-10))
        error = bp.gradcheck(on_gpu, X[:6], Y[:6]).max_error
        checks.append(_check(f"gradcheck on the GPU ({output}/{cost})", error, 1e-6))
    y = rng.integers(0, 4, 40)
    for name, make in OPTIMIZERS.items():
        net = bp.Network([6, 8, 4], activation="tanh", output="softmax", cost="log_likelihood", seed=2, dtype="float64")
        on_gpu = net.to(device, backend)
        for target in (net, on_gpu):
            bp.train(target, X, y, epochs=3, batch_size=7, optimizer=make(), l2=0.1, seed=3)
        difference = max(
            float(np.max(np.abs(to_numpy(a) - b)))
            for a, b in zip([*on_gpu.weights, *on_gpu.biases], [*net.weights, *net.biases])
        )
        checks.append(_check(f"3 epochs of {name} on the GPU = NumPy", difference, 1e-10))
    for check in checks:
        print(
            f"  {'ok  ' if check['passed'] else 'FAIL'} {check['name']}: {check['value']:.2e} (≤ {check['limit']:g})",
            flush=True,
        )
    return checks


def _check(name, value, limit) -> dict:
    return {"name": name, "value": value, "limit": limit, "passed": bool(value <= limit)}


def pytest_gpu() -> dict:
    """The suite's GPU tests, when pytest and the tests are at hand."""
    tests = Path(__file__).resolve().parent.parent / "tests" / "test_backends.py"
    try:
        import pytest  # noqa: F401
    except ImportError:
        return {"ran": False, "why": "pytest is not installed"}
    if not tests.is_file():
        return {"ran": False, "why": f"{tests} not found"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-m", "gpu", "-p", "no:cacheprovider", str(tests)],
        capture_output=True,
        text=True,
        cwd=tests.parent.parent,
    )
    last = (done.stdout.strip().splitlines() or [""])[-1]
    print(f"  pytest -m gpu: {last}", flush=True)
    return {"ran": True, "exit_code": done.returncode, "summary": last}


# -- 2. speed ----------------------------------------------------------------------------


def speed_data(samples):
    """(X float32 in [0, 1], y int64, description): Fashion-MNIST's training set, else random data."""
    from bprop.datasets import load

    try:
        data = load("fashion-mnist")
        X, y = data.X_train.astype(np.float32), data.y_train.astype(np.int64)
        X /= max(1.0, float(X.max()))
        what = "Fashion-MNIST"
    except bp.BpropError:
        rng = np.random.default_rng(0)
        X, y = rng.random((60_000, 784), dtype=np.float32), rng.integers(0, 10, 60_000)
        what = "uniform random samples (Fashion-MNIST files not found)"
    X, y = X[:samples], y[:samples]
    return X, y, f"{len(X):,} {what}"


def speed(device, backend, epochs, repeats, samples) -> dict:
    import torch

    X, y, data = speed_data(samples)
    synchronize = torch.cuda.synchronize if device != "cpu" else (lambda: None)
    batch = 1024
    initial = bp.Network(SPEED_SIZES, activation="relu", output="softmax", cost="log_likelihood", init="he", seed=0)

    def run_bprop():
        net = initial.to(device, backend)
        started = time.perf_counter()
        bp.train(net, X, y, epochs=epochs, batch_size=batch, optimizer=bp.SGD(lr=0.1), seed=0)
        synchronize()
        return time.perf_counter() - started, net

    def run_torch():
        layers = []
        for i, (w, b) in enumerate(zip(initial.weights, initial.biases)):
            linear = torch.nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w))
                linear.bias.copy_(torch.from_numpy(b))
            layers += [linear] if i == len(initial.weights) - 1 else [linear, torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers).to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loss_fn = torch.nn.CrossEntropyLoss()
        generator = torch.Generator(device=device).manual_seed(0)
        synchronize()
        started = time.perf_counter()
        X_d, y_d = torch.from_numpy(X).to(device), torch.from_numpy(y).to(device)
        for _ in range(epochs):
            order = torch.randperm(len(X_d), device=device, generator=generator)
            for start in range(0, len(X_d), batch):
                rows = order[start : start + batch]
                optimizer.zero_grad()
                loss = loss_fn(model(X_d[rows]), y_d[rows])
                loss.backward()
                optimizer.step()
                loss.item()
        synchronize()
        return time.perf_counter() - started, model

    run_bprop(), run_torch()  # warm-up: kernels, allocator, cuBLAS handles
    times = {"bprop": [], "torch": []}
    for _ in range(repeats):  # interleaved
        seconds, net = run_bprop()
        times["bprop"].append(seconds)
        seconds, model = run_torch()
        times["torch"].append(seconds)
    samples = epochs * len(X)
    result = {
        "data": data,
        "sizes": SPEED_SIZES,
        "batch_size": batch,
        "epochs_per_repeat": epochs,
        "repeats": repeats,
        "seconds": times,
        "samples_per_second": {k: samples / statistics.median(v) for k, v in times.items()},
    }
    result["throughput_ratio"] = result["samples_per_second"]["bprop"] / result["samples_per_second"]["torch"]
    result["target"] = TARGET
    result["met"] = bool(result["throughput_ratio"] >= TARGET)
    with torch.no_grad():
        torch_predicted = model(torch.from_numpy(X[:10_000]).to(device)).argmax(1).cpu().numpy()
    result["train_accuracy_after"] = {
        "bprop": float(np.mean(to_numpy(net.predict(X[:10_000])) == y[:10_000])),
        "torch": float(np.mean(torch_predicted == y[:10_000])),
    }
    return result


def markdown(report) -> str:
    s = report["speed"]
    lines = [
        f"# bprop on a GPU: {report['card']}",
        "",
        f"bprop's arrays: {report['bprop_backend']}; versions: "
        + ", ".join(f"{k} {v}" for k, v in report["versions"].items()),
        "",
        "## Correctness (float64 on the GPU)",
        "",
    ]
    lines += [
        f"- {'ok' if c['passed'] else 'FAIL'}: {c['name']}: {c['value']:.2e} (≤ {c['limit']:g})"
        for c in report["checks"]
    ]
    pytest_line = report["pytest_gpu"].get("summary") or report["pytest_gpu"].get("why")
    lines += [
        f"- pytest -m gpu: {pytest_line}",
        "",
        "## Speed (float32)",
        "",
        f"{s['sizes']} relu/softmax/log_likelihood, SGD η = 0.1, batch {s['batch_size']}, on {s['data']}; "
        f"{s['epochs_per_repeat']} epochs per repeat (each contender moves the data to the GPU once per "
        f"repeat), median of {s['repeats']} interleaved repeats after a warm-up.",
        "",
        "| contender | samples/s | s per repeat (each) | accuracy on the first ≤ 10,000 training samples |",
        "|---|---|---|---|",
    ]
    for name in ("bprop", "torch"):
        lines.append(
            f"| {name} | {s['samples_per_second'][name]:,.0f} | "
            f"{', '.join(f'{t:.3f}' for t in s['seconds'][name])} | {s['train_accuracy_after'][name]:.4f} |"
        )
    lines += [
        "",
        f"bprop ÷ PyTorch throughput: {s['throughput_ratio']:.2f} (target ≥ {s['target']}: "
        f"{'met' if s['met'] else 'missed'})",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
