"""The exceptions bprop raises on purpose, in one small hierarchy.

Every message names the argument (or file), the value seen, and what would be
accepted, so that the reader knows the fix without reading a traceback.

    BpropError                      base of everything below
    ├── InvalidArgument (ValueError) a bad argument, shape, value or setting
    ├── DataError (ValueError)       a data file or array that cannot be used
    ├── ModelFileError (ValueError)  a model or checkpoint file that is corrupt or not understood
    ├── LearnerCodeError             the learner's own code (``bprop check``) failed to load or raised
    ├── TrainingDiverged (ArithmeticError)
    │                                the cost became NaN/inf or exploded; weights were restored
    └── TrainingInterrupted          training was asked to stop (Ctrl-C) and saved where it was
"""

from __future__ import annotations


class BpropError(Exception):
    """Base class of every error that bprop raises deliberately."""


class InvalidArgument(BpropError, ValueError):
    """An argument has a wrong type, shape, value or combination."""


class DataError(BpropError, ValueError):
    """A dataset, data file or data array cannot be read or used."""


class ModelFileError(BpropError, ValueError):
    """A model file (or checkpoint) is corrupt, truncated, or in a format bprop does not read."""


class LearnerCodeError(BpropError):
    """The learner's own code, run by ``bprop check``, failed to import, lacked a name, or raised.

    The message quotes the learner's own line and exception (their code, not bprop's).
    """


class TrainingDiverged(BpropError, ArithmeticError):
    """The training cost stopped being a finite number, or exploded.

    The network keeps the last weights for which the cost was finite;
    ``history`` holds the figures of the epochs completed before it happened.
    """

    def __init__(self, message: str, history=None):
        super().__init__(message)
        self.history = history


class TrainingInterrupted(BpropError):
    """Training stopped after a batch because it was asked to (``TrainingState.interrupt()``, Ctrl-C).

    ``history`` holds the epochs completed; ``checkpoint`` is the path of the
    checkpoint written at the stopping point (None when training had no
    checkpoint), from which ``train(..., resume=checkpoint)`` continues.
    """

    def __init__(self, message: str, history=None, checkpoint=None):
        super().__init__(message)
        self.history = history
        self.checkpoint = checkpoint
