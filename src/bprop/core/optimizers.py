"""Update rules: from ∂C/∂w, ∂C/∂b to new w, b.

Every optimizer has one public method, ``step(net, grads)``, which updates the
network's parameters in place and counts the step; each subclass writes its
rule once, in ``_update``, for a single parameter array. The learning rate η
is a number, or a schedule: a callable taking the number of steps already
taken (0 for the first) and returning η.

    SGD       w ← w − η ∂C/∂w                     the update of the derivation
    Momentum  v ← μv − η ∂C/∂w;  w ← w + v          Polyak (1964)
    Nesterov  v ← μv − η ∂C/∂w;  w ← w + μv − η ∂C/∂w
                                                    Sutskever et al. (2013), as rewritten by
                                                    Bengio et al. (2013); PyTorch's nesterov=True
    Adam      Kingma & Ba (2015), Algorithm 1, with its defaults

Each line of an ``_update`` is one equation of its paper, written in its
trailing comment. The temporaries go through ``bprop.core.fast`` (``scaled``,
``scale_and_add``, ...), which writes them into a reused work array for NumPy.

L2 regularization is part of the cost, not of the optimizer: ``backprop(...,
l2=λ)`` adds (λ/n) w to ∂C/∂w, so that SGD's step is w ← (1 − ηλ/n) w − η ∂C₀/∂w.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import InvalidArgument
from .arguments import real_number
from .backend import backend_of, namespace, to_numpy
from .fast import divided_by_root, scale_and_add, scaled, scaled_minus, square


class Optimizer:
    """Base class: ``step`` walks the layers, ``_update`` is the rule."""

    def __init__(self, lr):
        self.lr = _checked_learning_rate(lr)
        self.steps = 0  # t: updates applied so far
        self.state = {}  # per-parameter buffers (velocity, moments)

    def learning_rate(self) -> float:
        """η for the next step: the number, or the schedule evaluated at t."""
        if callable(self.lr):
            eta = self.lr(self.steps)
            if isinstance(eta, bool) or not isinstance(eta, numbers.Real) or not np.isfinite(eta) or eta < 0:
                raise InvalidArgument(
                    f"the learning-rate schedule returned {eta!r} at step {self.steps}; it must return a finite number ≥ 0."
                )
            return float(eta)
        return self.lr

    def step(self, net, grads) -> None:
        """Apply one update to every w^l and b^l of ``net``, in place."""
        eta = self.learning_rate()
        for i, (w, b) in enumerate(zip(net.weights, net.biases)):
            self._update(("w", i), w, grads.weights[i], eta)
            self._update(("b", i), b, grads.biases[i], eta)
        self.steps += 1

    def _buffer(self, key, like):
        """A zero buffer per parameter, made on first use and reused by every step.

        A buffer loaded by load_state_dict (NumPy) moves to the parameter's
        library and device on first use.
        """
        buf = self.state.get(key)
        if buf is not None and type(buf) is not type(like):
            buf = self.state[key] = backend_of(like).asarray(buf)
        if buf is None or buf.shape != like.shape or buf.dtype != like.dtype:
            buf = self.state[key] = namespace(like).zeros_like(like)
        return buf

    def _scratch(self, key, like):
        """The ``work`` array of ``bprop.core.fast`` (a ``_buffer``) for NumPy; None for other libraries.

        Their operations return new arrays, so a GPU network holds no idle copies.
        """
        return self._buffer(key, like) if type(like) is np.ndarray else None

    def _update(self, key, param, grad, eta):
        raise NotImplementedError

    # -- state, for checkpoints ------------------------------------------------

    def state_dict(self) -> dict:
        """Everything that changes as this optimizer steps, as copies.

        Returns ``{"type": class name, "steps": t, "state": {key: array}}``:
        the step count t (which a schedule and Adam's bias corrections read)
        and every buffer (velocity, moments, and the scratch space they reuse),
        keyed as in ``self.state``: tuples such as ``("w", 0, "v")`` for
        layer l = 2's weights. The hyperparameters (η, μ, β₁, β₂, ε) are not
        included: they come from the constructor. ``load_state_dict`` of an
        optimizer of the same class continues exactly where this one is.
        """
        return {
            "type": type(self).__name__,
            "steps": int(self.steps),
            "state": {key: np.array(to_numpy(buf), copy=True) for key, buf in self.state.items()},
        }

    def load_state_dict(self, state: dict) -> None:
        """Continue from ``state``, a ``state_dict()`` of an optimizer of the same class.

        The arrays are copied. Raises InvalidArgument for another class, a
        step count that is not a whole number ≥ 0, or a buffer that is not a
        floating-point array under a tuple key.
        """
        if not isinstance(state, dict) or not {"type", "steps", "state"} <= set(state):
            raise InvalidArgument(
                "load_state_dict needs the dict that state_dict() returns (keys 'type', 'steps', 'state')."
            )
        if state["type"] != type(self).__name__:
            raise InvalidArgument(
                f"the saved optimizer state is {state['type']!r}'s, not {type(self).__name__!r}'s; "
                f"continue with a {state['type']} optimizer."
            )
        steps = state["steps"]
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
            raise InvalidArgument(f"the saved optimizer step count must be a whole number ≥ 0, got {steps!r}.")
        buffers = {}
        for key, buf in dict(state["state"]).items():
            if not isinstance(key, tuple) or not isinstance(buf, np.ndarray) or buf.dtype.kind != "f":
                raise InvalidArgument(
                    f"the saved optimizer buffer {key!r} must be a floating-point array under a "
                    "tuple key such as ('w', 0, 'v')."
                )
            buffers[key] = np.array(buf, order="C", copy=True)
        self.steps, self.state = int(steps), buffers


class SGD(Optimizer):
    """Plain gradient descent: w ← w − η ∂C/∂w, b ← b − η ∂C/∂b."""

    def __init__(self, lr=3.0):
        super().__init__(lr)

    def _update(self, key, param, grad, eta):
        work = self._scratch(key, param)
        param -= scaled(grad, eta, work)  # w ← w − η ∂C/∂w

    def __repr__(self):
        return f"SGD(lr={self.lr!r})"


class Momentum(Optimizer):
    """Heavy-ball momentum: v ← μv − η ∂C/∂w; w ← w + v (μ = ``momentum``)."""

    def __init__(self, lr=0.1, momentum=0.9):
        super().__init__(lr)
        self.momentum = _checked_fraction(momentum, "momentum")

    def _update(self, key, param, grad, eta):
        v = self._buffer(key + ("v",), param)
        work = self._scratch(key + ("scratch",), param)
        # fmt: off
        scale_and_add(v, self.momentum, grad, -eta, work)  # v ← μv − η ∂C/∂w
        param += v                                         # w ← w + v
        # fmt: on

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr!r}, momentum={self.momentum})"


class Nesterov(Momentum):
    """Nesterov momentum: v ← μv − η ∂C/∂w; w ← w + μv − η ∂C/∂w.

    The gradient at the look-ahead point w + μv, rewritten so that it is
    taken at the stored parameters (Bengio, Boulanger-Lewandowski & Pascanu 2013).
    """

    def _update(self, key, param, grad, eta):
        v = self._buffer(key + ("v",), param)
        work, ahead = self._scratch(key + ("scratch",), param), self._scratch(key + ("ahead",), param)
        # fmt: off
        step = scaled(grad, eta, work)                        # η ∂C/∂w
        v *= self.momentum
        v -= step                                             # v ← μv − η ∂C/∂w
        param += scaled_minus(v, self.momentum, step, ahead)  # w ← w + μv − η ∂C/∂w
        # fmt: on


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), Algorithm 1.

    m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
    w ← w − α_t m / (√v + ε̂),  α_t = α √(1 − β₂ᵗ) / (1 − β₁ᵗ),  ε̂ = ε √(1 − β₂ᵗ)

    The last line is the paper's own cheaper form (end of its section 2) of
    m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), w ← w − α m̂/(√v̂ + ε): the bias
    corrections become two scalars instead of two passes over the arrays.
    Defaults α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e−8, from the paper.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = _checked_fraction(beta1, "beta1")
        self.beta2 = _checked_fraction(beta2, "beta2")
        self.eps = real_number(eps, "eps (Adam's ε)", low=0, low_open=True, hint="; use a small number such as 1e-8")

    def _update(self, key, param, grad, eta):
        m, v = self._buffer(key + ("m",), param), self._buffer(key + ("v",), param)
        work = self._scratch(key + ("scratch",), param)
        t = self.steps + 1
        # fmt: off
        alpha_t = eta * math.sqrt(1 - self.beta2**t) / (1 - self.beta1**t)      # α_t = α √(1 − β₂ᵗ) / (1 − β₁ᵗ)
        eps_hat = self.eps * math.sqrt(1 - self.beta2**t)                       # ε̂ = ε √(1 − β₂ᵗ)
        scale_and_add(m, self.beta1, grad, 1 - self.beta1, work)                # m ← β₁m + (1 − β₁)g
        scale_and_add(v, self.beta2, square(grad, work), 1 - self.beta2, work)  # v ← β₂v + (1 − β₂)g²
        param -= scaled(divided_by_root(m, v, eps_hat, work), alpha_t, work)    # w ← w − α_t m / (√v + ε̂)
        # fmt: on

    def __repr__(self):
        return f"Adam(lr={self.lr!r}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps})"


BUILTIN = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adam": Adam}


def _checked_learning_rate(lr):
    if callable(lr):
        return lr
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not np.isfinite(lr) or lr <= 0:
        raise InvalidArgument(
            f"lr (the learning rate η) must be a finite number > 0 or a schedule (a function of the step), got {lr!r}."
        )
    return float(lr)


def _checked_fraction(value, parameter):
    return real_number(value, parameter, low=0, high=1, high_open=True)
