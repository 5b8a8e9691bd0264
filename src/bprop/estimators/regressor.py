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
from sklearn.utils.validation import validate_data

from .base import BPEstimator


class BPRegressor(RegressorMixin, BPEstimator):
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
