"""Data sets for bprop: named sets, user files, and input scaling.

    load(name, *, data_dir=None, seed=0, n=None, noise=None, test_fraction=None,
         label_column=None, n_classes=None) -> Dataset
    list_datasets(data_dir=None) -> list[DatasetInfo]
    fetch(name, data_dir=None, *, base_url=None, progress=None, checksums=None) -> Path
    read_idx(path_or_bytes) -> np.ndarray;  write_idx(path, array) -> Path
    fit_preprocessor(kind, X_train, value_range=None) -> Preprocessor

Names: digits, mnist, fashion-mnist, xor, circles, moons, spiral, gaussians,
or a path ending in .csv or .npz. Importing this package does not import
scikit-learn; the loaders that need it do.
"""

from .catalog import NAMES, list_datasets, load
from .dataset import Dataset, DatasetInfo
from .fetch import fetch
from .idx import read_idx, write_idx
from .preprocessing import KINDS as PREPROCESSING_KINDS
from .preprocessing import Preprocessor
from .preprocessing import fit as fit_preprocessor

__all__ = [
    "NAMES",
    "PREPROCESSING_KINDS",
    "Dataset",
    "DatasetInfo",
    "Preprocessor",
    "fetch",
    "fit_preprocessor",
    "list_datasets",
    "load",
    "read_idx",
    "write_idx",
]
