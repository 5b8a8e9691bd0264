"""Dropout, L1 and one σ per hidden layer: derived in the core, checked here like BP1–BP4.

The gradients themselves are checked against finite differences and PyTorch
autograd in test_gradients.py; this file checks what training does with them:
dropout's masks (drawn from the seed, resumed bit for bit, absent at
prediction), L1's subgradient step (and that it does not make exact zeros, as
documented), and a σ per layer through training, model files and checkpoints.
"""

import numpy as np
import pytest

import bprop as bp
from bprop.core.dropout import draw_masks, dropout_rates
from bprop.training.checkpoints import Checkpointer


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data / 16.0)[:400], d.target[:400]


def deep_net(activation=("relu", "tanh"), dtype="float64", seed=0):
    return bp.Network(
        [64, 24, 16, 10],
        activation=list(activation),
        output="softmax",
        cost="log_likelihood",
        init="he",
        seed=seed,
        dtype=dtype,
    )


def same_parameters(a, b):
    return all(np.array_equal(x, y) for x, y in zip([*a.weights, *a.biases], [*b.weights, *b.biases]))


# -- dropout ---------------------------------------------------------------------


def test_masks_drop_a_share_p_and_scale_the_kept_by_one_over_one_minus_p():
    rng = np.random.default_rng(0)
    (mask,) = draw_masks((0.3,), [5, 400, 2], 500, rng, np.float64)
    assert mask.shape == (500, 400)
    assert set(np.unique(mask)) == {0.0, 1 / 0.7}
    assert np.mean(mask == 0) == pytest.approx(0.3, abs=0.01)  # 200,000 Bernoulli draws: σ ≈ 0.001
    assert np.mean(mask) == pytest.approx(1.0, abs=0.02)  # inverted dropout keeps E[ã] = a


def test_a_layer_with_p_zero_gets_no_mask_and_all_zero_rates_mean_no_dropout():
    assert dropout_rates(0.0, 2) is None and dropout_rates([0, 0], 2) is None
    masks = draw_masks((0.5, 0.0), [3, 4, 5, 2], 6, np.random.default_rng(1), np.float32)
    assert masks[1] is None and masks[0].dtype == np.float32


@pytest.mark.parametrize("bad", [1.0, -0.1, "0.5", True, [0.2], [0.1, 0.2, 0.3]])
def test_dropout_rates_outside_zero_to_one_or_of_the_wrong_count_are_refused(bad, digits):
    X, y = digits
    with pytest.raises(bp.InvalidArgument, match="dropout"):
        bp.train(deep_net(), X, y, epochs=1, dropout=bad)


def test_dropout_zero_trains_bit_for_bit_as_without_dropout(digits):
    X, y = digits
    nets = [deep_net(dtype="float32") for _ in range(3)]
    for net, dropout in zip(nets, (None, 0.0, [0.0, 0.0])):
        bp.train(net, X, y, epochs=2, batch_size=16, optimizer=bp.SGD(lr=0.1), seed=4, dropout=dropout)
    assert same_parameters(nets[0], nets[1]) and same_parameters(nets[0], nets[2])


def test_dropout_masks_come_from_the_seed(digits):
    X, y = digits
    runs = {}
    for key, seed in (("a", 7), ("b", 7), ("c", 8)):
        net = deep_net()
        bp.train(net, X, y, epochs=2, batch_size=16, optimizer=bp.SGD(lr=0.1), seed=seed, dropout=0.4)
        runs[key] = net
    assert same_parameters(runs["a"], runs["b"])
    assert not same_parameters(runs["a"], runs["c"])


def test_dropout_changes_training_but_not_the_shuffling(digits):
    """Masks are drawn after each epoch's order, so with dropout the batches are the same as without."""
    X, y = digits
    orders = {}
    for dropout in (None, 0.5):
        seen = []

        class Rows:
            def on_batch_end(self, state):
                seen.append(np.asarray(state.batch_targets).argmax(axis=1).tolist())

        net = deep_net()
        bp.train(
            net, X, y, epochs=1, batch_size=50, optimizer=bp.SGD(lr=0.1), seed=3, dropout=dropout, callbacks=[Rows()]
        )
        orders[dropout] = (seen, net)
    assert orders[None][0][0] == orders[0.5][0][0]  # the first batch: the same rows
    assert not same_parameters(orders[None][1], orders[0.5][1])


