"""How a page of (kind, content) blocks is laid out: a terminal's text, Markdown, or HTML.

``derivation_page.blocks`` says what the derivation says; the quiz's
worksheets (``teaching.quiz``) build blocks of their own. These functions
only lay blocks out: 'title', 'heading', 'subheading', 'para', 'eq',
'eq_more' (an equation's continued line) and 'table' (rows of cells, the
first the header).
"""

from __future__ import annotations

import html

from .derivation_words import word
from .markup import to_html, to_latex, to_text


def layout_text(page) -> str:
    """(kind, content) blocks, as ``derivation_page.blocks`` makes them, for a terminal: Unicode math,
    tables in aligned columns."""
    from .text import pad, width

    lines, lead, previous = [], 0, None
    for kind, content in page:
        if kind == "title":
            lines += [content, "═" * width(content)]
        elif kind == "heading":
            head = f"━━ {to_text(content)} "
            lines += ["", head + "━" * max(4, 72 - width(head))]
        elif kind == "subheading":
            lines += ["", "  ▸ " + to_text(content)]
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
            rows = _columns([[to_text(cell) for cell in row] for row in content], pad, width)
            widths = [width(cell) for cell in rows[0]]
            for r, row in enumerate(rows):
                lines.append("    " + "  ".join(row).rstrip())
                if r == 0:
                    lines.append("    " + "  ".join("─" * w for w in widths))
        previous = kind
    return "\n".join(lines) + "\n"


def _columns(rows, pad, width) -> list:
    """Cells padded to their column: the first two (symbols) left-aligned; in the value columns the
    decimal points line up under each other, and the header is right-aligned above them."""
    out = [list(row) for row in rows]
    for c in range(len(rows[0])):
        if c < 2:
            column = max(width(row[c]) for row in rows)
            for row in out:
                row[c] = pad(row[c], column)
            continue
        body = [row[c] for row in rows[1:]]
        whole = max(len(cell.split(".")[0]) for cell in body)
        body = [" " * (whole - len(cell.split(".")[0])) + cell for cell in body]
        column = max([width(rows[0][c])] + [len(cell) for cell in body])
        out[0][c] = " " * (column - width(rows[0][c])) + rows[0][c]
        for row, cell in zip(out[1:], body):
            row[c] = cell.ljust(column)
    return out


def layout_markdown(page, level=1) -> str:
    """(kind, content) blocks as Markdown with LaTeX math ($…$); ``level`` is a title's heading level."""
    out = []
    for kind, content in page:
        if kind == "title":
            out.append("#" * level + " " + content)
        elif kind == "heading":
            out.append("#" * (level + 1) + " " + _inline_math(content))
        elif kind == "subheading":
            out.append("#" * (level + 2) + " " + _inline_math(content))
        elif kind == "para":
            out.append(_inline_math(content))
        elif kind in ("eq", "eq_more"):
            out.append("$$" + ("\\qquad " if kind == "eq_more" else "") + to_latex(content) + "$$")
        else:
            rows = [[_cell_md(cell, c) for c, cell in enumerate(row)] for row in content]
            table = ["| " + " | ".join(rows[0]) + " |", "|---|---|" + "---:|" * (len(rows[0]) - 2)]
            table += ["| " + " | ".join(row) + " |" for row in rows[1:]]
            out.append("\n".join(table))
    return "\n\n".join(part for part in out if part != "") + "\n"


def _inline_math(text) -> str:
    """Prose as it is: its symbols in the notes' notation read well in Markdown too."""
    return to_text(text)


def _cell_md(cell, column) -> str:
    is_math = column < 2 and any(symbol in cell for symbol in "∂δσ∇^")
    return f"${to_latex(cell)}$" if is_math else to_text(cell).replace("|", "\\|")


def layout_html(page, lang="en", level=1) -> str:
    """(kind, content) blocks as an HTML fragment (<section id="derivation">).

    level : a title's heading level (<h1> alone, <h2> inside the explain page).
    """
    out = [f'<section id="derivation" class="derivation" lang="{"zh" if lang == "zh" else "en"}">']
    h = [f"h{min(level + n, 6)}" for n in range(3)]
    for kind, content in page:
        if kind == "title":
            label = f'<span class="label">{html.escape(word("label", lang))}</span>' if level > 1 else ""
            out.append(f"<{h[0]}>{label}{html.escape(content)}</{h[0]}>")
        elif kind == "heading":
            out.append(f"<{h[1]}>{to_html(content)}</{h[1]}>")
        elif kind == "subheading":
            out.append(f"<{h[2]}>{to_html(content)}</{h[2]}>")
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
section.derivation th:first-child, section.derivation th:nth-child(2),
section.derivation td:first-child, section.derivation td:nth-child(2) { text-align: left; }
"""


def html_page(title, body, lang="en", style="") -> str:
    """One offline page (the style of ``bprop explain --format html`` plus ``style``; no scripts) holding
    ``body``, an HTML fragment."""
    from .style import STYLE

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
