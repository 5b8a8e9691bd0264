"""The named data sets: ``load`` one by name, or ``list_datasets`` to see them all.

Each name maps to a loader; ``load`` validates the arguments once, here, and
refuses an argument that does not apply to the chosen data set rather than
ignore it.
"""

from __future__ import annotations

import math
import numbers
import os

from ..errors import InvalidArgument
from . import mnist, toy
from .dataset import Dataset, DatasetInfo
from .digits import load_digits
from .split import subsample
from .tabular import load_tabular

NAMES = ("digits", "mnist", "fashion-mnist", *toy.GENERATORS)
USER_SUFFIXES = (".csv", ".npz")
MAX_CLASSES = 100


def load(
    name,
    *,
    data_dir=None,
    seed: int = 0,
    n: int | None = None,
    noise: float | None = None,
    test_fraction: float | None = None,
    label_column: str | None = None,
    n_classes: int | None = None,
) -> Dataset:
    """The data set ``name``, split into training and test parts.

    name : one of NAMES, or a path ending in .csv or .npz (user data)
    data_dir : where mnist/fashion-mnist are looked for (a folder holding the
               four files, or a NAME/ subfolder with them); ignored by the others
    seed : every random choice (generation, split, subsample) comes from it;
           the test sets of digits, mnist and fashion-mnist never depend on it
    n : generated sets: the total number of samples (default 400);
        other sets: keep a random n of the training samples (the test set is unchanged)
    noise : generated sets only: the standard deviation of the noise
    test_fraction : generated sets (default 0.25) and user files (default 0.2)
    label_column : CSV files only: the name of the label column (default the last)
    n_classes : 'spiral' and 'gaussians' only: the number of arms/blobs (default 2)
    """
    seed = _seed(seed)
    if n is not None:
        n = _positive_int(n, "n")
    if noise is not None and (
        isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not math.isfinite(noise) or noise < 0
    ):
        raise InvalidArgument(f"noise must be a finite number ≥ 0, got {noise!r}.")
    if test_fraction is not None and (
        isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) or not 0 < test_fraction < 1
    ):
        raise InvalidArgument(f"test_fraction must be a number strictly between 0 and 1, got {test_fraction!r}.")
    if n_classes is not None:
        n_classes = _positive_int(n_classes, "n_classes")
        if not 2 <= n_classes <= MAX_CLASSES:
            raise InvalidArgument(f"n_classes={n_classes} must be between 2 and {MAX_CLASSES}.")
    if label_column is not None and not isinstance(label_column, str):
        raise InvalidArgument(f"label_column must be a column name (str), got {label_column!r}.")

    if _is_user_file(name):
        _refuse(name, noise=noise, n_classes=n_classes)
        data = load_tabular(name, seed=seed, test_fraction=test_fraction, label_column=label_column)
        return _keep_training(data, n, seed)
    key = _known(name)
    if key in toy.GENERATORS:
        _refuse(key, label_column=label_column)
        return toy.make_toy(key, seed=seed, n=n, noise=noise, test_fraction=test_fraction, n_classes=n_classes)
    _refuse(key, noise=noise, n_classes=n_classes, label_column=label_column, test_fraction=test_fraction)
    data = load_digits() if key == "digits" else mnist.load_mnist_format(key, data_dir)
    return _keep_training(data, n, seed)


def list_datasets(data_dir=None) -> list[DatasetInfo]:
    """One DatasetInfo per named data set, saying whether it can be loaded now."""
    infos = [
        DatasetInfo(
            "digits", "8x8 handwritten digits (1,797 images)", "bundled with scikit-learn", True, 1437, 360, 64, 10
        )
    ]
    for key, description in (
        ("mnist", "28x28 handwritten digits (70,000 images)"),
        ("fashion-mnist", "28x28 Zalando clothing images (70,000 images)"),
    ):
        folder = mnist.locate(key, data_dir)
        expected = mnist.candidate_dirs(key, data_dir)[-1 if data_dir is None else 0]
        infos.append(
            DatasetInfo(
                key,
                description,
                str(folder or expected),
                folder is not None,
                mnist.SIZES["train"],
                mnist.SIZES["test"],
                784,
                10,
                hint="" if folder else mnist.how_to_get(key, data_dir),
            )
        )
    m_test = math.ceil(toy.DEFAULT_TEST_FRACTION * toy.DEFAULT_N)
    for key in toy.GENERATORS:
        infos.append(
            DatasetInfo(
                key,
                toy.DESCRIPTIONS[key],
                "generated",
                True,
                toy.DEFAULT_N - m_test,
                m_test,
                2,
                toy.N_CLASSES[key] or 2,
            )
        )
    return infos


def _is_user_file(name) -> bool:
    if isinstance(name, os.PathLike):
        return True
    return isinstance(name, str) and name.strip().lower().endswith(USER_SUFFIXES)


def _known(name) -> str:
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in NAMES:
        raise InvalidArgument(
            f"dataset {name!r} is not known; use one of {', '.join(NAMES)}, "
            "or a path to your own data ending in .csv or .npz."
        )
    return key


def _refuse(name: str, **given) -> None:
    """InvalidArgument for any argument given that does not apply to this data set."""
    where = {
        "noise": "the generated sets (xor, circles, moons, spiral, gaussians)",
        "n_classes": "'spiral' and 'gaussians'",
        "label_column": "CSV files",
        "test_fraction": "generated sets and user files (digits, mnist and fashion-mnist have a fixed test split)",
    }
    for key, value in given.items():
        if value is not None:
            raise InvalidArgument(
                f"{key}={value!r} does not apply to {str(name)!r}; it applies to {where[key]}. Leave it out."
            )


def _keep_training(data: Dataset, n: int | None, seed: int) -> Dataset:
    """data with a random n of its training samples (all of them when n is None)."""
    if n is None:
        return data
    m = len(data.y_train)
    if n > m:
        raise InvalidArgument(
            f"n={n} is more than the {m} training samples of {data.name!r}; "
            f"use n ≤ {m}, or leave n out for all of them."
        )
    keep = subsample(m, n, seed)
    return Dataset(
        data.name,
        data.X_train[keep],
        data.y_train[keep],
        data.X_test,
        data.y_test,
        data.class_names,
        data.image_shape,
        data.value_range,
    )


def _seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise InvalidArgument(f"seed must be a whole number between 0 and 2**32 - 1, got {seed!r}.")
    return int(seed)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InvalidArgument(f"{name} must be a positive whole number, got {value!r}.")
    return int(value)
