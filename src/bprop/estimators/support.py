"""What ``bprop.estimators`` needs around the core: checked settings, sample weights, batch size, pickling.

Nothing here computes a gradient or an update; each function translates a
scikit-learn convention into a call of bprop's public API.
"""

from __future__ import annotations

import numbers
import warnings
from types import SimpleNamespace

import numpy as np
from sklearn.base import is_classifier

from ..core import activations, costs, initializers
from ..core.arguments import dtype_of
from ..core.backend import backend_for, to_numpy
from ..core.dropout import dropout_rates
from ..core.network import Network
from ..errors import InvalidArgument
from .losses import Exp, HalfPoissonDeviance

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
SOLVERS = ("adam", "sgd", "lbfgs", "momentum", "nesterov")
LEARNING_RATES = ("constant", "invscaling", "adaptive")
REGRESSION_LOSSES = ("squared_error", "poisson")


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

    if est.solver not in SOLVERS:
        fail("solver", f"use one of {', '.join(map(repr, SOLVERS))}")
    real("alpha", 0)
    real("l1", 0)
    if not (
        est.batch_size == "auto"
        or isinstance(est.batch_size, numbers.Integral)
        and not isinstance(est.batch_size, bool)
        and est.batch_size >= 1
    ):
        fail("batch_size", "use 'auto' (min(200, n_samples)) or a positive whole number")
    if not callable(est.learning_rate_init):
        real("learning_rate_init", 0, low_open=True)
    if est.learning_rate not in LEARNING_RATES:
        fail("learning_rate", f"use one of {', '.join(map(repr, LEARNING_RATES))}")
    if callable(est.learning_rate_init) and est.learning_rate != "constant":
        fail("learning_rate", "a callable learning_rate_init is its own schedule; use learning_rate='constant'")
    real("power_t", 0)
    whole("max_fun")
    if not is_classifier(est) and est.loss not in REGRESSION_LOSSES:
        fail("loss", f"use one of {', '.join(map(repr, REGRESSION_LOSSES))}")
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

    activation = _hidden_activation(est, len(hidden), fail)
    try:
        dropout = dropout_rates(est.dropout, len(hidden))
    except InvalidArgument as error:
        raise InvalidArgument(f"{name}: {error}") from None
    if dropout is not None and est.solver == "lbfgs":
        fail(
            "dropout",
            "L-BFGS needs the same cost at every evaluation, which random masks break; "
            "use dropout=0 with solver='lbfgs', or a stochastic solver such as 'adam'",
        )
    if est.device != "cpu":
        try:
            backend_for(None, est.device)
        except InvalidArgument as error:
            raise InvalidArgument(f"{name}: {error}") from None
    outputs = CLASSIFIER_OUTPUTS if is_classifier(est) else HIDDEN_ACTIVATIONS
    out_activation = None if est.out_activation is None else _component(est, "out_activation", outputs, fail)
    if is_classifier(est) and not isinstance(out_activation, (str, type(None))):
        fail("out_activation", f"use None or one of {', '.join(map(repr, outputs))}")
    return SimpleNamespace(
        hidden=[int(n) for n in hidden], activation=activation, out_activation=out_activation, dropout=dropout
    )


def _hidden_activation(est, hidden_layers, fail):
    """σ of the hidden layers: one name (every hidden layer, MLP's meaning) or a list, one per hidden layer."""
    if not isinstance(est.activation, (list, tuple)):
        return _component(est, "activation", HIDDEN_ACTIVATIONS, fail)
    if len(est.activation) != hidden_layers:
        fail(
            "activation",
            f"a list needs one σ per hidden layer ({hidden_layers} for hidden_layer_sizes="
            f"{est.hidden_layer_sizes!r}), or use one name for all of them",
        )
    sigmas = []
    for sigma in est.activation:
        if isinstance(sigma, str) and sigma not in HIDDEN_ACTIVATIONS:
            fail("activation", f"{sigma!r} is not one of {', '.join(map(repr, HIDDEN_ACTIVATIONS))}")
        sigmas.append(HIDDEN_ACTIVATIONS[sigma] if isinstance(sigma, str) else sigma)
    return sigmas


