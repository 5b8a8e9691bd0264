"""The explanation as one standalone HTML page.

Works offline: UTF-8, inline CSS, no scripts, no fonts or images from
anywhere; math is plain HTML (<sup>, <sub>) and Unicode. Each section is a
<section> whose id is the section's (``forward``, ``cost``, ``bp1`` … ``bp4``,
``update``), so ``page.html#bp2`` links to BP2. Only the layout is here: every
equation and number comes from ``sections``.
"""

from __future__ import annotations

from html import escape

from .document import CostTable, Definition, Equation, Heading, Note, Substitution, Value
from .markup import to_html
from .terms import term

STYLE = """
body { font-family: system-ui, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 0; background: #fafaf7; color: #1d1d1f; line-height: 1.5; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h2 { font-size: 1.2rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid #d8d4c8; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; color: #555; }
.label { display: inline-block; min-width: 3.2rem; padding: 0 .45rem; margin-right: .5rem; border-radius: .3rem;
         background: #234; color: #fff; font-size: .85rem; text-align: center; }
.math, .eq, .sub, .value { font-family: "STIX Two Math", "Cambria Math", "Latin Modern Math", "DejaVu Serif", serif; }
.eq { font-size: 1.1rem; margin: .35rem 0 .35rem 1rem; }
.sub { margin: .2rem 0 .2rem 1rem; padding: .2rem .6rem; background: #fff; border-left: 3px solid #c96; overflow-x: auto; }
.value { margin: .4rem 0 .4rem 1rem; display: flex; align-items: center; gap: .5rem; flex-wrap: wrap; }
.note { margin: .4rem 0 .4rem 1rem; color: #444; }
.ss { display: inline-flex; flex-direction: column; vertical-align: middle; font-size: .75em; line-height: 1.05; }
.ss sup, .ss sub { position: static; font-size: 1em; }
table.facts td { padding: .1rem 1rem .1rem 0; }
table.matrix { border-collapse: collapse; border-left: 2px solid #333; border-right: 2px solid #333; }
table.matrix td { padding: .05rem .45rem; text-align: right; font-variant-numeric: tabular-nums; }
table.costs { border-collapse: collapse; margin-left: 1rem; }
table.costs th, table.costs td { padding: .1rem .8rem; text-align: right; border-bottom: 1px solid #ddd; }
dl.defs { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; margin-left: 1rem; }
dl.defs dt, dl.defs dd { margin: 0; }
"""


def render(document, lang) -> str:
    title = escape(term("title", lang))
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{STYLE}</style>",
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
        rows = "".join(f"<tr><td>{t}</td><td>{escape(c)}</td></tr>" for t, c in item.rows)
        note = item.note
        return (
            f'<table class="costs"><tr><th>{escape(term("steps.update", lang))}</th>'
            f"<th>{escape(term('steps.cost', lang))}</th></tr>{rows}</table>\n"
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
