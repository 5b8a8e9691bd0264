"""scikit-learn estimators: ``BPClassifier`` and ``BPRegressor``, thin front ends over bprop.

    from bprop.estimators import BPClassifier, BPRegressor
    clf = BPClassifier(hidden_layer_sizes=(100,), max_iter=50, random_state=0).fit(X, y)
    clf.predict(X), clf.predict_proba(X), clf.score(X, y)
    clf.network_                     # the bprop Network: weights, backprop, explain, save
    clf.coefs_[0]                    # = clf.network_.weights[0].T, scikit-learn's (n_in, n_out) layout

They speak scikit-learn: the constructor parameters, fitted attributes and
stopping rules of ``MLPClassifier`` / ``MLPRegressor`` wherever the meaning is
the same, so that the two can be swapped in a Pipeline, a grid search or a
side-by-side benchmark. Underneath they only translate: a ``bprop.Network``
holds the weights and does BP1–BP4, a ``bprop`` optimizer (SGD, Momentum,
Nesterov, Adam) applies the updates, and ``bprop.train`` runs each epoch with
the same optimizer object, so that its state (velocities, moments, step
count) carries over from epoch to epoch and from one ``partial_fit`` to the
next. What happens between epochs — the loss curve, ``tol`` /
``n_iter_no_change``, early stopping on a held-out validation score with the
best weights restored, the ConvergenceWarning — follows scikit-learn's
``_fit_stochastic`` line for line. The support code (parameter checks, the
L2 divisor, progress display, pickling) is in ``bprop.estimators_support``.

L2 convention
-------------
These estimators keep scikit-learn's ``alpha``: each mini-batch of m_b samples
adds (alpha / 2m_b) Σ w² to its cost, so a batch's gradient gets (alpha/m_b) w.
That is bprop's ``backprop(X_b, Y_b, l2=alpha, n=m_b)`` — λ = alpha with the
batch size as n — not ``train(..., l2=λ)``'s derivation convention, where n
is the size of the whole training set. Biases are not decayed (both agree).

Known differences from MLPClassifier / MLPRegressor
---------------------------------------------------
- solver 'lbfgs', ``learning_rate`` ('invscaling', 'adaptive'), ``power_t``
  and ``max_fun`` are not offered: bprop trains by mini-batch gradient
  descent. ``learning_rate_init`` may instead be a bprop schedule, a function
  of the step count t returning η.
- ``sample_weight`` is not supported (fit and partial_fit have no such
  parameter): bprop's BP3/BP4 take plain batch means.
- sparse X is not accepted (validation says so); densify it first.
- initial weights: ``init='xavier'`` (Glorot uniform, as MLP's for tanh/relu)
  but biases start at 0 where MLP draws them from the same uniform range.
- Adam is Kingma & Ba's Algorithm 1 in the paper's own efficient form, whose
  ε is scaled by √(1 − β₂ᵗ); MLP's Adam adds ε unscaled. The difference is of
  the order of ε = 1e-8.
- ``loss_curve_`` holds bprop's cost, the very function minimized: for
  multi-output regression that is C = ½ Σ_j (y_j − a_j)² per sample, which is
  n_outputs × the "½ mean over outputs" that MLPRegressor reports (MLP's
  gradient is that of the sum, as here). Identical in every other case.
- ``verbose`` draws the bprop command line's progress bar instead of
  printing one line per iteration.
- Default dtype: as scikit-learn, the network computes in X's dtype when X is
  float32 or float64 (anything else becomes float64); ``dtype='float32'``
  gives bprop's fast training on float64 data.

Conformance
-----------
Both estimators pass ``sklearn.utils.estimator_checks`` with no expected
failures, as MLPClassifier and MLPRegressor do (scikit-learn 1.9.1 lists none
for them in ``PER_ESTIMATOR_XFAIL_CHECKS``). The tags differ from MLP's in
two places: ``input_tags.sparse`` is False (see above), and BPRegressor
declares ``target_tags.multi_output = True`` — it supports y of shape
(n_samples, n_outputs), so the multi-output regression check runs on it.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from ..core.network import Network
from ..training.loop import train
from . import support


class _BPEstimator(BaseEstimator):
    """What BPClassifier and BPRegressor share: parameters, the epoch loop, fitted attributes."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        out_activation=None,
        cost=None,
        init="xavier",
        dtype=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.out_activation = out_activation
        self.cost = cost
        self.init = init
        self.dtype = dtype

    # -- scikit-learn's (n_in, n_out) view of the network --------------------

    @property
    def coefs_(self):
        """Weight matrices in scikit-learn's layout: ``coefs_[i]`` is (w^{i+2})ᵀ, shape (n_{i+1}, n_{i+2}).

        The transposes of ``network_.weights`` — views of the same memory, so
        they always agree with the network (bprop stores w^l as (n_l, n_{l−1}),
        PyTorch's layout; MLP stores (n_{l−1}, n_l)).
        """
        return [w.T for w in self.network_.weights]

    @property
    def intercepts_(self):
        """Bias vectors: ``intercepts_[i]`` is b^{i+2} = ``network_.biases[i]``, shape (n_{i+2},)."""
        return list(self.network_.biases)

    # -- fitting ---------------------------------------------------------------

    def fit(self, X, y):
        """Train on (X, y) for up to ``max_iter`` epochs; returns self.

        X : (n_samples, n_features). y : (n_samples,) or (n_samples, n_outputs).
        With ``warm_start=True`` a fitted estimator continues from its weights
        (with a fresh optimizer, as MLP does). Raises ``bprop.TrainingDiverged``
        (the weights of the start of the epoch kept) when the cost becomes NaN
        or infinite, where MLP would raise a ValueError at the end.
        """
        return self._fit(X, y, incremental=False)

    def _fit(self, X, y, *, incremental, classes=None):
        s = support.checked_settings(self)
        first_pass = not hasattr(self, "network_") or (not self.warm_start and not incremental)
        X, T, y = self._validate_input(X, y, first_pass=first_pass, incremental=incremental, classes=classes)
        rs = check_random_state(self.random_state)
        if first_pass:
            self._initialize(s, X, T.shape[1], rs)
        elif T.shape[1] != self.n_outputs_ or list(self.network_.sizes[1:-1]) != s.hidden:
            raise ValueError(
                f"{type(self).__name__} was fitted with layers {self.network_.sizes} and cannot continue "
                f"(warm_start or partial_fit) with hidden_layer_sizes={self.hidden_layer_sizes!r} and "
                f"{T.shape[1]} outputs; set warm_start=False to start afresh."
            )
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = support.optimizer_for(self)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")

        X_train, T_train, X_val, y_val = self._split(X, T, y, rs)
        net = self.network_
        X_train = np.ascontiguousarray(X_train, dtype=net.dtype)
        T_train = np.ascontiguousarray(T_train, dtype=net.dtype)
        n_samples = X_train.shape[0]
        batch_size = support.batch_size_for(self.batch_size, n_samples)
        shuffler = np.random.default_rng(rs.randint(np.iinfo(np.int32).max)) if self.shuffle else None
        display = support.Display(self, net, batches=-(-n_samples // batch_size)) if self.verbose else None
        meter = support.EpochMeter(display)

        self.n_iter_ = 0
        try:
            for _ in range(self.max_iter):
                started = time.perf_counter()
                self.loss_ = self._one_epoch(X_train, T_train, batch_size, shuffler, meter)
                self.n_iter_ += 1
                self.t_ += n_samples
                self.loss_curve_.append(self.loss_)
                self._update_no_improvement_count(X_val, y_val)
                if display:
                    display.epoch_end(self, time.perf_counter() - started)
                if self._no_improvement_count > self.n_iter_no_change:
                    if display:
                        display.say(self._stopping_message() + " Stopping.")
                    break
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                        "optimization hasn't converged yet.",
                        ConvergenceWarning,
                        stacklevel=2,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=2)
        finally:
            if display:
                display.close()
        if self.early_stopping:
            net.weights, net.biases = self._best_params
        return self

    def _one_epoch(self, X, T, batch_size, shuffler, meter):
        """One pass over (X, T) in mini-batches through ``bprop.train``; returns MLP's ``loss_``.

        ``loss_`` is the sample-weighted mean of the batch costs, each with its
        own L2 term, as the weights were when its gradient was taken.
        """
        meter.start_epoch()
        order = None if shuffler is None else shuffler.permutation(X.shape[0])
        for rows, l2, size in support.batches_by_l2_divisor(X.shape[0], batch_size, self.alpha, order):
            train(
                self.network_,
                X[rows],
                T[rows],
                epochs=1,
                batch_size=size,
                optimizer=self._optimizer,
                l2=l2,
                shuffle=False,
                callbacks=(meter,),
            )
        return meter.cost_sum / meter.seen

    def _initialize(self, s, X, n_outputs, rs):
        """A new network and fresh records, as MLP's ``_initialize``."""
        self.n_outputs_ = n_outputs
        self.out_activation_, output, cost = self._output_layer(s)
        sizes = [X.shape[1], *s.hidden, n_outputs]
        dtype = X.dtype if self.dtype is None else self.dtype
        self.network_ = Network(
            sizes,
            activation=s.activation,
            output=output,
            cost=cost,
            init=self.init,
            seed=np.random.default_rng(rs.randint(np.iinfo(np.int32).max)),
            dtype=dtype,
        )
        self.n_layers_ = len(sizes)
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self._no_improvement_count = 0
        self._best_params = support.snapshot(self.network_)
        if self.early_stopping:
            self.validation_scores_, self.best_validation_score_, self.best_loss_ = [], -np.inf, None
        else:
            self.validation_scores_, self.best_validation_score_, self.best_loss_ = None, None, np.inf

    def _split(self, X, T, y, rs):
        """(X_train, T_train, X_val, y_val): MLP's held-out validation set when early_stopping."""
        if not self.early_stopping:
            return X, T, None, None
        stratify = y if self._stratified_split() else None
        train_rows, val_rows = train_test_split(
            np.arange(X.shape[0]), random_state=rs, test_size=self.validation_fraction, stratify=stratify
        )
        if len(val_rows) < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the size of your dataset."
            )
        return X[train_rows], T[train_rows], X[val_rows], y[val_rows]

    def _update_no_improvement_count(self, X_val, y_val):
        """MLP's rule: count epochs that did not beat the best by ``tol``; keep the best weights."""
        if self.early_stopping:
            score = self._validation_score(X_val, y_val)
            self.validation_scores_.append(score)
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_params = support.snapshot(self.network_)
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _stopping_message(self):
        what = "Validation score" if self.early_stopping else "Training loss"
        return f"{what} did not improve more than tol={self.tol:f} for {self.n_iter_no_change} consecutive epochs."

    def _validation_score(self, X_val, y_val):
        outputs = self.network_.feedforward(X_val)
        if not np.isfinite(outputs).all():
            return np.nan
        return self._score_function(y_val, self._predictions(outputs))

    # -- prediction --------------------------------------------------------------

    def _outputs(self, X):
        """a^L of the network for validated X: (n_samples, n_outputs_)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        return self.network_.feedforward(X)

    def predict(self, X):
        """Predictions for X (n_samples, n_features): labels for a classifier, values for a regressor."""
        return self._predictions(self._outputs(X))

    # -- pickling: the Network travels as its arrays and components --------------

    def __getstate__(self):
        state = dict(super().__getstate__())
        if isinstance(state.get("network_"), Network):
            state["network_"] = support.network_record(state["network_"])
        return state

    def __setstate__(self, state):
        if isinstance(state.get("network_"), dict):
            state = dict(state, network_=support.network_from_record(state["network_"]))
        super().__setstate__(state)


class BPClassifier(ClassifierMixin, _BPEstimator):
    """A multi-layer perceptron classifier trained by bprop's BP1–BP4, with MLPClassifier's interface.

    Binary (one sigmoid output), multi-class (softmax outputs) and multilabel
    (one sigmoid output per label) targets, as MLPClassifier.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Neurons of each hidden layer (n_2 … n_{L−1}); the input and output
        layers come from the data.
    activation : {'relu', 'tanh', 'logistic', 'identity', 'sigmoid', 'leaky_relu'} or object, default='relu'
        σ of the hidden layers ('logistic' is bprop's 'sigmoid'), or a bprop
        activation object with ``value(z)`` and ``derivative(z, a)``.
    solver : {'adam', 'sgd', 'momentum', 'nesterov'}, default='adam'
        'adam' is ``bprop.Adam(learning_rate_init, beta_1, beta_2, epsilon)``.
        'sgd' is MLP's: ``bprop.Nesterov`` when ``nesterovs_momentum`` and
        ``momentum`` > 0, ``bprop.Momentum`` without Nesterov, ``bprop.SGD``
        when ``momentum`` = 0. 'momentum' and 'nesterov' name bprop's
        optimizers directly (with ``momentum``).
    alpha : float ≥ 0, default=1e-4
        L2 strength in scikit-learn's convention: each batch of m_b samples
        adds (alpha/2m_b) Σ w² (bprop's l2=alpha with n=m_b; see the module
        docstring). Biases are not decayed.
    batch_size : int or 'auto', default='auto'
        Samples per gradient step; 'auto' is min(200, n_samples). Larger than
        n_samples is clipped, with a warning.
    learning_rate_init : float > 0 or callable, default=1e-3
        η, or a bprop schedule: a function of the step count returning η.
    max_iter : int, default=200
        Epochs at most; reaching it warns with ConvergenceWarning.
    shuffle : bool, default=True
        Shuffle the samples before each epoch.
    random_state : int, RandomState instance or None, default=None
        The source of the initial weights, the shuffling and the validation split.
    tol : float, default=1e-4
        An epoch "improves" when the training loss falls (or, with
        early_stopping, the validation score rises) by at least tol.
    verbose : bool, default=False
        Draw the bprop command line's progress bar (rich) while fitting.
    warm_start : bool, default=False
        fit continues from the fitted weights instead of starting afresh.
    momentum : float in [0, 1), default=0.9
        μ for solver 'sgd', 'momentum' and 'nesterov'.
    nesterovs_momentum : bool, default=True
        For solver 'sgd': Nesterov's momentum rather than Polyak's.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its accuracy
        has not improved by tol for ``n_iter_no_change`` epochs, and keep the
        weights of the best epoch.
    validation_fraction : float in (0, 1), default=0.1
        The held-out share for early_stopping.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's β₁, β₂ and ε.
    n_iter_no_change : int or np.inf, default=10
        Epochs without improvement (see tol) before stopping.
    out_activation : {None, 'softmax', 'logistic', 'sigmoid'}, default=None
        σ of the output layer (bprop's ``Network(output=...)``). None: softmax
        for multi-class, logistic for binary and multilabel targets, as MLP.
    cost : {None, 'log_likelihood', 'cross_entropy', 'quadratic'} or object, default=None
        bprop's cost. None: log_likelihood with softmax, cross_entropy with a
        logistic output — MLP's log-loss, with BP1 simplified to δ^L = a − y.
    init : {'xavier', 'he', 'scaled_normal', 'normal'} or object, default='xavier'
        bprop's initializer of the weights.
    dtype : {None, 'float32', 'float64'}, default=None
        The network's floating type. None: X's own when it is float32 or
        float64, else float64 (as scikit-learn).

    Attributes
    ----------
    classes_ : (n_classes,) class labels (for multilabel, 0 … n_labels − 1).
    network_ : bprop.Network, layers [n_features_in_, *hidden_layer_sizes, n_outputs_].
    coefs_ : list of (n_in, n_out) arrays, the transposes of ``network_.weights``.
    intercepts_ : list of (n_out,) arrays, ``network_.biases``.
    loss_, loss_curve_ : the last epoch's loss and every epoch's (costs with their L2 term).
    best_loss_ : the lowest loss (None with early_stopping).
    validation_scores_, best_validation_score_ : validation accuracies with early_stopping, else None.
    n_iter_ : epochs run by the last fit (1 after partial_fit). t_ : samples seen, all calls together.
    n_features_in_, feature_names_in_, n_outputs_, n_layers_ : as MLPClassifier.
    out_activation_ : 'softmax' or 'logistic' (scikit-learn's names).
    """

    def partial_fit(self, X, y, classes=None):
        """One epoch over (X, y), continuing the weights and the optimizer's state; returns self.

        ``classes`` (every class of the whole data set) is required on the
        first call; y need not contain all of them.
        """
        if not hasattr(self, "network_"):
            if classes is None and not type_of_target(y).startswith("multilabel"):
                raise ValueError("classes must be passed on the first call to partial_fit.")
        elif classes is not None and not np.array_equal(self.classes_, unique_labels(classes)):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on the first call to partial_fit, was: {self.classes_!r}"
            )
        return self._fit(X, y, incremental=True, classes=classes)

    def predict_proba(self, X):
        """Class probabilities (n_samples, n_classes), columns in the order of ``classes_``.

        Binary: [1 − a, a] of the one sigmoid output. Multi-class: the softmax
        outputs (sigmoid outputs are normalized to sum to 1 per row).
        Multilabel: each label's sigmoid output.
        """
        A = self._outputs(X)
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return A
        if A.shape[1] == 1:
            return np.hstack([1 - A, A])
        if self.out_activation_ == "softmax":
            return A
        return A / np.maximum(A.sum(axis=1, keepdims=True), np.finfo(A.dtype).tiny)

    def predict_log_proba(self, X):
        """ln of ``predict_proba`` (−inf where a probability is 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def _predictions(self, A):
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return (A >= 0.5).astype(self.classes_.dtype)
        return self.classes_[self.network_.labels_from_outputs(A)]

    def _validate_input(self, X, y, *, first_pass, incremental, classes):
        """(X, T, y): T the network's targets — a 0/1 column, one-hot rows or a label indicator."""
        X, y = validate_data(self, X, y, multi_output=True, dtype=(np.float64, np.float32), reset=first_pass)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if first_pass:
            binarizer = LabelBinarizer()
            multilabel = type_of_target(y).startswith("multilabel")
            binarizer.fit(classes if incremental and not multilabel else y)
            if len(binarizer.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes to learn to tell apart; "
                    f"y holds 1 class ({binarizer.classes_[0]!r})."
                )
            self._label_binarizer, self.classes_ = binarizer, binarizer.classes_
        else:
            seen = unique_labels(y)
            if self.warm_start and not incremental and set(seen) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the previous "
                    f"call to fit. Previously got {self.classes_}, `y` has {seen}"
                )
            if len(np.setdiff1d(seen, self.classes_)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. 'y' has {seen}."
                )
        return X, self._label_binarizer.transform(y), y

    def _output_layer(self, s):
        """(out_activation_, output σ, cost) from the targets and the chosen out_activation and cost."""
        y_type = self._label_binarizer.y_type_
        output = s.out_activation or ("softmax" if y_type == "multiclass" else "sigmoid")
        if output == "softmax" and y_type != "multiclass":
            raise ValueError(
                f"out_activation='softmax' needs multi-class targets (one class per sample, at "
                f"least 3 classes); y is {y_type}. Use out_activation='logistic' or None."
            )
        cost = self.cost if self.cost is not None else ("log_likelihood" if output == "softmax" else "cross_entropy")
        return ("logistic" if output == "sigmoid" else output), output, cost

    def _stratified_split(self):
        return self.n_outputs_ == 1  # as MLPClassifier: binary targets only

    def _score_function(self, y, predictions):
        return accuracy_score(y, predictions)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class BPRegressor(RegressorMixin, _BPEstimator):
    """A multi-layer perceptron regressor trained by bprop's BP1–BP4, with MLPRegressor's interface.

    Single-output (y of shape (n_samples,)) and multi-output (n_samples,
    n_outputs) regression; identity outputs and the quadratic cost
    C = ½ Σ_j (y_j − a_j)² by default, MLP's squared error.

    Parameters
    ----------
    As BPClassifier, except:

    early_stopping : bool, default=False
        Stop on the R² score of the held-out ``validation_fraction``.
    out_activation : str or object, default=None
        σ of the output layer: None ('identity'), 'tanh', 'logistic'/'sigmoid',
        'relu', 'leaky_relu', or a bprop activation object.
    cost : str or object, default=None
        None ('quadratic'), or a bprop cost object with ``value`` and ``gradient``.

    Attributes
    ----------
    As BPClassifier's, without ``classes_``; ``validation_scores_`` hold R²
    scores; ``out_activation_`` is 'identity' by default.
    """

    def partial_fit(self, X, y):
        """One epoch over (X, y), continuing the weights and the optimizer's state; returns self."""
        return self._fit(X, y, incremental=True)

    def _predictions(self, A):
        return A[:, 0] if A.shape[1] == 1 else A

    def _validate_input(self, X, y, *, first_pass, incremental, classes):
        X, y = validate_data(
            self, X, y, multi_output=True, y_numeric=True, dtype=(np.float64, np.float32), reset=first_pass
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y.reshape(y.shape[0], -1), y

    def _output_layer(self, s):
        output = s.out_activation or "identity"
        cost = "quadratic" if self.cost is None else self.cost
        name = getattr(output, "name", output) if not isinstance(output, str) else output
        return ("logistic" if name == "sigmoid" else name), output, cost

    def _stratified_split(self):
        return False

    def _score_function(self, y, predictions):
        return r2_score(y, predictions)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
