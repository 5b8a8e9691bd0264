"""BP1–BP4 against two independent oracles: finite differences and PyTorch autograd."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import bprop as bp
from bprop.core.dropout import draw_masks
from conftest import BACKENDS, HIDDEN, OUTPUT_COST, host, on_backend, random_problem, random_targets

problems = st.tuples(
    st.integers(0, 2**31 - 1),  # seed
    st.integers(1, 4),  # depth: number of weight layers
    st.sampled_from(HIDDEN),
    st.sampled_from(OUTPUT_COST),
    st.integers(1, 6),  # batch size m
)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output,cost", OUTPUT_COST)
def test_backprop_matches_finite_differences_for_every_pair(hidden, output, cost, backend):
    for depth in (1, 2, 3, 4):
        net, X, Y = random_problem(depth * 7 + 3, depth, hidden, output, cost)
        report = bp.gradcheck(on_backend(net, backend), X, Y)
        assert report.max_error <= 1e-6, report.format()


@settings(max_examples=60, deadline=None)
@given(problems)
def test_backprop_matches_finite_differences_on_random_networks(problem):
    seed, depth, hidden, (output, cost), m = problem
    net, X, Y = random_problem(seed, depth, hidden, output, cost, m=m)
    report = bp.gradcheck(net, X, Y, l2=0.3 if seed % 2 else 0.0)
    assert report.max_error <= 1e-6, report.format()


def sigmas_per_layer(first, hidden_layers):
    """One σ per hidden layer, starting at ``first`` and going round HIDDEN: every σ meets every other."""
    start = HIDDEN.index(first)
    return [HIDDEN[(start + k) % len(HIDDEN)] for k in range(hidden_layers)]


def dropout_problem(seed, depth, first, output, cost, m=5, p=0.4):
    """A random problem with a σ per hidden layer, and one dropout mask per hidden layer (float64)."""
    net, X, Y = random_problem(seed, depth, first, output, cost, m=m)
    hidden = sigmas_per_layer(first, depth - 1) if depth > 1 else first
    net = bp.Network(
        net.sizes, activation=hidden, output=output, cost=cost, init="scaled_normal", seed=seed, dtype="float64"
    )
    masks = draw_masks((p,) * (depth - 1), net.sizes, m, np.random.default_rng(seed + 1), np.float64)
    return net, X, Y, hidden, masks


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output,cost", OUTPUT_COST)
def test_dropout_l1_and_a_sigma_per_layer_match_finite_differences_for_every_pair(hidden, output, cost, backend):
    """BP2 with the mask, BP3 with (λ₁/n) sgn(w) and layer l's own σ′, against the differences of the same cost."""
    for depth in (2, 3, 4):
        net, X, Y, _, masks = dropout_problem(depth * 11 + 5, depth, hidden, output, cost, m=6)
        for l1, l2 in ((0.3, 0.0), (0.2, 0.5)):  # L1 alone, and elastic net
            report = bp.gradcheck(on_backend(net, backend), X, Y, l1=l1, l2=l2, masks=masks)
            assert report.max_error <= 1e-6, report.format()


def test_gradcheck_with_a_mask_checks_the_masked_network():
    """The differences use the mask: without it, backprop's dropout gradient disagrees with them."""
    net, X, Y, _, masks = dropout_problem(3, 3, "tanh", "softmax", "log_likelihood", m=6, p=0.5)
    g = net.backprop(X, Y, masks=masks)
    plain = net.backprop(X, Y)
    assert not np.allclose(g.weights[0], plain.weights[0])
    assert bp.gradcheck(net, X, Y, masks=masks).max_error <= 1e-6


def test_gradcheck_detects_a_wrong_gradient():
    """The check itself can fail: a cost whose gradient is off by 10% is caught."""

    class WrongQuadratic(bp.costs.Quadratic):
        name = "wrong"

        def gradient(self, a, y):
            return 1.1 * (a - y)

    net = bp.Network([3, 4, 2], cost=WrongQuadratic(), seed=0, dtype="float64")
    X = np.random.default_rng(0).normal(size=(4, 3))
    report = bp.gradcheck(net, X, np.array([0, 1, 1, 0]))
    assert report.max_error > 1e-3


def test_gradcheck_leaves_the_network_unchanged():
    net = bp.Network([3, 4, 2], seed=0)
    before = [w.copy() for w in net.weights]
    bp.gradcheck(net, np.ones((2, 3)), np.array([0, 1]))
    for w, w0 in zip(net.weights, before):
        np.testing.assert_array_equal(w, w0)
        assert w.dtype == np.float32


# -- PyTorch autograd as the oracle ---------------------------------------------

TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
    "identity": lambda z: z,
    "softmax": lambda z: torch.softmax(z, dim=1),
}

