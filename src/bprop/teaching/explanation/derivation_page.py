"""The derivation (推导过程) of BP1–BP4 as a page: text, Markdown or HTML, English or 中文.

What is said is built once, by ``blocks``, as a list of (kind, content)
pairs in the markup of ``markup`` (``a^{3}_{1}``); ``render_text``,
``render_markdown`` and ``render_html`` only lay them out. The numbers come
from ``derivation.derive``; the Chinese words are the notes' own (推导过程,
误差, 权重, 偏置, 公式1 … 公式4).
"""

from __future__ import annotations

import html

from ...errors import InvalidArgument
from .derivation import SCALE_FLOOR, Derivation, Equation
from .markup import MINUS, number, operand, to_html, to_latex, to_text
from .terms import check_lang, heading

MAX_DELTA_ROWS = 8
"""A layer with more neurons shows its first entries, then one row with the largest error of the rest."""

TOLERANCE = 1e-6
"""A factor whose relative error is above this is marked as disagreeing."""

WORDS = {
    "title": (
        "The derivation of BP1–BP4 by the chain rule, every factor measured",
        "推导过程：用链式法则推导反向传播的 4 个公式，并逐个测量每个因子",
    ),
    "intro": (
        "Each equation is a chain-rule line, a product of partial derivatives. Every factor is worked out "
        "twice: by the formula the derivation arrives at (analytic), and measured inside this network "
        "(numeric): one quantity, z^{l}_{j}, a^{l}_{j}, w^{l}_{jk} or b^{l}_{j}, is nudged by ±ε, the rest "
        "of the forward pass is run again from that point, and the quantity differentiated (C, a or z) "
        "is read off: (f(+ε) − f(−ε)) / 2ε, with ε = {eps}, in float64.",
        "每个公式都是一行链式法则：若干偏导数的乘积。每个因子都算两遍：一遍按推导得到的公式计算（解析值），"
        "一遍在这个神经网络里实际测量（数值）：把 z^{l}_{j}、a^{l}_{j}、w^{l}_{jk} 或 b^{l}_{j} 中的一个"
        "加上 ±ε，从那一点起重新做一遍前向传播，读出被求导的量（C、a 或 z）："
        "(f(+ε) − f(−ε)) / 2ε，其中 ε = {eps}，使用 float64。",
    ),
    "error_rule": (
        "Relative error = |analytic − numeric| / max(|analytic|, |numeric|, {floor}); "
        "a factor agrees when its relative error is below {tol}.",
        "相对误差 = |解析值 − 数值| / max(|解析值|, |数值|, {floor})；小于 {tol} 即为一致。",
    ),
    "network": (
        "network {sizes}, σ = {sigma} (output: {output}), C = {cost}, C of this sample = {value}",
        "神经网络 {sizes}，σ = {sigma}（输出层：{output}），代价函数 C = {cost}，这个样本的 C = {value}",
    ),
    "where": ("layer l = {l}, neuron j = {j}", "第 l = {l} 层，第 j = {j} 个神经元"),
    "where_k": (
        "layer l = {l}, neuron j = {j}, input k = {k}",
        "第 l = {l} 层，第 j = {j} 个神经元，第 k = {k} 个输入",
    ),
    "chain": ("By the chain rule:", "推导过程："),
    "with_numbers": ("With the numbers of this sample:", "代入这个样本的数值："),
    "factor": ("factor", "因子"),
    "formula": ("equals", "公式"),
    "analytic": ("analytic", "解析值"),
    "numeric": ("numeric", "数值"),
    "error": ("rel. error", "相对误差"),
    "left_note": (
        "In each table the first row is the left side: its analytic value is backpropagation's, its numeric "
        "value is measured from its definition (nudge z^{l}_{j}, w^{l}_{jk} or b^{l}_{j} and recompute C). "
        "The last row, Σ Π, adds up the products of the analytic factors and compares the sum with that "
        "measurement: it checks the chain rule itself.",
        "每个表的第一行是等式左边：解析值是反向传播算出的，数值按定义测得（改变 z^{l}_{j}、w^{l}_{jk} 或 "
        "b^{l}_{j}，重新计算 C）。最后一行 Σ Π 把各因子解析值的乘积相加，再与这个测量值比较：检验的是链式法则本身。",
    ),
    "chain_row": ("chain rule Σ Π", "链式法则 Σ Π"),
    "softmax_note": (
        "The softmax output a^{L}_{k} depends on every z^{L}_{j}: BP1 keeps the whole sum over k, "
        "∂a^{L}_{k}/∂z^{L}_{j} = a^{L}_{k}(1[k = j] − a^{L}_{j}).",
        "softmax 的输出 a^{L}_{k} 与每个 z^{L}_{j} 都有关：公式1 保留对 k 的整个求和，"
        "∂a^{L}_{k}/∂z^{L}_{j} = a^{L}_{k}(1[k = j] − a^{L}_{j})。",
    ),
    "shortcut": (
        "For this σ and C the right side simplifies, and the network computes BP1 in this form:",
        "对于这一对激活函数和代价函数，右边可以化简，网络就是这样计算公式1的：",
    ),
    "deltas_title": ("δ^{l} = ∂C/∂z^{l}, checked against its definition", "误差 δ^{l} = ∂C/∂z^{l}：按定义检验"),
    "deltas_intro": (
        "δ^{l}_{j} is defined as ∂C/∂z^{l}_{j}. Backpropagation computes it by BP1 and BP2; here every "
        "entry is also measured by nudging z^{l}_{j} itself.",
        "第 l 层第 j 个神经元产生的误差定义为 δ^{l}_{j} = ∂C/∂z^{l}_{j}。反向传播用公式1和公式2计算它；"
        "这里每个元素还通过直接改变 z^{l}_{j} 来测量。",
    ),
    "update_title": ("The update: one step of gradient descent", "更新：梯度下降的一步"),
    "update_intro": (
        "With the gradient known, gradient descent moves each weight and bias against it, by η = {lr}:",
        "求出梯度之后，梯度下降让每个权重和偏置沿梯度的反方向移动，学习率 η = {lr}：",
    ),
    "update_check": (
        "Moving only w^{l}_{jk} changes C of this sample by ΔC = {actual}; the chain rule's first-order "
        "estimate is ∂C/∂w · Δw = −η (∂C/∂w)² = {predicted}. Moving only b^{l}_{j}: ΔC = {actual_b}, "
        "estimate {predicted_b}. The two agree better as η shrinks: the gradient is the slope of C at "
        "the current weights.",
        "只移动 w^{l}_{jk}，这个样本的 C 变化 ΔC = {actual}；链式法则给出的一阶估计是 "
        "∂C/∂w · Δw = −η (∂C/∂w)² = {predicted}。只移动 b^{l}_{j}：ΔC = {actual_b}，估计 {predicted_b}。"
        "η 越小两者越接近：梯度就是 C 在当前权重处的斜率。",
    ),
    "more": ("max", "最大"),
    "layer_row": ("layer {l}", "第 {l} 层"),
    "max_delta_error": ("largest relative error {value}", "最大相对误差 {value}"),
    "verdict_ok": (
        "Every factor agrees: the largest relative error is {value} (< {tol}).",
        "每个因子都一致：最大相对误差为 {value}（< {tol}）。",
    ),
    "verdict_bad": (
        "DISAGREEMENT: the largest relative error is {value} (> {tol}); the rows marked ✗ do not match.",
        "不一致：最大相对误差为 {value}（> {tol}）；标 ✗ 的行不相符。",
    ),
}


