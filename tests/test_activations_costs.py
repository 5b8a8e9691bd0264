"""Activations and costs: derivatives, stability, the BP1 shortcuts, refused pairings, user objects."""

import numpy as np
import pytest

import bprop as bp
from bprop.core import activations, costs

ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_finite_differences(name):
    sigma = activations.BUILTIN[name]()
    z = np.linspace(-6, 6, 241)
    z = z[np.abs(z) > 1e-3]  # away from the ReLU kink
    h = 1e-6
    numeric = (sigma.value(z + h) - sigma.value(z - h)) / (2 * h)
    np.testing.assert_allclose(sigma.derivative(z, sigma.value(z)), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE + ["softmax"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_are_stable_for_huge_inputs(name, dtype):
    sigma = activations.BUILTIN[name]()
    z = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        a = sigma.value(z)
        if activations.is_elementwise(sigma):
            d = sigma.derivative(z, a)
        else:
            d = sigma.jacobian_product(z, a, np.ones_like(z))
    assert np.isfinite(a).all() and np.isfinite(d).all()
    assert a.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("width", [1, 5])
def test_relu_is_max_of_zero_and_z_and_its_derivative_is_the_indicator(dtype, width):
    relu = activations.ReLU()
    z = np.random.default_rng(width).normal(size=(4, width)).astype(dtype)
    z[0, 0] = 0.0  # the kink: σ′ is taken as 0 there
    a = relu.value(z)
    np.testing.assert_array_equal(a, np.where(z > 0, z, 0.0))
    assert a.dtype == dtype
    np.testing.assert_array_equal(relu.derivative(z, a), (z > 0).astype(dtype))
    a[...] = 7.0  # the output is the caller's own array: a later call does not see the write
    np.testing.assert_array_equal(relu.value(z), np.where(z > 0, z, 0.0))


def test_sigmoid_and_softmax_values():
    z = np.array([[0.0, 2.0, -3.0]])
    np.testing.assert_allclose(activations.Sigmoid().value(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    a = activations.Softmax().value(z)
    np.testing.assert_allclose(a, np.exp(z) / np.exp(z).sum(), rtol=1e-15)
    np.testing.assert_allclose(activations.Softmax().value(z + 1000.0), a, rtol=1e-12)


def test_softmax_jacobian_product_equals_the_full_jacobian():
    rng = np.random.default_rng(0)
    z, g = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    softmax = activations.Softmax()
    a = softmax.value(z)
    for i in range(3):
        jacobian = np.diag(a[i]) - np.outer(a[i], a[i])  # ∂a_j/∂z_k = a_j(δ_jk − a_k)
        np.testing.assert_allclose(softmax.jacobian_product(z, a, g)[i], jacobian.T @ g[i], rtol=1e-13)


@pytest.mark.parametrize("name", list(costs.BUILTIN))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_costs_are_finite_on_saturated_outputs(name, dtype):
    a = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=dtype)
    y = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        value = costs.BUILTIN[name]().value(a, y)
        gradient = costs.BUILTIN[name]().gradient(a, y)
    assert np.isfinite(value).all() and np.isfinite(gradient).all()
    assert value[0] > value[1]


@pytest.mark.parametrize("name", list(costs.BUILTIN))
def test_cost_gradient_matches_finite_differences(name):
    rng = np.random.default_rng(1)
    a = rng.uniform(0.1, 0.9, (3, 4))
    y = np.eye(4)[[0, 2, 3]] if name == "log_likelihood" else rng.uniform(0.1, 0.9, (3, 4))
    cost, h = costs.BUILTIN[name](), 1e-6
    numeric = np.zeros_like(a)
    for index in np.ndindex(a.shape):
        step = np.zeros_like(a)
        step[index] = h
        numeric[index] = (cost.value(a + step, y) - cost.value(a - step, y))[index[0]] / (2 * h)
    np.testing.assert_allclose(cost.gradient(a, y), numeric, rtol=1e-6)


@pytest.mark.parametrize("output,cost", sorted(costs.SHORTCUTS))
def test_bp1_shortcut_equals_the_full_formula(output, cost):
    """δ^L = a − y for the listed pairs is exactly ∇_a C ⊙ σ′(z^L) (or the Jacobian product)."""
    rng = np.random.default_rng(2)
    net = bp.Network([3, 4], activation="sigmoid", output=output, cost=cost, seed=0, dtype="float64")
    X = rng.normal(size=(5, 3))
    Y = np.eye(4)[rng.integers(0, 4, 5)]
    g = net.backprop(X, Y)
    z, a = g.zs[-1], g.activations[-1]
    grad_a = net.cost.gradient(a, Y)
    if activations.is_elementwise(net.output):
        full = grad_a * net.output.derivative(z, a)
    else:
        full = net.output.jacobian_product(z, a, grad_a)
    np.testing.assert_allclose(g.deltas[-1], full, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(output="sigmoid", cost="log_likelihood"), r"cost='log_likelihood' needs output='softmax'"),
        (dict(output="relu", cost="cross_entropy"), r"cost='cross_entropy' needs output='sigmoid'"),
        (dict(output="softmax", cost="cross_entropy"), r"needs output='sigmoid'"),
        (dict(activation="softmax"), r"cannot be a hidden layer's σ"),
    ],
)
def test_senseless_pairings_are_refused_at_construction(kwargs, message):
    with pytest.raises(bp.InvalidArgument, match=message):
        bp.Network([3, 4, 2], **kwargs)


def test_softmax_needs_two_outputs():
    with pytest.raises(bp.InvalidArgument, match="at least 2 output neurons"):
        bp.Network([3, 1], activation="relu", output="softmax", cost="log_likelihood")


class Softplus:
    """A user-defined activation: σ(z) = ln(1 + e^z), σ′(z) = 1 / (1 + e^{−z})."""

    def value(self, z):
        return np.logaddexp(0.0, z)

    def derivative(self, z, a):
        return 0.5 * (1 + np.tanh(z / 2))


class PseudoHuber:
    """A user-defined cost: C = Σ_j (√(1 + (a − y)²) − 1), ∇_a C = (a − y)/√(1 + (a − y)²)."""

    def value(self, a, y):
        return np.sum(np.sqrt(1 + (a - y) ** 2) - 1, axis=-1)

    def gradient(self, a, y):
        return (a - y) / np.sqrt(1 + (a - y) ** 2)


def test_user_defined_activation_and_cost_need_no_registration():
    rng = np.random.default_rng(0)
    net = bp.Network([3, 4, 2], activation=Softplus(), output="identity", cost=PseudoHuber(), seed=0, dtype="float64")
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    assert bp.gradcheck(net, X, Y).max_error < 1e-7
    before = net.evaluate(X, Y)[0]
    bp.train(net, X, Y, epochs=50, batch_size=6, optimizer=bp.SGD(lr=0.1), seed=0)
    assert net.evaluate(X, Y)[0] < before


def test_an_object_without_the_methods_is_refused():
    with pytest.raises(bp.InvalidArgument, match="missing: derivative"):
        bp.Network([2, 2], activation=type("NoDerivative", (), {"value": lambda self, z: z})())


def test_leaky_relu_slope_is_a_parameter():
    leaky = activations.LeakyReLU(slope=0.2)
    z = np.array([-2.0, 3.0])
    np.testing.assert_allclose(leaky.value(z), [-0.4, 3.0])
    np.testing.assert_allclose(leaky.derivative(z, leaky.value(z)), [0.2, 1.0])
