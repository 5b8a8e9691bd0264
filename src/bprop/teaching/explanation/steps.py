"""What an explanation says, once, for every output format.

``build(trace, precision)`` turns a ``Trace`` into a ``Document``: sections
(forward, cost, BP1 … BP4, update …), each a list of items

    Heading(key, names)      a sub-heading such as "layer l = 2" (a ``terms`` key)
    Equation(markup)         an equation in symbols
    Substitution(markup)     the same for one element, numbers put in, and its value
    Value(name, array, ...)  a whole vector or matrix (or its summary, when wide)
    Note(key, names)         a sentence (a ``terms`` key)
    Definition(markup, key)  a symbol and its meaning (the notation section)
    CostTable(rows)          the costs of repeated updates

The renderers (``text``, ``markdown``, ``html``) only lay these out. Equations
are written once, in a small markup: Unicode math with ``^{…}`` and ``_{…}``
groups, e.g. ``δ^{2}_{1} = (w^{3}_{11} δ^{3}_{1} + …) · σ′(z^{2}_{1})``, which
``to_text``, ``to_html`` and ``to_latex`` turn into each notation.

Every number shown is an entry of the trace's arrays (those ``backprop``
returned); the arithmetic in a substituted line is shown, not redone, except
the one inner product ⟨∇_a C, a^L⟩ that the softmax Jacobian line displays.

The representative element is j = 1, k = 1 (index 0), with 1-based indices in
the text as in the notes. Negative numbers inside a substitution are put in
parentheses: ``0.5000 · (−0.0381)``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import numpy as np

from .terms import TERMS

FULL_WIDTH = 8  # a network with a layer wider than this is shown as shapes, norms and a few entries
MAX_TERMS = 4  # a sum with more terms is written t₁ + t₂ + … + t_n
SUMMARY_ENTRIES = 3  # entries shown of a summarized array
MINUS = "−"  # U+2212, the minus sign of printed mathematics
GAP = "  "  # two spaces in markup: a wide gap between two formulas on one line


# -- items ----------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    key: str
    names: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Equation:
    markup: str


@dataclass(frozen=True)
class Definition:
    """A symbol and what it means (a terms key): the notation section."""

    markup: str
    key: str
    names: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Substitution:
    markup: str


@dataclass(frozen=True, eq=False)
class Value:
    """``name = array``; ``cells`` are the formatted entries (full) or None (summary)."""

    name: str
    array: np.ndarray
    full: bool
    precision: int
    note: str | None = None  # a terms key shown after the name, e.g. 'after_update'
    entry: str | None = None  # markup of one entry, '#' for its indices (default: name_{#})

    @property
    def cells(self):
        """Formatted entries: a list (vector) or a list of rows (matrix)."""
        if self.array.ndim == 1:
            return [number(v, self.precision) for v in self.array]
        return [[number(v, self.precision) for v in row] for row in self.array]

    @property
    def symbol(self) -> str:
        """The name's last symbol: 'x = a^{1}' → 'a^{1}' (for ‖a^{1}‖)."""
        return self.name.split(" = ")[-1]

    @property
    def shape(self) -> str:
        return "×".join(str(n) for n in self.array.shape)

    @property
    def norm(self) -> str:
        return number(np.linalg.norm(self.array), self.precision)

    @property
    def entries(self):
        """[(markup name, formatted value)] of the first few entries, for a summary."""
        template = self.entry or self.name + "_{#}"
        flat = self.array.reshape(-1)[:SUMMARY_ENTRIES]
        if self.array.ndim == 1:
            indices = [str(i + 1) for i in range(len(flat))]
        else:
            cols, sep = self.array.shape[1], "," if max(self.array.shape) > 9 else ""
            indices = [f"{i // cols + 1}{sep}{i % cols + 1}" for i in range(len(flat))]
        return [(template.replace("#", index), number(v, self.precision)) for index, v in zip(indices, flat)]


@dataclass(frozen=True)
class Note:
    key: str
    names: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CostTable:
    rows: list  # [(t, formatted cost)]
    note: Note


