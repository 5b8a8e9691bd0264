"""BPRegressor: MLPRegressor's interface over bprop — single- and multi-output regression.

What it adds to ``base.BPEstimator``: real-valued targets as (n_samples,
n_outputs), an identity output layer with the quadratic cost by default,
and R² as early stopping's score.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import validate_data

from .base import BPEstimator, _is_stochastic
from .losses import Exp, HalfPoissonDeviance


class BPRegressor(RegressorMixin, BPEstimator):
    """A multi-layer perceptron regressor trained by bprop's BP1–BP4, with MLPRegressor's interface.

    Single-output (y of shape (n_samples,)) and multi-output (n_samples,
    n_outputs) regression; identity outputs and the quadratic cost
    C = ½ Σ_j (y_j − a_j)² by default, MLP's squared error.

    Parameters
    ----------
    As BPClassifier (dropout, l1, a list of activations and device included),
    without class_weight, and:

    loss : {'squared_error', 'poisson'}, default='squared_error'
        MLPRegressor's losses: 'squared_error' (identity outputs, bprop's
        quadratic cost; reported as ½ mean_j (y_j − a_j)² per sample, as MLP)
        or 'poisson' (exp outputs — the log link — and the half Poisson
        deviance Σ_j [y_j ln(y_j/a_j) − y_j + a_j]; y ≥ 0). Keyword only, after
        ``activation`` (MLP puts it first).
    early_stopping : bool, default=False
        Stop on the R² score of the held-out ``validation_fraction``.
    out_activation : str or object, default=None
        σ of the output layer: None (the loss's: 'identity' or 'exp'), 'tanh', 'logistic'/'sigmoid',
        'relu', 'leaky_relu', or a bprop activation object.
    cost : str or object, default=None
        None (the loss's), or a bprop cost object with ``value`` and ``gradient``.

    Attributes
    ----------
    As BPClassifier's, without ``classes_``; ``validation_scores_`` hold R²
    scores; ``out_activation_`` is 'identity' ('exp' for loss='poisson').
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
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
        max_fun=15000,
        out_activation=None,
        cost=None,
        init=None,
        dtype=None,
        dropout=0.0,
        l1=0.0,
        device="cpu",
    ):
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            out_activation=out_activation,
            cost=cost,
            init=init,
            dtype=dtype,
            dropout=dropout,
            l1=l1,
            device=device,
        )
        self.loss = loss

    @available_if(_is_stochastic)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), continuing the weights and the optimizer's state; returns self."""
        return self._fit(X, y, sample_weight, incremental=True)

    def _predictions(self, A):
        return A[:, 0] if A.shape[1] == 1 else A

    def _validate_input(self, X, y, *, first_pass, incremental, classes):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=first_pass,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                f"{type(self).__name__}: loss='poisson' needs targets y ≥ 0 (counts or rates); "
                f"y has values down to {float(np.min(y)):g}. Use loss='squared_error' for signed targets."
            )
        return X, y.reshape(y.shape[0], -1), y

    def _output_layer(self, s):
        """(out_activation_, output σ, cost): identity and ½(y − a)² for 'squared_error', exp and the
        half Poisson deviance for 'poisson' (MLP's), unless out_activation or cost say otherwise."""
        poisson = self.loss == "poisson"
        output = s.out_activation or (Exp() if poisson else "identity")
        cost = self.cost if self.cost is not None else (HalfPoissonDeviance() if poisson else "quadratic")
        # MLP reports the squared error as ½ mean_j (y_j − a_j)², bprop's quadratic cost is ½ Σ_j
        self._mean_over_outputs = self.cost is None and not poisson
        name = output if isinstance(output, str) else getattr(output, "name", output)
        return ("logistic" if name == "sigmoid" else name), output, cost

    def _stratified_split(self):
        return False

    def _score_function(self, y, predictions, sample_weight=None):
        return r2_score(y, predictions, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
