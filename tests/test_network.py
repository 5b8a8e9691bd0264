"""The Network object: layout, the derivation's numbers by hand, single samples."""

import numpy as np
import pytest

import bprop as bp


def test_layout_follows_the_notation():
    net = bp.Network([4, 3, 2], seed=0)
    assert [w.shape for w in net.weights] == [(3, 4), (2, 3)]  # w^l : (n_l, n_{l−1})
    assert [b.shape for b in net.biases] == [(3,), (2,)]
    assert all(w.dtype == np.float32 for w in net.weights + net.biases)
    assert net.num_layers == 3 and net.num_parameters == 3 * 4 + 3 + 2 * 3 + 2


def test_weights_are_assignable_in_place_and_per_layer():
    net = bp.Network([2, 2, 1], seed=0, dtype="float64")
    net.weights[0][1, 0] = 7.0  # w^2_21
    assert net.weights[0][1, 0] == 7.0
    net.weights[1] = [[1.0, 2.0]]  # converted to the network's dtype
    assert net.weights[1].dtype == np.float64
    z = net.forward(np.array([[1.0, 0.0]]))[0][0]
    assert z[0, 1] == pytest.approx(7.0 + net.biases[0][1])
    with pytest.raises(bp.InvalidArgument, match=r"weights\[1\].*shape \(1, 2\)"):
        net.weights[1] = np.zeros((2, 2))


def test_the_forward_product_is_the_same_on_both_sides_of_the_small_batch_switch():
    """NumPy batches under SMALL_BATCH rows compute Z = A Wᵀ as (W Aᵀ)ᵀ: the same z^l either way."""
    from bprop.core.fast import SMALL_BATCH

    net = bp.Network([7, 5, 3], activation="tanh", seed=0, dtype="float64")
    X = np.random.default_rng(0).normal(size=(SMALL_BATCH + 1, 7))
    for m in (1, SMALL_BATCH - 1, SMALL_BATCH, SMALL_BATCH + 1):
        z = net.forward(X[:m])[0][0]
        by_definition = np.einsum("ik,jk->ij", X[:m], net.weights[0]) + net.biases[0]  # z_ij = Σ_k w_jk a_ik + b_j
        np.testing.assert_allclose(z, by_definition, rtol=1e-13, atol=1e-13)


def matt_mazur_network():
    """The 2-2-2 network of a widely used hand-worked example of backpropagation."""
    net = bp.Network([2, 2, 2], activation="sigmoid", cost="quadratic", dtype="float64")
    net.weights = [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]]
    net.biases = [[0.35, 0.35], [0.60, 0.60]]
    return net, np.array([0.05, 0.10]), np.array([0.01, 0.99])


def test_one_sgd_step_matches_the_hand_worked_example():
    # Worked by hand: z^2 = (0.3775, 0.3925), a^2 = (0.593269992, 0.596884378),
    # a^3 = (0.75136507, 0.772928465), C = ½Σ(y − a)² = 0.298371109.
    # BP1: δ^3_1 = (a − y) σ′(z) = 0.74136507 · 0.186815602 = 0.138498562;
    # BP3: ∂C/∂w^3_11 = a^2_1 δ^3_1 = 0.082167041; w ← 0.40 − 0.5 · 0.082167041 = 0.35891648.
    net, x, y = matt_mazur_network()
    g = net.backprop(x, y)
    assert g.cost == pytest.approx(0.298371109, abs=1e-9)
    assert g.deltas[1][0, 0] == pytest.approx(0.138498562, abs=1e-9)
    assert g.weights[1][0, 0] == pytest.approx(0.082167041, abs=1e-9)
    bp.SGD(lr=0.5).step(net, g)
    np.testing.assert_allclose(net.weights[1], [[0.35891648, 0.408666186], [0.511301270, 0.561370121]], atol=1e-8)
    np.testing.assert_allclose(net.weights[0], [[0.149780716, 0.19956143], [0.24975114, 0.29950229]], atol=1e-8)


def scalar_backprop(net, x, y):
    """BP1–BP4 exactly as the notes write them, one scalar at a time, for one sample."""
    W, B = [w.tolist() for w in net.weights], [b.tolist() for b in net.biases]
    sigma = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    a, zs = [list(x)], []
    for w, b in zip(W, B):  # z^l_j = Σ_k w^l_jk a^{l−1}_k + b^l_j
        z = [sum(w[j][k] * a[-1][k] for k in range(len(a[-1]))) + b[j] for j in range(len(b))]
        zs.append(z)
        a.append([sigma(v) for v in z])
    d_sigma = lambda z: sigma(z) * (1 - sigma(z))  # noqa: E731
    L = len(W)
    delta = [None] * L
    delta[L - 1] = [(a[L][j] - y[j]) * d_sigma(zs[L - 1][j]) for j in range(len(y))]  # 公式1
    for l in range(L - 2, -1, -1):  # 公式2
        delta[l] = [
            sum(W[l + 1][k][j] * delta[l + 1][k] for k in range(len(delta[l + 1]))) * d_sigma(zs[l][j])
            for j in range(len(zs[l]))
        ]
    dw = [[[a[l][k] * delta[l][j] for k in range(len(a[l]))] for j in range(len(delta[l]))] for l in range(L)]  # 公式3
    db = [list(delta[l]) for l in range(L)]  # 公式4
    return dw, db, delta


def test_vectorized_backprop_equals_the_scalar_equations():
    rng = np.random.default_rng(1)
    net = bp.Network([3, 4, 5, 2], seed=2, dtype="float64")
    x, y = rng.uniform(size=3), rng.uniform(size=2)
    g = net.backprop(x, y)
    dw, db, delta = scalar_backprop(net, x, y)
    for i in range(3):
        np.testing.assert_allclose(g.weights[i], dw[i], rtol=1e-13)
        np.testing.assert_allclose(g.biases[i], db[i], rtol=1e-13)
        np.testing.assert_allclose(g.deltas[i][0], delta[i], rtol=1e-13)