@dataclass
class Section:
    id: str  # forward, cost, bp1 … bp4, update, …: also the HTML element id
    items: list


@dataclass
class Document:
    facts: list  # [(terms key, markup value)]
    sections: list
    summarized: bool  # arrays shown as summaries (a wide network)


# -- numbers and markup ---------------------------------------------------------


def number(x, precision) -> str:
    """``x`` with ``precision`` decimals; small numbers keep ``precision`` significant digits.

    0.0087713 → '0.008771' (not '0.0088') at precision 4; negatives get U+2212.
    """
    x = float(x)
    if np.isnan(x):
        return "NaN"
    if np.isinf(x):
        return "∞" if x > 0 else MINUS + "∞"
    if x == 0:
        return f"{0.0:.{precision}f}"
    if abs(x) < 10.0 ** (2 - precision):  # fixed point would keep fewer than 3 significant digits
        text = f"{x:#.{precision}g}"
    else:
        text = f"{x:.{precision}f}"
    return text.replace("-", MINUS)


def operand(x, precision) -> str:
    """A number inside an expression: negatives in parentheses, '(−0.0381)'."""
    text = number(x, precision)
    return f"({text})" if text.startswith(MINUS) else text


def plain(x) -> str:
    """A setting such as η, as given: 0.5 → '0.5'."""
    return f"{float(x):g}".replace("-", MINUS)


def element(name, *indices, comma=False) -> str:
    """'w^{3}' with indices 1, 1 → 'w^{3}_{11}' (or 'w^{3}_{1,12}' when an index can exceed 9)."""
    joined = ("," if comma else "").join(str(i) for i in indices)
    return f"{name}_{{{joined}}}"


def terms_of(n, term) -> str:
    """term(0) + … + term(n − 1), written out, or as 't₁ + t₂ + … + t_n' beyond MAX_TERMS terms."""
    if n <= MAX_TERMS:
        return " + ".join(term(i) for i in range(n))
    return " + ".join([term(0), term(1), "…", term(n - 1)])


_GROUP = re.compile(r"([\^_])\{([^{}]*)\}")
_SIMPLE = re.compile(r"^[A-Za-z0-9]+$")


def to_text(markup) -> str:
    """Terminal notation: 'δ^{2}_{1}' → 'δ^2_1'; groups that are not one word keep braces, 'a^{l−1}'."""
    return _GROUP.sub(
        lambda m: m.group(1) + (m.group(2) if _SIMPLE.match(m.group(2)) else "{" + m.group(2) + "}"), markup
    )


_STACK = re.compile(r"\^\{([^{}]*)\}_\{([^{}]*)\}")


def to_html(markup) -> str:
    """HTML: escaped, ^{…} and _{…} as <sup>/<sub>; a superscript with a subscript stacked."""
    text = html.escape(markup, quote=False).replace(GAP, " &emsp;")
    text = _STACK.sub(r'<span class="ss"><sup>\1</sup><sub>\2</sub></span>', text)
    text = re.sub(r"\^\{([^{}]*)\}", r"<sup>\1</sup>", text)
    return re.sub(r"_\{([^{}]*)\}", r"<sub>\1</sub>", text)


_LATEX = {
    "δ": r"\delta ",
    "σ": r"\sigma ",
    "η": r"\eta ",
    "∂": r"\partial ",
    "∇": r"\nabla ",
    "⊙": r"\odot ",
    "·": r"\cdot ",
    MINUS: "-",
    "←": r"\leftarrow ",
    "ᵀ": r"^{\top}",
    "Σ": r"\sum ",
    "½": r"\tfrac{1}{2}",
    "′": "'",
    "²": "^{2}",
    "×": r"\times ",
    "‖": r"\| ",
    "⟨": r"\langle ",
    "⟩": r"\rangle ",
    "…": r"\ldots ",
    "≤": r"\leq ",
    "≥": r"\geq ",
    "∞": r"\infty ",
}
_LATEX_WORDS = re.compile(r"\b(exp|ln|tanh|max)\b")
_LATEX_LABEL = re.compile(r"\b(BP[1-4])\b")