def word(key, lang, **names) -> str:
    text = WORDS[key][0 if lang == "en" else 1]
    for name, value in names.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def _sci(x) -> str:
    return "0" if x == 0 else f"{x:.1e}".replace("-", MINUS)


def _short(x) -> str:
    """A setting such as ε or the tolerance: 1e-06 → '1e−06'."""
    return f"{x:g}".replace("-", MINUS)


# -- what is said ---------------------------------------------------------------


def blocks(d: Derivation, lang="en", precision=6) -> list:
    """The page as (kind, content): 'title', 'para', 'heading', 'eq' (markup) and 'table' (rows)."""
    check_lang(lang)
    out = [
        ("title", word("title", lang)),
        (
            "para",
            word(
                "network",
                lang,
                sizes="-".join(map(str, d.sizes)),
                sigma=d.activation,
                output=d.output,
                cost=d.cost_name,
                value=number(d.cost, precision),
            ),
        ),
        (
            "eq",
            f"x = ({', '.join(number(v, precision) for v in d.x)}),  y = ({', '.join(number(v, precision) for v in d.y)})",
        ),
        ("para", word("intro", lang, eps=_short(d.epsilon))),
        ("para", word("error_rule", lang, floor=_short(SCALE_FLOOR), tol=_short(TOLERANCE))),
        ("para", word("left_note", lang)),
    ]
    for equation in d.equations:
        out += equation_blocks(equation, d, lang, precision)
    out.append(("heading", word("deltas_title", lang)))
    out.append(("para", word("deltas_intro", lang)))
    rows = [
        [
            word("layer_row", lang, l="l"),
            "δ^{l}_{j}",
            word("analytic", lang),
            word("numeric", lang),
            word("error", lang),
        ]
    ]
    for i, (analytic, numeric) in enumerate(d.deltas):
        shown = len(analytic) if len(analytic) <= MAX_DELTA_ROWS else MAX_DELTA_ROWS - 1
        for j, (a, n) in enumerate(zip(analytic[:shown], numeric[:shown])):
            rows.append(
                [
                    str(i + 2),
                    f"δ^{{{i + 2}}}_{{{j + 1}}}",
                    number(a, precision),
                    number(n, precision),
                    _mark(_relative(a, n)),
                ]
            )
        if shown < len(analytic):
            worst = max(_relative(a, n) for a, n in zip(analytic, numeric))
            rest = f"δ^{{{i + 2}}}_{{{shown + 1}}} … δ^{{{i + 2}}}_{{{len(analytic)}}}"
            rows.append([str(i + 2), rest, "…", "…", word("more", lang) + " " + _mark(worst)])
    out.append(("table", rows))
    if d.update is not None:
        out += update_blocks(d.update, lang, precision)
    verdict = "verdict_ok" if d.max_error <= TOLERANCE else "verdict_bad"
    out.append(("para", word(verdict, lang, value=_sci(d.max_error), tol=_short(TOLERANCE))))
    return out


