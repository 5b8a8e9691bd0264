"""Each update rule re-derived here and compared exactly, then against torch.optim."""

import numpy as np
import pytest
import torch

import bprop as bp


def problem(seed=0):
    rng = np.random.default_rng(seed)
    net = bp.Network([3, 4, 2], activation="tanh", output="softmax", cost="log_likelihood", seed=seed, dtype="float64")
    return net, rng.normal(size=(5, 3)), rng.integers(0, 2, 5)


def params(net):
    return [p.copy() for p in net.weights + net.biases]


def run(optimizer, steps=4, seed=0):
    """Gradients and parameters before each of ``steps`` updates, and the final parameters."""
    net, X, y = problem(seed)
    record = []
    for _ in range(steps):
        g = net.backprop(X, y)
        record.append((params(net), [x.copy() for x in g.weights + g.biases]))
        optimizer.step(net, g)
    return record, params(net)


def test_sgd_is_the_update_of_the_derivation():
    record, final = run(bp.SGD(lr=0.7), steps=1)
    ((before, grads),) = record
    for p, w, g in zip(final, before, grads):
        np.testing.assert_array_equal(p, w - 0.7 * g)  # w ← w − η ∂C/∂w


def test_momentum_re_derived():
    mu, eta = 0.9, 0.05
    record, final = run(bp.Momentum(lr=eta, momentum=mu))
    w = record[0][0]
    v = [np.zeros_like(p) for p in w]
    for _, grads in record:
        v = [mu * vi - eta * g for vi, g in zip(v, grads)]  # v ← μv − η∂C/∂w
        w = [wi + vi for wi, vi in zip(w, v)]  # w ← w + v
    for p, q in zip(final, w):
        np.testing.assert_array_equal(p, q)


def test_nesterov_re_derived():
    mu, eta = 0.8, 0.05
    record, final = run(bp.Nesterov(lr=eta, momentum=mu))
    w = record[0][0]
    v = [np.zeros_like(p) for p in w]
    for _, grads in record:
        v = [mu * vi - eta * g for vi, g in zip(v, grads)]
        w = [wi + (mu * vi - eta * g) for wi, vi, g in zip(w, v, grads)]  # w ← w + μv − η∂C/∂w
    for p, q in zip(final, w):
        np.testing.assert_array_equal(p, q)


def test_adam_re_derived_from_algorithm_1():
    a, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    record, final = run(bp.Adam(lr=a))
    w = record[0][0]
    m = [np.zeros_like(p) for p in w]
    v = [np.zeros_like(p) for p in w]
    for t, (_, grads) in enumerate(record, start=1):
        m = [b1 * mi + (1 - b1) * g for mi, g in zip(m, grads)]
        v = [b2 * vi + (1 - b2) * (g * g) for vi, g in zip(v, grads)]
        m_hat = [mi / (1 - b1**t) for mi in m]  # bias-corrected moments
        v_hat = [vi / (1 - b2**t) for vi in v]
        w = [wi - a * mh / (np.sqrt(vh) + eps) for wi, mh, vh in zip(w, m_hat, v_hat)]
    for p, q in zip(final, w):  # bprop uses the paper's scalar form of the correction: equal up to rounding
        np.testing.assert_allclose(p, q, rtol=1e-13, atol=1e-16)