def test_a_network_trained_with_dropout_predicts_deterministically_with_no_mask(digits):
    X, y = digits
    net = deep_net()
    bp.train(net, X, y, epochs=3, batch_size=16, optimizer=bp.SGD(lr=0.1), seed=0, dropout=0.5)
    first, second = net.feedforward(X), net.feedforward(X)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(net.predict(X), net.predict(X))
    # No mask and no rescaling: the plain forward pass of the derivation, worked here by hand.
    a = X
    for w, b, sigma in zip(net.weights[:-1], net.biases[:-1], (np.maximum, np.tanh)):
        z = a @ w.T + b
        a = sigma(z, 0) if sigma is np.maximum else sigma(z)
    z = a @ net.weights[-1].T + net.biases[-1]
    expected = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(first, expected / expected.sum(axis=1, keepdims=True), rtol=1e-12)


def test_a_backward_pass_with_a_mask_zeroes_the_dropped_neurons_errors():
    net = deep_net()
    rng = np.random.default_rng(2)
    X, y = rng.uniform(size=(6, 64)), rng.integers(0, 10, 6)
    masks = draw_masks((0.5, 0.5), net.sizes, 6, rng, np.float64)
    g = net.backprop(X, y, masks=masks)
    for delta, mask, a in zip(g.deltas[:-1], masks, g.activations[1:-1]):
        assert np.all(delta[mask == 0] == 0)  # BP2's ⊙ m^l/(1−p)
        assert np.all(a[mask == 0] == 0)  # ã^l = a^l ⊙ m^l/(1−p)
    assert g.masks is masks or all(np.array_equal(a, b) for a, b in zip(g.masks, masks))


class InterruptAfter:
    """Calls state.interrupt() after the k-th batch of the run."""

    def __init__(self, k):
        self.k, self.seen = k, 0

    def on_batch_end(self, state):
        self.seen += 1
        if self.seen == self.k:
            state.interrupt()


@pytest.mark.parametrize("stop_after", [5, 13, 31])
def test_dropout_resumes_bit_for_bit_from_a_checkpoint_inside_an_epoch(tmp_path, digits, stop_after):
    X, y = digits
    options = dict(epochs=3, batch_size=32, seed=11, dropout=[0.3, 0.5], l1=0.4, l2=0.2)
    expected = deep_net()
    expected_history = bp.train(expected, X, y, optimizer=bp.Adam(lr=0.01), **options)

    path = tmp_path / "run.ckpt"
    net = deep_net()
    with pytest.raises(bp.TrainingInterrupted):
        bp.train(
            net,
            X,
            y,
            optimizer=bp.Adam(lr=0.01),
            callbacks=[InterruptAfter(stop_after)],
            checkpoint=Checkpointer(path, every_batches=4),
            **options,
        )
    resumed = deep_net(seed=99)  # other weights: all of them must come from the checkpoint
    history = bp.train(resumed, X, y, optimizer=bp.Adam(lr=0.01), resume=path, **options)
    assert same_parameters(resumed, expected)
    assert history.train_cost == expected_history.train_cost


def test_resuming_with_another_dropout_or_l1_is_refused(tmp_path, digits):
    X, y = digits
    path = tmp_path / "run.ckpt"
    bp.train(deep_net(), X, y, epochs=1, batch_size=50, seed=1, dropout=0.2, l1=0.1, checkpoint=path)
    for changed in (dict(dropout=0.3, l1=0.1), dict(dropout=0.2, l1=0.0)):
        with pytest.raises(bp.InvalidArgument, match="dropout|l1"):
            bp.train(deep_net(), X, y, epochs=2, batch_size=50, seed=1, resume=path, **changed)


# -- L1 ----------------------------------------------------------------------------