def to_latex(markup) -> str:
    """LaTeX math (without the $ delimiters)."""
    gap = "\x00"  # stands for GAP while symbols are replaced
    text = markup.replace(GAP, gap)
    text = _LATEX_LABEL.sub(lambda m: r"\text{" + m.group(1) + "}", text)
    text = _LATEX_WORDS.sub(lambda m: "\\" + m.group(1) + " ", text)
    text = "".join(_LATEX.get(c, c) for c in text)
    return re.sub(" +", " ", text).replace(gap, r"\quad ").strip()


# -- formulas that depend on the activation or the cost ---------------------------

SIGMA_DEFINITIONS = {
    "sigmoid": "σ(z) = 1 / (1 + exp(−z)),  σ′(z) = σ(z)(1 − σ(z)) = a(1 − a)",
    "tanh": "σ(z) = tanh z,  σ′(z) = 1 − tanh² z = 1 − a²",
    "relu": "σ(z) = max(0, z),  σ′(z) = [z > 0]",
    "leaky_relu": "σ(z) = z (z > 0), αz (z ≤ 0),  σ′(z) = 1 (z > 0), α (z ≤ 0)",
    "identity": "σ(z) = z,  σ′(z) = 1",
    "softmax": "a_{j} = exp(z_{j}) / Σ_{k} exp(z_{k})",
}

COST_DEFINITIONS = {
    "quadratic": "C = ½ Σ_{j} (y_{j} − a^{L}_{j})²,  ∇_{a} C = a^{L} − y",
    "cross_entropy": "C = −Σ_{j} [y_{j} ln a^{L}_{j} + (1 − y_{j}) ln(1 − a^{L}_{j})],  ∇_{a} C = (a^{L} − y) / (a^{L}(1 − a^{L}))",
    "log_likelihood": "C = −Σ_{j} y_{j} ln a^{L}_{j},  ∇_{a} C = −y / a^{L}",
}


def sigma_prime_line(name, layer, z, a, value, p) -> str:
    """σ′(z^{l}_{1}) written from what the activation's derivative uses, with numbers."""
    s, ap = f"σ′(z^{{{layer}}}_{{1}})", f"a^{{{layer}}}_{{1}}"
    if name == "sigmoid":
        return f"{s} = {ap}(1 − {ap}) = {operand(a, p)} · (1 − {operand(a, p)}) = {number(value, p)}"
    if name == "tanh":
        return f"{s} = 1 − ({ap})² = 1 − {operand(a, p)}² = {number(value, p)}"
    return f"{s} = σ′({number(z, p)}) = {number(value, p)}"


def grad_a_line(name, layer, a, y, value, p) -> str:
    """∂C/∂a^{L}_{1} from the cost's gradient formula, with numbers."""
    g, al, yl = f"∂C/∂a^{{{layer}}}_{{1}}", f"a^{{{layer}}}_{{1}}", "y_{1}"
    A, Y, v = operand(a, p), operand(y, p), number(value, p)
    if name == "quadratic":
        return f"{g} = {al} − {yl} = {A} − {Y} = {v}"
    if name == "cross_entropy":
        return f"{g} = ({al} − {yl}) / ({al}(1 − {al})) = ({A} − {Y}) / ({A} · (1 − {A})) = {v}"
    if name == "log_likelihood":
        return f"{g} = −{yl} / {al} = −{Y} / {A} = {v}"
    return f"{g} = {v}"


# -- the document -----------------------------------------------------------------


def build(trace, precision=4, costs=None) -> Document:
    """The sections of an explanation of ``trace``; ``costs`` adds the repeated-updates table."""
    p = precision
    full = max(trace.sizes) <= FULL_WIDTH

    def value(name, array, note=None, entry=None):
        return Value(name, np.asarray(array), full, p, note, entry)

    facts = [
        ("network", "-".join(map(str, trace.sizes))),
        ("hidden_sigma", trace.activation),
        ("output_sigma", trace.output),
        ("cost_function", trace.cost_name),
        ("learning_rate", plain(trace.lr)),
        ("dtype", trace.dtype),
    ]
    sections = [
        _notation(trace, full),
        _forward(trace, p, value),
        _cost(trace, p, value),
        _bp1(trace, p, value),
        _bp2(trace, p, value),
        _bp3(trace, p, value),
        _bp4(trace, p, value),
        _update(trace, p, value),
        _summary(),
    ]
    if costs is not None:
        sections.append(_steps(trace, costs, p))
    return Document(facts, sections, not full)


