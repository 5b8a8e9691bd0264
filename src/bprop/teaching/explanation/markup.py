"""Numbers and equations as text, written once in a small markup.

Equations are Unicode math with ``^{…}`` and ``_{…}`` groups, e.g.
``δ^{2}_{1} = (w^{3}_{11} δ^{3}_{1} + …) · σ′(z^{2}_{1})``; ``to_text``,
``to_html`` and ``to_latex`` turn one markup string into each notation.

Numbers are formatted by ``number`` (fixed decimals, small ones keep
significant digits, U+2212 for minus) and ``operand`` (the same, negatives in
parentheses inside an expression: ``0.5000 · (−0.0381)``).
"""

from __future__ import annotations

import html
import re

import numpy as np

MAX_TERMS = 4  # a sum with more terms is written t₁ + t₂ + … + t_n
MINUS = "−"  # U+2212, the minus sign of printed mathematics
GAP = "  "  # two spaces in markup: a wide gap between two formulas on one line


def number(x, precision) -> str:
    """``x`` with ``precision`` decimals; small numbers keep ``precision`` significant digits.

    0.0087713 → '0.008771' (not '0.0088') at precision 4; negatives get U+2212.
    """
    x = float(x)
    if not np.isfinite(x) or x == 0:
        return _special(x, zero=f"{0.0:.{precision}f}")
    if abs(x) < 10.0 ** (2 - precision):  # fixed point would keep fewer than 3 significant digits
        text = f"{x:#.{precision}g}"
    else:
        text = f"{x:.{precision}f}"
    return text.replace("-", MINUS)


def significant(x, digits=5) -> str:
    """``x`` with ``digits`` significant digits, trailing zeros kept so columns line up.

    0.138499 → '0.13850', 0.00043857 → '0.00043857', 4.2e−7 → '4.2000e−7',
    123456.7 → '1.2346e5'; 0 → '0'; negatives get U+2212.
    """
    x = float(x)
    if not np.isfinite(x) or x == 0:
        return _special(x, zero="0")
    return _short_exponent(f"{x:#.{digits}g}")


def _special(x, zero) -> str:
    """NaN, ±∞ (U+2212 for minus) or ``zero`` as written by the caller."""
    if np.isnan(x):
        return "NaN"
    if np.isinf(x):
        return "∞" if x > 0 else MINUS + "∞"
    return zero


def scientific(x, digits=2) -> str:
    """A small figure such as a relative error, in ``digits`` significant digits: 3.1e−11 (0 → '0')."""
    x = float(x)
    if x == 0:
        return "0"
    return _short_exponent(f"{x:.{digits - 1}e}")


def _short_exponent(text) -> str:
    """'4.2000e-07' → '4.2000e−7', '1.2e+05' → '1.2e5', '1.0e+00' → '1.0', '12346.' → '12346'."""
    mantissa, _, exponent = text.partition("e")
    mantissa = mantissa.rstrip(".")
    if exponent and int(exponent):
        mantissa += "e" + str(int(exponent))
    return mantissa.replace("-", MINUS)


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
    "ã": r"\tilde{a}",
    "λ": r"\lambda ",
    "~": r"\sim ",
}
_LATEX_WORDS = re.compile(r"\b(exp|ln|tanh|max)\b")
_LATEX_OPERATORS = re.compile(r"\b(sgn|Bernoulli)\b")
_LATEX_LABEL = re.compile(r"\b(BP[1-4])\b")


def to_latex(markup) -> str:
    """LaTeX math (without the $ delimiters)."""
    gap = "\x00"  # stands for GAP while symbols are replaced
    text = markup.replace(GAP, gap)
    text = _LATEX_LABEL.sub(lambda m: r"\text{" + m.group(1) + "}", text)
    text = _LATEX_WORDS.sub(lambda m: "\\" + m.group(1) + " ", text)
    text = _LATEX_OPERATORS.sub(lambda m: r"\operatorname{" + m.group(1) + "}", text)
    text = "".join(_LATEX.get(c, c) for c in text)
    return re.sub(" +", " ", text).replace(gap, r"\quad ").strip()
