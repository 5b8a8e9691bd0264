"""BPClassifier and BPRegressor: scikit-learn's conformance suite, its tools, and MLP as the oracle.

Independent references: scikit-learn's own estimator checks; MLPClassifier /
MLPRegressor started from the same weights (one epoch of plain SGD with L2
and an uneven last batch must give the same weights to rounding); the core's
own ``Network.backprop`` for a hand-driven momentum step.

ConvergenceWarning is silenced only where a run is short on purpose, each
time said so; scikit-learn's own common tests silence it the same way
(sklearn/tests/test_common.py, ``test_estimators``).
"""

import contextlib
import io
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import bprop as bp
from bprop.estimators import BPClassifier, BPRegressor
from bprop.sklearn_api import BPClassifier as ReexportedClassifier

SHORT_RUN = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


# -- scikit-learn's conformance suite ---------------------------------------------


# max_iter=100 is what scikit-learn's own suite gives MLPClassifier/MLPRegressor
# (sklearn/utils/_test_common/instance_generator.py); no expected failures are
# declared, as none are for MLP.
@pytest.mark.slow  # scikit-learn's whole estimator battery
@parametrize_with_checks([BPClassifier(max_iter=100, random_state=0), BPRegressor(max_iter=100, random_state=0)])
@SHORT_RUN  # short runs on purpose; scikit-learn's test_common ignores ConvergenceWarning too
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_reexport():
    assert ReexportedClassifier is BPClassifier


# -- the same numbers as MLP ----------------------------------------------------------


def _same_start(ours, mlp):
    """Copy our initial weights into MLP's arrays (in place: its optimizer holds them)."""
    for c, w in zip(mlp.coefs_, ours.coefs_):
        c[...] = w
    for c, b in zip(mlp.intercepts_, ours.intercepts_):
        c[...] = b


def test_one_epoch_equals_mlpclassifier_with_l2_and_uneven_last_batch(iris):
    X, y = iris[0][:133], iris[1][:133]  # 133 = 4 × 32 + 5: the last batch is smaller
    kw = dict(
        hidden_layer_sizes=(5,),
        solver="sgd",
        momentum=0.0,
        alpha=0.5,
        batch_size=32,
        shuffle=False,
        learning_rate_init=0.1,
        random_state=0,
    )
    ours = BPClassifier(**kw).partial_fit(X, y, classes=[0, 1, 2])
    mlp = MLPClassifier(**kw).partial_fit(X, y, classes=[0, 1, 2])
    _same_start(ours, mlp)
    ours.partial_fit(X, y)
    mlp.partial_fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, mlp.coefs_ + mlp.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert ours.loss_curve_[-1] == pytest.approx(mlp.loss_curve_[-1], rel=1e-12)  # L2 term included


