"""Every number of one forward and backward pass, for one sample.

``explain(net, x, y)`` runs ``net.backprop`` on the single sample and keeps the
very arrays it returns (row 0 of z^l, a^l, δ^l; ∂C/∂w^l, ∂C/∂b^l; C). The only
other numbers are those of the same functions backprop calls: ∇_a C from
``net.cost.gradient``, σ′(z^l) from layer l's own σ (``net.hidden_activations``)
or ``net.output.derivative``, and the parameters after one update from
``bprop.SGD(lr).step`` applied to a copy of the network. Nothing is computed
twice in another way, so what the page shows is what bprop does.

With dropout (``dropout=p``) the pass is the training pass of that sample with
one mask m^l per hidden layer, drawn from ``seed`` as training draws them
(``bprop.core.dropout``): backprop gets the mask, and a^l before it comes from
``net.forward_dropped``. With ``l1`` / ``l2`` the cost and BP3 carry their terms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core import activations, costs
from ...core.arguments import as_targets, name_of, non_negative_float, positive_int
from ...core.backend import sum_of_absolute_values, sum_of_squares
from ...core.dropout import draw_masks, dropout_rates
from ...core.network import Network
from ...core.optimizers import SGD
from ...errors import InvalidArgument
from .document import FORMATS
from .terms import check_lang

# The classic hand-worked example: a 2-2-2 sigmoid network, quadratic cost, η = 0.5.
CLASSIC_WEIGHTS = ([[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]])
CLASSIC_BIASES = ([0.35, 0.35], [0.60, 0.60])
CLASSIC_INPUT = (0.05, 0.10)
CLASSIC_TARGET = (0.01, 0.99)


@dataclass(eq=False)
class Trace:
    """One sample's forward pass, BP1–BP4 and one SGD update.

    Lists are indexed i = l − 2 for layer l = 2 … L, except ``activations``
    (index l − 1: activations[0] is a^1 = x).

    sizes                     [n_1, …, n_L]
    activation, output        names of σ (hidden) and of the output layer's σ
    cost_name, cost           the cost function's name and C of this sample
    lr                        η of the update
    x : (n_1,)                the input as the network's dtype
    y : (n_L,)                the target vector used (a label is one-hot)
    zs[i] : (n_l,)            z^l                         (row 0 of backprop's zs)
    activations[l-1] : (n_l,) a^l                         (row 0 of backprop's activations)
    grad_a : (n_L,)           ∇_a C = net.cost.gradient(a^L, y)
    sigma_primes[i]           σ′(z^l), (n_l,); None for a non-elementwise output (softmax)
    deltas[i] : (n_l,)        δ^l                         (row 0 of backprop's deltas)
    grad_w[i] : (n_l, n_{l−1}), grad_b[i] : (n_l,)     ∂C/∂w^l, ∂C/∂b^l (backprop's)
    weights_before, biases_before, weights_after, biases_after   w^l, b^l around one SGD step
    shortcut                  True when BP1 was δ^L = a^L − y (``costs.uses_shortcut``)
    lang                      'en' or 'zh', the default language of ``render``
    hidden_activations        the σ name of each hidden layer l = 2 … L−1 (``activation``
                              is their common name, or the names joined by commas)
    dropout                   p of each hidden layer (None: no dropout)
    masks[i] : (n_l,)         m^l/(1−p) of hidden layer l (None: no mask on it, or no dropout);
                              activations[l-1] is then ã^l = a^l ⊙ m^l/(1−p), what layer l+1 saw
    undropped[l-1] : (n_l,)   a^l = σ(z^l) before the mask (σ′ is computed from it)
    l2, l1, n                 λ, λ₁ and n of the terms (λ/2n) Σ w² and (λ₁/n) Σ |w| in C
    cost0                     C₀, the cost of this sample without those terms
    sum_squares, sum_abs      Σ w² and Σ |w| over every weight, before the update
    derivation                the chain-rule derivation of the same pass (``derivation.derive``),
                              worked out the first time it is read (from ``derive_later``), or None
    """

    sizes: list
    activation: str
    output: str
    cost_name: str
    lr: float
    x: np.ndarray
    y: np.ndarray
    zs: list
    activations: list
    cost: float
    grad_a: np.ndarray
    sigma_primes: list
    deltas: list
    grad_w: list
    grad_b: list
    weights_before: list
    biases_before: list
    weights_after: list
    biases_after: list
    shortcut: bool
    lang: str = "en"
    dtype: str = "float64"
    hidden_activations: list | None = None
    dropout: tuple | None = None
    masks: list | None = None
    undropped: list | None = None
    l2: float = 0.0
    l1: float = 0.0
    n: int = 1
    cost0: float | None = None
    sum_squares: float = 0.0
    sum_abs: float = 0.0
    derive_later: object = None

    def __post_init__(self):
        L = len(self.sizes)
        if self.hidden_activations is None:
            self.hidden_activations = [self.activation] * (L - 2)
        if self.masks is None:
            self.masks = [None] * (L - 2)
        if self.undropped is None:
            self.undropped = self.activations
        if self.cost0 is None:
            self.cost0 = self.cost

    def sigma_name(self, layer) -> str:
        """The name of layer l's σ (l = 2 … L)."""
        return self.output if layer == len(self.sizes) else self.hidden_activations[layer - 2]

    def mask(self, layer):
        """m^l/(1−p) of layer l as an (n_l,) array, or None when layer l has no mask."""
        return self.masks[layer - 2] if 2 <= layer < len(self.sizes) else None

    @property
    def derivation(self):
        """The derivation of BP1–BP4 for this pass (same sample, masks, L2/L1 and η), made once when first read."""
        if callable(self.derive_later):
            self.derive_later = self.derive_later()
        return self.derive_later

    @property
    def penalized(self) -> bool:
        """True when C carries an L2 or L1 term."""
        return bool(self.l2 or self.l1)

    def render(self, format="text", lang=None, precision=4, *, costs=None, plain_costs=None) -> str:
        """The explanation as a string.

        format : 'text' (terminal, Unicode math), 'markdown' (or 'md'; LaTeX
            math in $…$ / $$…$$) or 'html' (one standalone page).
        lang : 'en' or 'zh' (default: the trace's ``lang``).
        precision : decimals of the numbers shown (1 … 12); numbers below
            10^(2 − precision) keep ``precision`` significant digits instead.
        costs : optional list from ``explain_steps``, shown as a table.
        plain_costs : with dropout, ``explain_steps(..., masked=False)``: C without
            masks after the same updates, a second column.

        Markdown and HTML end with the derivation of BP1–BP4 by the chain rule
        (``derivation_page``), so that one document holds both; the text for a
        terminal ends with a pointer to it instead (``bprop explain --derive``).
        """
        from . import html, markdown, sections, text

        if format not in FORMATS:
            raise InvalidArgument(f"format={format!r} is not known; use 'text', 'markdown' (or 'md') or 'html'.")
        lang = check_lang(self.lang if lang is None else lang)
        if isinstance(precision, bool) or not isinstance(precision, (int, np.integer)) or not 1 <= precision <= 12:
            raise InvalidArgument(f"precision must be a whole number of decimals from 1 to 12, got {precision!r}.")
        document = sections.build(self, int(precision), costs, plain_costs)
        if FORMATS[format] != "text":
            document.derivation, document.digits = self.derivation, max(int(precision), 4)
        renderer = {"text": text, "markdown": markdown, "html": html}[FORMATS[format]]
        return renderer.render(document, lang)

    def __str__(self):
        return self.render("text")


def _on_host(net):
    """A network on a GPU or in another array library is explained from its NumPy copy (same numbers)."""
    if isinstance(net, Network) and not net.backend.is_numpy:
        return net.to("cpu")
    return net


def _one_sample(net, x, y):
    """x as (1, n_1) and y as (1, n_L), converted exactly as ``backprop`` converts them."""
    if not isinstance(net, Network):
        raise InvalidArgument(f"explain needs a bprop Network, got {type(net).__name__}.")
    if np.ndim(x) != 1:
        raise InvalidArgument(
            f"explain takes one sample: x must have shape ({net.sizes[0]},), got shape {np.shape(x)}."
        )
    Y = np.asarray(y)
    if Y.ndim > 1:
        raise InvalidArgument(
            f"explain takes one sample: y must be a label or a target of shape ({net.sizes[-1]},), got shape {Y.shape}."
        )
    Y = Y.reshape(1) if Y.ndim == 0 else Y.reshape(1, -1)
    return as_targets(Y, 1, net.sizes[-1], net.dtype, parameter="y")


def explain(net, x, y, *, lr=0.5, lang="en", l2=0.0, l1=0.0, n=1, dropout=None, seed=0, masks=None) -> Trace:
    """Every number of one forward pass, BP1–BP4 and one SGD step for one sample.

    net : Network (unchanged by this call).
    x : (n_1,) one input.
    y : a class label, or a target of shape (n_L,).
    lr : η of the update shown (``bprop.SGD(lr)``).
    lang : 'en' or 'zh', the default language of ``Trace.render``.
    l2, l1 : λ and λ₁ of the terms (λ/2n) Σ w² and (λ₁/n) Σ |w| added to C.
    n : the n of those terms (the training set's size; default 1, this sample).
    dropout : p (or one p per hidden layer): explain a training pass with
        dropout, its masks m^l ~ Bernoulli(1 − p) drawn from ``seed``.
    masks : or the masks m^l/(1−p) themselves, one (n_l,) array or None per
        hidden layer (instead of ``dropout``).
    """
    check_lang(lang)
    net = _on_host(net)
    Y = _one_sample(net, x, y)
    optimizer = SGD(lr)  # validates η
    l2, l1, n = non_negative_float(l2, "l2"), non_negative_float(l1, "l1"), positive_int(n, "n")
    rates = dropout_rates(dropout, len(net.sizes) - 2)
    if masks is not None and rates is not None:
        raise InvalidArgument("give dropout (masks drawn from seed) or masks, not both.")
    if rates is not None:
        masks = draw_masks(rates, net.sizes, 1, np.random.default_rng(seed), net.dtype)
    elif masks is not None:
        masks = [None if mask is None else np.asarray(mask, dtype=net.dtype).reshape(1, -1) for mask in masks]
    g = net.backprop(x, y, l2=l2, l1=l1, n=n, masks=masks)
    zs, acts = g.zs, g.activations
    undropped = acts if masks is None else net.forward_dropped(acts[0], masks)[2]  # a^l before its mask

    last = len(net.weights) - 1
    sigma_primes = []
    for i in range(last + 1):
        sigma = net.output if i == last else net.hidden_activations[i]
        if activations.is_elementwise(sigma) and callable(getattr(sigma, "derivative", None)):
            sigma_primes.append(sigma.derivative(zs[i], undropped[i + 1])[0])  # as BP1/BP2 call it
        else:
            sigma_primes.append(None)  # softmax: its Jacobian is used
    grad_a = net.cost.gradient(acts[-1], Y)[0]

    twin = net.copy()
    optimizer.step(twin, g)

    frozen, x_copy, y_copy = net.copy(), np.array(x), np.array(y)  # the pass as it is now, whatever comes later

    def derive_later():
        from .derivation import derive

        return derive(frozen, x_copy, y_copy, lr=float(optimizer.lr), l2=l2, l1=l1, n=n, dropout=rates, masks=masks)

    return Trace(
        sizes=list(net.sizes),
        activation=net.activation_name,
        output=name_of(net.output),
        cost_name=name_of(net.cost),
        lr=float(optimizer.lr),
        x=acts[0][0],
        y=Y[0],
        zs=[z[0] for z in zs],
        activations=[a[0] for a in acts],
        cost=g.cost,
        grad_a=grad_a,
        sigma_primes=sigma_primes,
        deltas=[d[0] for d in g.deltas],
        grad_w=list(g.weights),
        grad_b=list(g.biases),
        weights_before=[w.copy() for w in net.weights],
        biases_before=[b.copy() for b in net.biases],
        weights_after=list(twin.weights),
        biases_after=list(twin.biases),
        shortcut=costs.uses_shortcut(net.output, net.cost),
        lang=lang,
        dtype=np.dtype(net.dtype).name,
        hidden_activations=[name_of(sigma) for sigma in net.hidden_activations[: len(net.sizes) - 2]],
        dropout=rates,
        masks=None if masks is None else [None if mask is None else mask[0] for mask in masks],
        undropped=[a[0] for a in undropped],
        l2=l2,
        l1=l1,
        n=n,
        cost0=float(net.batch_cost(acts[-1], Y)),
        sum_squares=float(sum(sum_of_squares(w) for w in net.weights)),
        sum_abs=float(sum(sum_of_absolute_values(w) for w in net.weights)),
        derive_later=derive_later,
    )


def explain_steps(net, x, y, lr=0.5, steps=20, *, l2=0.0, l1=0.0, n=1, dropout=None, seed=0, masked=True) -> list:
    """The cost C of one sample over ``steps`` repeated SGD updates on it.

    Returns steps + 1 floats: C before any update, then after each one, each
    the ``cost`` of ``backprop`` on a copy of ``net`` (``net`` is unchanged).
    l2, l1, n : the L2/L1 terms of C, in every cost and every update (as ``explain``).
    dropout : p: each update is a training pass with new masks, drawn from ``seed``
        as training draws them (the first are those ``explain`` shows); C is then
        the cost of that pass, with its masks. masked=False gives, for the same
        updates, C without any mask (what ``predict`` sees).
    """
    steps = positive_int(steps, "steps", maximum=1_000_000)
    net = _on_host(net)
    _one_sample(net, x, y)
    optimizer = SGD(lr)
    l2, l1, n = non_negative_float(l2, "l2"), non_negative_float(l1, "l1"), positive_int(n, "n")
    rates = dropout_rates(dropout, len(net.sizes) - 2)
    rng = np.random.default_rng(seed)
    twin = net.copy()
    costs = []

    def training_pass():
        masks = draw_masks(rates, net.sizes, 1, rng, net.dtype) if rates is not None else None
        g = twin.backprop(x, y, l2=l2, l1=l1, n=n, masks=masks)
        if masks is not None and not masked:
            costs.append(twin.backprop(x, y, l2=l2, l1=l1, n=n).cost)  # the same weights, no mask
        else:
            costs.append(g.cost)
        return g

    for _ in range(steps):
        optimizer.step(twin, training_pass())
    training_pass()  # C after the last update
    return costs


def classic_example(activation="sigmoid", output=None, cost="quadratic"):
    """(net, x, y) of the classic hand-worked 2-2-2 example, in float64.

    w^2 = [[0.15, 0.20], [0.25, 0.30]], b^2 = (0.35, 0.35),
    w^3 = [[0.40, 0.45], [0.50, 0.55]], b^3 = (0.60, 0.60),
    x = (0.05, 0.10), y = (0.01, 0.99); sigmoid neurons and the quadratic cost
    unless other names are given.
    """
    net = Network([2, 2, 2], activation=activation, output=output, cost=cost, seed=0, dtype="float64")
    net.weights = [np.array(w) for w in CLASSIC_WEIGHTS]
    net.biases = [np.array(b) for b in CLASSIC_BIASES]
    return net, np.array(CLASSIC_INPUT), np.array(CLASSIC_TARGET)