def _notation(trace, full):
    items = [Note("how_to_read")]
    if not full:
        items.append(Note("summary_mode", {"width": FULL_WIDTH}))
    items += [
        Definition("w^{l}_{jk}", "def.w"),
        Definition("b^{l}_{j}", "def.b"),
        Definition("z^{l}_{j} = Σ_{k} w^{l}_{jk} a^{l−1}_{k} + b^{l}_{j}", "def.z"),
        Definition("a^{l}_{j} = σ(z^{l}_{j})", "def.a"),
        Definition(SIGMA_DEFINITIONS.get(trace.activation, "σ"), "def.sigma", {"name": trace.activation}),
    ]
    if trace.output != trace.activation:
        items.append(Definition(SIGMA_DEFINITIONS.get(trace.output, "σ"), "def.sigma_output", {"name": trace.output}))
    items += [
        Definition("δ^{l}_{j} = ∂C/∂z^{l}_{j}", "def.delta"),
        Definition(COST_DEFINITIONS.get(trace.cost_name, "C"), "def.cost", {"name": trace.cost_name}),
        Definition(f"η = {plain(trace.lr)}", "def.eta"),
        Note("def.hadamard"),
        Note("def.nabla"),
    ]
    return Section("notation", items)


def _layer_heading(trace, layer):
    return Heading("layer_output" if layer == len(trace.sizes) else "layer", {"l": layer})


def _forward(trace, p, value):
    L = len(trace.sizes)
    items = [value("x = a^{1}", trace.activations[0], entry="a^{1}_{#}")]
    for layer in range(2, L + 1):
        i = layer - 2
        w, b, z, a = trace.weights_before[i], trace.biases_before[i], trace.zs[i], trace.activations[i + 1]
        prev = trace.activations[i]
        comma = max(w.shape) > 9
        wk = lambda k: element(f"w^{{{layer}}}", 1, k + 1, comma=comma)  # noqa: E731
        symbols = terms_of(w.shape[1], lambda k: f"{wk(k)} a^{{{layer - 1}}}_{{{k + 1}}}")
        numbers = terms_of(w.shape[1], lambda k: f"{operand(w[0, k], p)} · {operand(prev[k], p)}")
        items += [
            _layer_heading(trace, layer),
            Equation(f"z^{{{layer}}} = w^{{{layer}}} a^{{{layer - 1}}} + b^{{{layer}}}"),
            Substitution(
                f"z^{{{layer}}}_{{1}} = {symbols} + b^{{{layer}}}_{{1}} = {numbers} + {operand(b[0], p)}"
                f" = {number(z[0], p)}"
            ),
        ]
        sigma = trace.output if layer == L else trace.activation
        if sigma == "softmax":
            exps = terms_of(len(z), lambda k: f"exp({number(z[k], p)})")
            items += [
                Equation(f"a^{{{layer}}}_{{j}} = exp(z^{{{layer}}}_{{j}}) / Σ_{{k}} exp(z^{{{layer}}}_{{k}})"),
                Substitution(
                    f"a^{{{layer}}}_{{1}} = exp(z^{{{layer}}}_{{1}}) / Σ_{{k}} exp(z^{{{layer}}}_{{k}}) = "
                    f"exp({number(z[0], p)}) / ({exps}) = {number(a[0], p)}"
                ),
            ]
        else:
            items += [
                Equation(f"a^{{{layer}}} = σ(z^{{{layer}}})"),
                Substitution(
                    f"a^{{{layer}}}_{{1}} = σ(z^{{{layer}}}_{{1}}) = σ({number(z[0], p)}) = {number(a[0], p)}"
                ),
            ]
        items += [
            value(f"w^{{{layer}}}", w),
            value(f"b^{{{layer}}}", b),
            value(f"z^{{{layer}}}", z),
            value(f"a^{{{layer}}}", a),
        ]
    return Section("forward", items)


