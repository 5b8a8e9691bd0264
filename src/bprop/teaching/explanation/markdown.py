"""The explanation as Markdown, equations in LaTeX ($…$ inline, $$…$$ display).

Readable on GitHub, in Jupyter and by pandoc. Each section starts with an
anchor (``<a id="bp1"></a>``) so that links such as ``#bp1`` work everywhere.
Only the layout is here: every equation and number comes from ``sections``;
the derivation of BP1–BP4 at the end (section ``#derivation``) from ``derivation_page``.
"""

from __future__ import annotations

from .derivation_page import render_markdown as render_derivation
from .document import CostTable, Definition, Equation, Heading, Note, Substitution, Value
from .markup import to_latex, to_text
from .terms import heading, term


def render(document, lang) -> str:
    out = [f"# {term('title', lang)}", "", "| | |", "|---|---|"]
    for key, value in document.facts:
        out.append(f"| {_cell(to_text(term(key, lang)))} | {_cell(to_text(value))} |")
    for section in document.sections:
        out += ["", f'<a id="{section.id}"></a>', "", f"## {to_text(heading(section.id, lang))}", ""]
        for item in section.items:
            out += _item(item, lang)
    if document.derivation is not None:
        out += [
            "",
            '<a id="derivation"></a>',
            "",
            render_derivation(document.derivation, lang, document.digits, level=2),
        ]
    return "\n".join(out).rstrip() + "\n"


def _cell(text) -> str:
    return text.replace("|", r"\|")


def _display(latex):
    return [f"$$ {latex} $$", ""]


def _item(item, lang):
    if isinstance(item, Heading):
        return [f"### {to_text(term(item.key, lang, **item.names))}", ""]
    if isinstance(item, (Equation, Substitution)):
        return _display(to_latex(item.markup))
    if isinstance(item, Note):
        return ["", to_text(term(item.key, lang, **item.names)), ""]
    if isinstance(item, Definition):
        return [f"- ${to_latex(item.markup)}$ — {to_text(term(item.key, lang, **item.names))}"]
    if isinstance(item, Value):
        return _value(item, lang)
    if isinstance(item, CostTable):
        heads = [term("steps.update", lang), term("steps.cost", lang)]
        heads += [term("steps.cost_plain", lang)] if len(item.rows[0]) == 3 else []
        rows = ["| " + " | ".join(heads) + " |", "|" + "---:|" * len(heads)]
        rows += ["| " + " | ".join([str(row[0])] + [to_latex(c) for c in row[1:]]) + " |" for row in item.rows]
        note = item.note
        return ["", *rows, "", to_text(term(note.key, lang, **note.names)), ""]
    raise TypeError(f"unknown item {item!r}")


def _value(value, lang):
    name = to_latex(value.name)
    suffix = f" \\quad \\text{{({term(value.note, lang)})}}" if value.note else ""
    if not value.full:
        entries = ", ".join(f"${to_latex(n)} = {to_latex(v)}$" for n, v in value.entries)
        more = ", …" if value.array.size > len(value.entries) else ""
        after = f" ({term(value.note, lang)})" if value.note else ""
        return [
            f"- ${name}${after}: {term('shape', lang)} {value.shape}, "
            f"$\\|{to_latex(value.symbol)}\\| = {to_latex(value.norm)}$; {entries}{more}",
            "",
        ]
    cells = value.cells
    if value.array.ndim == 1:
        body = r",\ ".join(to_latex(c) for c in cells)
        return _display(f"{name} = \\left({body}\\right){suffix}")
    rows = r" \\ ".join(" & ".join(to_latex(c) for c in row) for row in cells)
    return _display(f"{name} = \\begin{{pmatrix}} {rows} \\end{{pmatrix}}{suffix}")
