"""MNIST and Fashion-MNIST: four IDX files in a folder, found and loaded.

Each set is the four standard files, gzip-compressed (``.gz``) or not::

    train-images-idx3-ubyte   (60000, 28, 28) uint8
    train-labels-idx1-ubyte   (60000,) uint8, 0..9
    t10k-images-idx3-ubyte    (10000, 28, 28) uint8
    t10k-labels-idx1-ubyte    (10000,) uint8, 0..9

Where they are looked for, in order:

* ``data_dir`` given: ``data_dir/NAME``, then ``data_dir`` itself;
* otherwise, for fashion-mnist first ``/usr/share/datasets/fashion-mnist``
  (Debian's dataset-fashion-mnist package), then for both
  ``ROOT/NAME`` with ROOT = ``$BPROP_DATA_DIR`` or ``~/.cache/bprop``.

``bprop data fetch NAME`` downloads into ``ROOT/NAME`` (see fetch.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import DataError
from .dataset import Dataset
from .idx import read_idx

NAMES = ("mnist", "fashion-mnist")
FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
CLASS_NAMES = {
    "mnist": [str(k) for k in range(10)],
    "fashion-mnist": [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ],
}
SYSTEM_DIRS = {"mnist": (), "fashion-mnist": (Path("/usr/share/datasets/fashion-mnist"),)}
SIZES = {"train": 60000, "test": 10000}
DOWNLOAD_MB = {"mnist": 12, "fashion-mnist": 31}  # the four .gz files together
MAX_FILE_BYTES = 1 << 28
"""The largest data an IDX file of these sets may declare (256 MiB; the real ones hold at most 47 MB)."""


def default_root() -> Path:
    """$BPROP_DATA_DIR if set, else ~/.cache/bprop: the folder holding one subfolder per data set."""
    env = os.environ.get("BPROP_DATA_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "bprop"


def candidate_dirs(name: str, data_dir=None) -> list[Path]:
    """The folders searched for the four files of ``name``, in order."""
    if data_dir is not None:
        data_dir = Path(data_dir).expanduser()
        return [data_dir / name, data_dir]
    return [*SYSTEM_DIRS[name], default_root() / name]


def _files_in(folder: Path) -> tuple[dict[str, Path], list[str]]:
    """The four files found in folder (the .gz preferred) and the names missing."""
    found, missing = {}, []
    for stem in FILES:
        for candidate in (folder / f"{stem}.gz", folder / stem):
            if candidate.is_file():
                found[stem] = candidate
                break
        else:
            missing.append(stem)
    return found, missing


def locate(name: str, data_dir=None) -> Path | None:
    """The first candidate folder holding all four files, or None."""
    for folder in candidate_dirs(name, data_dir):
        if not _files_in(folder)[1]:
            return folder
    return None


def how_to_get(name: str, data_dir=None) -> str:
    """The commands that would make ``name`` available."""
    root = Path(data_dir).expanduser() if data_dir is not None else default_root()
    fix = f"run `bprop data fetch {name} --data-dir {root}` (downloads about {DOWNLOAD_MB[name]} MB)"
    if name == "fashion-mnist":
        fix += ", or `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu)"
    return fix + ", or copy the four files (.gz or not) into " + str(root / name)


def load_mnist_format(name: str, data_dir=None) -> Dataset:
    """MNIST or Fashion-MNIST with its standard 60,000/10,000 split.

    X_train : (60000, 784) float64, X_test : (10000, 784) float64, values 0..255;
    y : int64 labels 0..9; image_shape (28, 28); value_range 255.
    """
    for folder in candidate_dirs(name, data_dir):
        files, missing = _files_in(folder)
        if not missing:
            break
    else:
        looked = "; ".join(
            f"{folder} (missing: {', '.join(_files_in(folder)[1])})"
            if folder.is_dir()
            else f"{folder} (no such folder)"
            for folder in candidate_dirs(name, data_dir)
        )
        raise DataError(
            f"{name}: the four data files ({', '.join(FILES)}, each .gz or not) were not "
            f"found. Looked in: {looked}. To fix: {how_to_get(name, data_dir)}."
        )
    parts = {}
    for part, prefix in (("train", "train"), ("test", "t10k")):
        images = read_idx(files[f"{prefix}-images-idx3-ubyte"], max_bytes=MAX_FILE_BYTES)
        labels = read_idx(files[f"{prefix}-labels-idx1-ubyte"], max_bytes=MAX_FILE_BYTES)
        parts[part] = _check_pair(
            images, labels, files[f"{prefix}-images-idx3-ubyte"], files[f"{prefix}-labels-idx1-ubyte"]
        )
    (X_train, y_train), (X_test, y_test) = parts["train"], parts["test"]
    if X_train.shape[1:] != X_test.shape[1:]:
        raise DataError(
            f"{name} in {folder}: training images are {X_train.shape[1:]} but test images "
            f"are {X_test.shape[1:]}; the files come from different data sets."
        )
    return Dataset(
        name=name,
        X_train=X_train.reshape(len(X_train), -1).astype(np.float64),
        y_train=y_train,
        X_test=X_test.reshape(len(X_test), -1).astype(np.float64),
        y_test=y_test,
        class_names=list(CLASS_NAMES[name]),
        image_shape=tuple(X_train.shape[1:]),
        value_range=255.0,
    )


def _check_pair(images: np.ndarray, labels: np.ndarray, images_path: Path, labels_path: Path):
    """(images, labels as int64) after checking that they fit together."""
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DataError(
            f"{images_path} holds a {images.dtype} array of shape {images.shape}; "
            "expected uint8 images of shape (m, height, width)."
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise DataError(
            f"{labels_path} holds a {labels.dtype} array of shape {labels.shape}; expected uint8 labels of shape (m,)."
        )
    if images.shape[0] == 0 or images.shape[1] * images.shape[2] == 0:
        raise DataError(
            f"{images_path} holds no image (shape {images.shape}); expected uint8 images of shape "
            "(m, height, width) with m ≥ 1; download or copy the file again."
        )
    if len(images) != len(labels):
        raise DataError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels; the counts must agree (a file is from another set)."
        )
    if labels.size and labels.max() >= 10:
        raise DataError(f"{labels_path} holds the label {labels.max()}; labels must be 0..9.")
    return images, labels.astype(np.int64)