def _cost(trace, p, value):
    L = len(trace.sizes)
    a, y, name = trace.activations[-1], trace.y, trace.cost_name
    aj = lambda j: f"a^{{{L}}}_{{{j + 1}}}"  # noqa: E731
    C = number(trace.cost, p)
    if name == "quadratic":
        equation = f"C = ½ Σ_{{j}} (y_{{j}} − a^{{{L}}}_{{j}})²"
        numbers = f"½ ({terms_of(len(a), lambda j: f'({operand(y[j], p)} − {operand(a[j], p)})²')})"
        line = f"C = {numbers} = {C}"
    elif name == "cross_entropy":
        equation = f"C = −Σ_{{j}} [y_{{j}} ln a^{{{L}}}_{{j}} + (1 − y_{{j}}) ln(1 − a^{{{L}}}_{{j}})]"
        numbers = terms_of(
            len(a),
            lambda j: (
                f"[{operand(y[j], p)} · ln {operand(a[j], p)} + (1 − {operand(y[j], p)}) · ln(1 − {operand(a[j], p)})]"
            ),
        )
        line = f"C = −({numbers}) = {C}"
    elif name == "log_likelihood":
        equation = f"C = −Σ_{{j}} y_{{j}} ln a^{{{L}}}_{{j}}"
        one_hot = np.count_nonzero(y == 1) == 1 and np.count_nonzero(y) == 1
        if one_hot:
            c = int(np.argmax(y))
            line = f"C = −ln {aj(c)} = −ln {operand(a[c], p)} = {C}"
        else:
            line = f"C = −({terms_of(len(a), lambda j: f'{operand(y[j], p)} · ln {operand(a[j], p)}')}) = {C}"
    else:
        equation, line = "C = C(a^{L}, y)", f"C = {C}"
    items = [Equation(equation), Substitution(line), value("y", y), value(f"a^{{{L}}}", a)]
    return Section("cost", items)


