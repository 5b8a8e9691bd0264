"""scikit-learn estimators: ``from bprop.estimators import BPClassifier, BPRegressor``.

mlp       BPClassifier, BPRegressor: MLPClassifier/MLPRegressor's parameters and attributes
support   what the two share: the network they build, the optimizer, the fit loop's helpers
"""

from .mlp import BPClassifier, BPRegressor

__all__ = ["BPClassifier", "BPRegressor"]
