"""The training loop: it learns, it is reproducible, it reports, it stops."""

import json
import math

import numpy as np
import pytest

import bprop as bp
from conftest import BACKENDS, host, on_backend

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def test_xor_is_solved_by_a_2_3_1_sigmoid_network():
    net = bp.Network([2, 3, 1], activation="sigmoid", cost="cross_entropy", seed=1, dtype="float64")
    history = bp.train(net, XOR_X, XOR_Y, epochs=3000, batch_size=4, optimizer=bp.SGD(lr=2.0), seed=0)
    np.testing.assert_array_equal(net.predict(XOR_X), XOR_Y)
    assert history.train_cost[-1] < 0.1 * history.train_cost[0]
    assert history.train_accuracy[-1] == 1.0


@pytest.mark.slow
def test_classic_setup_reaches_93_percent_on_digits(digits_split):
    """[64,30,10], sigmoid, quadratic cost, N(0,1), SGD η=3.0, batch 10, 30 epochs."""
    X_train, X_test, y_train, y_test = digits_split
    net = bp.Network([64, 30, 10], activation="sigmoid", cost="quadratic", init="normal", seed=0)
    bp.train(net, X_train, y_train, epochs=30, batch_size=10, optimizer=bp.SGD(lr=3.0), seed=0)
    accuracy = np.mean(net.predict(X_test) == y_test)
    assert accuracy >= 0.93, accuracy


@pytest.mark.slow
def test_relu_softmax_adam_reaches_96_percent_on_digits(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    net = bp.Network([64, 30, 10], activation="relu", output="softmax", cost="log_likelihood", init="he", seed=0)
    bp.train(net, X_train, y_train, epochs=30, batch_size=10, optimizer=bp.Adam(lr=0.001), seed=0)
    accuracy = np.mean(net.predict(X_test) == y_test)
    assert accuracy >= 0.96, accuracy


def test_regression_network_learns_a_linear_map():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    Y = X @ np.array([[1.0, -2.0], [0.5, 0.0], [0.0, 3.0]]) + 0.1
    net = bp.Network([3, 2], activation="identity", init="xavier", seed=0, dtype="float64")
    history = bp.train(net, X, Y, epochs=100, batch_size=20, optimizer=bp.SGD(lr=0.05), seed=0)
    assert history.train_accuracy[-1] is None
    assert net.evaluate(X, Y)[0] < 1e-6


def test_one_hot_targets_and_labels_train_identically(digits_split):
    X_train, _, y_train, _ = digits_split
    nets = [bp.Network([64, 10, 10], seed=0, dtype="float64") for _ in range(2)]
    h1 = bp.train(nets[0], X_train[:200], y_train[:200], epochs=2, seed=0)
    h2 = bp.train(nets[1], X_train[:200], np.eye(10)[y_train[:200]], epochs=2, seed=0)
    np.testing.assert_array_equal(nets[0].weights[0], nets[1].weights[0])
    assert h1.train_accuracy == h2.train_accuracy


def test_training_is_reproducible_from_seeds(digits_split):
    X_train, _, y_train, _ = digits_split

    def trained(net_seed, shuffle_seed):
        net = bp.Network([64, 10, 10], seed=net_seed)
        bp.train(net, X_train[:300], y_train[:300], epochs=2, seed=shuffle_seed)
        return net.weights[0]

    np.testing.assert_array_equal(trained(0, 1), trained(0, 1))
    assert not np.array_equal(trained(0, 1), trained(0, 2))


def test_without_shuffle_the_seed_does_not_matter():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 3, 30)
    nets = [bp.Network([4, 3], activation="sigmoid", seed=0) for _ in range(2)]
    for net, seed in zip(nets, (1, 2)):
        bp.train(net, X, y, epochs=2, batch_size=7, shuffle=False, seed=seed)
    np.testing.assert_array_equal(nets[0].weights[0], nets[1].weights[0])


