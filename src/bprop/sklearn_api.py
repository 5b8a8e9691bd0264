"""Kept for old imports: ``from bprop.sklearn_api import BPClassifier`` is ``bprop.estimators``."""

from .estimators import BPClassifier, BPRegressor

__all__ = ["BPClassifier", "BPRegressor"]
