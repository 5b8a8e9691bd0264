"""What a question says and what its solution says, once for every format.

Blocks are (kind, content) pairs in the form of ``derivation_page.blocks``
('title', 'heading', 'para', 'eq', 'eq_more', 'table'), plus ('matrix',
[(name, rows), …]) for matrices given in full, side by side (w^l, b^l), ('ask', (sentence with
{symbol}, symbol)) and ('answer', (label, equation)). ``layout`` turns them into
text, Markdown or HTML. The numbers of a solution are the question's trace
(bprop's forward pass, BP1–BP4 and SGD step) and its ``derive`` (the
chain-rule factors); nothing is computed here but the layout of sums.
"""

from __future__ import annotations

from ..explanation.derivation_page import equation_blocks, update_blocks
from ..explanation.formulas import COST_DEFINITIONS, SIGMA_DEFINITIONS
from ..explanation.markup import MINUS, number, operand
from .questions import Question
from .words import word

EQUATION_OF = {"delta_out": "BP1", "delta": "BP2", "dw": "BP3", "db": "BP4", "update": "BP3"}


def given(x) -> str:
    """A printed parameter, exactly as the network holds it (2 decimals)."""
    return f"{float(x):.2f}".replace("-", MINUS)


def given_operand(x) -> str:
    """A printed parameter inside an expression: negatives in parentheses."""
    text = given(x)
    return f"({text})" if text.startswith(MINUS) else text


def _vector(values, show) -> str:
    return "(" + ", ".join(show(v) for v in values) + ")"


def _percent(x) -> str:
    return f"{100 * x:g} %"


def _short(x) -> str:
    return f"{x:g}".replace("-", MINUS)


def heading_blocks(q: Question, lang, count=None) -> list:
    kind = word("kind." + q.kind, lang)
    if count is None:
        return [("title", word("question", lang, n=q.number, kind=kind))]
    return [("title", word("question_of", lang, n=q.number, count=count, kind=kind))]


def given_blocks(q: Question, lang) -> list:
    """What the learner needs, and no more: the layers up to the one asked (all for δ, ∂C/∂w, …)."""
    net, last = q.net, q.last_layer_needed
    sizes = "-".join(map(str, net.sizes))
    sigma, output = q.trace.activation, q.trace.output
    facts = {"sizes": sizes, "sigma": sigma, "output": output, "cost": q.trace.cost_name}
    out = [("para", word("network" if q.uses_cost else "network_forward", lang, **facts))]
    through = last - 1 if q.kind == "z" else last  # z^l needs σ of the layers before l only
    layers_of, sigmas = {}, {}
    for l in range(2, through + 1):
        layers_of.setdefault(q.trace.sigma_name(l), []).append(str(l))
        sigmas[q.trace.sigma_name(l)] = net.output if l == len(net.sizes) else net.hidden_activations[l - 2]
    for name, layers in layers_of.items():  # σ of each kind of layer needed; its layers named when they differ
        if len(layers_of) > 1:
            out.append(("para", word("sigma_layers", lang, layers=", ".join(layers), name=name)))
        if name in SIGMA_DEFINITIONS:
            slope = getattr(sigmas[name], "slope", None)  # leaky_relu's α: needed to work it out
            out.append(("eq", SIGMA_DEFINITIONS[name] + ("" if slope is None else f",  α = {_short(slope)}")))
    if q.uses_cost and q.trace.cost_name in COST_DEFINITIONS:
        out.append(("eq", COST_DEFINITIONS[q.trace.cost_name]))
    out.append(("para", word("given", lang)))
    for l in range(2, last + 1):
        w, b = net.weights[l - 2], net.biases[l - 2]
        weights = (f"w^{{{l}}}", [[given(v) for v in row] for row in w])
        out.append(("matrix", [weights, (f"b^{{{l}}}", [[given(v)] for v in b])]))  # row j: w^l_j· and b^l_j
    line = f"x = a^{{1}} = {_vector(q.x, given)}"
    if q.uses_cost:
        line += f",  y = {_vector(q.y, given)}"
    if q.kind == "update":
        line += f",  η = {_short(q.lr)}"
    out.append(("eq", line))
    return out


def ask_blocks(q: Question, lang) -> list:
    tolerance = "tolerance_update" if q.kind == "update" else "tolerance"
    t = q.tolerance
    return [
        ("ask", (word("ask", lang), q.symbol)),
        ("para", word(tolerance, lang, rel=_percent(t.relative), abs=_short(t.absolute))),
    ]


def answer_text(q: Question, precision=6) -> str:
    """The answer with ``precision`` significant digits (0.00928734, not 0.009287)."""
    x = q.answer
    if x == 0 or abs(x) >= 1:
        return number(x, precision)
    return f"{x:.{precision}g}".replace("-", MINUS)


def answer_block(q: Question, lang, precision=6) -> tuple:
    """('answer', (label, equation)): laid out in bold by ``sheets.layout``."""
    return ("answer", (word("answer", lang), f"{q.symbol} = {answer_text(q, precision)}"))


def solution_blocks(q: Question, lang, precision=6) -> list:
    """The forward pass as far as needed, the errors, and the derivation of the asked equation."""
    out = [("heading", word("forward", lang)), ("para", word("forward_rule", lang))]
    out += _forward_lines(q, precision)
    if not q.uses_cost:
        return out
    L = len(q.net.sizes)
    if q.kind != "delta_out":
        out += [("heading", word("errors", lang)), ("para", word("errors_rule", lang))]
        last = q.layer + 1 if q.kind == "delta" else q.layer
        for l in range(L, last - 1, -1):
            out.append(("eq", f"δ^{{{l}}} = {_vector(q.trace.deltas[l - 2], lambda v: number(v, precision))}"))
    d = q.derivation
    name = EQUATION_OF[q.kind]
    equation = next(e for e in d.equations if e.name == name)
    out += equation_blocks(equation, d, lang, precision)
    if q.kind == "update":  # its heading, η, and the weight's step (not the bias's, nor ΔC)
        heading, intro, *rest = update_blocks(d, lang, precision)
        w = f"w^{{{q.layer}}}_{{"
        out += [heading, intro] + [block for block in rest if block[0] == "eq" and block[1].startswith(w)]
    return out


def _forward_lines(q: Question, precision) -> list:
    """z^l_j = w·a + b with every number, then a^l_j = σ(z^l_j), layer by layer up to what is asked."""
    t, out = q.trace, []
    for l in range(2, q.last_layer_needed + 1):
        i = l - 2
        w, b = q.net.weights[i], q.net.biases[i]
        a_before, z, a = t.activations[i], t.zs[i], t.activations[i + 1]
        asked_only = not q.uses_cost and l == q.layer
        neurons = [q.j - 1] if asked_only else range(len(z))
        for j in neurons:
            show = given_operand if l == 2 else (lambda v: operand(v, precision))  # x is given, a^l computed
            terms = " + ".join(f"{given_operand(w[j, k])} · {show(a_before[k])}" for k in range(len(a_before)))
            out.append(("eq", f"z^{{{l}}}_{{{j + 1}}} = {terms} + {given_operand(b[j])} = {number(z[j], precision)}"))
        if q.kind == "z" and l == q.layer:
            continue
        sigma = t.sigma_name(l)
        for j in neurons:
            if sigma == "softmax":
                rule = f"exp(z^{{{l}}}_{{{j + 1}}}) / Σ_k exp(z^{{{l}}}_{{k}})"
            else:
                rule = f"σ({number(z[j], precision)})"
            out.append(("eq", f"a^{{{l}}}_{{{j + 1}}} = {rule} = {number(a[j], precision)}"))
    return out
