"""Splitting samples into a training part and a test part, from a seed."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument


def split_indices(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, test) of a random split, stratified by y when possible.

    y : (m,) labels
    test_fraction : the share of the m samples put in the test part, 0 < f < 1
                    (the test part gets ceil(f·m) samples, as in scikit-learn)
    seed : the split depends only on it (and on y)
    returns : train (m - m_test,) and test (m_test,) int64 indices

    Stratified means every class keeps its share in both parts; when a class
    is too small for that (fewer than 2 samples, or fewer test samples than
    classes), the split is a plain random one.
    """
    from sklearn.model_selection import train_test_split

    m = len(y)
    m_test = int(np.ceil(test_fraction * m))
    if m_test < 1 or m_test >= m:
        raise InvalidArgument(
            f"test_fraction={test_fraction} of {m} samples leaves "
            f"{m_test} test and {m - m_test} training samples; both need at least one: "
            "use more samples or a test_fraction between 1/m and 1 - 1/m."
        )
    index = np.arange(m, dtype=np.int64)
    try:
        train, test = train_test_split(index, test_size=m_test, random_state=seed, stratify=y)
    except ValueError:
        train, test = train_test_split(index, test_size=m_test, random_state=seed)
    return train, test


def subsample(m: int, n: int, seed: int) -> np.ndarray:
    """n of the m row indices, drawn at random from seed, in increasing order."""
    return np.sort(np.random.default_rng(seed).choice(m, size=n, replace=False))
