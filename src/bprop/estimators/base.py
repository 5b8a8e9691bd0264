"""What BPClassifier and BPRegressor share: parameters, fitting through ``bprop.train``, attributes.

A fit is ONE call of ``bprop.train`` — up to ``max_iter`` epochs (one for
``partial_fit``) with the estimator's optimizer object, so that its state
(velocities, moments, step count) carries over from one ``partial_fit`` to
the next, and ``l2=alpha, l2_divisor="batch"``: scikit-learn's L2 convention,
(alpha/2m_b) Σ w² for a batch of m_b samples. What MLP's ``_fit_stochastic``
does between epochs — the loss curve, ``tol`` / ``n_iter_no_change``, early
stopping on a held-out validation score with the best weights kept — is the
``train`` callback ``BetweenEpochs``; the ConvergenceWarning and the restoring
of the best weights follow the call.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from ..core.network import Network
from ..training.loop import train
from ..training.state import snapshot
from . import support


class BPEstimator(BaseEstimator):
    """The base of BPClassifier and BPRegressor: parameters, fitting, fitted attributes, pickling.

    A subclass supplies ``_validate_input`` (X, y → X, targets T, y),
    ``_output_layer`` (σ and cost of the last layer), ``_predictions`` (a^L →
    predictions), ``_score_function`` (early stopping's score) and
    ``_stratified_split``.
    """

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
        or infinite, or explodes (``bprop.train``'s rule), where MLP would
        raise a ValueError at the end.
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
        display = None
        if self.verbose:
            display = support.Display(
                self, accuracy=is_classifier(self) and type_of_target(y) != "multilabel-indicator"
            )
        rules = BetweenEpochs(self, n_samples, X_val, y_val, display)

        self.n_iter_ = 0
        try:
            train(
                net,
                X_train,
                T_train,
                epochs=1 if incremental else self.max_iter,
                batch_size=batch_size,
                optimizer=self._optimizer,
                l2=self.alpha,
                l2_divisor="batch",
                seed=shuffler,
                shuffle=self.shuffle,
                callbacks=(rules,) if display is None else (rules, display),
            )
            if not incremental and not rules.converged and self.n_iter_ == self.max_iter:
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
        self._best_params = snapshot(self.network_)
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
                self._best_params = snapshot(self.network_)
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


class BetweenEpochs:
    """A ``train`` callback: what MLP's ``_fit_stochastic`` does after each epoch, line for line.

    The epoch's ``loss_`` is train's mean training cost (each batch's cost with
    its L2 term, as the weights were when its gradient was taken); it goes on
    ``loss_curve_``, ``n_iter_`` and ``t_`` grow, and the no-improvement count
    is updated (on the validation score with early_stopping, keeping the best
    weights). When the count exceeds ``n_iter_no_change`` training stops and
    ``converged`` is True.

    n_samples : rows trained on per epoch.  X_val, y_val : early stopping's held-out set (or None).
    display : the verbose progress bar (it says why training stopped), or None.
    """

    def __init__(self, est: BPEstimator, n_samples, X_val, y_val, display=None):
        self.est, self.n_samples, self.X_val, self.y_val, self.display = est, n_samples, X_val, y_val, display
        self.converged = False

    def on_epoch_end(self, state):
        est = self.est
        est.loss_ = state.history.train_cost[-1]
        est.n_iter_ += 1
        est.t_ += self.n_samples
        est.loss_curve_.append(est.loss_)
        est._update_no_improvement_count(self.X_val, self.y_val)
        if est._no_improvement_count > est.n_iter_no_change:
            if self.display:
                self.display.say(est._stopping_message() + " Stopping.")
            self.converged = state.stop = True