def _bp1(trace, p, value):
    L = len(trace.sizes)
    a, y, z, delta, grad_a = trace.activations[-1], trace.y, trace.zs[-1], trace.deltas[-1], trace.grad_a
    items = [Equation("δ^{L} = ∇_{a} C ⊙ σ′(z^{L})"), _layer_heading(trace, L)]
    if trace.shortcut:
        key = f"note.shortcut.{trace.output}_{trace.cost_name}"
        items += [
            Note(key if key in TERMS else "note.shortcut.other"),
            Equation(f"δ^{{{L}}} = a^{{{L}}} − y"),
            Substitution(
                f"δ^{{{L}}}_{{1}} = a^{{{L}}}_{{1}} − y_{{1}} = {operand(a[0], p)} − {operand(y[0], p)}"
                f" = {number(delta[0], p)}"
            ),
            value("∇_{a} C", grad_a, entry=f"∂C/∂a^{{{L}}}_{{#}}"),
            value(f"δ^{{{L}}}", delta),
        ]
    elif trace.sigma_primes[-1] is not None:
        sp = trace.sigma_primes[-1]
        items += [
            Equation(f"δ^{{{L}}} = ∇_{{a}} C ⊙ σ′(z^{{{L}}})"),
            Substitution(grad_a_line(trace.cost_name, L, a[0], y[0], grad_a[0], p)),
            Substitution(sigma_prime_line(trace.output, L, z[0], a[0], sp[0], p)),
            Substitution(
                f"δ^{{{L}}}_{{1}} = ∂C/∂a^{{{L}}}_{{1}} · σ′(z^{{{L}}}_{{1}}) = "
                f"{operand(grad_a[0], p)} · {operand(sp[0], p)} = {number(delta[0], p)}"
            ),
            value("∇_{a} C", grad_a, entry=f"∂C/∂a^{{{L}}}_{{#}}"),
            value(f"σ′(z^{{{L}}})", sp, entry=f"σ′(z^{{{L}}}_{{#}})"),
            value(f"δ^{{{L}}}", delta),
        ]
    elif trace.output == "softmax":
        inner = float(np.dot(grad_a, a))
        gk = terms_of(len(a), lambda k: f"{operand(grad_a[k], p)} · {operand(a[k], p)}")
        items += [
            Note("note.jacobian"),
            Equation(
                f"δ^{{{L}}} = (∂a^{{{L}}}/∂z^{{{L}}})ᵀ ∇_{{a}} C = a^{{{L}}} ⊙ (∇_{{a}} C − ⟨∇_{{a}} C, a^{{{L}}}⟩)"
            ),
            Substitution(grad_a_line(trace.cost_name, L, a[0], y[0], grad_a[0], p)),
            Substitution(
                f"⟨∇_{{a}} C, a^{{{L}}}⟩ = Σ_{{k}} ∂C/∂a^{{{L}}}_{{k}} a^{{{L}}}_{{k}} = {gk} = {number(inner, p)}"
            ),
            Substitution(
                f"δ^{{{L}}}_{{1}} = a^{{{L}}}_{{1}} (∂C/∂a^{{{L}}}_{{1}} − ⟨∇_{{a}} C, a^{{{L}}}⟩) = "
                f"{operand(a[0], p)} · ({operand(grad_a[0], p)} − {operand(inner, p)}) = {number(delta[0], p)}"
            ),
            value("∇_{a} C", grad_a, entry=f"∂C/∂a^{{{L}}}_{{#}}"),
            value(f"δ^{{{L}}}", delta),
        ]
    else:
        items += [
            Note("note.jacobian_custom"),
            Equation(f"δ^{{{L}}} = (∂a^{{{L}}}/∂z^{{{L}}})ᵀ ∇_{{a}} C"),
            value("∇_{a} C", grad_a, entry=f"∂C/∂a^{{{L}}}_{{#}}"),
            value(f"δ^{{{L}}}", delta),
        ]
    return Section("bp1", items)


def _bp2(trace, p, value):
    L = len(trace.sizes)
    items = [
        Equation("δ^{l} = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^{l})"),
        Equation("δ^{l}_{j} = Σ_{k} w^{l+1}_{kj} δ^{l+1}_{k} · σ′(z^{l}_{j})"),
    ]
    if L == 2:
        return Section("bp2", items + [Note("note.no_hidden")])
    for layer in range(L - 1, 1, -1):
        i = layer - 2
        w_next, d_next = trace.weights_before[i + 1], trace.deltas[i + 1]
        sp, delta, z, a = trace.sigma_primes[i], trace.deltas[i], trace.zs[i], trace.activations[i + 1]
        comma = max(w_next.shape) > 9
        n = layer + 1
        symbols = terms_of(
            len(d_next), lambda k: f"{element(f'w^{{{n}}}', k + 1, 1, comma=comma)} δ^{{{n}}}_{{{k + 1}}}"
        )
        numbers = terms_of(len(d_next), lambda k: f"{operand(w_next[k, 0], p)} · {operand(d_next[k], p)}")
        items += [
            _layer_heading(trace, layer),
            Equation(f"δ^{{{layer}}} = ((w^{{{n}}})ᵀ δ^{{{n}}}) ⊙ σ′(z^{{{layer}}})"),
            Substitution(sigma_prime_line(trace.activation, layer, z[0], a[0], sp[0], p)),
            Substitution(
                f"δ^{{{layer}}}_{{1}} = ({symbols}) · σ′(z^{{{layer}}}_{{1}}) = ({numbers}) · "
                f"{operand(sp[0], p)} = {number(delta[0], p)}"
            ),
            value(f"σ′(z^{{{layer}}})", sp, entry=f"σ′(z^{{{layer}}}_{{#}})"),
            value(f"δ^{{{layer}}}", delta),
        ]
    return Section("bp2", items)


