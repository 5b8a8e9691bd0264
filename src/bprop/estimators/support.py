"""What ``bprop.estimators`` needs around the core: checked settings, optimizers, batch size, display, pickling.

Nothing here computes a gradient or an update; each function translates a
scikit-learn convention into a call of bprop's public API.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
from sklearn.base import is_classifier

from ..core.arguments import dtype_of
from ..core.network import Network
from ..core.optimizers import SGD, Adam, Momentum, Nesterov
from ..errors import InvalidArgument
from ..training.state import History

# scikit-learn's activation names, and bprop's own; 'logistic' is bprop's 'sigmoid'.
HIDDEN_ACTIVATIONS = {
    "identity": "identity",
    "logistic": "sigmoid",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
}
CLASSIFIER_OUTPUTS = {"softmax": "softmax", "logistic": "sigmoid", "sigmoid": "sigmoid"}
SOLVERS = ("adam", "sgd", "momentum", "nesterov")


# -- settings ---------------------------------------------------------------------


def checked_settings(est) -> SimpleNamespace:
    """Check every constructor parameter once, at fit; returns the few that need translating.

    Raises InvalidArgument (a ValueError) naming the parameter, the value seen
    and what is accepted. ``cost`` and ``init`` are checked by ``Network``.
    """
    name = type(est).__name__

    def fail(parameter, accepted):
        raise InvalidArgument(f"{name}: {parameter}={getattr(est, parameter)!r} is not accepted; {accepted}.")

    def real(parameter, low, high=np.inf, *, low_open=False, high_open=True):
        v = getattr(est, parameter)
        ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and not np.isnan(v)
        ok = ok and (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
        if not ok:
            fail(parameter, f"use a number in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}")

    def whole(parameter, *, allow_inf=False):
        v = getattr(est, parameter)
        if allow_inf and v == np.inf:
            return
        if not isinstance(v, numbers.Integral) or isinstance(v, bool) or v < 1:
            fail(parameter, "use a positive whole number" + (" or np.inf" if allow_inf else ""))

    def flag(parameter):
        if not isinstance(getattr(est, parameter), (bool, np.bool_)):
            fail(parameter, "use True or False")

    if est.solver == "lbfgs":
        fail(
            "solver",
            "bprop trains by mini-batch backpropagation and has no L-BFGS; use 'adam' (the default), "
            "'sgd', 'momentum' or 'nesterov'",
        )
    if est.solver not in SOLVERS:
        fail("solver", f"use one of {', '.join(map(repr, SOLVERS))}")
    real("alpha", 0)
    if not (
        est.batch_size == "auto"
        or isinstance(est.batch_size, numbers.Integral)
        and not isinstance(est.batch_size, bool)
        and est.batch_size >= 1
    ):
        fail("batch_size", "use 'auto' (min(200, n_samples)) or a positive whole number")
    if not callable(est.learning_rate_init):
        real("learning_rate_init", 0, low_open=True)
    whole("max_iter")
    whole("n_iter_no_change", allow_inf=True)
    real("tol", 0)
    real("momentum", 0, 1)
    real("beta_1", 0, 1)
    real("beta_2", 0, 1)
    real("epsilon", 0, low_open=True)
    real("validation_fraction", 0, 1, low_open=est.early_stopping)
    for parameter in ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping"):
        flag(parameter)
    if not isinstance(est.verbose, (numbers.Integral, np.bool_)):
        fail("verbose", "use True, False or a whole number")
    if est.dtype is not None:
        dtype_of(est.dtype)

    hidden = est.hidden_layer_sizes
    try:
        hidden = [hidden] if isinstance(hidden, numbers.Integral) else list(hidden)
    except TypeError:
        fail("hidden_layer_sizes", "use a whole number or a tuple of them, such as (100,) or (64, 32)")
    if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1 for n in hidden):
        fail("hidden_layer_sizes", "each hidden layer needs a positive whole number of neurons, such as (100,)")

    activation = _component(est, "activation", HIDDEN_ACTIVATIONS, fail)
    outputs = CLASSIFIER_OUTPUTS if is_classifier(est) else HIDDEN_ACTIVATIONS
    out_activation = None if est.out_activation is None else _component(est, "out_activation", outputs, fail)
    if is_classifier(est) and not isinstance(out_activation, (str, type(None))):
        fail("out_activation", f"use None or one of {', '.join(map(repr, outputs))}")
    return SimpleNamespace(hidden=[int(n) for n in hidden], activation=activation, out_activation=out_activation)


def _component(est, parameter, names, fail):
    """A bprop name for a scikit-learn or bprop name; an object passes through to Network."""
    value = getattr(est, parameter)
    if isinstance(value, str):
        if value not in names:
            fail(parameter, f"use one of {', '.join(map(repr, names))}, or a bprop activation object")
        return names[value]
    return value


def optimizer_for(est):
    """A new bprop optimizer for ``est.solver``; 'sgd' follows MLP's SGDOptimizer."""
    lr = est.learning_rate_init
    if est.solver == "adam":
        return Adam(lr, beta1=est.beta_1, beta2=est.beta_2, eps=est.epsilon)
    if est.solver == "momentum" or (est.solver == "sgd" and est.momentum > 0 and not est.nesterovs_momentum):
        return Momentum(lr, momentum=est.momentum)
    if est.solver == "nesterov" or (est.solver == "sgd" and est.momentum > 0):
        return Nesterov(lr, momentum=est.momentum)
    return SGD(lr)