def test_batch_gradient_is_the_mean_of_single_sample_gradients():
    rng = np.random.default_rng(3)
    net = bp.Network([5, 4, 3], activation="tanh", output="softmax", cost="log_likelihood", seed=0, dtype="float64")
    X, y = rng.normal(size=(6, 5)), rng.integers(0, 3, 6)
    g = net.backprop(X, y)
    singles = [net.backprop(X[i], y[i]) for i in range(6)]
    for i in range(2):
        np.testing.assert_allclose(g.weights[i], np.mean([s.weights[i] for s in singles], axis=0), rtol=1e-12)
        np.testing.assert_allclose(g.biases[i], np.mean([s.biases[i] for s in singles], axis=0), rtol=1e-12)
        np.testing.assert_allclose(g.deltas[i], np.concatenate([s.deltas[i] for s in singles]), rtol=1e-12)
    assert g.cost == pytest.approx(np.mean([s.cost for s in singles]), rel=1e-12)


def test_backprop_has_no_hidden_state_between_calls():
    net = bp.Network([3, 3, 2], seed=0, dtype="float64")
    X, y = np.eye(3), np.array([0, 1, 1])
    first, second = net.backprop(X, y), net.backprop(X, y)
    for a, b in zip(first.weights + first.biases, second.weights + second.biases):
        np.testing.assert_array_equal(a, b)


def test_forward_record_is_returned_with_the_gradients():
    net = bp.Network([3, 4, 2], seed=0, dtype="float64")
    X = np.ones((2, 3))
    g = net.backprop(X, np.array([0, 1]))
    np.testing.assert_array_equal(g.activations[0], X)
    np.testing.assert_allclose(g.zs[0], X @ net.weights[0].T + net.biases[0])
    np.testing.assert_allclose(g.activations[-1], net.feedforward(X))


def test_single_sample_shapes():
    net = bp.Network([4, 3, 2], seed=0)
    assert net.feedforward(np.ones(4)).shape == (2,)
    assert net.feedforward(np.ones((5, 4))).shape == (5, 2)
    assert np.ndim(net.predict(np.ones(4))) == 0
    assert net.predict(np.ones((5, 4))).shape == (5,)


def test_predict_gives_labels_for_classifiers_and_outputs_for_regressors():
    X = np.random.default_rng(0).normal(size=(6, 3))
    softmax = bp.Network([3, 4], output="softmax", activation="relu", cost="log_likelihood", seed=0)
    np.testing.assert_array_equal(softmax.predict(X), softmax.feedforward(X).argmax(axis=1))
    binary = bp.Network([3, 1], seed=0)
    np.testing.assert_array_equal(binary.predict(X), (binary.feedforward(X)[:, 0] >= 0.5).astype(int))
    regressor = bp.Network([3, 2], activation="identity", seed=0)
    assert not regressor.is_classifier
    np.testing.assert_allclose(regressor.predict(X), regressor.feedforward(X))


def test_seed_reproduces_initial_weights_and_generators_are_accepted():
    a, b, c = bp.Network([3, 5, 2], seed=7), bp.Network([3, 5, 2], seed=7), bp.Network([3, 5, 2], seed=8)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert not np.array_equal(a.weights[0], c.weights[0])
    d = bp.Network([3, 5, 2], seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a.weights[0], d.weights[0])


@pytest.mark.parametrize(
    "init,bias_zero", [("normal", False), ("scaled_normal", False), ("xavier", True), ("he", True)]
)
def test_initializers_have_the_variance_of_their_scheme(init, bias_zero):
    net = bp.Network([400, 300, 10], init=init, seed=0, dtype="float64")
    w = net.weights[0]
    expected = {"normal": 1.0, "scaled_normal": 1 / 400, "xavier": 2 / (400 + 300), "he": 2 / 400}[init]
    assert w.var() == pytest.approx(expected, rel=0.05)
    assert abs(w.mean()) < 0.01
    assert (not net.biases[0].any()) == bias_zero


def test_copy_is_independent():
    net = bp.Network([2, 2], seed=0)
    twin = net.copy(dtype="float64")
    twin.weights[0][0, 0] += 1
    assert net.weights[0][0, 0] != twin.weights[0][0, 0]
    assert twin.dtype == np.float64 and net.dtype == np.float32


def test_evaluate_reports_cost_and_accuracy():
    net = bp.Network([2, 2], output="softmax", activation="sigmoid", cost="log_likelihood", seed=0, dtype="float64")
    net.weights[0] = [[5.0, 0.0], [0.0, 5.0]]
    net.biases[0] = [0.0, 0.0]
    X, y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), np.array([0, 1, 1])
    cost, accuracy = net.evaluate(X, y)
    assert accuracy == pytest.approx(2 / 3)
    p = np.exp(5) / (np.exp(5) + 1)
    assert cost == pytest.approx((-np.log(p) * 2 - np.log(1 - p)) / 3)


def test_networks_pickle_and_deepcopy_with_their_checks():
    import copy
    import pickle

    net = bp.Network([3, 4, 2], activation="relu", output="softmax", cost="log_likelihood", seed=0)
    for twin in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        np.testing.assert_array_equal(twin.feedforward(np.ones(3)), net.feedforward(np.ones(3)))
        twin.weights[0][0, 0] += 1.0
        assert twin.weights[0][0, 0] != net.weights[0][0, 0]
        with pytest.raises(bp.InvalidArgument):
            twin.weights[0] = np.zeros((2, 2))