def test_one_sgd_step_with_l1_and_l2_is_the_hand_worked_update():
    """w ← w − η(∂C₀/∂w + (λ/n) w + (λ₁/n) sgn(w)); biases get no penalty."""
    net = bp.Network([2, 2], activation="identity", cost="quadratic", seed=0, dtype="float64")
    net.weights = [np.array([[0.5, -0.25], [0.0, 1.0]])]
    net.biases = [np.array([0.1, -0.1])]
    x, t = np.array([[1.0, 2.0]]), np.array([[0.0, 1.0]])
    eta, l2, l1, n = 0.1, 0.4, 0.6, 4
    # a = w x + b = (0.5 − 0.5 + 0.1, 0 + 2 − 0.1) = (0.1, 1.9); δ = a − t = (0.1, 0.9)
    # ∂C₀/∂w = δ xᵀ = [[0.1, 0.2], [0.9, 1.8]]
    grad_c0 = np.array([[0.1, 0.2], [0.9, 1.8]])
    w = net.weights[0].copy()
    expected = w - eta * (grad_c0 + (l2 / n) * w + (l1 / n) * np.sign(w))  # sgn(0) = 0: w_21 gets no L1 pull
    g = net.backprop(x, t, l2=l2, l1=l1, n=n)
    bp.SGD(lr=eta).step(net, g)
    np.testing.assert_allclose(net.weights[0], expected, rtol=1e-14)
    np.testing.assert_allclose(net.biases[0], [0.1 - eta * 0.1, -0.1 - eta * 0.9], rtol=1e-14)
    # C = C₀ + (λ/2n) Σ w² + (λ₁/n) Σ |w|, with C₀ = ½(0.1² + 0.9²) = 0.41
    assert g.cost == pytest.approx(0.41 + l2 / (2 * n) * 1.3125 + l1 / n * 1.75, rel=1e-14)


def test_l1_shrinks_the_weights_more_than_it_shrinks_the_fit(digits):
    X, y = digits
    sums = {}
    for l1 in (0.0, 2.0, 8.0):
        net = deep_net(activation=("relu", "relu"))
        bp.train(net, X, y, epochs=8, batch_size=16, optimizer=bp.SGD(lr=0.1), seed=0, l1=l1)
        sums[l1] = sum(np.abs(w).sum() for w in net.weights)
        if l1 == 2.0:
            assert net.evaluate(X, y)[1] > 0.85
    assert sums[0.0] > sums[2.0] > sums[8.0]


def test_l1_is_a_subgradient_step_so_weights_hover_near_zero_but_are_not_exact_zeros():
    """As documented in train(): the plain subgradient step (no proximal soft-thresholding).

    Inputs 3 … 9 are pure noise; with L1 their weights are pulled to zero and
    then jump across it by ηλ₁/n each step, so they end within a few ηλ₁/n of 0
    — but (almost) none is exactly 0.
    """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 10))
    y = (X[:, 0] + X[:, 1] - X[:, 2] > 0).astype(int)
    eta, l1, n = 0.1, 20.0, 200
    net = bp.Network([10, 2], activation="sigmoid", cost="cross_entropy", seed=0, dtype="float64")
    bp.train(net, X, y, epochs=60, batch_size=20, optimizer=bp.SGD(lr=eta), seed=0, l1=l1)
    noise_weights = net.weights[0][:, 3:]
    step = eta * l1 / n
    assert np.all(np.abs(noise_weights) <= 3 * step)  # driven to zero's neighbourhood …
    assert np.count_nonzero(noise_weights == 0) <= 1  # … but not onto it
    plain = bp.Network([10, 2], activation="sigmoid", cost="cross_entropy", seed=0, dtype="float64")
    bp.train(plain, X, y, epochs=60, batch_size=20, optimizer=bp.SGD(lr=eta), seed=0)
    assert np.abs(plain.weights[0][:, 3:]).max() > 3 * step  # without L1 they stay away from 0


# -- one σ per hidden layer --------------------------------------------------------


def test_one_name_in_a_list_or_alone_means_one_shared_sigma():
    single = bp.Network([3, 4, 4, 2], activation="tanh")
    listed = bp.Network([3, 4, 4, 2], activation=["tanh", "tanh"])
    for net in (single, listed):
        assert net.uniform_activation and net.activation.name == "tanh" and net.output.name == "tanh"
        assert net.activation_name == "tanh"


def test_a_sigma_per_layer_is_used_layer_by_layer():
    net = bp.Network([3, 4, 5, 2], activation=["relu", "tanh"], output="sigmoid", dtype="float64", seed=1)
    assert not net.uniform_activation and net.activation_name == "relu,tanh"
    assert [s.name for s in net.hidden_activations] == ["relu", "tanh"]
    x = np.random.default_rng(0).normal(size=(4, 3))
    a2 = np.maximum(x @ net.weights[0].T + net.biases[0], 0)
    a3 = np.tanh(a2 @ net.weights[1].T + net.biases[1])
    a4 = 1 / (1 + np.exp(-(a3 @ net.weights[2].T + net.biases[2])))
    np.testing.assert_allclose(net.feedforward(x), a4, rtol=1e-12)
    assert "activation=['relu', 'tanh']" in repr(net)


