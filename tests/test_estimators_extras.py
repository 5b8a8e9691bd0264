"""What BPClassifier/BPRegressor offer beyond MLP: dropout, L1, a σ per layer, class_weight, device.

Each extra is checked against something independent of the estimators:
``bprop.train`` run directly with the same settings, the forward pass written
out by hand, the equivalent ``sample_weight``, the held-out split's own score.
"""

from __future__ import annotations

import pickle
import pickletools

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from tests.conftest import cuda_available, requires_gpu

import bprop as bp
from bprop.estimators import BPClassifier, BPRegressor, solvers
from bprop.estimators import base as estimator_base

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:240] / 16.0, y[:240]


def regression_data(m=150, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 5))
    return X, np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2]


# -- 1. dropout and l1: the estimator runs bprop.train's computation ------------------


def fitted_from(net, estimator, X, y):
    """``estimator`` fitted from ``net``'s weights (warm start from assigned coefs_/intercepts_)."""
    estimator.set_params(max_iter=1, warm_start=False).fit(X, y)
    estimator.coefs_ = [w.T for w in net.weights]
    estimator.intercepts_ = list(net.biases)
    return estimator.set_params(warm_start=True)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize("dropout,l1", [([0.3, 0.1], 0.0), (0.0, 2e-3), (0.25, 1e-3)])
def test_dropout_and_l1_fit_equals_bprop_train_with_the_same_settings(kind, dropout, l1, digits):
    if kind == "classifier":
        X, y = digits
        net = bp.Network([64, 16, 8, 10], activation="relu", output="softmax", cost="log_likelihood", seed=1)
        est = BPClassifier((16, 8))
    else:
        X, y = regression_data()
        net = bp.Network([5, 16, 8, 1], activation="relu", output="identity", cost="quadratic", seed=1)
        est = BPRegressor((16, 8))
    net = net.copy(dtype="float64")
    settings = dict(solver="sgd", momentum=0.0, learning_rate_init=0.05, alpha=1e-3, batch_size=32, shuffle=False)
    est.set_params(**settings, l1=l1, dropout=dropout, random_state=7, n_iter_no_change=50)
    est = fitted_from(net, est, X, y)
    est.set_params(max_iter=4).fit(X, y)

    # The documented rule: the masks' generator is seeded by the estimator's RandomState's next
    # integer (nothing else is drawn from it on a warm start with shuffle=False).
    seed = np.random.RandomState(7).randint(np.iinfo(np.int32).max)
    targets = y if kind == "classifier" else y[:, None]
    bp.train(net, X, targets, epochs=4, batch_size=32, optimizer=bp.SGD(lr=0.05), l2=1e-3, l2_divisor="batch",
             l1=l1, dropout=dropout, seed=seed, shuffle=False)  # fmt: skip
    for ours, direct in zip(est.coefs_ + est.intercepts_, [w.T for w in net.weights] + list(net.biases)):
        np.testing.assert_allclose(ours, direct, rtol=0, atol=1e-12)


def test_a_network_trained_with_dropout_predicts_deterministically_with_no_mask(digits):
    X, y = digits
    est = BPClassifier((32,), dropout=0.5, max_iter=5, random_state=0).fit(X, y)
    first = est.predict_proba(X)
    np.testing.assert_array_equal(first, est.predict_proba(X))
    np.testing.assert_array_equal(first, est.network_.feedforward(X))  # a^L of the plain network
    without = BPClassifier((32,), max_iter=5, random_state=0).fit(X, y)
    assert not np.allclose(without.coefs_[0], est.coefs_[0])  # the masks did change training


def test_dropout_and_l1_default_to_zero_so_a_fit_is_unchanged(digits):
    X, y = digits
    plain = BPClassifier((16,), max_iter=3, random_state=0).fit(X, y)
    zeros = BPClassifier((16,), max_iter=3, random_state=0, dropout=0.0, l1=0.0).fit(X, y)
    assert BPClassifier().get_params()["dropout"] == 0.0 and BPRegressor().get_params()["l1"] == 0.0
    for a, b in zip(plain.coefs_, zeros.coefs_):
        np.testing.assert_array_equal(a, b)


