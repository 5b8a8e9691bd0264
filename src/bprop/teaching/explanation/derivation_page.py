"""The derivation (推导过程) of BP1–BP4 as a page: text, Markdown or HTML, English or 中文.

What is said is built once, by ``blocks``, as a list of (kind, content)
pairs in the markup of ``markup`` (``a^{3}_{1}``); ``render_text``,
``render_markdown`` and ``render_html`` only lay them out. The numbers come
from ``derivation.derive`` and are shown with ``digits`` significant digits
(relative errors with two); the words are in ``derivation_words``, the
Chinese ones the notes' own (推导过程, 误差, 权重, 偏置, 公式1 … 公式4). The
lines of each derivation follow the notes, in their order.
"""

from __future__ import annotations

from ...errors import InvalidArgument
from .derivation import SCALE_FLOOR, Derivation, Equation
from .derivation_layout import html_page, layout_html, layout_markdown, layout_text
from .derivation_lines import chain_lines, cost_formula, numbers_line, operand, symbol, value
from .derivation_words import word
from .markup import plain, scientific
from .terms import check_lang, heading

MAX_DELTA_ROWS = 8
"""A layer with more neurons shows its first entries, then one row with the largest error of the rest."""

MAX_TERM_ROWS = 4
"""A sum over k with more terms (BP2 of a wide layer, a wide softmax's BP1) shows the factors of its
first terms, then one row with the largest relative error of the rest."""

TOLERANCE = 1e-6
"""A factor whose relative error is above this is marked as disagreeing."""

DIGITS = 5
"""Significant digits of the values shown (analytic and measured agree to ~1e−10: the columns match)."""


def _short(x) -> str:
    """A setting such as ε or the tolerance: 1e-06 → '1e−6'."""
    return scientific(x, 1)


# -- what is said ---------------------------------------------------------------


def blocks(d: Derivation, lang="en", digits=DIGITS) -> list:
    """The page as (kind, content): 'title', 'heading', 'subheading', 'para', 'eq', 'eq_more' (markup), 'table' (rows)."""
    check_lang(lang)
    out = [("title", word("title", lang))]
    out += _setting_blocks(d, lang, digits)
    out += [
        ("para", word("intro", lang, eps=_short(d.epsilon))),
        ("para", word("error_rule", lang, floor=_short(SCALE_FLOOR), tol=_short(TOLERANCE))),
        ("para", word("left_note", lang)),
    ]
    for equation in d.equations:
        out += equation_blocks(equation, d, lang, digits)
        if equation.name == "BP3" and d.weight_row:
            out += _row_blocks(d, equation, lang, digits)
    out.append(("heading", word("deltas_title", lang)))
    out.append(("para", word("deltas_intro", lang)))
    out.append(("table", _delta_rows(d, lang, digits)))
    if d.update is not None:
        out += update_blocks(d, lang, digits)
    verdict = "verdict_ok" if d.max_error <= TOLERANCE else "verdict_bad"
    out.append(("para", word(verdict, lang, value=scientific(d.max_error), tol=_short(TOLERANCE))))
    return out


def _setting_blocks(d, lang, digits) -> list:
    """The network, the cost's formula with this sample's C, x and y; dropout and L2/L1 when present."""
    out = [
        (
            "para",
            word(
                "network",
                lang,
                sizes="-".join(map(str, d.sizes)),
                sigma=d.activation,
                output=d.output,
                cost=d.cost_name,
            ),
        ),
        (
            "eq",
            f"x = ({', '.join(value(v, digits) for v in d.x)}),  y = ({', '.join(value(v, digits) for v in d.y)})",
        ),
    ]
    formula = cost_formula(d)
    if not (d.l2 or d.l1):
        out.append(("eq", f"{formula} = {value(d.cost, digits)}"))
    else:
        out += _penalty_blocks(d, formula, lang, digits)
    if d.dropout is not None:
        rates = ", ".join(plain(p) for p in sorted(set(d.dropout)))
        out.append(("para", word("dropout", lang, p=rates)))
        for layer, mask in enumerate(d.masks or [], start=2):
            if mask is not None:
                out.append(("eq", f"m^{{{layer}}}/(1 − p) = ({', '.join(value(v, digits) for v in mask)})"))
    return out