def test_the_output_defaults_to_the_last_hidden_sigma():
    assert bp.Network([3, 4, 5, 2], activation=["relu", "tanh"]).output.name == "tanh"


@pytest.mark.parametrize(
    "activation, match",
    [
        (["relu"], "1 entries but sizes gives 2"),
        (["relu", "softmax"], "softmax"),
        (["relu", "nope"], r"activation\[1\]"),
    ],
)
def test_a_wrong_list_of_sigmas_is_refused_with_its_reason(activation, match):
    with pytest.raises(bp.InvalidArgument, match=match):
        bp.Network([3, 4, 5, 2], activation=activation)


def test_a_sigma_per_layer_survives_save_and_load(tmp_path):
    net = bp.Network(
        [3, 4, 5, 6, 2], activation=["leaky_relu", "tanh", "relu"], output="softmax", cost="log_likelihood"
    )
    loaded = bp.load(net.save(tmp_path / "m.bprop"))
    assert [s.name for s in loaded.hidden_activations] == ["leaky_relu", "tanh", "relu"]
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_array_equal(loaded.feedforward(x), net.feedforward(x))


def test_a_model_file_with_one_sigma_still_names_it_once(tmp_path):
    """Files of one σ are as before, so older bprop versions read them."""
    import json
    import zipfile

    path = bp.Network([3, 4, 4, 2], activation="relu").save(tmp_path / "m.bprop")
    assert json.loads(zipfile.ZipFile(path).read("header.json"))["activation"] == "relu"


def test_a_model_file_with_a_wrong_sigma_list_is_refused(tmp_path):
    import json
    import zipfile

    path = bp.Network([3, 4, 5, 2], activation=["relu", "tanh"]).save(tmp_path / "m.bprop")
    members = {name: zipfile.ZipFile(path).read(name) for name in zipfile.ZipFile(path).namelist()}
    header = json.loads(members["header.json"])
    for bad in (["relu", "softmax"], ["relu", "nope"], ["relu"]):
        header["activation"] = bad
        members["header.json"] = json.dumps(header).encode()
        with zipfile.ZipFile(tmp_path / "bad.bprop", "w") as z:
            for name, data in members.items():
                z.writestr(name, data)
        with pytest.raises(bp.ModelFileError):
            bp.load(tmp_path / "bad.bprop")


def test_a_sigma_per_layer_resumes_from_a_checkpoint_and_must_match(tmp_path, digits):
    X, y = digits
    path = tmp_path / "run.ckpt"
    expected = deep_net()
    bp.train(expected, X, y, epochs=2, batch_size=40, seed=0, optimizer=bp.SGD(lr=0.1))
    first = deep_net()
    bp.train(first, X, y, epochs=1, batch_size=40, seed=0, optimizer=bp.SGD(lr=0.1), checkpoint=path)
    resumed = deep_net()
    bp.train(resumed, X, y, epochs=2, batch_size=40, optimizer=bp.SGD(lr=0.1), resume=path)
    assert same_parameters(resumed, expected)
    with pytest.raises(bp.InvalidArgument, match="network"):
        bp.train(deep_net(activation=("tanh", "relu")), X, y, epochs=2, batch_size=40, resume=path)


def test_dropout_trains_alike_on_torch_arrays_through_the_device_loop(digits):
    """A torch-backed network takes the loop's on-device path; its masks come from the same host generator."""
    X, y = digits
    ours, theirs = deep_net(), deep_net().to("cpu", "torch")
    for net in (ours, theirs):
        bp.train(net, X, y, epochs=2, batch_size=32, optimizer=bp.SGD(lr=0.1), seed=5, dropout=0.4, l1=0.2)
    for a, b in zip([*ours.weights, *ours.biases], [*theirs.weights, *theirs.biases]):
        np.testing.assert_allclose(a, bp.backend.to_numpy(b), rtol=1e-9, atol=1e-12)