def test_one_epoch_equals_mlpregressor_multi_output():
    X, Y = make_regression(n_samples=70, n_features=6, n_targets=3, random_state=0)
    Y = Y / Y.std()
    kw = dict(
        hidden_layer_sizes=(7,),
        activation="tanh",
        solver="sgd",
        momentum=0.0,
        alpha=0.3,
        batch_size=16,
        shuffle=False,
        learning_rate_init=0.01,
        random_state=0,
    )
    ours = BPRegressor(**kw).partial_fit(X, Y)
    mlp = MLPRegressor(**kw).partial_fit(X, Y)
    _same_start(ours, mlp)
    ours.partial_fit(X, Y)
    mlp.partial_fit(X, Y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, mlp.coefs_ + mlp.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.slow  # two digits fits
@SHORT_RUN  # 50 epochs for speed; accuracy, not convergence, is compared
def test_digits_accuracy_within_one_point_of_mlpclassifier(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    kw = dict(hidden_layer_sizes=(64,), max_iter=50)
    ours = np.mean([BPClassifier(**kw, random_state=s).fit(X_train, y_train).score(X_test, y_test) for s in range(3)])
    mlp = np.mean([MLPClassifier(**kw, random_state=s).fit(X_train, y_train).score(X_test, y_test) for s in range(3)])
    assert ours >= mlp - 0.01, (ours, mlp)
    assert ours > 0.94


# -- scikit-learn's tools ----------------------------------------------------------------


def test_pipeline_gridsearch_cross_val_score_clone(iris):
    X, y = load_iris(return_X_y=True)
    kw = dict(
        hidden_layer_sizes=(8,), learning_rate_init=0.01, tol=1e-3, n_iter_no_change=5, max_iter=1000, random_state=0
    )  # converges well before max_iter: no warning
    pipe = make_pipeline(StandardScaler(), BPClassifier(**kw)).fit(X, y)
    assert pipe.score(X, y) > 0.9
    search = GridSearchCV(BPClassifier(**kw), {"alpha": [1e-4, 1e-1], "hidden_layer_sizes": [(4,), (8,)]}, cv=3)
    search.fit(iris[0], y)
    assert search.best_score_ > 0.85
    assert cross_val_score(pipe, X, y, cv=3).mean() > 0.85
    fitted = pipe[-1]
    twin = clone(fitted)
    assert twin.get_params() == fitted.get_params() and not hasattr(twin, "network_")


def test_pickle_round_trip_predicts_and_continues_identically(iris):
    X, y = iris
    est = BPClassifier(hidden_layer_sizes=(6,), random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    copy = pickle.loads(pickle.dumps(est))
    assert isinstance(copy.network_, bp.Network)
    np.testing.assert_array_equal(copy.predict_proba(X), est.predict_proba(X))
    est.partial_fit(X, y)
    copy.partial_fit(X, y)  # Adam's moments and step count travelled too
    for a, b in zip(est.network_.weights, copy.network_.weights):
        np.testing.assert_array_equal(a, b)


# -- incremental learning and the optimizer's state -------------------------------------------


def test_partial_fit_needs_classes_first_and_keeps_the_optimizer_state(iris):
    X, y = iris
    est = BPClassifier(
        hidden_layer_sizes=(5,),
        solver="momentum",
        momentum=0.9,
        learning_rate_init=0.05,
        alpha=0.0,
        batch_size=len(X),
        shuffle=False,
        random_state=0,
    )
    with pytest.raises(ValueError, match="classes must be passed"):
        est.partial_fit(X, y)
    weights, biases = [], []
    for _ in range(3):
        est.partial_fit(X, y, classes=np.array([0, 1, 2]))
        weights.append([w.copy() for w in est.network_.weights])
        biases.append([b.copy() for b in est.network_.biases])
    assert est.n_iter_ == 1 and est.t_ == 3 * len(X) and len(est.loss_curve_) == 3
    # Heavy ball, one batch per call: w3 = w2 + μ(w2 − w1) − η ∂C/∂w at w2, by the core's own backprop.
    net = est.network_.copy()
    net.weights, net.biases = weights[1], biases[1]
    T = np.eye(3)[y]
    g = net.backprop(X, T).weights
    for w1, w2, w3, gw in zip(weights[0], weights[1], weights[2], g):
        np.testing.assert_allclose(w3, w2 + 0.9 * (w2 - w1) - 0.05 * gw, atol=1e-12)


def test_partial_fit_accepts_batches_missing_classes_and_refuses_new_ones(iris):
    X, y = iris
    est = BPClassifier(hidden_layer_sizes=(5,), random_state=0)
    est.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    est.partial_fit(X[y == 2], y[y == 2])
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    assert est.predict_proba(X).shape == (len(X), 3)
    with pytest.raises(ValueError, match="not in `self.classes_`"):
        est.partial_fit(X[:3], [0, 1, 7])
    with pytest.raises(ValueError, match="early_stopping"):
        BPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])


def test_warm_start_continues_from_the_fitted_weights(iris):
    X, y = iris
    est = BPClassifier(hidden_layer_sizes=(5,), max_iter=5, warm_start=True, random_state=0)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        est.fit(X, y)
    first = list(est.loss_curve_)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    assert est.n_iter_ == 5 and est.loss_curve_[:5] == first and len(est.loss_curve_) == 10
    assert est.loss_curve_[5] < first[0]


# -- targets ----------------------------------------------------------------------------------


def test_binary_and_multiclass_probabilities(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    est = BPClassifier(
        hidden_layer_sizes=(8,), learning_rate_init=0.01, tol=1e-3, n_iter_no_change=5, max_iter=1000, random_state=0
    ).fit(X, names)
    P = est.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1)
    np.testing.assert_array_equal(est.classes_[P.argmax(axis=1)], est.predict(X))
    np.testing.assert_array_equal(est.classes_[est.network_.predict(X)], est.predict(X))  # the core's own rule
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(P))
    assert est.out_activation_ == "softmax"

    binary = clone(est).fit(X, y == 2)
    assert binary.out_activation_ == "logistic" and binary.n_outputs_ == 1
    P = binary.predict_proba(X)
    assert P.shape == (len(X), 2)
    np.testing.assert_allclose(P[:, 1], binary.network_.feedforward(X)[:, 0])


def test_multilabel():
    X, Y = make_multilabel_classification(n_samples=200, n_features=10, n_classes=4, random_state=0)
    est = BPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, tol=1e-3, max_iter=1000, random_state=0).fit(
        StandardScaler().fit_transform(X), Y
    )
    X = StandardScaler().fit_transform(X)
    assert est.out_activation_ == "logistic" and est.n_outputs_ == 4
    pred = est.predict(X)
    assert pred.shape == Y.shape and pred.dtype == Y.dtype
    assert (pred == Y).mean() > 0.9
    assert est.predict_proba(X).shape == Y.shape


def test_multi_output_regression():
    X, Y = make_regression(n_samples=200, n_features=5, n_targets=3, noise=0.1, random_state=0)
    est = make_pipeline(
        StandardScaler(),
        BPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=500, tol=1e-4, random_state=0),
    )
    est.fit(X, Y / Y.std())
    assert est.predict(X).shape == Y.shape
    assert est.score(X, Y / Y.std()) > 0.95
    assert est[-1].out_activation_ == "identity" and est[-1].n_outputs_ == 3


