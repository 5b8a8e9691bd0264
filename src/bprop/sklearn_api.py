"""scikit-learn estimators, re-exported: ``from bprop.sklearn_api import BPClassifier, BPRegressor``."""

from .estimators import BPClassifier, BPRegressor

__all__ = ["BPClassifier", "BPRegressor"]