def test_adam_efficient_form_re_derived_exactly():
    """The paper's cheaper form, α_t = α√(1 − β₂ᵗ)/(1 − β₁ᵗ), ε̂ = ε√(1 − β₂ᵗ), bit for bit."""
    a, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    record, final = run(bp.Adam(lr=a))
    w = record[0][0]
    m = [np.zeros_like(p) for p in w]
    v = [np.zeros_like(p) for p in w]
    for t, (_, grads) in enumerate(record, start=1):
        correction = np.sqrt(1 - b2**t)
        alpha_t = a * correction / (1 - b1**t)
        m = [b1 * mi + g * (1 - b1) for mi, g in zip(m, grads)]
        v = [b2 * vi + (g * g) * (1 - b2) for vi, g in zip(v, grads)]
        w = [wi - (mi / (np.sqrt(vi) + eps * correction)) * alpha_t for wi, mi, vi in zip(w, m, v)]
    for p, q in zip(final, w):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (lambda: bp.SGD(lr=0.3), lambda ps: torch.optim.SGD(ps, lr=0.3)),
        (lambda: bp.Momentum(lr=0.1, momentum=0.9), lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)),
        (
            lambda: bp.Nesterov(lr=0.1, momentum=0.9),
            lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        ),
        (lambda: bp.Adam(lr=0.01), lambda ps: torch.optim.Adam(ps, lr=0.01)),
    ],
    ids=["sgd", "momentum", "nesterov", "adam"],
)
def test_optimizers_agree_with_torch_optim(ours, theirs):
    record, final = run(ours(), steps=6)
    tensors = [torch.tensor(p, requires_grad=True) for p in record[0][0]]
    optimizer = theirs(tensors)
    for _, grads in record:  # the same gradients, fed to torch
        for t, g in zip(tensors, grads):
            t.grad = torch.tensor(g)
        optimizer.step()
    for p, t in zip(final, tensors):
        np.testing.assert_allclose(p, t.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_learning_rate_schedule_receives_the_step_count():
    seen = []
    schedule = lambda t: seen.append(t) or 0.1 / (1 + t)  # noqa: E731
    record, final = run(bp.SGD(lr=schedule), steps=3)
    assert seen == [0, 1, 2]
    before, grads = record[-1]
    for p, w, g in zip(final, before, grads):
        np.testing.assert_allclose(p, w - (0.1 / 3) * g, rtol=1e-15)


def test_l2_step_is_weight_decay_then_gradient_step():
    net, X, y = problem()
    lam, eta, n = 2.0, 0.5, 100
    g0 = net.backprop(X, y)
    g = net.backprop(X, y, l2=lam, n=n)
    before = params(net)
    bp.SGD(lr=eta).step(net, g)
    for w, w0, gw in zip(net.weights, before, g0.weights):
        np.testing.assert_allclose(w, (1 - eta * lam / n) * w0 - eta * gw, rtol=1e-13)  # w ← (1 − ηλ/n)w − η∂C₀/∂w
    for b, b0, gb in zip(net.biases, before[2:], g0.biases):
        np.testing.assert_allclose(b, b0 - eta * gb, rtol=1e-13)  # biases not decayed


def test_more_l2_gives_smaller_weights(digits_split):
    X_train, _, y_train, _ = digits_split
    norms = []
    for lam in (0.0, 5.0, 50.0):
        net = bp.Network([64, 30, 10], seed=0)
        bp.train(net, X_train, y_train, epochs=3, batch_size=10, optimizer=bp.SGD(lr=3.0), l2=lam, seed=0)
        norms.append(sum(float(np.sum(w.astype(np.float64) ** 2)) for w in net.weights))
    assert norms[0] > norms[1] > norms[2]


@pytest.mark.parametrize(
    "make",
    [
        lambda: bp.SGD(lr=-1.0),
        lambda: bp.SGD(lr=0),
        lambda: bp.SGD(lr=float("nan")),
        lambda: bp.Momentum(lr=0.1, momentum=1.5),
        lambda: bp.Adam(beta2=1.0),
        lambda: bp.Adam(eps=0),
    ],
)
def test_bad_optimizer_settings_are_refused(make):
    with pytest.raises(bp.InvalidArgument):
        make()


def test_a_schedule_returning_nonsense_is_refused():
    net, X, y = problem()
    with pytest.raises(bp.InvalidArgument, match="schedule returned nan"):
        bp.SGD(lr=lambda t: float("nan")).step(net, net.backprop(X, y))
