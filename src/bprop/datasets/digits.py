"""The 8×8 handwritten digits bundled with scikit-learn (1,797 images, 10 classes)."""

from __future__ import annotations

import numpy as np

from .dataset import Dataset
from .split import split_indices

TEST_FRACTION = 0.2
SPLIT_SEED = 0  # fixed on purpose: the test set is the same whatever seed load() gets


def load_digits() -> Dataset:
    """The digits set with a fixed, stratified 20 % test split.

    X_train : (1437, 64), X_test : (360, 64), pixel values 0..16 (value_range 16);
    image_shape (8, 8); class_names "0".."9".
    """
    from sklearn.datasets import load_digits as sklearn_digits

    X, y = sklearn_digits(return_X_y=True)
    X, y = X.astype(np.float64), y.astype(np.int64)
    train, test = split_indices(y, TEST_FRACTION, SPLIT_SEED)
    return Dataset(
        name="digits",
        X_train=X[train],
        y_train=y[train],
        X_test=X[test],
        y_test=y[test],
        class_names=[str(k) for k in range(10)],
        image_shape=(8, 8),
        value_range=16.0,
    )