def _relative(a, n) -> float:
    return abs(a - n) / max(abs(a), abs(n), SCALE_FLOOR)


def _mark(error) -> str:
    return _sci(error) + ("" if error <= TOLERANCE else "  ✗")


def equation_blocks(e: Equation, d: Derivation, lang, precision) -> list:
    """One equation's heading, chain-rule lines, the line with this sample's numbers and its factor table."""
    l, j, k = e.layer, e.j, e.k
    L = len(d.sizes)
    where = word("where_k", lang, l=l, j=j, k=k) if k is not None else word("where", lang, l=l, j=j)
    out = [("heading", f"{heading(e.name.lower(), lang)}  ({where})"), ("para", word("chain", lang))]
    first, *rest = _chain_lines(e, L)
    out += [("eq", first)] + [("eq_more", line) for line in rest]
    if e.name == "BP1" and len(e.terms) > 1:
        out.append(("para", word("softmax_note", lang)))
    out.append(("para", word("with_numbers", lang)))
    products = [" · ".join(operand(f.analytic, precision) for f in term) for term in e.terms]
    joined = " + ".join(products) if len(products) <= 4 else " + ".join(products[:2] + ["…", products[-1]])
    left = e.left.formula if e.name in ("BP1", "BP2") else e.left.symbol
    out.append(("eq", f"{left} = {joined} = {number(e.chain_value, precision)}"))
    if e.name == "BP1" and d.shortcut:
        a, y = float(d.output_activation[j - 1]), float(d.y[j - 1])
        out.append(("para", word("shortcut", lang)))
        out.append(
            (
                "eq",
                f"{left} = a^{{{L}}}_{{{j}}} − y_{{{j}}} = {number(a, precision)} − {operand(y, precision)}"
                f" = {number(a - y, precision)}",
            )
        )
    rows = [
        [
            word("factor", lang),
            word("formula", lang),
            word("analytic", lang),
            word("numeric", lang),
            word("error", lang),
        ]
    ]
    for f in e.factors:
        rows.append(
            [f.symbol, f.formula, number(f.analytic, precision), number(f.numeric, precision), _mark(f.relative_error)]
        )
    rows.append(
        [
            word("chain_row", lang),
            "",
            number(e.chain_value, precision),
            number(e.left.numeric, precision),
            _mark(e.chain_error),
        ]
    )
    out.append(("table", rows))
    return out


def update_blocks(u, lang, precision) -> list:
    """w ← w − η ∂C/∂w and b ← b − η ∂C/∂b with this sample's numbers, and ΔC against its estimate."""
    w, b = _symbol("w", u.layer, u.j, u.k), _symbol("b", u.layer, u.j)
    eta = number(u.lr, precision)

    def step(symbol, value, grad, new):
        return (
            f"{symbol} ← {symbol} − η ∂C/∂{symbol} = {number(value, precision)} − {eta} · "
            f"{operand(grad, precision)} = {number(new, precision)}"
        )

    check = word(
        "update_check",
        lang,
        actual=_sci(u.cost_after_w - u.cost),
        predicted=_sci(u.predicted_w),
        actual_b=_sci(u.cost_after_b - u.cost),
        predicted_b=_sci(u.predicted_b),
    )
    check = check.replace("w^{l}_{jk}", w).replace("b^{l}_{j}", b)
    return [
        ("heading", word("update_title", lang)),
        ("para", word("update_intro", lang, lr=eta)),
        ("eq", step(w, u.weight, u.grad_w, u.new_weight)),
        ("eq", step(b, u.bias, u.grad_b, u.new_bias)),
        ("para", check),
    ]