def _penalty_blocks(d, formula, lang, digits) -> list:
    """C₀ by the cost's formula, then C = C₀ + the L2/L1 terms with their numbers."""
    terms = (["(λ/2n) Σ w²"] if d.l2 else []) + (["(λ_{1}/n) Σ |w|"] if d.l1 else [])
    settings = ([f"λ = {plain(d.l2)}"] if d.l2 else []) + ([f"λ_{{1}} = {plain(d.l1)}"] if d.l1 else [])
    return [
        ("eq", f"C_{{0}}{formula[1:]} = {value(d.cost0, digits)}"),
        (
            "eq",
            f"C = C_{{0}} + {' + '.join(terms)} = {value(d.cost0, digits)} + {value(d.penalty, digits)}"
            f" = {value(d.cost, digits)}  ({', '.join(settings)}, n = {d.n})",
        ),
        ("para", word("penalty", lang)),
    ]


def _relative(a, n) -> float:
    return abs(a - n) / max(abs(a), abs(n), SCALE_FLOOR)


def _mark(error) -> str:
    return scientific(error) + ("" if error <= TOLERANCE else "  ✗")


def _header(lang, first, second) -> list:
    return [first, second, word("analytic", lang), word("numeric", lang), word("error", lang)]


def equation_blocks(e: Equation, d: Derivation, lang, digits) -> list:
    l, j, k = e.layer, e.j, e.k
    L = len(d.sizes)
    where = word("where_k", lang, l=l, j=j, k=k) if k is not None else word("where", lang, l=l, j=j)
    gap = "  " if lang == "en" else ""  # the Chinese words bring their own （…）
    out = [("heading", f"{heading(e.name.lower(), lang)}{gap}{where}"), ("para", word("chain", lang))]
    first, *rest = chain_lines(e, d)
    out += [("eq", first)] + [("eq_more", line) for line in rest]
    if e.name == "BP1" and len(e.terms) > 1:
        out.append(("para", word("softmax_note", lang)))
    out.append(("para", word("with_numbers", lang)))
    out.append(("eq", numbers_line(e, digits)))
    if e.name == "BP1" and d.shortcut:
        left = e.left.formula
        a, y = float(d.output_activation[j - 1]), float(d.y[j - 1])
        out.append(("para", word("shortcut", lang)))
        out.append(
            (
                "eq",
                f"{left} = a^{{{L}}}_{{{j}}} − y_{{{j}}} = {value(a, digits)} − {operand(y, digits)}"
                f" = {value(a - y, digits)}",
            )
        )
    rows = [_header(lang, word("factor", lang), word("formula", lang))]
    shown = e.terms if len(e.terms) <= MAX_TERM_ROWS else e.terms[: MAX_TERM_ROWS - 1]
    for f in [e.left] + [f for term in shown for f in term]:
        rows.append([f.symbol, f.formula, value(f.analytic, digits), value(f.numeric, digits), _mark(f.relative_error)])
    if len(shown) < len(e.terms):
        rest = [f for term in e.terms[len(shown) :] for f in term]
        worst = max(f.relative_error for f in rest)
        span = f"{rest[0].symbol} … {e.terms[-1][0].symbol}"
        rows.append([span, "", "…", "…", word("more", lang) + " " + _mark(worst)])
    rows.append(
        [
            word("chain_row", lang),
            "",
            value(e.chain_value, digits),
            value(e.left.numeric, digits),
            _mark(e.chain_error),
        ]
    )
    out.append(("table", rows))
    return out


def _row_blocks(d, bp3, lang, digits) -> list:
    """BP3 for the chosen neuron j and every input k, analytic against measured."""
    l, j = bp3.layer, bp3.j
    n = d.sizes[l - 2]
    example = f"{l},{j},{min(n, 2)}"
    rows = [_header(lang, word("factor", lang), word("formula", lang))]
    for f in d.weight_row:
        rows.append([f.symbol, f.formula, value(f.analytic, digits), value(f.numeric, digits), _mark(f.relative_error)])
    shown = len(d.weight_row)
    note = (
        word("row_more", lang, l1=l - 1, n=n, shown=shown, example=example)
        if shown < n
        else word("row_pick", lang, example=example)
    )
    return [("subheading", word("row_title", lang, l=l, j=j)), ("table", rows), ("para", note)]