def batch_size_for(batch_size, n_samples) -> int:
    """MLP's rule: 'auto' is min(200, n); a larger size is clipped to n, with a warning."""
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped", stacklevel=2
        )
    return int(np.clip(batch_size, 1, n_samples))


# -- display ----------------------------------------------------------------------------


class Display:
    """``verbose``: the command line's progress bar (``bprop.training.progress.ProgressBar``), a ``train`` callback.

    It hands the bar train's own TrainingState, except for the accuracies it
    shows after each epoch: with ``accuracy`` (a classifier of one label per
    sample) the training accuracy, and with early stopping the validation
    score, an accuracy, which ``BetweenEpochs`` has measured just before.
    """

    def __init__(self, est, accuracy: bool):
        from rich.console import Console

        from ..training.progress import ProgressBar

        self.est, self.accuracy = est, accuracy
        self.console = Console(highlight=False)
        self.bar = ProgressBar(self.console)

    def on_train_begin(self, state):
        self.bar.on_train_begin(state)

    def on_batch_end(self, state):
        self.bar.on_batch_end(state)

    def on_epoch_end(self, state):
        shown = History(
            train_accuracy=[state.history.train_accuracy[-1] if self.accuracy else None],
            validation_accuracy=[
                self.est.validation_scores_[-1] if self.accuracy and self.est.early_stopping else None
            ],
        )
        self.bar.on_epoch_end(replace(state, history=shown))

    def on_train_end(self, state):
        self.bar.on_train_end(state)

    def say(self, text):
        self.console.print(text, markup=False, highlight=False)

    def close(self):
        self.bar.close()


# -- pickling ---------------------------------------------------------------------------


def network_record(net) -> dict:
    """A Network as plain, picklable parts: its layers, components and arrays.

    A Network pickles on its own too; the estimators pickle this record
    instead so that a pickled estimator holds only what the public
    constructor takes, not the Network's internal attributes, and is
    rebuilt through that constructor's checks (``network_from_record``).
    """
    return {
        "sizes": list(net.sizes),
        "activation": net.activation,
        "output": net.output,
        "cost": net.cost,
        "init": net.init,
        "dtype": np.dtype(net.dtype).name,
        "weights": [np.asarray(w) for w in net.weights],
        "biases": [np.asarray(b) for b in net.biases],
    }


def network_from_record(record) -> Network:
    """The Network that ``network_record`` describes, through the public constructor."""
    net = Network(
        record["sizes"],
        activation=record["activation"],
        output=record["output"],
        cost=record["cost"],
        init=record["init"],
        seed=0,
        dtype=record["dtype"],
    )
    net.weights, net.biases = record["weights"], record["biases"]
    return net
