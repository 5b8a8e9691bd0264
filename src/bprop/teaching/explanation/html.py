"""The explanation as one standalone HTML page.

Works offline: UTF-8, inline CSS, no scripts, no fonts or images from
anywhere; math is plain HTML (<sup>, <sub>) and Unicode. Each section is a
<section> whose id is the section's (``forward``, ``cost``, ``bp1`` … ``bp4``,
``update``), so ``page.html#bp2`` links to BP2; the derivation of BP1–BP4 at
the end is ``#derivation`` (``derivation_page``). Only the layout is here: every
equation and number comes from ``sections``.
"""

from __future__ import annotations

from html import escape

from .derivation_layout import TABLE_STYLE
from .derivation_page import render_html as render_derivation
from .document import CostTable, Definition, Equation, Heading, Note, Substitution, Value
from .markup import to_html
from .style import STYLE
from .terms import term


def render(document, lang) -> str:
    title = escape(term("title", lang))
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{STYLE}{TABLE_STYLE if document.derivation is not None else ''}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{title}</h1>",
        '<table class="facts">',
    ]
    for key, value in document.facts:
        out.append(f'<tr><td>{to_html(term(key, lang))}</td><td class="math">{to_html(value)}</td></tr>')
    out.append("</table>")
    for section in document.sections:
        out += [
            f'<section id="{section.id}">',
            f'<h2><span class="label">{escape(term("label." + section.id, lang))}</span>'
            f"{to_html(term('title.' + section.id, lang))}</h2>",
        ]
        out += _items(section.items, lang)
        out.append("</section>")
    if document.derivation is not None:
        out.append(render_derivation(document.derivation, lang, document.digits, level=2).rstrip("\n"))
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _items(items, lang):
    out, definitions = [], []
    for item in items + [None]:
        if isinstance(item, Definition):
            definitions.append(
                f'<dt class="math">{to_html(item.markup)}</dt><dd>{to_html(term(item.key, lang, **item.names))}</dd>'
            )
            continue
        if definitions:
            out += ['<dl class="defs">', *definitions, "</dl>"]
            definitions = []
        if item is not None:
            out.append(_item(item, lang))
    return out


def _item(item, lang) -> str:
    if isinstance(item, Heading):
        return f"<h3>{to_html(term(item.key, lang, **item.names))}</h3>"
    if isinstance(item, Equation):
        return f'<p class="eq">{to_html(item.markup)}</p>'
    if isinstance(item, Substitution):
        return f'<p class="sub">{to_html(item.markup)}</p>'
    if isinstance(item, Note):
        return f'<p class="note">{to_html(term(item.key, lang, **item.names))}</p>'
    if isinstance(item, Value):
        return _value(item, lang)
    if isinstance(item, CostTable):
        heads = [term("steps.update", lang), term("steps.cost", lang)]
        heads += [term("steps.cost_plain", lang)] if len(item.rows[0]) == 3 else []
        head = "".join(f"<th>{escape(h)}</th>" for h in heads)
        rows = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in item.rows)
        note = item.note
        return (
            f'<table class="costs"><tr>{head}</tr>{rows}</table>\n'
            f'<p class="note">{to_html(term(note.key, lang, **note.names))}</p>'
        )
    raise TypeError(f"unknown item {item!r}")


def _value(value, lang) -> str:
    name = to_html(value.name)
    after = f" ({escape(term(value.note, lang))})" if value.note else ""
    if not value.full:
        entries = ", ".join(f"{to_html(n)} = {escape(v)}" for n, v in value.entries)
        more = ", …" if value.array.size > len(value.entries) else ""
        return (
            f'<div class="value"><span>{name}{after}: {escape(term("shape", lang))} {value.shape}, '
            f"‖{to_html(value.symbol)}‖ = {escape(value.norm)}; {entries}{more}</span></div>"
        )
    cells = value.cells
    if value.array.ndim == 1:
        body = f"({', '.join(escape(c) for c in cells)})"
    else:
        rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in cells)
        body = f'<table class="matrix">{rows}</table>'
    return f'<div class="value"><span>{name}{after} =</span>{body}</div>'
