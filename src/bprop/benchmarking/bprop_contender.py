"""The bprop contender: ``bprop.train`` for one epoch at a time, as users call it.

Every contender module has the same four names:

    NAME                       key in the results ("bprop", "torch", "sklearn")
    label()                    the name and version shown in the report
    import_framework()         import the heavy library and do its one-time set-up
                               (ImportError when it is missing)
    note(case)                 "" when the contender runs exactly the case, else how it differs
    build(case, X, y, batch_size, initial, seed, threads) -> an object with
        epoch()                one timed pass over (X, y)
        accuracy(X, y)         the share of correctly classified samples

X is float32 (m, n_1), already preprocessed; y int64 labels (m,); ``initial``
is the bprop.Network whose weights every contender that can starts from.
"""

from __future__ import annotations

import numpy as np

NAME = "bprop"


def label() -> str:
    from ..version import __version__

    return f"bprop {__version__}"


def import_framework() -> None:
    """bprop and NumPy are already imported."""


def note(case) -> str:
    return ""


class BpropContender:
    def __init__(self, case, X, y, batch_size, initial, seed):
        self.net = initial.copy()
        self.optimizer = case.bprop_optimizer()
        self.X, self.y, self.batch_size = X, y, batch_size
        self.rng = np.random.default_rng(seed)  # one Generator: a new shuffle every epoch

    def epoch(self):
        from ..training.loop import train

        train(self.net, self.X, self.y, epochs=1, batch_size=self.batch_size, optimizer=self.optimizer, seed=self.rng)

    def accuracy(self, X, y) -> float:
        return float(np.mean(self.net.predict(X) == y))


def build(case, X, y, batch_size, initial, seed, threads):
    """bprop multiplies through NumPy's BLAS with its own thread count (``threads`` is that count)."""
    return BpropContender(case, X, y, batch_size, initial, seed)