def _symbol(name, layer, *indices) -> str:
    """'w', 3, 'k', 1 → 'w^{3}_{k1}' (indices joined by commas once one has two digits)."""
    texts = [str(i) for i in indices]
    return f"{name}^{{{layer}}}_{{{(',' if any(len(t) > 1 for t in texts) else '').join(texts)}}}"


def _chain_lines(e: Equation, L) -> list:
    """The derivation's lines, in symbols with this equation's indices (the notes' 推导过程)."""
    l, j, k = e.layer, e.j, e.k
    if e.name == "BP1":
        z, a, delta = _symbol("z", L, j), _symbol("a", L, j), _symbol("δ", L, j)
        if len(e.terms) == 1:
            return [f"{delta} = ∂C/∂{z} = ∂C/∂{a} · ∂{a}/∂{z}", f"= (∇_a C)_{{{j}}} · σ′({z})"]
        a_k = _symbol("a", L, "k")
        return [
            f"{delta} = ∂C/∂{z} = Σ_{{k}} ∂C/∂{a_k} · ∂{a_k}/∂{z}",
            f"= Σ_{{k}} (∇_a C)_{{k}} · {a_k}(1[k = {j}] − {a})",
        ]
    z, a, delta, b = _symbol("z", l, j), _symbol("a", l, j), _symbol("δ", l, j), _symbol("b", l, j)
    if e.name == "BP2":
        z_next, delta_next = _symbol("z", l + 1, "k"), _symbol("δ", l + 1, "k")
        w_next, b_next = _symbol("w", l + 1, "k", j), _symbol("b", l + 1, "k")
        return [
            f"{delta} = ∂C/∂{z} = Σ_{{k}} ∂C/∂{z_next} · ∂{z_next}/∂{a} · ∂{a}/∂{z}",
            f"= Σ_{{k}} {delta_next} · ∂({w_next} {a} + {b_next})/∂{a} · σ′({z})",
            f"= Σ_{{k}} {delta_next} · {w_next} · σ′({z})",
        ]
    if e.name == "BP3":
        w, a_in = _symbol("w", l, j, k), _symbol("a", l - 1, k)
        return [
            f"∂C/∂{w} = ∂C/∂{z} · ∂{z}/∂{w}",
            f"= {delta} · ∂({w} {a_in} + {b})/∂{w}",
            f"= {a_in} {delta}",
        ]
    w_jk, a_k = _symbol("w", l, j, "k"), _symbol("a", l - 1, "k")
    return [
        f"∂C/∂{b} = ∂C/∂{z} · ∂{z}/∂{b}",
        f"= {delta} · ∂(Σ_{{k}} {w_jk} {a_k} + {b})/∂{b}",
        f"= {delta} · 1",
    ]


# -- layouts ----------------------------------------------------------------------


def render_text(d: Derivation, lang="en", precision=6) -> str:
    """The page for a terminal: Unicode math, tables in aligned columns."""
    return layout_text(blocks(d, lang, precision))


def layout_text(page) -> str:
    """(kind, content) blocks, as ``blocks`` makes them, laid out for a terminal."""
    from .text import pad, width

    lines, lead, previous = [], 0, None
    for kind, content in page:
        if kind == "title":
            lines += [content, "═" * width(content)]
        elif kind == "heading":
            head = f"━━ {to_text(content)} "
            lines += ["", head + "━" * max(4, 72 - width(head))]
        elif kind == "para":
            if previous in ("eq", "eq_more", "table", "para"):
                lines.append("")
            lines.append("    " + to_text(content))
        elif kind == "eq":
            lines.append("    " + to_text(content))
            lead = width(to_text(content).split(" = ")[0]) + 1
        elif kind == "eq_more":
            lines.append("    " + " " * lead + to_text(content))
        else:
            lines.append("")
            rows = [[to_text(cell) for cell in row] for row in content]
            widths = [max(width(row[c]) for row in rows) for c in range(len(rows[0]))]
            for r, row in enumerate(rows):
                lines.append("    " + "  ".join(pad(cell, widths[c]) for c, cell in enumerate(row)).rstrip())
                if r == 0:
                    lines.append("    " + "  ".join("─" * w for w in widths))
        previous = kind
    return "\n".join(lines) + "\n"


