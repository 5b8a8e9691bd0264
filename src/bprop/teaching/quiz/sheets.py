"""Blocks laid out as text, Markdown or HTML; a worksheet and its separate answer key.

The standard kinds of blocks are laid out by the derivation page's own
layouts (``derivation_page.layout_text`` …); only ('matrix', [(name, rows), …]),
matrices given in full side by side, and the question's own kinds ('ask',
'answer') are laid out here. The HTML is one offline
page: inline CSS, no scripts, no fonts or images from anywhere, printable
(a question is not split across pages).
"""

from __future__ import annotations

import html
import re

from ..explanation.derivation_page import html_page, layout_html, layout_markdown, layout_text
from ..explanation.markup import to_html, to_latex, to_text
from ..explanation.terms import check_lang
from .blocks import answer_block, ask_blocks, given_blocks, heading_blocks, solution_blocks
from .words import word

FORMATS = ("md", "html")

_INDEXED = re.compile(r"(∂C/∂)?[A-Za-zδ]\^\{[^{}]*\}(_\{[^{}]*\})?")
"""An indexed symbol in prose (z^{3}_{1}, ∂C/∂w^{2}_{12}): inline LaTeX math in Markdown."""

PRINT_STYLE = """
.question { break-inside: avoid; page-break-inside: avoid; margin-bottom: 1.6rem; }
.question + .question { border-top: 1px dashed #bbb; padding-top: .6rem; }
section.derivation h1 { font-size: 1.2rem; margin: 1rem 0 .4rem; }
section.derivation h2 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
.matrix-given { margin: .35rem 0 .35rem 1rem; display: flex; align-items: center; gap: .5rem; }
.matrix-given table.matrix { margin-right: 1.5rem; }
p.ask { font-weight: 600; margin: .8rem 0 .3rem; }
p.blank { margin: 1.2rem 0 .4rem 1rem; font-size: 1.1rem; }
p.answer { margin: .6rem 0 .6rem 1rem; padding: .3rem .6rem; background: #fff; border-left: 3px solid #396; font-size: 1.1rem; }
@media print {
  body { background: #fff; font-size: 10pt; line-height: 1.3; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 14pt; } section.derivation h1 { font-size: 12pt; margin-top: .4rem; }
  .eq { margin: .15rem 0 .15rem 1rem; } p { margin: .3rem 0; }
  .question { margin-bottom: .8rem; } .question + .question { padding-top: .3rem; }
  .question.key { break-inside: auto; }
}
"""


def layout(page, fmt, lang="en", level=1) -> str:
    """(kind, content) blocks in 'text', 'md' or 'html'; runs of standard kinds go to the derivation's layouts."""
    parts, run = [], []

    def flush():
        if run:
            if fmt == "text":
                parts.append(layout_text(run).rstrip("\n"))
            elif fmt == "md":
                parts.append(layout_markdown(run, level).rstrip("\n"))
            else:
                parts.append(layout_html(run, lang).rstrip("\n"))
            run.clear()

    for kind, content in page:
        if kind == "matrix":
            flush()
            parts.append(_matrices(content, fmt))
        elif kind == "answer":
            flush()
            parts.append(_answer(*content, fmt))
        elif kind == "ask":
            flush()
            parts.append(_ask(*content, fmt))
        elif kind == "para" and fmt == "md":
            flush()
            parts.append(_INDEXED.sub(lambda m: f"${to_latex(m.group(0))}$", content))
        else:
            run.append((kind, content))
    flush()
    return "\n\n".join(parts) + "\n"


def _matrices(named, fmt) -> str:
    """[(name, rows), …] side by side: 'w^2 = [ … ]   b^2 = [ … ]', row j of each on one line."""
    if fmt == "md":
        each = [
            f"{to_latex(name)} = \\begin{{pmatrix}} "
            + r" \\ ".join(" & ".join(to_latex(cell) for cell in row) for row in rows)
            + r" \end{pmatrix}"
            for name, rows in named
        ]
        return "$$" + r",\qquad ".join(each) + "$$"
    if fmt == "html":
        return '<div class="matrix-given math">' + "".join(_html_matrix(name, rows) for name, rows in named) + "</div>"
    columns = []  # each a list of lines, the first carrying 'name = '
    for name, rows in named:
        head = f"{to_text(name)} = "
        widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
        body = ["[ " + "  ".join(cell.rjust(widths[c]) for c, cell in enumerate(row)) + " ]" for row in rows]
        columns.append([(head if r == 0 else " " * len(head)) + line for r, line in enumerate(body)])
    height = max(len(column) for column in columns)
    columns = [column + [" " * len(column[0])] * (height - len(column)) for column in columns]
    return "\n".join(("    " + "    ".join(parts)).rstrip() for parts in zip(*columns))


def _html_matrix(name, rows) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<span>{to_html(name)} =</span><table class="matrix">{cells}</table>'


def _ask(sentence, symbol, fmt) -> str:
    """What is asked, the symbol as math: 'Compute $\\delta^{2}_{1}$.' in Markdown."""
    if fmt == "text":
        return "    " + sentence.replace("{symbol}", to_text(symbol))
    if fmt == "md":
        return sentence.replace("{symbol}", f"${to_latex(symbol)}$")
    return (
        f'<p class="ask">{html.escape(sentence).replace("{symbol}", f"<span class=math>{to_html(symbol)}</span>")}</p>'
    )


def _answer(label, equation, fmt) -> str:
    """An answer in bold; with equation None, the line a learner writes an answer on."""
    if equation is None:
        return f'<p class="blank">{html.escape(label)}</p>' if fmt == "html" else label
    if fmt == "text":
        return f"    {label} {to_text(equation)}"
    if fmt == "md":
        return f"**{label}** ${to_latex(equation)}$"
    return f'<p class="answer"><strong>{html.escape(label)}</strong> <span class="math">{to_html(equation)}</span></p>'


def question_blocks(q, lang, count=None) -> list:
    """A question as the learner sees it: heading, what is given, what is asked with its tolerance."""
    return heading_blocks(q, lang, count) + given_blocks(q, lang) + ask_blocks(q, lang)


def worksheet(questions, seed, fmt="md", lang="en") -> str:
    """The printable worksheet: every question with a blank for its answer, no answers."""
    body = [question_blocks(q, lang) + [("answer", (word("blank", lang), None))] for q in questions]
    intro = word("sheet_intro", lang, count=len(questions))
    return _page(word("sheet_title", lang, seed=seed), intro, body, fmt, lang, key=False)


def answer_key(questions, seed, fmt="md", lang="en", precision=6) -> str:
    """The answer key: each question again, its answer, and the derivation with the numbers."""
    body = [
        question_blocks(q, lang) + [answer_block(q, lang, precision)] + solution_blocks(q, lang, precision)
        for q in questions
    ]
    return _page(word("key_title", lang, seed=seed), word("key_intro", lang), body, fmt, lang, key=True)


def _page(title, intro, body, fmt, lang, key) -> str:
    check_lang(lang)
    if fmt == "md":
        parts = [f"# {title}", to_text(intro)] + [layout(blocks, "md", lang, level=2).rstrip("\n") for blocks in body]
        return "\n\n".join(parts) + "\n"
    if fmt != "html":
        raise ValueError(fmt)
    questions = [
        f'<div class="question{" key" if key else ""}">\n{layout(blocks, "html", lang)}</div>' for blocks in body
    ]
    head = [f"<h1>{html.escape(title)}</h1>", f"<p>{to_html(intro)}</p>"]
    return html_page(title, "\n".join(head + questions), lang, PRINT_STYLE)