# -- stopping ------------------------------------------------------------------------------------


def test_convergence_warning_at_max_iter_and_none_when_converged(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(2\) reached"):
        BPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    # tol so large that no epoch counts as improving: stops after n_iter_no_change + 2 epochs, no warning.
    est = BPClassifier(hidden_layer_sizes=(4,), tol=1e9, n_iter_no_change=3, random_state=0).fit(X, y)
    assert est.n_iter_ == 5 and est.best_loss_ == min(est.loss_curve_)


def test_early_stopping_restores_the_best_validation_epoch(digits_split):
    X, _, y, _ = digits_split
    kw = dict(hidden_layer_sizes=(16,), early_stopping=True, learning_rate_init=0.1, random_state=0)
    full = BPClassifier(**kw, n_iter_no_change=100, max_iter=20)
    with pytest.warns(ConvergenceWarning):
        full.fit(X[:300], y[:300])
    assert full.best_loss_ is None and len(full.validation_scores_) == 20
    best = int(np.argmax(full.validation_scores_)) + 1
    assert full.best_validation_score_ == full.validation_scores_[best - 1] and best < 20
    # The same run cut at the best epoch (same split, same shuffles) ends with the weights `full` kept.
    cut = BPClassifier(**kw, n_iter_no_change=100, max_iter=best)
    with pytest.warns(ConvergenceWarning):
        cut.fit(X[:300], y[:300])
    for a, b in zip(full.network_.weights, cut.network_.weights):
        np.testing.assert_array_equal(a, b)


# -- attributes, dtypes, display, refusals ----------------------------------------------------------


@SHORT_RUN  # three epochs are enough to check layouts
def test_coefs_are_the_transposes_of_the_network_weights(iris):
    X, y = iris
    est = BPClassifier(hidden_layer_sizes=(7, 5), max_iter=3, random_state=0).fit(X, y)
    assert [c.shape for c in est.coefs_] == [(4, 7), (7, 5), (5, 3)]
    assert est.network_.sizes == [4, 7, 5, 3] and est.n_layers_ == 4
    for c, w, i, b in zip(est.coefs_, est.network_.weights, est.intercepts_, est.network_.biases):
        np.testing.assert_array_equal(c, w.T)
        assert np.shares_memory(c, w) and i is b


@SHORT_RUN  # two epochs are enough to check dtypes
def test_dtype_follows_x_unless_given(iris):
    X, y = iris
    fit = lambda X, **kw: BPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0, **kw).fit(X, y)  # noqa: E731
    assert fit(X).network_.dtype == np.float64
    assert fit(X.astype(np.float32)).network_.dtype == np.float32
    assert fit(X, dtype="float32").network_.dtype == np.float32
    assert fit((X * 10).astype(int)).network_.dtype == np.float64


def test_verbose_prints_scikit_learns_iteration_lines(iris):
    X, y = iris
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.warns(ConvergenceWarning):
        est = BPClassifier(hidden_layer_sizes=(3,), max_iter=3, batch_size=50, verbose=True, random_state=0)
        est.fit(X, y)
    lines = out.getvalue().splitlines()
    assert lines == [f"Iteration {i + 1}, loss = {loss:.8f}" for i, loss in enumerate(est.loss_curve_)]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"solver": "newton"}, "solver='newton'"),
        ({"learning_rate": "cyclic"}, "learning_rate='cyclic'"),
        ({"max_fun": 0}, "max_fun=0"),
        ({"activation": "softplus"}, "activation='softplus'"),
        ({"alpha": -1.0}, "alpha=-1.0"),
        ({"batch_size": 0}, "batch_size=0"),
        ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes"),
        ({"out_activation": "tanh"}, "out_activation='tanh'"),
        ({"dtype": "float16"}, "float16"),
    ],
)
def test_bad_parameters_are_named_at_fit(iris, params, match):
    X, y = iris
    est = BPClassifier(**params)  # __init__ only stores
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)


@SHORT_RUN
def test_one_class_fits_and_predicts_it_as_mlp_does(iris):
    X, _ = iris
    y = np.full(len(X), 7)
    ours = BPClassifier((5,), max_iter=3, random_state=0).fit(X, y)
    mlp = MLPClassifier((5,), max_iter=3, random_state=0).fit(X, y)
    assert list(ours.classes_) == list(mlp.classes_) == [7]
    np.testing.assert_array_equal(ours.predict(X), mlp.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), mlp.predict_proba(X), rtol=1e-10, atol=1e-12)


def test_refusals(iris):
    X, y = iris
    with pytest.raises(ValueError, match="sample_weight"):
        BPClassifier().fit(X, y, sample_weight=-np.ones(len(X)))
    with pytest.raises(ValueError, match="multi-class"):
        BPClassifier(out_activation="softmax").fit(X, y == 2)