def test_l1_makes_weights_smaller_in_sum_of_absolute_values(digits):
    X, y = digits
    sizes = [np.abs(np.concatenate([c.ravel() for c in BPClassifier((16,), max_iter=20, random_state=0, learning_rate_init=0.01,
             l1=l1).fit(X, y).coefs_])).sum() for l1 in (0.0, 0.5)]  # fmt: skip
    assert sizes[1] < 0.9 * sizes[0]


@pytest.mark.parametrize(
    "params,fragment",
    [
        (dict(dropout=1.0), "0 ≤ p < 1"),
        (dict(dropout=[0.1, 0.2]), "one p per hidden layer"),
        (dict(dropout=0.2, solver="lbfgs"), "solver='lbfgs'"),
        (dict(l1=-1.0), "l1=-1.0"),
    ],
)
def test_bad_dropout_and_l1_are_refused_naming_the_parameter(params, fragment, digits):
    X, y = digits
    with pytest.raises(bp.InvalidArgument, match="BPClassifier") as caught:
        BPClassifier((8,), **params).fit(X, y)
    assert fragment in str(caught.value)


# -- 2. a σ per hidden layer -----------------------------------------------------------


def test_a_list_of_activations_gives_each_hidden_layer_its_own_sigma(digits):
    X, y = digits
    est = BPClassifier((12, 7), activation=["relu", "logistic"], max_iter=5, random_state=0).fit(X, y)
    assert [s.name for s in est.network_.hidden_activations] == ["relu", "sigmoid"]
    # the forward pass written out with coefs_/intercepts_: relu, then the logistic σ, then softmax
    a = np.maximum(X @ est.coefs_[0] + est.intercepts_[0], 0)
    a = 1 / (1 + np.exp(-(a @ est.coefs_[1] + est.intercepts_[1])))
    z = a @ est.coefs_[2] + est.intercepts_[2]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(est.predict_proba(X), p / p.sum(axis=1, keepdims=True), rtol=1e-10, atol=1e-12)