def _bp3(trace, p, value):
    L = len(trace.sizes)
    items = [Equation("∂C/∂w^{l}_{jk} = a^{l−1}_{k} δ^{l}_{j}"), Note("note.matrix_bp3")]
    for layer in range(L, 1, -1):
        i = layer - 2
        gw, prev, delta = trace.grad_w[i], trace.activations[i], trace.deltas[i]
        wname = element(f"∂C/∂w^{{{layer}}}", 1, 1, comma=max(gw.shape) > 9)
        items += [
            _layer_heading(trace, layer),
            Substitution(
                f"{wname} = a^{{{layer - 1}}}_{{1}} δ^{{{layer}}}_{{1}} = {operand(prev[0], p)} · "
                f"{operand(delta[0], p)} = {number(gw[0, 0], p)}"
            ),
            value(f"∂C/∂w^{{{layer}}}", gw),
        ]
    return Section("bp3", items)


def _bp4(trace, p, value):
    L = len(trace.sizes)
    items = [Equation("∂C/∂b^{l}_{j} = δ^{l}_{j}")]
    for layer in range(L, 1, -1):
        i = layer - 2
        items += [
            _layer_heading(trace, layer),
            Substitution(f"∂C/∂b^{{{layer}}}_{{1}} = δ^{{{layer}}}_{{1}} = {number(trace.grad_b[i][0], p)}"),
            value(f"∂C/∂b^{{{layer}}}", trace.grad_b[i]),
        ]
    return Section("bp4", items)


def _update(trace, p, value):
    L = len(trace.sizes)
    eta = plain(trace.lr)
    items = [
        Equation("w^{l}_{jk} ← w^{l}_{jk} − η ∂C/∂w^{l}_{jk}"),
        Equation("b^{l}_{j} ← b^{l}_{j} − η ∂C/∂b^{l}_{j}"),
        Note("note.update", {"lr": eta}),
    ]
    for layer in range(L, 1, -1):
        i = layer - 2
        w, gw, w_new = trace.weights_before[i], trace.grad_w[i], trace.weights_after[i]
        b, gb, b_new = trace.biases_before[i], trace.grad_b[i], trace.biases_after[i]
        wname = element(f"w^{{{layer}}}", 1, 1, comma=max(w.shape) > 9)
        items += [
            _layer_heading(trace, layer),
            Substitution(
                f"{wname} ← {operand(w[0, 0], p)} − {eta} · {operand(gw[0, 0], p)} = {number(w_new[0, 0], p)}"
            ),
            Substitution(
                f"b^{{{layer}}}_{{1}} ← {operand(b[0], p)} − {eta} · {operand(gb[0], p)} = {number(b_new[0], p)}"
            ),
            value(f"w^{{{layer}}}", w_new, "after_update"),
            value(f"b^{{{layer}}}", b_new, "after_update"),
        ]
    return Section("update", items)


def _summary():
    return Section(
        "summary",
        [
            Equation("BP1  δ^{L} = ∇_{a} C ⊙ σ′(z^{L})"),
            Equation("BP2  δ^{l} = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^{l})"),
            Equation("BP3  ∂C/∂w^{l}_{jk} = a^{l−1}_{k} δ^{l}_{j}"),
            Equation("BP4  ∂C/∂b^{l}_{j} = δ^{l}_{j}"),
            Equation("w^{l}_{jk} ← w^{l}_{jk} − η a^{l−1}_{k} δ^{l}_{j},  b^{l}_{j} ← b^{l}_{j} − η δ^{l}_{j}"),
        ],
    )


def cost_rows(costs, max_rows=12):
    """(t, index into costs) for a table of at most ``max_rows`` rows, always the first and the last."""
    n = len(costs)
    if n <= max_rows:
        return list(range(n))
    return sorted(set(np.linspace(0, n - 1, max_rows).round().astype(int).tolist()))


def _steps(trace, costs, p):
    rows = [(t, number(costs[t], p)) for t in cost_rows(costs)]
    n = len(costs) - 1
    key = "steps.fell" if costs[-1] <= costs[0] else "steps.rose"
    note = Note(key, {"n": n, "lr": plain(trace.lr), "first": number(costs[0], p), "last": number(costs[-1], p)})
    return Section("steps", [CostTable(rows, note)])
