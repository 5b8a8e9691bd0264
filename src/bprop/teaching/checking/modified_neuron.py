"""The book's exercise "backpropagation with a single modified neuron": neuron j of layer l uses f, not σ.

Only that neuron's a^l_j = f(z^l_j) and σ′ → f′(z^l_j) change; BP1–BP4 keep
their form. bprop's core takes any σ object per layer, so the reference is its
own backprop with layer l's σ replaced by ``OneNeuronSigma`` (and, as always,
checked against finite differences).

    --neuron 2,1:tanh    layer l = 2, neuron j = 1 (counted from 1, as in the notes) uses tanh
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core import activations
from ...core.arguments import resolve
from ...errors import InvalidArgument


@dataclass(frozen=True)
class ModifiedNeuron:
    """Neuron j (1-based) of layer l uses the activation named ``sigma``."""

    layer: int
    j: int
    sigma: str

    @property
    def label(self) -> str:
        return f"{self.layer},{self.j}:{self.sigma}"


def parse_neuron(text: str) -> ModifiedNeuron:
    """``'2,1:tanh'`` → ModifiedNeuron(2, 1, 'tanh'); anything else is refused with the form expected."""
    where, sep, sigma = str(text).partition(":")
    parts = where.split(",")
    if not sep or len(parts) != 2 or not all(p.strip().isdigit() for p in parts) or not sigma:
        raise InvalidArgument(
            f"--neuron takes l,j:σ (e.g. 2,1:tanh: neuron j = 1 of layer l = 2 uses tanh), got {text!r}."
        )
    layer, j = (int(p) for p in parts)
    if layer < 2 or j < 1:
        raise InvalidArgument(
            f"--neuron {text}: layers with neurons that compute are l ≥ 2 and neurons count from j = 1."
        )
    return ModifiedNeuron(layer, j, {"linear": "identity"}.get(sigma, sigma))


class OneNeuronSigma:
    """Layer l's σ with neuron j's replaced by f: a_j = f(z_j), and σ′ → f′(z_j) for that neuron only.

    keep_base_prime=True is the learner's likely slip: f in the forward pass, but σ′ still the old one.
    """

    def __init__(self, base, other, j, keep_base_prime=False):
        self.base, self.other, self.j, self.keep_base_prime = base, other, j, keep_base_prime
        self.name = f"{base.name} (neuron {j + 1}: {other.name})"

    def value(self, z):
        a = self.base.value(z)
        a[:, self.j] = self.other.value(z[:, self.j : self.j + 1])[:, 0]  # a_j = f(z_j)
        return a

    def derivative(self, z, a):
        d = self.base.derivative(z, self.base.value(z))
        if not self.keep_base_prime:
            zj = z[:, self.j : self.j + 1]
            d[:, self.j] = self.other.derivative(zj, self.other.value(zj))[:, 0]  # f′(z_j) for neuron j
        return d

    def with_base_prime(self) -> OneNeuronSigma:
        return OneNeuronSigma(self.base, self.other, self.j, keep_base_prime=True)


def layer_sigmas(sizes, activation, output, neuron: ModifiedNeuron | None):
    """(hidden σ list, output σ) for a probe, layer ``neuron.layer``'s σ modified at neuron j."""
    hidden = [activation] * max(len(sizes) - 2, 1)
    if neuron is None:
        return hidden, output

    def modified(name):
        base = resolve(name, parameter="activation", builtin=activations.BUILTIN, methods=("value",))
        other = resolve(neuron.sigma, parameter="--neuron", builtin=activations.BUILTIN, methods=("value",))
        if not activations.is_elementwise(base) or not activations.is_elementwise(other):
            raise InvalidArgument("--neuron: softmax is not elementwise; a single neuron cannot be given or take it.")
        return OneNeuronSigma(base, other, neuron.j - 1)

    if neuron.layer == len(sizes):
        return hidden, modified(output)
    hidden[neuron.layer - 2] = modified(activation)
    return hidden, output


def fits(sizes, neuron: ModifiedNeuron | None) -> bool:
    """True when the probe network ``sizes`` has neuron j in layer l."""
    return neuron is None or (neuron.layer <= len(sizes) and sizes[neuron.layer - 1] >= neuron.j)
