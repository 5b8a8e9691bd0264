"""The names of bprop 0.1's ``explanation/steps.py``, re-exported from the modules that now hold them.

Nothing is defined here (and it is unrelated to ``explain_steps``). The work
is split by job:

    markup     numbers and equations as text: ``number``, ``operand``, ``to_text``,
               ``to_html``, ``to_latex``
    document   the items a section is made of: ``Heading``, ``Equation``,
               ``Substitution``, ``Value``, ``Note``, ``Definition``, ``CostTable``
    formulas   σ, σ′, C and ∇_a C by name, and their lines with numbers put in
    sections   ``build(trace, precision)``: a ``Trace`` → a ``Document``

This module re-exports their names, so ``from bprop.teaching.explanation.steps
import to_html`` keeps working.
"""

from .document import (
    SUMMARY_ENTRIES,
    CostTable,
    Definition,
    Document,
    Equation,
    Heading,
    Note,
    Section,
    Substitution,
    Value,
)
from .formulas import COST_DEFINITIONS, SIGMA_DEFINITIONS, grad_a_line, sigma_prime_line
from .markup import GAP, MAX_TERMS, MINUS, element, number, operand, plain, terms_of, to_html, to_latex, to_text
from .sections import FULL_WIDTH, build, cost_rows

__all__ = [
    "COST_DEFINITIONS",
    "FULL_WIDTH",
    "GAP",
    "MAX_TERMS",
    "MINUS",
    "SIGMA_DEFINITIONS",
    "SUMMARY_ENTRIES",
    "CostTable",
    "Definition",
    "Document",
    "Equation",
    "Heading",
    "Note",
    "Section",
    "Substitution",
    "Value",
    "build",
    "cost_rows",
    "element",
    "grad_a_line",
    "number",
    "operand",
    "plain",
    "sigma_prime_line",
    "terms_of",
    "to_html",
    "to_latex",
    "to_text",
]
