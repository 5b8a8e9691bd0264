"""The estimator contender: bprop's ``BPClassifier.partial_fit``, one epoch per call, as the sklearn contender.

It takes MLPClassifier's very arguments (``sklearn_contender.mlp_parameters``)
and, from the same ``random_state``, draws MLP's initial weights and shuffles
in MLP's order: the same work as the sklearn contender, step for step, so the
ratio of the two is the drop-in's speed (issue 19's target: ≤ 0.6× MLP).
Like MLP it runs softmax + log-loss for the cases' several classes, and the
digits case (sigmoid/quadratic in bprop) as logistic hidden units with log-loss.
"""

from __future__ import annotations

import numpy as np

from . import sklearn_contender

NAME = "estimator"


def label() -> str:
    from ..version import __version__

    return f"bprop {__version__} BPClassifier"


def import_framework() -> None:
    import sklearn.neural_network  # noqa: F401  (the estimators build on scikit-learn's API)


def note(case) -> str:
    """The sklearn contender's work exactly: its init, its output layer and cost."""
    if (case.output, case.cost) != ("softmax", "log_likelihood"):
        return "sklearn's work: logistic + log-loss, MLP's init"
    return "sklearn's work: MLP's init"


class EstimatorContender(sklearn_contender.SklearnContender):
    """The sklearn contender's epoch (``partial_fit``) and accuracy, on a BPClassifier."""

    def __init__(self, case, X, y, batch_size, initial, seed):
        from ..estimators import BPClassifier

        self.model = BPClassifier(**sklearn_contender.mlp_parameters(case, batch_size, len(y), seed))
        self.X, self.y = X, y
        self.classes = np.arange(case.sizes[-1])


def build(case, X, y, batch_size, initial, seed, threads):
    """BPClassifier multiplies through NumPy's BLAS (``threads`` is its thread count)."""
    return EstimatorContender(case, X, y, batch_size, initial, seed)