def _delta_rows(d, lang, digits) -> list:
    rows = [_header(lang, word("layer_row", lang, l="l"), "δ^{l}_{j}")]
    for i, (analytic, numeric) in enumerate(d.deltas):
        shown = len(analytic) if len(analytic) <= MAX_DELTA_ROWS else MAX_DELTA_ROWS - 1
        for j, (a, n) in enumerate(zip(analytic[:shown], numeric[:shown])):
            rows.append(
                [str(i + 2), f"δ^{{{i + 2}}}_{{{j + 1}}}", value(a, digits), value(n, digits), _mark(_relative(a, n))]
            )
        if shown < len(analytic):
            worst = max(_relative(a, n) for a, n in zip(analytic, numeric))
            rest = f"δ^{{{i + 2}}}_{{{shown + 1}}} … δ^{{{i + 2}}}_{{{len(analytic)}}}"
            rows.append([str(i + 2), rest, "…", "…", word("more", lang) + " " + _mark(worst)])
    return rows


def update_blocks(d, lang, digits) -> list:
    """The notes' update lines, w ← w − η · ∂C/∂w = w − η · a^{l−1}_k δ^l_j, with this sample's numbers."""
    u = d.update
    w, b = symbol("w", u.layer, u.j, u.k), symbol("b", u.layer, u.j)
    bp3 = next(e for e in d.equations if e.name == "BP3")
    delta, a_in = bp3.terms[0]
    eta = plain(u.lr)
    regularized = len(bp3.terms) > 1
    if regularized:  # the gradient holds the L2/L1 terms too: η times the whole of it
        grad = f"({bp3.left.formula})"
        numbers = operand(u.grad_w, digits)
    else:
        grad = bp3.left.formula
        numbers = f"{operand(a_in.analytic, digits)} · {operand(delta.analytic, digits)}"
    check = word(
        "update_check",
        lang,
        actual=scientific(u.cost_after_w - u.cost),
        predicted=scientific(u.predicted_w),
        actual_b=scientific(u.cost_after_b - u.cost),
        predicted_b=scientific(u.predicted_b),
    )
    check = check.replace("w^{l}_{jk}", w).replace("b^{l}_{j}", b)
    delta_symbol = symbol("δ", u.layer, u.j)
    return [
        ("heading", word("update_title", lang)),
        ("para", word("update_intro", lang, lr=eta)),
        (
            "eq",
            f"{w} ← {w} − η · ∂C/∂{w} = {w} − η · {grad} = {value(u.weight, digits)} − {eta} · {numbers}"
            f" = {value(u.new_weight, digits)}",
        ),
        (
            "eq",
            f"{b} ← {b} − η · ∂C/∂{b} = {b} − η · {delta_symbol} = {value(u.bias, digits)} − {eta} · "
            f"{operand(u.grad_b, digits)} = {value(u.new_bias, digits)}",
        ),
        ("para", check),
    ]


# -- layouts (derivation_layout lays the blocks out) --------------------------------


def render_text(d: Derivation, lang="en", digits=DIGITS) -> str:
    """The page for a terminal: Unicode math, tables in aligned columns."""
    return layout_text(blocks(d, lang, digits))


def render_markdown(d: Derivation, lang="en", digits=DIGITS, level=1) -> str:
    """The page as Markdown with LaTeX math ($…$); ``level`` is the title's heading level."""
    return layout_markdown(blocks(d, lang, digits), level)


def render_html(d: Derivation, lang="en", digits=DIGITS, level=1) -> str:
    """The page as an HTML fragment (<section id="derivation">), alone or at the end of the explain page.

    level : the title's heading level (<h1> alone, <h2> inside the explain page).
    """
    return layout_html(blocks(d, lang, digits), lang, level)


def render_html_page(d: Derivation, lang="en", digits=DIGITS) -> str:
    """A standalone offline page (the style of ``bprop explain --format html``) holding the derivation."""
    return html_page(word("title", lang), render_html(d, lang, digits), lang)


def render(d: Derivation, format="text", *, lang="en", digits=DIGITS) -> str:
    """The page in a format of ``bprop explain --format``: 'text', 'markdown' (or 'md') or 'html'.

    digits : significant digits of the values (relative errors always show two).
    """
    from .document import FORMATS

    kind = FORMATS.get(format)
    if kind == "text":
        return render_text(d, lang, digits)
    if kind == "markdown":
        return render_markdown(d, lang, digits)
    if kind == "html":
        return render_html_page(d, lang, digits)
    raise InvalidArgument(f"format={format!r} is not known; use 'text', 'markdown' (or 'md') or 'html'.")