def _component(est, parameter, names, fail):
    """A bprop name for a scikit-learn or bprop name; an object passes through to Network."""
    value = getattr(est, parameter)
    if isinstance(value, str):
        if value not in names:
            fail(parameter, f"use one of {', '.join(map(repr, names))}, or a bprop activation object")
        return names[value]
    return value


def checked_sample_weight(sample_weight, X):
    """None, or the weights as a float (n_samples,) array: finite, ≥ 0, with a positive sum."""
    if sample_weight is None:
        return None
    n = X.shape[0]
    if isinstance(sample_weight, numbers.Number):
        return np.full(n, float(sample_weight))
    s = np.asarray(sample_weight, dtype=np.float64)
    if s.ndim != 1 or s.shape[0] != n:
        raise ValueError(f"sample_weight.shape == {s.shape}, expected ({n},)!")
    if not np.isfinite(s).all() or (s < 0).any():
        raise ValueError("sample_weight must hold finite numbers ≥ 0 (each sample's weight in the means).")
    if not s.sum() > 0:
        raise ValueError("Sample weights must contain at least one non-zero number; all weights are zero.")
    return s


def batch_size_for(batch_size, n_samples) -> int:
    """MLP's rule: 'auto' is min(200, n); a larger size is clipped to n, with a warning."""
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped", stacklevel=2
        )
    return int(np.clip(batch_size, 1, n_samples))


# -- pickling ---------------------------------------------------------------------------


def network_record(net) -> dict:
    """A Network as plain, picklable parts: its layers, its components by name, its arrays.

    A Network pickles on its own too; the estimators pickle this record
    instead, so that a pickled estimator names no bprop class but its own:
    every σ, the cost and the initializer are stored by name when the name
    rebuilds them exactly (a built-in, or the Poisson loss's pieces, with
    their default settings) and as the object otherwise (a user's own
    class); the arrays are NumPy's, whatever the device. ``network_from_record``
    rebuilds the network through the public constructor and its checks.
    """
    hidden = [_by_name(sigma, activations.BUILTIN) for sigma in net.hidden_activations]
    return {
        "sizes": list(net.sizes),
        "activation": hidden if hidden else _by_name(net.output, activations.BUILTIN),
        "output": _by_name(net.output, activations.BUILTIN),
        "cost": _by_name(net.cost, costs.BUILTIN),
        "init": _by_name(net.init, initializers.BUILTIN),
        "dtype": np.dtype(net.dtype).name,
        "device": net.device,
        "backend": net.backend.name,
        "weights": [to_numpy(w) for w in net.weights],
        "biases": [to_numpy(b) for b in net.biases],
    }


def network_from_record(record) -> Network:
    """The Network that ``network_record`` describes, through the public constructor."""
    activation = record["activation"]
    net = Network(
        record["sizes"],
        activation=[_named(a) for a in activation] if isinstance(activation, list) else _named(activation),
        output=_named(record["output"]),
        cost=_named(record["cost"]),
        init=record["init"],
        seed=0,
        dtype=record["dtype"],
        device=record.get("device", "cpu"),
        backend=record.get("backend"),
    )
    net.weights = [net.place(w) for w in record["weights"]]
    net.biases = [net.place(b) for b in record["biases"]]
    return net


# The estimators' own components, stored by name in a pickle as the built-ins are.
OWN_COMPONENTS = {"exp": Exp, "poisson": HalfPoissonDeviance}


def _by_name(component, builtin):
    """The component's name where the name rebuilds it exactly (a built-in with its default settings), else it."""
    table = {**builtin, **OWN_COMPONENTS}
    name = getattr(component, "name", None)
    made = table.get(name) if isinstance(name, str) else None
    if made is not None and type(component) is made and vars(component) == vars(made()):
        return name
    return component


def _named(value):
    """A name that ``_by_name`` stored, as Network takes it (the estimators' own components rebuilt here)."""
    return OWN_COMPONENTS[value]() if isinstance(value, str) and value in OWN_COMPONENTS else value


def optimizer_record(optimizer) -> dict:
    """The estimator's ``_optimizer`` as plain parts: η now (the 'adaptive' schedule lowers it) and its state."""
    return {"lr": optimizer.optimizer.lr, "state": optimizer.optimizer.state_dict()}
