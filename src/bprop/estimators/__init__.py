"""scikit-learn estimators: ``from bprop.estimators import BPClassifier, BPRegressor``.

mlp         BPClassifier, BPRegressor: MLPClassifier/MLPRegressor's parameters, attributes, differences
base        what the two share: parameters, fit (one call of bprop.train), fitted attributes, pickling
classifier  BPClassifier: class labels, output layer, probabilities
regressor   BPRegressor: real-valued targets, R²
support     checked settings, the optimizer, the batch size, the progress display, the pickled network
"""

from .mlp import BPClassifier, BPRegressor

__all__ = ["BPClassifier", "BPRegressor"]