def render_markdown(d: Derivation, lang="en", precision=6, level=1) -> str:
    """The page as Markdown with LaTeX math ($…$); ``level`` is the title's heading level."""
    return layout_markdown(blocks(d, lang, precision), level)


def layout_markdown(page, level=1) -> str:
    """(kind, content) blocks as Markdown with LaTeX math; ``level`` is a title's heading level."""
    out = []
    for kind, content in page:
        if kind == "title":
            out.append("#" * level + " " + content)
        elif kind == "heading":
            out.append("#" * (level + 1) + " " + _inline_math(content))
        elif kind == "para":
            out.append(_inline_math(content))
        elif kind in ("eq", "eq_more"):
            out.append("$$" + ("\\qquad " if kind == "eq_more" else "") + to_latex(content) + "$$")
        else:
            rows = [[_cell_md(cell, c) for c, cell in enumerate(row)] for row in content]
            table = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
            table += ["| " + " | ".join(row) + " |" for row in rows[1:]]
            out.append("\n".join(table))
    return "\n\n".join(part for part in out if part != "") + "\n"


def _inline_math(text) -> str:
    """Prose as it is: its symbols in the notes' notation read well in Markdown too."""
    return to_text(text)


def _cell_md(cell, column) -> str:
    is_math = column < 2 and any(symbol in cell for symbol in "∂δσ∇^")
    return f"${to_latex(cell)}$" if is_math else to_text(cell).replace("|", "\\|")


def render_html(d: Derivation, lang="en", precision=6) -> str:
    """The page as an HTML fragment (a <section>), for the explain page or alone."""
    return layout_html(blocks(d, lang, precision), lang)


def layout_html(page, lang="en") -> str:
    """(kind, content) blocks as an HTML fragment, one <section class="derivation">."""
    out = [f'<section class="derivation" lang="{"zh" if lang == "zh" else "en"}">']
    for kind, content in page:
        if kind == "title":
            out.append(f"<h1>{html.escape(content)}</h1>")
        elif kind == "heading":
            out.append(f"<h2>{to_html(content)}</h2>")
        elif kind == "para":
            out.append(f"<p>{to_html(content)}</p>")
        elif kind in ("eq", "eq_more"):
            indent = "&emsp;&emsp;" if kind == "eq_more" else ""
            out.append(f'<p class="eq">{indent}{to_html(content)}</p>')
        else:
            head, *rows = content
            out.append("<table><thead><tr>" + "".join(f"<th>{to_html(c)}</th>" for c in head) + "</tr></thead><tbody>")
            for row in rows:
                out.append("<tr>" + "".join(f"<td>{to_html(c)}</td>" for c in row) + "</tr>")
            out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out) + "\n"


TABLE_STYLE = """
section.derivation table { border-collapse: collapse; margin: .4rem 0 .6rem 1rem; }
section.derivation th, section.derivation td { padding: .1rem .8rem; text-align: right; border-bottom: 1px solid #ddd;
  font-variant-numeric: tabular-nums; }
section.derivation td:first-child, section.derivation td:nth-child(2) { text-align: left; }
"""


def render_html_page(d: Derivation, lang="en", precision=6) -> str:
    """A standalone offline page (the style of ``bprop explain --format html``) holding the derivation."""
    return html_page(word("title", lang), render_html(d, lang, precision), lang)


def html_page(title, body, lang="en", style="") -> str:
    """One offline HTML page: ``body`` (HTML) in <main>, the explain page's style plus ``style``, no scripts."""
    from .html import STYLE

    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                f'<html lang="{lang}">',
                "<head>",
                '<meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                f"<title>{html.escape(title)}</title>",
                f"<style>{STYLE}{TABLE_STYLE}{style}</style>",
                "</head>",
                "<body>",
                "<main>",
                body.rstrip("\n"),
                "</main>",
                "</body>",
                "</html>",
            ]
        )
        + "\n"
    )


def render(d: Derivation, format="text", *, lang="en", precision=6) -> str:
    """The page in a format of ``bprop explain --format``: 'text', 'markdown' (or 'md') or 'html'."""
    from .trace import FORMATS

    kind = FORMATS.get(format)
    if kind == "text":
        return render_text(d, lang, precision)
    if kind == "markdown":
        return render_markdown(d, lang, precision)
    if kind == "html":
        return render_html_page(d, lang, precision)
    raise InvalidArgument(f"format={format!r} is not known; use 'text', 'markdown' (or 'md') or 'html'.")
