"""``backprop_placed(..., sample_weight=s)``: weighted BP3/BP4 means, checked three ways.

C(w) = Σ_i s_i C_i / Σ_i s_i + (λ/2n) Σ w²: its gradient by BP1–BP4 with the
rows of Δ^L scaled by s_i is compared with central finite differences, with
torch autograd, and (whole-number s) with plain backprop on repeated rows.
A SciPy sparse X gives the dense X's numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

from bprop.core.network import Network

torch = pytest.importorskip("torch")


def case(output="sigmoid", cost="cross_entropy", n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    net = Network([5, 4, n_out], activation="tanh", output=output, cost=cost, init="xavier", seed=seed, dtype="float64")
    X = rng.normal(size=(7, 5))
    if output == "softmax":
        Y = np.eye(n_out)[rng.integers(0, n_out, size=7)]
    else:
        Y = (rng.uniform(size=(7, n_out)) > 0.5).astype(np.float64)
    s = rng.uniform(0.2, 2.0, size=7)
    return net, X, Y, s


@pytest.mark.parametrize(
    "output, cost", [("sigmoid", "cross_entropy"), ("softmax", "log_likelihood"), ("tanh", "quadratic")]
)
def test_weighted_gradients_match_finite_differences(output, cost):
    net, X, Y, s = case(output, cost)
    l2, n = 0.3, float(s.sum())
    grads = net.backprop_placed(X, Y, l2=l2, n=n, sample_weight=s)
    h = 1e-6
    for param, grad in zip((*net.weights, *net.biases), (*grads.weights, *grads.biases)):
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + h
            up = net.backprop_placed(X, Y, l2=l2, n=n, sample_weight=s).cost
            param[index] = saved - h
            down = net.backprop_placed(X, Y, l2=l2, n=n, sample_weight=s).cost
            param[index] = saved
            numeric[index] = (up - down) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_weighted_gradients_match_torch_autograd():
    net, X, Y, s = case("sigmoid", "cross_entropy")
    l2, n = 0.3, float(s.sum())
    grads = net.backprop_placed(X, Y, l2=l2, n=n, sample_weight=s)
    W = [torch.tensor(w, requires_grad=True) for w in net.weights]
    B = [torch.tensor(b, requires_grad=True) for b in net.biases]
    a = torch.tensor(X)
    a = torch.tanh(a @ W[0].T + B[0])
    a = torch.sigmoid(a @ W[1].T + B[1])
    y = torch.tensor(Y)
    per_sample = -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum(dim=1)
    weights = torch.tensor(s)
    cost = (weights * per_sample).sum() / weights.sum() + l2 / (2 * n) * sum((w * w).sum() for w in W)
    cost.backward()
    assert float(cost.detach()) == pytest.approx(grads.cost, rel=1e-12)
    for mine, theirs in zip((*grads.weights, *grads.biases), (*W, *B)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_whole_number_weights_equal_repeated_rows():
    net, X, Y, _ = case("softmax", "log_likelihood")
    s = np.array([0, 1, 3, 2, 1, 0, 4], dtype=np.float64)
    rows = np.repeat(np.arange(len(X)), s.astype(int))
    weighted = net.backprop_placed(X, Y, l2=0.1, n=float(s.sum()), sample_weight=s)
    repeated = net.backprop_placed(X[rows], Y[rows], l2=0.1, n=len(rows))
    assert weighted.cost == pytest.approx(repeated.cost, abs=1e-12)
    for a, b in zip((*weighted.weights, *weighted.biases), (*repeated.weights, *repeated.biases)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_without_weights_the_bits_are_unchanged():
    net, X, Y, _ = case()
    plain = net.backprop_placed(X, Y, l2=0.2, n=7)
    ones = net.backprop_placed(X, Y, l2=0.2, n=7, sample_weight=None)
    for a, b in zip((*plain.weights, *plain.biases), (*ones.weights, *ones.biases)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("to_sparse", [scipy.sparse.csr_matrix, scipy.sparse.csr_array, scipy.sparse.csc_matrix])
def test_sparse_inputs_give_the_dense_numbers(to_sparse):
    net, X, Y, s = case()
    X[X < 0.3] = 0.0
    dense = net.backprop_placed(X, Y, sample_weight=s)
    sparse = net.backprop_placed(to_sparse(X), Y, sample_weight=s)
    assert sparse.cost == pytest.approx(dense.cost, abs=1e-12)
    for a, b in zip((*dense.weights, *dense.biases), (*sparse.weights, *sparse.biases)):
        assert type(b) is np.ndarray
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
