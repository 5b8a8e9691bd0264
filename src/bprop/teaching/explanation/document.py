"""The items an explanation is made of: what is said, before any output format.

A ``Document`` holds facts and ``Section`` s; each section is a list of items

    Heading(key, names)      a sub-heading such as "layer l = 2" (a ``terms`` key)
    Equation(markup)         an equation in symbols
    Substitution(markup)     the same for one element, numbers put in, and its value
    Value(name, array, ...)  a whole vector or matrix (or its summary, when wide)
    Note(key, names)         a sentence (a ``terms`` key)
    Definition(markup, key)  a symbol and its meaning (the notation section)
    CostTable(rows)          the costs of repeated updates

Markup is that of ``markup``; the renderers (``text``, ``markdown``, ``html``)
only lay these items out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .markup import number

SUMMARY_ENTRIES = 3  # entries shown of a summarized array

FORMATS = {"text": "text", "markdown": "markdown", "md": "markdown", "html": "html"}
"""The output formats (``bprop explain --format``) and the layout each name stands for."""


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
    derivation: object = None  # a derivation.Derivation shown at the end (Markdown and HTML), or None
    digits: int = 4  # significant digits of the derivation's values