def test_one_epoch_of_batch_one_is_plain_per_sample_sgd():
    """With batch size 1 and no shuffling, train applies the derivation's update sample by sample."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    net, ref = bp.Network([3, 4, 2], seed=0, dtype="float64"), bp.Network([3, 4, 2], seed=0, dtype="float64")
    bp.train(net, X, y, epochs=1, batch_size=1, optimizer=bp.SGD(lr=0.5), shuffle=False)
    for x_i, y_i in zip(X, y):
        g = ref.backprop(x_i, y_i)
        for w, gw in zip(ref.weights, g.weights):
            w -= 0.5 * gw
        for b, gb in zip(ref.biases, g.biases):
            b -= 0.5 * gb
    for a, b in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(a, b, rtol=1e-14)


@pytest.mark.parametrize("l2_divisor", ["training_set", "batch"])
def test_the_l2_divisor_is_the_training_set_or_each_batch(l2_divisor):
    """l2=λ adds (λ/n) w to each step: n = len(X) = 23, or the batch's own size (10, 10, then 3)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(23, 3)), rng.uniform(size=(23, 2))
    net, ref = bp.Network([3, 4, 2], seed=0, dtype="float64"), bp.Network([3, 4, 2], seed=0, dtype="float64")
    costs = []
    recorder = type("C", (), {"on_batch_end": lambda self, s: costs.append((s.batch_cost, s.n))})()
    bp.train(
        net,
        X,
        y,
        epochs=1,
        batch_size=10,
        optimizer=bp.SGD(lr=0.5),
        l2=2.0,
        l2_divisor=l2_divisor,
        shuffle=False,
        callbacks=[recorder],
    )
    for start, (cost, n) in zip(range(0, 23, 10), costs):
        m_b = len(X[start : start + 10])
        assert n == (23 if l2_divisor == "training_set" else m_b)
        g = ref.backprop(X[start : start + 10], y[start : start + 10], l2=2.0, n=n)  # (λ/n) w in g.weights
        assert cost == g.cost
        for w, gw in zip(ref.weights, g.weights):
            w -= 0.5 * gw
        for b, gb in zip(ref.biases, g.biases):
            b -= 0.5 * gb
    for a, b in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_array_equal(a, b)


def test_an_unknown_l2_divisor_is_refused():
    X, y = np.zeros((4, 2)), np.array([0, 1, 1, 0])
    with pytest.raises(bp.InvalidArgument, match="l2_divisor must be 'training_set' or 'batch', got 'samples'"):
        bp.train(bp.Network([2, 2]), X, y, l2_divisor="samples")


