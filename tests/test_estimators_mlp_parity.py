"""BPClassifier and BPRegressor compute MLP's numbers: equality per solver, sample weights, sparse X.

MLP is deterministic given its random_state, and the estimators draw the same
initial weights and shuffle in the same order from it, so each fit below is
compared with MLPClassifier's or MLPRegressor's in float64 to 1e-10.
"""

from __future__ import annotations

import io
import pickle
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from bprop.estimators import BPClassifier, BPRegressor

TOL = 1e-10


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:240] / 16.0, y[:240]


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X[:200], y[:200] / 100.0


def parameters(est):
    return [np.asarray(p, dtype=np.float64) for p in (*est.coefs_, *est.intercepts_)]


def assert_same_parameters(a, b, tol=TOL):
    pa, pb = parameters(a), parameters(b)
    assert [p.shape for p in pa] == [p.shape for p in pb]
    assert max(float(np.max(np.abs(p - q))) for p, q in zip(pa, pb)) <= tol


def fitted(cls, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cls(**kw).fit(X, y)


SOLVERS = [
    ("sgd", {}),
    ("sgd", {"nesterovs_momentum": False, "learning_rate": "invscaling", "power_t": 0.3}),
    ("sgd", {"momentum": 0.0, "learning_rate": "adaptive", "tol": 10.0, "n_iter_no_change": 1}),
    ("adam", {}),
    ("lbfgs", {}),
]


@pytest.mark.parametrize("solver, extra", SOLVERS)
def test_classifier_equals_mlp_from_the_same_random_state(digits, solver, extra):
    X, y = digits
    kw = dict(hidden_layer_sizes=(12, 8), solver=solver, max_iter=1, random_state=3, **extra)
    a, b = fitted(MLPClassifier, X, y, **kw), fitted(BPClassifier, X, y, **kw)
    assert_same_parameters(a, b)
    assert abs(a.loss_ - b.loss_) <= TOL
    assert a.n_iter_ == b.n_iter_ and a.t_ == b.t_


@pytest.mark.parametrize("solver, extra", SOLVERS)
def test_several_epochs_follow_mlp(digits, solver, extra):
    X, y = digits
    kw = dict(hidden_layer_sizes=(10,), solver=solver, max_iter=6, random_state=0, **extra)
    a, b = fitted(MLPClassifier, X, y, **kw), fitted(BPClassifier, X, y, **kw)
    assert_same_parameters(a, b, 1e-9)
    if solver != "lbfgs":
        np.testing.assert_allclose(b.loss_curve_, a.loss_curve_, rtol=0, atol=1e-9)
        assert b._optimizer.learning_rate == pytest.approx(a._optimizer.learning_rate, rel=1e-12)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_regressor_equals_mlp(diabetes, solver, loss):
    X, y = diabetes
    y = np.round(np.abs(y)) if loss == "poisson" else y
    kw = dict(hidden_layer_sizes=(9,), solver=solver, loss=loss, max_iter=1, random_state=1)
    a, b = fitted(MLPRegressor, X, y, **kw), fitted(BPRegressor, X, y, **kw)
    assert_same_parameters(a, b)
    assert abs(a.loss_ - b.loss_) <= TOL
    assert b.out_activation_ == a.out_activation_
    np.testing.assert_allclose(b.predict(X), a.predict(X), rtol=0, atol=TOL)


def test_multi_output_loss_is_mlps(diabetes):
    X, y = diabetes
    Y = np.c_[y, -2 * y]
    kw = dict(hidden_layer_sizes=(6,), max_iter=3, random_state=0, alpha=0.1)
    a, b = fitted(MLPRegressor, X, Y, **kw), fitted(BPRegressor, X, Y, **kw)
    np.testing.assert_allclose(b.loss_curve_, a.loss_curve_, rtol=0, atol=TOL)
    assert_same_parameters(a, b)


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_whole_number_sample_weights_equal_repeated_rows(digits, solver):
    X, y = digits
    X, y = X[:100], y[:100]
    weights = np.random.default_rng(0).integers(0, 4, size=len(X))
    repeated = np.repeat(np.arange(len(X)), weights)
    # one batch holding all rows, no shuffling: the two fits see the same samples in each step
    kw = dict(hidden_layer_sizes=(7,), solver=solver, max_iter=3, shuffle=False, random_state=2)
    a = fitted(BPClassifier, X[repeated], y[repeated], batch_size=len(repeated), **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        b = BPClassifier(batch_size=len(X), **kw).fit(X, y, sample_weight=weights)
    assert_same_parameters(a, b)
    assert abs(a.loss_ - b.loss_) <= TOL


def test_sample_weight_equals_mlps(diabetes):
    X, y = diabetes
    s = np.random.default_rng(1).uniform(0.1, 3.0, size=len(X))
    kw = dict(hidden_layer_sizes=(5,), solver="adam", max_iter=2, batch_size=32, random_state=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPRegressor(**kw).fit(X, y, sample_weight=s)
        b = BPRegressor(**kw).fit(X, y, sample_weight=s)
    assert_same_parameters(a, b)
    assert abs(a.loss_ - b.loss_) <= TOL


@pytest.mark.parametrize("to_sparse", [scipy.sparse.csr_matrix, scipy.sparse.csc_array])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_sparse_X_equals_dense(digits, to_sparse, solver):
    X, y = digits
    kw = dict(hidden_layer_sizes=(8,), solver=solver, max_iter=2, random_state=5)
    dense, sparse = fitted(BPClassifier, X, y, **kw), fitted(BPClassifier, to_sparse(X), y, **kw)
    assert_same_parameters(dense, sparse)
    np.testing.assert_allclose(sparse.predict_proba(to_sparse(X)), dense.predict_proba(X), rtol=0, atol=TOL)


def test_sparse_X_is_never_densified(digits, monkeypatch):
    X, y = digits
    Xs = scipy.sparse.csr_matrix(X)

    def refuse(*args, **kwargs):
        raise AssertionError("the sparse X was densified")

    monkeypatch.setattr(scipy.sparse.csr_matrix, "toarray", refuse)
    monkeypatch.setattr(scipy.sparse.csr_matrix, "todense", refuse)
    fitted(BPClassifier, Xs, y, hidden_layer_sizes=(4,), max_iter=1, random_state=0).predict(Xs)


def test_assigned_coefs_are_a_warm_start(digits):
    X, y = digits
    source = fitted(BPClassifier, X, y, hidden_layer_sizes=(6,), max_iter=2, random_state=0)
    est = fitted(BPClassifier, X, y, hidden_layer_sizes=(6,), max_iter=1, random_state=9, warm_start=True)
    est.coefs_ = [c.copy() for c in source.coefs_]
    est.intercepts_ = [b.copy() for b in source.intercepts_]
    assert_same_parameters(est, source, 0.0)
    mlp = fitted(MLPClassifier, X, y, hidden_layer_sizes=(6,), max_iter=1, random_state=9, warm_start=True)
    mlp.coefs_ = [c.copy() for c in source.coefs_]
    mlp.intercepts_ = [b.copy() for b in source.intercepts_]
    est.set_params(max_iter=2)
    mlp.set_params(max_iter=2)
    assert_same_parameters(fitted_again(est, X, y), fitted_again(mlp, X, y))
    with pytest.raises(AttributeError, match="fit it first"):
        BPClassifier().coefs_ = source.coefs_


def fitted_again(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def test_diverging_run_behaves_as_mlp(diabetes):
    X, y = diabetes
    kw = dict(hidden_layer_sizes=(20,), solver="sgd", learning_rate_init=10.0, max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
        fitted(BPRegressor, X * 1e3, y, **kw)
    with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # MLP's overflow warnings
            fitted(MLPRegressor, X * 1e3, y, **kw)


def test_partial_fit_only_for_stochastic_solvers():
    assert not hasattr(BPClassifier(solver="lbfgs"), "partial_fit")
    assert hasattr(BPRegressor(solver="sgd"), "partial_fit")


def test_verbose_lines_match_mlps(digits):
    X, y = digits
    outputs = []
    for cls in (MLPClassifier, BPClassifier):
        out = io.StringIO()
        with redirect_stdout(out):
            fitted(cls, X, y, hidden_layer_sizes=(5,), solver="sgd", max_iter=3, random_state=0, verbose=True)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1] and outputs[1].startswith("Iteration 1, loss = ")


def test_used_as_a_user_would(digits):
    from sklearn.model_selection import GridSearchCV

    X, y = digits
    search = GridSearchCV(
        BPClassifier(max_iter=30, random_state=0), {"hidden_layer_sizes": [(16,), (32,)], "solver": ["adam", "lbfgs"]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    best = search.best_estimator_
    assert search.best_score_ > 0.8
    copy = pickle.loads(pickle.dumps(best))
    np.testing.assert_array_equal(copy.predict(X), best.predict(X))
    assert copy.score(X, y) == best.score(X, y)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_convergence_warnings_point_at_the_callers_line(digits, solver):
    X, y = digits
    with pytest.warns(ConvergenceWarning) as record:
        BPClassifier(hidden_layer_sizes=(4,), solver=solver, max_iter=2, random_state=0).fit(X, y)
    assert record[0].filename == __file__
