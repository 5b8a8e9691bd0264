"""The explanation as plain text for the terminal, with Unicode math.

Superscripts and subscripts are written as in the notes, δ^2_1 and a^{l−1};
vectors as (…), matrices with ⎡ ⎤ brackets. Only the layout is here: every
equation and number comes from ``sections``.
"""

from __future__ import annotations

from unicodedata import east_asian_width

from .document import CostTable, Definition, Equation, Heading, Note, Substitution, Value
from .markup import to_text
from .terms import heading, term

INDENT = "    "
SYMBOL_COLUMN = 24


def width(s) -> int:
    """Columns the string takes in a terminal (CJK characters take two)."""
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in s)


def pad(s, n) -> str:
    return s + " " * max(0, n - width(s))


def render(document, lang) -> str:
    lines = []
    title = term("title", lang)
    lines += [title, "═" * width(title)]
    labels = [to_text(term(key, lang)) for key, _ in document.facts]
    column = max(map(width, labels)) + 2
    for label, (_, value) in zip(labels, document.facts):
        lines.append(pad(label, column) + to_text(value))
    for section in document.sections:
        head = f"━━ {to_text(heading(section.id, lang))} "
        lines += ["", head + "━" * max(4, 72 - width(head))]
        for item in section.items:
            lines += _item(item, lang)
    lines += ["", "→ " + term("pointer.derive", lang)]  # the page is long already: the derivation is one flag away
    return "\n".join(lines) + "\n"


def _item(item, lang):
    if isinstance(item, Heading):
        return ["", "  ▸ " + to_text(term(item.key, lang, **item.names))]
    if isinstance(item, Equation):
        return [INDENT + to_text(item.markup)]
    if isinstance(item, Substitution):
        return [INDENT + to_text(item.markup)]
    if isinstance(item, Note):
        return [INDENT + to_text(term(item.key, lang, **item.names))]
    if isinstance(item, Definition):
        symbol, meaning = to_text(item.markup), to_text(term(item.key, lang, **item.names))
        if width(symbol) > SYMBOL_COLUMN:
            return [INDENT + symbol, INDENT + " " * (SYMBOL_COLUMN + 2) + meaning]
        return [INDENT + pad(symbol, SYMBOL_COLUMN) + "  " + meaning]
    if isinstance(item, Value):
        return _value(item, lang)
    if isinstance(item, CostTable):
        return _cost_table(item, lang)
    raise TypeError(f"unknown item {item!r}")


def _value(value, lang):
    name = to_text(value.name)
    if value.note:
        name += f" ({term(value.note, lang)})"
    if not value.full:
        entries = ", ".join(f"{to_text(n)} = {v}" for n, v in value.entries)
        more = ", …" if value.array.size > len(value.entries) else ""
        return [f"{INDENT}{name}: {term('shape', lang)} {value.shape}, ‖·‖ = {value.norm}; {entries}{more}"]
    cells = value.cells
    if value.array.ndim == 1:
        return [f"{INDENT}{name} = ({', '.join(cells)})"]
    widths = [max(len(row[k]) for row in cells) for k in range(len(cells[0]))]
    rows = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    lead = f"{INDENT}{name} = "
    if len(rows) == 1:
        return [f"{lead}[{rows[0]}]"]
    out = []
    for r, row in enumerate(rows):
        left, right = ("⎡", "⎤") if r == 0 else ("⎣", "⎦") if r == len(rows) - 1 else ("⎢", "⎥")
        out.append((lead if r == 0 else " " * width(lead)) + left + row + right)
    return out


def _cost_table(table, lang):
    heads = [term("steps.update", lang), term("steps.cost", lang)]
    if len(table.rows[0]) == 3:
        heads.append(term("steps.cost_plain", lang))
    widths = [max(width(head), *(len(str(row[c])) for row in table.rows)) for c, head in enumerate(heads)]
    out = [INDENT + "   ".join(pad(head, w) for head, w in zip(heads, widths)).rstrip()]
    out.append(INDENT + "   ".join("─" * w for w in widths))
    out += [INDENT + "   ".join(str(cell).rjust(w) for cell, w in zip(row, widths)) for row in table.rows]
    note = table.note
    return out + ["", INDENT + to_text(term(note.key, lang, **note.names))]