TORCH_COSTS = {  # per-sample costs, shape (m,)
    "quadratic": lambda a, y: 0.5 * ((y - a) ** 2).sum(dim=1),
    "cross_entropy": lambda a, y: -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum(dim=1),
    "log_likelihood": lambda a, y: -(y * torch.log(a)).sum(dim=1),
}


def torch_gradients(net, X, Y, hidden, output, cost, l2=0.0, l1=0.0, masks=None):
    """∂C/∂w, ∂C/∂b and δ^l = ∂C_x/∂z^l computed by torch autograd on the same weights.

    hidden : one σ name, or one per hidden layer. masks : dropout masks m^l/(1−p)
    per hidden layer (or None), multiplied into a^l as torch's own dropout would.
    """
    weights = [torch.tensor(w, requires_grad=True) for w in net.weights]
    biases = [torch.tensor(b, requires_grad=True) for b in net.biases]
    hidden = hidden if isinstance(hidden, list) else [hidden] * (len(weights) - 1)
    a, zs = torch.tensor(X), []
    for i, (w, b) in enumerate(zip(weights, biases)):
        z = a @ w.T + b
        z.retain_grad()
        zs.append(z)
        a = TORCH_ACTIVATIONS[output if i == len(weights) - 1 else hidden[i]](z)
        if masks is not None and i < len(weights) - 1 and masks[i] is not None:
            a = a * torch.tensor(masks[i])
    C = TORCH_COSTS[cost](a, torch.tensor(Y)).mean()
    C = C + l2 / (2 * X.shape[0]) * sum((w**2).sum() for w in weights)
    C = C + l1 / X.shape[0] * sum(w.abs().sum() for w in weights)  # torch's d|w|/dw at 0 is 0, as sgn(0)
    C.backward()
    m = X.shape[0]
    # C is the batch mean, so ∂C/∂z of sample i is δ_i / m.
    return (
        [w.grad.numpy() for w in weights],
        [b.grad.numpy() for b in biases],
        [z.grad.numpy() * m for z in zs],
        C.item(),
    )


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=80, deadline=None)
@given(problems)
def test_backprop_equals_torch_autograd(backend, problem):
    seed, depth, hidden, (output, cost), m = problem
    net, X, Y = random_problem(seed, depth, hidden, output, cost, m=m)
    l2 = 0.5 if seed % 3 == 0 else 0.0
    g = on_backend(net, backend).backprop(X, Y, l2=l2)
    tw, tb, tdeltas, tcost = torch_gradients(net, X, Y, hidden, output, cost, l2)
    for ours, theirs in zip(host(g.weights + g.biases + g.deltas), tw + tb + tdeltas):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    assert g.cost == pytest.approx(tcost, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=80, deadline=None)
@given(problems, st.sampled_from([0.0, 0.3, 0.7]), st.sampled_from([0.0, 0.4]))
def test_dropout_l1_and_a_sigma_per_layer_equal_torch_autograd(backend, problem, p, l1):
    """The same mask handed to both: torch differentiates the masked network; we run BP2 with the mask."""
    seed, depth, hidden, (output, cost), m = problem
    net, X, Y, sigmas, masks = dropout_problem(seed, depth, hidden, output, cost, m=m, p=p)
    masks = None if depth == 1 else masks
    l2 = 0.5 if seed % 3 == 0 else 0.0
    g = on_backend(net, backend).backprop(X, Y, l2=l2, l1=l1, masks=masks)
    tw, tb, tdeltas, tcost = torch_gradients(net, X, Y, sigmas, output, cost, l2, l1, masks)
    for ours, theirs in zip(host(g.weights + g.biases + g.deltas), tw + tb + tdeltas):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    assert g.cost == pytest.approx(tcost, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("output,cost", OUTPUT_COST)
def test_backprop_equals_torch_on_a_digits_sized_network(output, cost):
    net = bp.Network([64, 30, 10], activation="sigmoid", output=output, cost=cost, seed=3, dtype="float64")
    rng = np.random.default_rng(5)
    X = rng.uniform(0, 1, (32, 64))
    Y = random_targets(rng, output, cost, 32, 10)
    g = net.backprop(X, Y)
    tw, tb, tdeltas, _ = torch_gradients(net, X, Y, "sigmoid", output, cost)
    for ours, theirs in zip(g.weights + g.biases + g.deltas, tw + tb + tdeltas):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_float32_gradients_agree_with_float64():
    net64, X, Y = random_problem(4, 3, "tanh", "softmax", "log_likelihood", m=8)
    net32 = net64.copy(dtype="float32")
    g64, g32 = net64.backprop(X, Y), net32.backprop(X, Y)
    for a, b in zip(g32.weights, g64.weights):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)