def test_a_list_repeating_one_name_means_that_name(digits):
    X, y = digits
    one = BPClassifier((10, 6), activation="logistic", max_iter=3, random_state=0).fit(X, y)
    listed = BPClassifier((10, 6), activation=["logistic", "logistic"], max_iter=3, random_state=0).fit(X, y)
    for a, b in zip(one.coefs_ + one.intercepts_, listed.coefs_ + listed.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_a_list_of_activations_survives_get_params_set_params_and_clone(digits):
    X, y = digits
    est = BPRegressor((6, 4), activation=["tanh", "relu"])
    assert est.get_params()["activation"] == ["tanh", "relu"]
    twin = clone(est)
    assert twin.activation == ["tanh", "relu"] and twin.activation is not est.activation
    twin.set_params(activation=("identity", "tanh")).fit(*regression_data())
    assert [s.name for s in twin.network_.hidden_activations] == ["identity", "tanh"]
    with pytest.raises(bp.InvalidArgument, match="one σ per hidden layer"):
        BPClassifier((6,), activation=["tanh", "relu"]).fit(X, y)
    with pytest.raises(bp.InvalidArgument, match="'swish' is not one of"):
        BPClassifier((6, 4), activation=["tanh", "swish"]).fit(X, y)


# -- 3. class_weight -------------------------------------------------------------------


def test_balanced_class_weight_equals_fitting_with_those_sample_weights(digits):
    X, y = digits
    y = np.where(y < 7, 0, np.where(y < 9, 1, 2))  # unbalanced: 7 : 2 : 1
    counts = np.bincount(y)
    by_hand = len(y) / (len(counts) * counts[y])  # 'balanced': n / (k · n_c)
    common = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0, dtype="float64")
    weighted = BPClassifier(**common, class_weight="balanced").fit(X, y)
    reference = BPClassifier(**common).fit(X, y, sample_weight=by_hand)
    for a, b in zip(weighted.coefs_ + weighted.intercepts_, reference.coefs_ + reference.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
    plain = BPClassifier(**common).fit(X, y)
    assert not np.allclose(plain.coefs_[0], weighted.coefs_[0])


def test_a_class_weight_dict_multiplies_the_users_sample_weight(digits):
    X, y = digits
    s = np.random.default_rng(3).uniform(0.5, 2.0, len(y))
    class_weight = {label: 1.0 + label / 3 for label in range(10)}
    common = dict(hidden_layer_sizes=(8,), max_iter=4, random_state=0, dtype="float64", solver="sgd")
    weighted = BPClassifier(**common, class_weight=class_weight).fit(X, y, sample_weight=s)
    product = s * np.array([class_weight[label] for label in y])
    reference = BPClassifier(**common).fit(X, y, sample_weight=product)
    for a, b in zip(weighted.coefs_ + weighted.intercepts_, reference.coefs_ + reference.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)


def test_class_weight_refuses_what_it_cannot_mean(digits):
    X, y = digits
    with pytest.raises(bp.InvalidArgument, match="class_weight='heavy'"):
        BPClassifier((4,), class_weight="heavy").fit(X, y)
    with pytest.raises(ValueError, match="not supported with partial_fit"):
        BPClassifier((4,), class_weight="balanced").partial_fit(X, y, classes=np.arange(10))


# -- 4. early stopping keeps the best epoch's weights, as MLP does ---------------------


def test_early_stopping_leaves_the_weights_of_the_best_validation_epoch(digits, monkeypatch):
    X, y = digits
    split = {}

    def recording(*args):
        parts = held_out(*args)
        split["X_val"], split["y_val"] = parts[3], parts[4]
        return parts

    held_out = solvers.held_out
    monkeypatch.setattr(solvers, "held_out", recording)
    est = BPClassifier((16,), early_stopping=True, validation_fraction=0.3, n_iter_no_change=4, tol=0.0,
                       learning_rate_init=0.05, max_iter=200, random_state=0, dtype="float64").fit(X, y)  # fmt: skip
    scores = est.validation_scores_
    best = int(np.argmax(scores))
    assert best < len(scores) - 1 and scores[-1] < scores[best]  # the last epoch was worse: restoring matters
    assert est.best_validation_score_ == scores[best]
    assert est.score(split["X_val"], split["y_val"]) == scores[best]


# -- 6. device -------------------------------------------------------------------------


@pytest.mark.skipif(cuda_available(), reason="checks the message on a machine without CUDA")
def test_device_cuda_without_a_gpu_is_one_clear_error_that_names_the_fix(digits):
    X, y = digits
    est = BPClassifier((4,), device="cuda")
    with pytest.raises(bp.InvalidArgument) as caught:
        est.fit(X, y)
    message = str(caught.value)
    assert message.startswith("BPClassifier: device='cuda' needs a CUDA GPU")
    assert "device='cpu'" in message and "\n" not in message
    assert not hasattr(est, "network_")
    with pytest.raises(bp.InvalidArgument, match="device must be 'cpu', 'cuda' or 'cuda:N'"):
        BPRegressor((4,), device="gpu").fit(*regression_data())


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_an_estimator_on_another_array_library_equals_numpy(solver, digits, monkeypatch):
    """The device path (data placed once, masks and orders placed) run on PyTorch's CPU arrays."""
    X, y = digits
    common = dict(hidden_layer_sizes=(12,), max_iter=3, random_state=0, dtype="float64", solver=solver)
    extras = dict(l1=1e-3) if solver == "lbfgs" else dict(l1=1e-3, dropout=0.2, early_stopping=True)
    reference = BPClassifier(**common, **extras).fit(X, y)
    monkeypatch.setattr(estimator_base, "Network", on_torch(estimator_base.Network))
    est = BPClassifier(**common, **extras).fit(X, y)
    assert est.network_.backend.name == "torch"
    for a, b in zip(est.coefs_ + est.intercepts_, reference.coefs_ + reference.intercepts_):
        assert isinstance(a, np.ndarray)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(est.predict_proba(X), reference.predict_proba(X), rtol=1e-9, atol=1e-11)


def on_torch(network):
    def built(*args, **kwargs):
        return network(*args, **dict(kwargs, backend="torch"))

    return built


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_fit_on_a_gpu_equals_the_cpu_fit(solver, digits):
    X, y = digits
    common = dict(hidden_layer_sizes=(32,), max_iter=5, random_state=0, dtype="float64", solver=solver)
    cpu = BPClassifier(**common).fit(X, y)
    gpu = BPClassifier(**common, device="cuda").fit(X, y)
    assert gpu.network_.device == "cuda"
    for a, b in zip(gpu.coefs_ + gpu.intercepts_, cpu.coefs_ + cpu.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)
    np.testing.assert_array_equal(gpu.predict(X), cpu.predict(X))
    assert pickle.loads(pickle.dumps(gpu)).score(X, y) == gpu.score(X, y)


# -- 7. pickles ------------------------------------------------------------------------


def bprop_globals(payload) -> set:
    """The bprop classes and functions a pickle names (its GLOBAL / STACK_GLOBAL opcodes)."""
    names, strings = set(), []
    for opcode, arg, _ in pickletools.genops(payload):
        if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        elif opcode.name == "STACK_GLOBAL":
            names.add(f"{strings[-2]}.{strings[-1]}")
        elif opcode.name == "GLOBAL":
            names.add(arg.replace(" ", "."))
    return {name for name in names if name.startswith("bprop")}


@pytest.mark.parametrize(
    "make",
    [
        lambda: BPClassifier((8, 4), activation=["relu", "tanh"], max_iter=3, random_state=0),
        lambda: BPClassifier((8,), solver="lbfgs", max_iter=5, random_state=0),
        lambda: BPRegressor((8,), loss="poisson", max_iter=3, random_state=0),
    ],
)
def test_a_fitted_estimators_pickle_names_no_bprop_class_but_the_estimator(make, digits):
    X, y = digits
    if isinstance(make(), BPRegressor):
        X, y = X, (y % 4).astype(float)
    est = make().fit(X, y)
    payload = pickle.dumps(est)
    assert bprop_globals(payload) == {f"bprop.estimators.{type(est).__module__.split('.')[-1]}.{type(est).__name__}"}
    back = pickle.loads(payload)
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    if est.solver != "lbfgs":  # the optimizer's state travels too: partial_fit continues identically
        est.partial_fit(X, y)
        back.partial_fit(X, y)
        for a, b in zip(back.coefs_, est.coefs_):
            np.testing.assert_array_equal(a, b)


# -- 5. pandas and polars DataFrames: feature names, as MLP --------------------------------


def _frame_library(name):
    """(DataFrame from (X, column names), Series from y, upper-casing rename) of pandas or polars."""
    if name == "pandas":
        pd = pytest.importorskip("pandas", reason="pandas is in the test extras; install bprop[test]")
        return (lambda X, names: pd.DataFrame(X, columns=names)), pd.Series, lambda f: f.rename(columns=str.upper)
    pl = pytest.importorskip("polars", reason="polars is in the test extras; install bprop[test]")
    return (
        (lambda X, names: pl.DataFrame(X, schema=names)),
        (lambda y: pl.Series("y", y)),
        (lambda f: f.rename({name: name.upper() for name in f.columns})),
    )


@pytest.mark.parametrize("library", ["pandas", "polars"])
@pytest.mark.parametrize("Estimator", [BPClassifier, BPRegressor])
def test_a_dataframe_fit_records_feature_names_and_checks_them_as_mlp_does(Estimator, library, digits):
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    data_frame, series, upper_cased = _frame_library(library)
    X, y = digits
    names = [f"pixel_{i}" for i in range(X.shape[1])]
    frame = data_frame(X, names)
    common = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    ours = Estimator(**common).fit(frame, series(y))
    np.testing.assert_array_equal(ours.feature_names_in_, np.array(names, dtype=object))
    from_array = Estimator(**common).fit(X, y)
    assert not hasattr(from_array, "feature_names_in_")
    np.testing.assert_array_equal(ours.predict(frame), from_array.predict(X))

    mlp = (MLPClassifier if Estimator is BPClassifier else MLPRegressor)(**common).fit(frame, y)
    np.testing.assert_allclose(ours.predict(frame), mlp.predict(frame), rtol=1e-6, atol=1e-6)
    renamed = upper_cased(frame)
    with pytest.raises(ValueError) as theirs:
        mlp.predict(renamed)
    with pytest.raises(ValueError) as caught:
        ours.predict(renamed)
    assert str(caught.value) == str(theirs.value) and "PIXEL_0" in str(caught.value)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        ours.predict(X)


def test_partial_fit_with_dropout_goes_on_with_the_masks_of_the_call_before(digits):
    """Two partial_fit calls are the two epochs of one fit (no shuffling, so the orders agree)."""
    X, y = digits
    common = dict(hidden_layer_sizes=(16,), dropout=0.4, shuffle=False, random_state=0, dtype="float64")
    fitted = BPClassifier(**common, max_iter=2, n_iter_no_change=50).fit(X, y)
    stepped = BPClassifier(**common)
    stepped.partial_fit(X, y, classes=np.arange(10))
    stepped.partial_fit(X, y)
    for a, b in zip(fitted.coefs_ + fitted.intercepts_, stepped.coefs_ + stepped.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


# -- 8. transform: the last hidden layer as features, named by get_feature_names_out -----


def _last_hidden_by_hand(est, X):
    """a^{L−1} from coefs_ and intercepts_ (MLP's (n_in, n_out) matrices) and the σ of each hidden layer."""
    sigmas = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "logistic": lambda z: 1 / (1 + np.exp(-z))}
    names = [est.activation] * len(est.coefs_) if isinstance(est.activation, str) else list(est.activation)
    a = np.asarray(X, dtype=float)
    for W, b, name in zip(est.coefs_[:-1], est.intercepts_[:-1], names):
        a = sigmas[name](a @ W + b)
    return a


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("make", [BPClassifier, BPRegressor])
def test_transform_gives_the_last_hidden_layers_activations(make, sparse, digits):
    import scipy.sparse

    X, y = digits
    est = make(hidden_layer_sizes=(12, 7), activation=["tanh", "relu"], max_iter=5, random_state=0, dtype="float64")
    est.fit(X, y)
    given = scipy.sparse.csr_matrix(X) if sparse else X
    features = est.transform(given)
    assert features.shape == (X.shape[0], 7)
    np.testing.assert_allclose(features, _last_hidden_by_hand(est, X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(est.transform(X[:5]), features[:5], rtol=1e-12, atol=1e-12)  # a few rows as in bulk
    np.testing.assert_array_equal(est.get_feature_names_out(), [f"{make.__name__.lower()}{i}" for i in range(7)])


def test_fit_transform_set_output_and_a_pipeline_use_the_learned_features(digits):
    pd = pytest.importorskip("pandas", reason="pandas is in the test extras; install bprop[test]")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X, y = digits
    common = dict(hidden_layer_sizes=(20,), max_iter=30, random_state=0)
    once = BPClassifier(**common).fit_transform(X, y)
    np.testing.assert_array_equal(once, BPClassifier(**common).fit(X, y).transform(X))
    framed = BPClassifier(**common).set_output(transform="pandas").fit(X, y).transform(X)
    assert isinstance(framed, pd.DataFrame) and list(framed.columns) == [f"bpclassifier{i}" for i in range(20)]
    np.testing.assert_array_equal(framed.to_numpy(), once)
    pipeline = make_pipeline(BPClassifier(**common), LogisticRegression(max_iter=500)).fit(X, y)
    assert pipeline.score(X, y) > 0.9  # 20 learned features separate the 10 digits of the training set


def test_transform_before_fit_and_with_no_hidden_layer(digits):
    from sklearn.exceptions import NotFittedError

    X, y = digits
    with pytest.raises(NotFittedError):
        BPClassifier().transform(X)
    flat = BPRegressor(hidden_layer_sizes=(), max_iter=2, random_state=0).fit(X, y)
    features = flat.transform(X)
    np.testing.assert_array_equal(features, X)  # a^{L−1} = a^1 = X when there is no hidden layer …
    features[0, 0] = -1.0
    assert X[0, 0] != -1.0  # … but a copy of it: writing to the features leaves X alone
    assert len(flat.get_feature_names_out()) == X.shape[1]
