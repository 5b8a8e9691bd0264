"""The scikit-learn contender: MLPClassifier.partial_fit, one epoch per call.

Settings that make its update the case's: solver 'sgd' with momentum=0,
nesterovs_momentum=False, learning_rate='constant', alpha=0 (or solver 'adam'
with the same β₁, β₂, ε), batch_size, learning_rate_init=η, shuffle=True,
max_iter=1 (``partial_fit`` runs exactly one epoch whatever max_iter is, and
raises no ConvergenceWarning, so nothing needs filtering). Inputs are float32,
which MLPClassifier keeps.

What cannot be made equal: MLPClassifier's output layer for several classes
is always softmax with log-loss, and it draws its own initial weights
(Glorot-uniform, from random_state). So the digits case, sigmoid/quadratic
in bprop, runs here as logistic hidden units with softmax + log-loss, and is
labelled as not identical.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument

NAME = "sklearn"
ACTIVATIONS = {"sigmoid": "logistic", "relu": "relu", "tanh": "tanh", "identity": "identity"}


def label() -> str:
    import sklearn

    return f"scikit-learn {sklearn.__version__}"


def import_framework() -> None:
    import sklearn.neural_network  # noqa: F401


def note(case) -> str:
    """Short, for the table; the report explains (softmax + log-loss, Glorot-uniform init)."""
    if (case.output, case.cost) != ("softmax", "log_likelihood"):
        return f"not identical: sklearn has no {case.cost} cost"
    return "own init"


def mlp_parameters(case, batch_size, n_samples, seed) -> dict:
    """MLPClassifier's constructor arguments that make its update the case's (the estimator contender's too)."""
    from .cases import ADAM_BETAS, ADAM_EPS

    if case.activation not in ACTIVATIONS:
        raise InvalidArgument(
            f"the scikit-learn contender knows the activations {sorted(ACTIVATIONS)}, not {case.activation!r}."
        )
    return dict(
        hidden_layer_sizes=tuple(case.sizes[1:-1]),
        activation=ACTIVATIONS[case.activation],
        solver=case.optimizer,
        alpha=0.0,
        batch_size=min(batch_size, n_samples),
        learning_rate="constant",
        learning_rate_init=case.lr,
        momentum=0.0,
        nesterovs_momentum=False,
        beta_1=ADAM_BETAS[0],
        beta_2=ADAM_BETAS[1],
        epsilon=ADAM_EPS,
        max_iter=1,
        shuffle=True,
        random_state=seed,
        early_stopping=False,
    )


class SklearnContender:
    def __init__(self, case, X, y, batch_size, initial, seed):
        from sklearn.neural_network import MLPClassifier

        self.model = MLPClassifier(**mlp_parameters(case, batch_size, len(y), seed))
        self.X, self.y = X, y
        self.classes = np.arange(case.sizes[-1])

    def epoch(self):
        self.model.partial_fit(self.X, self.y, classes=self.classes)

    def accuracy(self, X, y) -> float:
        return float(np.mean(self.model.predict(X) == y))


def build(case, X, y, batch_size, initial, seed, threads):
    """MLPClassifier multiplies through NumPy's BLAS (``threads`` is its thread count)."""
    return SklearnContender(case, X, y, batch_size, initial, seed)
