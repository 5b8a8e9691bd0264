"""The two records the datasets package hands out: a Dataset and a DatasetInfo."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError


@dataclass(frozen=True, eq=False)
class Dataset:
    """A classification data set, already split into training and test parts.

    X_train : (m, n) float64      one sample per row
    y_train : (m,) int64          class indices in 0 .. n_classes - 1
    X_test  : (m_test, n) float64
    y_test  : (m_test,) int64
    class_names : list[str]       class_names[k] names class index k
    image_shape : (h, w) or None  how a row reshapes into an image
    value_range : float or None   the largest value an input can take
                                  (16 for digits, 255 for MNIST), None if unknown
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    image_shape: tuple[int, ...] | None = None
    value_range: float | None = None

    def __post_init__(self):
        for part in ("train", "test"):
            X, y = getattr(self, f"X_{part}"), getattr(self, f"y_{part}")
            if not (isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype == np.float64):
                raise DataError(
                    f"Dataset {self.name!r}: X_{part} must be a 2-D float64 array, "
                    f"got {type(X).__name__} {getattr(X, 'dtype', '')} {getattr(X, 'shape', '')}."
                )
            if not (isinstance(y, np.ndarray) and y.shape == (X.shape[0],) and y.dtype == np.int64):
                raise DataError(
                    f"Dataset {self.name!r}: y_{part} must be an int64 array of shape "
                    f"({X.shape[0]},), got {getattr(y, 'dtype', type(y).__name__)} "
                    f"{getattr(y, 'shape', '')}."
                )
            if y.size and (y.min() < 0 or y.max() >= len(self.class_names)):
                raise DataError(
                    f"Dataset {self.name!r}: y_{part} holds labels {y.min()}..{y.max()}, "
                    f"outside 0..{len(self.class_names) - 1} given by class_names."
                )
        if self.X_test.shape[1] != self.X_train.shape[1]:
            raise DataError(
                f"Dataset {self.name!r}: X_train has {self.X_train.shape[1]} features "
                f"but X_test has {self.X_test.shape[1]}."
            )

    @property
    def n_features(self) -> int:
        """n, the number of inputs per sample."""
        return self.X_train.shape[1]

    @property
    def n_classes(self) -> int:
        """The number of classes, len(class_names)."""
        return len(self.class_names)

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}, train={self.X_train.shape}, test={self.X_test.shape}, "
            f"n_classes={self.n_classes}, image_shape={self.image_shape}, "
            f"value_range={self.value_range})"
        )


@dataclass(frozen=True)
class DatasetInfo:
    """What ``list_datasets`` says about one named data set.

    source    where it is found: a folder, "generated" or "bundled with scikit-learn";
              for a missing data set, the folder where it is expected
    available whether ``load(name)`` would work now
    hint      for a missing data set, how to get it; "" otherwise
    n_train, n_test  sizes with the default arguments
    """

    name: str
    description: str
    source: str
    available: bool
    n_train: int
    n_test: int
    n_features: int
    n_classes: int
    hint: str = ""
