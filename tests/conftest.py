"""Shared helpers: the sensible (hidden, output, cost) combinations and random problems.

Tiers (markers declared in pyproject.toml): ``slow``, ``browser``, ``mpi``,
``fuzz`` and ``gpu``. The fast inner loop leaves the first four out:

    pytest -m "not slow and not browser and not mpi and not fuzz"

CI (``./run test``) runs every tier.
"""

import numpy as np
import pytest

import bprop as bp

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]

# Every output activation and cost that bprop accepts together.
OUTPUT_COST = [
    ("sigmoid", "quadratic"),
    ("sigmoid", "cross_entropy"),
    ("softmax", "log_likelihood"),
    ("softmax", "quadratic"),
    ("tanh", "quadratic"),
    ("relu", "quadratic"),
    ("leaky_relu", "quadratic"),
    ("identity", "quadratic"),
]


def random_targets(rng, output, cost, m, n_out):
    """Targets that the cost accepts: one-hot for softmax, (0, 1) for sigmoid, reals otherwise."""
    if output == "softmax":
        return np.eye(n_out)[rng.integers(0, n_out, m)]
    if output == "sigmoid":
        return rng.uniform(0.05, 0.95, (m, n_out))
    return rng.normal(size=(m, n_out))


def random_problem(seed, depth, hidden, output, cost, m=5):
    """A float64 network with ``depth`` weight layers and a batch that suits it."""
    rng = np.random.default_rng(seed)
    n_out = int(rng.integers(2, 5)) if output == "softmax" else int(rng.integers(1, 5))
    sizes = [int(rng.integers(1, 6)) for _ in range(depth)] + [n_out]
    net = bp.Network(
        sizes, activation=hidden, output=output, cost=cost, init="scaled_normal", seed=seed, dtype="float64"
    )
    X = rng.normal(size=(m, sizes[0]))
    return net, X, random_targets(rng, output, cost, m, n_out)


@pytest.fixture(scope="session")
def digits_split():
    """Digits scaled to [0, 1], with 20% held out (fixed, stratified)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = digits.data / 16.0
    return train_test_split(X, digits.target, test_size=0.2, random_state=0, stratify=digits.target)


# Array libraries the core runs on without a GPU (bprop.core.backend): NumPy is the
# default; PyTorch CPU tensors and array_api_strict arrays prove the math uses
# only the array API standard.
BACKENDS = ["numpy", "torch", "array_api_strict"]


def on_backend(net, backend):
    """A copy of ``net`` whose arrays live in ``backend``, on the CPU."""
    return net.to("cpu", backend)


def host(arrays):
    """NumPy copies of a list of arrays from any backend."""
    return [bp.backend.to_numpy(a) for a in arrays]


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


requires_gpu = pytest.mark.skipif(not cuda_available(), reason="no CUDA GPU on this machine (GPU tests run on one)")