def test_history_holds_per_epoch_figures_and_serializes(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    net = bp.Network([64, 20, 10], seed=0)
    history = bp.train(net, X_train, y_train, epochs=3, validation=(X_test, y_test), seed=0)
    assert len(history) == 3
    for series in (
        history.train_cost,
        history.train_accuracy,
        history.validation_cost,
        history.validation_accuracy,
        history.epoch_seconds,
    ):
        assert len(series) == 3 and all(math.isfinite(v) for v in series)
    assert history.validation_cost[-1] == pytest.approx(net.evaluate(X_test, y_test)[0], rel=1e-6)
    assert history.validation_accuracy[-1] == pytest.approx(np.mean(net.predict(X_test) == y_test))
    restored = bp.History.from_dict(json.loads(json.dumps(history.to_dict())))
    assert restored == history


def test_callbacks_see_every_batch_and_can_stop_training():
    events = []

    class Recorder:
        def on_train_begin(self, state):
            events.append("begin")

        def on_batch_end(self, state):
            events.append(("batch", state.epoch, state.batch, state.batches))
            if state.epoch == 2 and state.batch == 2:
                state.stop = True

        def on_epoch_end(self, state):
            events.append(("epoch", state.epoch))

        def on_train_end(self, state):
            events.append("end")

    X, y = np.random.default_rng(0).normal(size=(25, 2)), np.arange(25) % 2
    history = bp.train(bp.Network([2, 2, 1], seed=0), X, y, epochs=5, batch_size=10, callbacks=[Recorder()], seed=0)
    batches = [e for e in events if e[0] == "batch"]
    assert events[0] == "begin" and events[-1] == "end"
    assert batches[:3] == [("batch", 1, 1, 3), ("batch", 1, 2, 3), ("batch", 1, 3, 3)]
    assert batches[-1] == ("batch", 2, 2, 3) and ("epoch", 2) in events
    assert len(history) == 2


def test_early_stopping_restores_the_best_epoch(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    net = bp.Network([64, 30, 10], activation="relu", output="softmax", cost="log_likelihood", init="he", seed=0)
    # A learning rate this large makes the validation cost wander, so patience runs out.
    history = bp.train(
        net,
        X_train,
        y_train,
        epochs=60,
        batch_size=10,
        optimizer=bp.SGD(lr=0.5),
        validation=(X_test, y_test),
        early_stopping=3,
        seed=0,
    )
    assert history.stopped_early and len(history) < 60
    best = history.best_epoch
    assert len(history) == best + 3
    assert history.validation_cost[best - 1] == min(history.validation_cost)
    assert net.evaluate(X_test, y_test)[0] == pytest.approx(history.validation_cost[best - 1], rel=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_divergence_stops_with_the_last_finite_weights(backend):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1)) * 100
    net = on_backend(bp.Network([3, 8, 1], activation="relu", output="identity", init="he", seed=0), backend)
    with pytest.raises(bp.TrainingDiverged, match="smaller learning rate") as caught:
        bp.train(net, X, Y, epochs=50, batch_size=4, optimizer=bp.SGD(lr=10.0), seed=0)
    assert all(np.isfinite(w).all() for w in host(net.weights + net.biases))
    assert isinstance(caught.value, ArithmeticError)
    assert caught.value.history is not None


@pytest.mark.parametrize("backend", ["torch", "array_api_strict"])
def test_costs_read_once_per_epoch_off_numpy_give_numpys_history_and_divergence(backend):
    """Off NumPy with no on_batch_end callback, batch costs stay on the device until the epoch ends
    (the GPU path): the history, and the batch a divergence is reported at, are NumPy's."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(50, 3)), rng.integers(0, 2, 50)
    runs = {}
    for name in ("numpy", backend):
        net = on_backend(bp.Network([3, 6, 2], output="softmax", cost="log_likelihood", seed=0, dtype="float64"), name)
        runs[name] = bp.train(net, X, y, epochs=3, batch_size=8, validation=(X, y), optimizer=bp.SGD(lr=0.5), seed=0)
    for field in ("train_cost", "train_accuracy", "validation_cost", "validation_accuracy"):
        assert getattr(runs[backend], field) == pytest.approx(getattr(runs["numpy"], field), rel=1e-12)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1)) * 100
    messages = {}
    for name in ("numpy", backend):
        net = on_backend(bp.Network([3, 8, 1], activation="relu", output="identity", init="he", seed=0), name)
        with pytest.raises(bp.TrainingDiverged) as caught:
            bp.train(net, X, Y, epochs=50, batch_size=4, optimizer=bp.SGD(lr=10.0), seed=0)
        messages[name] = str(caught.value)
        start = host(net.weights)
    assert "batch" in messages["numpy"]
    assert messages[backend].split(":")[0] == messages["numpy"].split(":")[0]  # the same epoch, batch and cost
    assert all(np.isfinite(w).all() for w in start)


def test_an_epoch_can_end_with_a_smaller_batch():
    X, y = np.random.default_rng(0).normal(size=(23, 2)), np.arange(23) % 2
    seen = []
    callback = type("C", (), {"on_batch_end": lambda self, s: seen.append(s.batch)})()
    bp.train(bp.Network([2, 1], seed=0), X, y, epochs=1, batch_size=10, callbacks=[callback], seed=0)
    assert seen == [1, 2, 3]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "hidden,output,cost,optimizer",
    [
        ("sigmoid", "sigmoid", "quadratic", "sgd"),
        ("relu", "softmax", "log_likelihood", "momentum"),
        ("tanh", "sigmoid", "cross_entropy", "adam"),
    ],
)
def test_an_epoch_equals_a_pytorch_training_loop(digits_split, hidden, output, cost, optimizer, backend):
    """Same weights, same batch order: bp.train and a plain torch loop end at the same weights."""
    torch = pytest.importorskip("torch")
    X, _, y, _ = digits_split
    X, y = X[:300], y[:300]
    net = bp.Network([64, 16, 10], activation=hidden, output=output, cost=cost, init="xavier", seed=0, dtype="float64")
    layers = [torch.nn.Linear(64, 16).double(), torch.nn.Linear(16, 10).double()]
    with torch.no_grad():
        for layer, w, b in zip(layers, net.weights, net.biases):
            layer.weight.copy_(torch.tensor(w))
            layer.bias.copy_(torch.tensor(b))
    params = [p for layer in layers for p in layer.parameters()]
    ours, theirs = {
        "sgd": (bp.SGD(lr=3.0), torch.optim.SGD(params, lr=3.0)),
        "momentum": (bp.Momentum(lr=0.05, momentum=0.9), torch.optim.SGD(params, lr=0.05, momentum=0.9)),
        "adam": (bp.Adam(lr=0.01), torch.optim.Adam(params, lr=0.01)),
    }[optimizer]
    sigma = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh}[hidden]
    X_t, Y_t = torch.tensor(X), torch.nn.functional.one_hot(torch.tensor(y), 10).double()
    for start in range(0, len(X), 10):
        z = layers[1](sigma(layers[0](X_t[start : start + 10])))
        y_b = Y_t[start : start + 10]
        if cost == "log_likelihood":
            loss = torch.nn.functional.cross_entropy(z, y_b.argmax(1))
        elif cost == "cross_entropy":
            loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y_b, reduction="sum") / len(y_b)
        else:
            loss = ((torch.sigmoid(z) - y_b) ** 2).sum(1).mul(0.5).mean()
        theirs.zero_grad()
        loss.backward()
        theirs.step()
    net = on_backend(net, backend)
    bp.train(net, X, y, epochs=1, batch_size=10, optimizer=ours, shuffle=False)
    for layer, w, b in zip(layers, host(net.weights), host(net.biases)):
        np.testing.assert_allclose(w, layer.weight.detach().numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(b, layer.bias.detach().numpy(), rtol=1e-9, atol=1e-12)
