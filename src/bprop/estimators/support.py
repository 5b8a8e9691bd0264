"""What ``bprop.estimators`` needs around the core: checked settings, optimizers, batches, display, pickling.

Nothing here computes a gradient or an update; each function translates a
scikit-learn convention into a call of bprop's public API.
"""

from __future__ import annotations

import numbers
import warnings
from types import SimpleNamespace

import numpy as np
from sklearn.base import is_classifier

from ..core.arguments import dtype_of
from ..core.network import Network
from ..core.optimizers import SGD, Adam, Momentum, Nesterov
from ..errors import InvalidArgument
from ..training.loop import History, TrainingState

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


# -- the L2 divisor ------------------------------------------------------------------


def batches_by_l2_divisor(m, batch_size, alpha, order=None):
    """Cut one epoch into ``train`` calls so that each batch's L2 term has its own size as divisor.

    Yields (rows, l2, batch_size) per call: ``rows`` index the epoch's samples
    (a slice, or part of the permutation ``order``).

    scikit-learn adds (alpha/m_b) w to the gradient of a batch of m_b samples;
    ``train(X, Y, l2=λ)`` adds (λ/n) w with n = len(X), the same for every
    batch. Handing train the epoch's k full batches (n = k·batch_size rows)
    with λ = alpha·n/batch_size, then the smaller last batch of r rows alone
    with λ = alpha (n = r), makes every batch's L2 term — gradient and cost —
    exactly scikit-learn's. With alpha = 0, or no smaller last batch, one call
    does the whole epoch.
    """

    def rows(start, stop):
        return slice(start, stop) if order is None else order[start:stop]

    full = m - m % batch_size
    if alpha == 0 or full == m:
        yield rows(0, m), alpha * m / batch_size, batch_size
        return
    yield rows(0, full), alpha * full / batch_size, batch_size
    yield rows(full, m), float(alpha), m - full


# -- callbacks -------------------------------------------------------------------------


class EpochMeter:
    """A ``train`` callback: the epoch's size-weighted sum of batch costs, each batch passed to the display.

    ``state.batch_cost`` is the batch's C including its L2 term (Gradients.cost),
    measured before the step: what MLP accumulates into ``loss_``.
    """

    def __init__(self, display=None):
        self.display = display
        self.cost_sum, self.seen = 0.0, 0

    def start_epoch(self):
        self.cost_sum, self.seen = 0.0, 0
        if self.display is not None:
            self.display.start_epoch()

    def on_batch_end(self, state):
        m_b = state.batch_targets.shape[0]
        self.cost_sum += state.batch_cost * m_b
        self.seen += m_b
        if self.display is not None:
            self.display.batch_end(state)


class Display:
    """The command line's progress bar (``bprop.training.progress.ProgressBar``) over a whole fit.

    ``train`` runs one epoch (or part of one) per call, so this keeps its own
    TrainingState for the fit — ``max_iter`` epochs of ``batches`` batches —
    and hands that to the bar. Training accuracy is shown for single-label
    classifiers, the validation accuracy with early stopping.
    """

    def __init__(self, est, net, batches):
        from rich.console import Console

        from ..training.progress import ProgressBar

        self.console = Console(highlight=False)
        self.bar = ProgressBar(self.console)
        self.state = TrainingState(net, est._optimizer, History(), epochs=est.max_iter, batches=batches)
        self.accuracy = is_classifier(est) and est._label_binarizer.y_type_ != "multilabel-indicator"
        self.correct = self.seen = 0
        self.bar.on_train_begin(self.state)

    def start_epoch(self):
        self.state.epoch += 1
        self.state.batch = self.correct = self.seen = 0

    def batch_end(self, inner):
        s = self.state
        s.batch += 1
        s.batch_cost, s.grads, s.batch_targets, s.l2, s.n = (
            inner.batch_cost,
            inner.grads,
            inner.batch_targets,
            inner.l2,
            inner.n,
        )
        if self.accuracy:
            labels = s.net.labels_from_outputs
            self.correct += int(np.count_nonzero(labels(inner.grads.activations[-1]) == labels(inner.batch_targets)))
            self.seen += inner.batch_targets.shape[0]
        self.bar.on_batch_end(s)

    def epoch_end(self, est, seconds):
        h = self.state.history
        h.train_cost.append(est.loss_)
        h.train_accuracy.append(self.correct / self.seen if self.accuracy else None)
        h.validation_cost.append(None)
        h.validation_accuracy.append(est.validation_scores_[-1] if self.accuracy and est.early_stopping else None)
        h.epoch_seconds.append(seconds)
        self.bar.on_epoch_end(self.state)

    def say(self, text):
        self.console.print(text, markup=False, highlight=False)

    def close(self):
        self.bar.on_train_end(self.state)
        self.bar.close()


# -- weights ---------------------------------------------------------------------------


def snapshot(net):
    """Copies of the weights and biases, restorable by ``net.weights, net.biases = snapshot``."""
    return [w.copy() for w in net.weights], [b.copy() for b in net.biases]


def network_record(net) -> dict:
    """A Network as plain, picklable parts: its layers, components and arrays.

    (A Network's parameter lists refuse ``append``, which unpickling a list
    subclass needs; the estimators pickle this record instead.)
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
