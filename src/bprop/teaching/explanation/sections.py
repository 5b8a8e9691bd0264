"""What an explanation says, once, for every output format.

``build(trace, precision)`` turns a ``Trace`` into a ``Document`` (see
``document``): sections notation, forward, cost, BP1 … BP4, update, summary and
optionally the costs of repeated updates (steps).

Every number shown is an entry of the trace's arrays (those ``backprop``
returned); the arithmetic in a substituted line is shown, not redone, except
the one inner product ⟨∇_a C, a^L⟩ that the softmax Jacobian line displays.

The representative element is j = 1, k = 1 (index 0), with 1-based indices in
the text as in the notes. Negative numbers inside a substitution are put in
parentheses: ``0.5000 · (−0.0381)``.
"""

from __future__ import annotations

import numpy as np

from .document import CostTable, Definition, Document, Equation, Heading, Note, Section, Substitution, Value
from .formulas import COST_DEFINITIONS, SIGMA_DEFINITIONS, grad_a_line, sigma_prime_line
from .markup import MINUS, element, number, operand, plain, terms_of
from .terms import TERMS

FULL_WIDTH = 8  # a network with a layer wider than this is shown as shapes, norms and a few entries


def build(trace, precision=4, costs=None, plain_costs=None) -> Document:
    """The sections of an explanation of ``trace``; ``costs`` adds the repeated-updates table.

    plain_costs : with dropout, C without masks after the same updates (a second column).
    """
    p = precision
    full = max(trace.sizes) <= FULL_WIDTH

    def value(name, array, note=None, entry=None):
        return Value(name, np.asarray(array), full, p, note, entry)

    facts = [
        ("network", "-".join(map(str, trace.sizes))),
        ("hidden_sigma", trace.activation),
        ("output_sigma", trace.output),
        ("cost_function", trace.cost_name),
        ("learning_rate", plain(trace.lr)),
        ("dtype", trace.dtype),
    ]
    if trace.dropout is not None:
        facts.append(("dropout_rate", ", ".join(plain(rate) for rate in trace.dropout)))
    if trace.l2:
        facts.append(("l2_lambda", f"λ = {plain(trace.l2)}, n = {trace.n}"))
    if trace.l1:
        facts.append(("l1_lambda", f"λ_{{1}} = {plain(trace.l1)}, n = {trace.n}"))
    sections = [
        _notation(trace, full),
        _forward(trace, p, value),
        _cost(trace, p, value),
        _bp1(trace, p, value),
        _bp2(trace, p, value),
        _bp3(trace, p, value),
        _bp4(trace, p, value),
        _update(trace, p, value),
        _summary(trace),
    ]
    if costs is not None:
        sections.append(_steps(trace, costs, p, plain_costs))
    return Document(facts, sections, not full)


def _notation(trace, full):
    items = [Note("how_to_read")]
    if not full:
        items.append(Note("summary_mode", {"width": FULL_WIDTH}))
    items += [
        Definition("w^{l}_{jk}", "def.w"),
        Definition("b^{l}_{j}", "def.b"),
        Definition("z^{l}_{j} = Σ_{k} w^{l}_{jk} a^{l−1}_{k} + b^{l}_{j}", "def.z"),
        Definition("a^{l}_{j} = σ(z^{l}_{j})", "def.a"),
    ]
    hidden = trace.hidden_activations
    if len(set(hidden)) <= 1:
        name = hidden[0] if hidden else trace.activation
        items.append(Definition(SIGMA_DEFINITIONS.get(name, "σ"), "def.sigma", {"name": name}))
    else:  # one σ per hidden layer
        for layer, name in enumerate(hidden, start=2):
            items.append(Definition(SIGMA_DEFINITIONS.get(name, "σ"), "def.sigma_layer", {"name": name, "l": layer}))
    if trace.dropout is not None:
        items.append(Definition("ã^{l} = a^{l} ⊙ m^{l}/(1 − p),  m^{l}_{j} ~ Bernoulli(1 − p)", "def.dropout"))
    if trace.penalized:
        items.append(Definition(_penalized_cost(trace), "def.penalty"))
    if trace.output not in (hidden or [trace.activation]):
        items.append(Definition(SIGMA_DEFINITIONS.get(trace.output, "σ"), "def.sigma_output", {"name": trace.output}))
    items += [
        Definition("δ^{l}_{j} = ∂C/∂z^{l}_{j}", "def.delta"),
        Definition(COST_DEFINITIONS.get(trace.cost_name, "C"), "def.cost", {"name": trace.cost_name}),
        Definition(f"η = {plain(trace.lr)}", "def.eta"),
        Note("def.hadamard"),
        Note("def.nabla"),
    ]
    return Section("notation", items)


def _penalized_cost(trace):
    """C = C₀ + the terms this trace has: (λ/2n) Σ w², (λ_1/n) Σ |w|."""
    terms = (["(λ/2n) Σ w²"] if trace.l2 else []) + (["(λ_{1}/n) Σ |w|"] if trace.l1 else [])
    return "C = C_{0} + " + " + ".join(terms)


def _a(trace, layer):
    """The symbol of what layer l passes on: ã^{l} when dropout masked it, else a^{l}."""
    return f"ã^{{{layer}}}" if trace.mask(layer) is not None else f"a^{{{layer}}}"


def _layer_heading(trace, layer):
    return Heading("layer_output" if layer == len(trace.sizes) else "layer", {"l": layer})


def _forward(trace, p, value):
    L = len(trace.sizes)
    items = [value("x = a^{1}", trace.activations[0], entry="a^{1}_{#}")]
    for layer in range(2, L + 1):
        i = layer - 2
        w, b, z, a = trace.weights_before[i], trace.biases_before[i], trace.zs[i], trace.activations[i + 1]
        prev = trace.activations[i]
        comma = max(w.shape) > 9
        wk = lambda k: element(f"w^{{{layer}}}", 1, k + 1, comma=comma)  # noqa: E731
        before = _a(trace, layer - 1)
        symbols = terms_of(w.shape[1], lambda k: f"{wk(k)} {before}_{{{k + 1}}}")
        numbers = terms_of(w.shape[1], lambda k: f"{operand(w[0, k], p)} · {operand(prev[k], p)}")
        items += [
            _layer_heading(trace, layer),
            Equation(f"z^{{{layer}}} = w^{{{layer}}} {before} + b^{{{layer}}}"),
            Substitution(
                f"z^{{{layer}}}_{{1}} = {symbols} + b^{{{layer}}}_{{1}} = {numbers} + {operand(b[0], p)}"
                f" = {number(z[0], p)}"
            ),
        ]
        sigma = trace.sigma_name(layer)
        a = trace.undropped[i + 1]  # a^l = σ(z^l); with dropout, ã^l comes below
        if sigma == "softmax":
            exps = terms_of(len(z), lambda k: f"exp({number(z[k], p)})")
            items += [
                Equation(f"a^{{{layer}}}_{{j}} = exp(z^{{{layer}}}_{{j}}) / Σ_{{k}} exp(z^{{{layer}}}_{{k}})"),
                Substitution(
                    f"a^{{{layer}}}_{{1}} = exp(z^{{{layer}}}_{{1}}) / Σ_{{k}} exp(z^{{{layer}}}_{{k}}) = "
                    f"exp({number(z[0], p)}) / ({exps}) = {number(a[0], p)}"
                ),
            ]
        else:
            items += [
                Equation(f"a^{{{layer}}} = σ(z^{{{layer}}})"),
                Substitution(
                    f"a^{{{layer}}}_{{1}} = σ(z^{{{layer}}}_{{1}}) = σ({number(z[0], p)}) = {number(a[0], p)}"
                ),
            ]
        items += [
            value(f"w^{{{layer}}}", w),
            value(f"b^{{{layer}}}", b),
            value(f"z^{{{layer}}}", z),
            value(f"a^{{{layer}}}", a),
        ]
        mask = trace.mask(layer)
        if mask is not None:
            dropped = trace.activations[i + 1]
            items += [
                Note("note.dropout", {"p": plain(trace.dropout[i]), "l": layer}),
                Equation(f"ã^{{{layer}}} = a^{{{layer}}} ⊙ m^{{{layer}}}/(1 − p)"),
                Substitution(
                    f"ã^{{{layer}}}_{{1}} = a^{{{layer}}}_{{1}} · m^{{{layer}}}_{{1}}/(1 − p) = "
                    f"{operand(a[0], p)} · {operand(mask[0], p)} = {number(dropped[0], p)}"
                ),
                value(f"m^{{{layer}}}/(1 − p)", mask, entry=f"m^{{{layer}}}_{{#}}/(1 − p)"),
                value(f"ã^{{{layer}}}", dropped),
            ]
    return Section("forward", items)


def _cost(trace, p, value):
    L = len(trace.sizes)
    a, y, name = trace.activations[-1], trace.y, trace.cost_name
    aj = lambda j: f"a^{{{L}}}_{{{j + 1}}}"  # noqa: E731
    C = number(trace.cost, p)
    if name == "quadratic":
        equation = f"C = ½ Σ_{{j}} (y_{{j}} − a^{{{L}}}_{{j}})²"
        numbers = f"½ ({terms_of(len(a), lambda j: f'({operand(y[j], p)} − {operand(a[j], p)})²')})"
        line = f"C = {numbers} = {C}"
    elif name == "cross_entropy":
        equation = f"C = −Σ_{{j}} [y_{{j}} ln a^{{{L}}}_{{j}} + (1 − y_{{j}}) ln(1 − a^{{{L}}}_{{j}})]"
        numbers = terms_of(
            len(a),
            lambda j: (
                f"[{operand(y[j], p)} · ln {operand(a[j], p)} + (1 − {operand(y[j], p)}) · ln(1 − {operand(a[j], p)})]"
            ),
        )
        line = f"C = −({numbers}) = {C}"
    elif name == "log_likelihood":
        equation = f"C = −Σ_{{j}} y_{{j}} ln a^{{{L}}}_{{j}}"
        one_hot = np.count_nonzero(y == 1) == 1 and np.count_nonzero(y) == 1
        if one_hot:
            c = int(np.argmax(y))
            line = f"C = −ln {aj(c)} = −ln {operand(a[c], p)} = {C}"
        else:
            line = f"C = −({terms_of(len(a), lambda j: f'{operand(y[j], p)} · ln {operand(a[j], p)}')}) = {C}"
    else:
        equation, line = "C = C(a^{L}, y)", f"C = {C}"
    if not trace.penalized:
        return Section("cost", [Equation(equation), Substitution(line), value("y", y), value(f"a^{{{L}}}", a)])
    # With L2/L1 the lines above are C₀, the cost of the sample alone; then the terms are added.
    head = line.rsplit(" = ", 1)[0]  # the line's last number is C; here it is C₀
    equation, line = "C_{0}" + equation[1:], f"C_{{0}}{head[1:]} = {number(trace.cost0, p)}"
    symbols, numbers = ["C_{0}"], [operand(trace.cost0, p)]
    if trace.l2:
        symbols.append("(λ/2n) Σ w²")
        numbers.append(f"({plain(trace.l2)}/{2 * trace.n}) · {operand(trace.sum_squares, p)}")
    if trace.l1:
        symbols.append("(λ_{1}/n) Σ |w|")
        numbers.append(f"({plain(trace.l1)}/{trace.n}) · {operand(trace.sum_abs, p)}")
    items = [
        Equation(equation),
        Substitution(line),
        Equation(_penalized_cost(trace)),
        Substitution(f"C = {' + '.join(symbols)} = {' + '.join(numbers)} = {C}"),
        value("y", y),
        value(f"a^{{{L}}}", a),
    ]
    return Section("cost", items)


def _bp1(trace, p, value):
    L = len(trace.sizes)
    a, y, z, delta, grad_a = trace.activations[-1], trace.y, trace.zs[-1], trace.deltas[-1], trace.grad_a
    items = [Equation("δ^{L} = ∇_{a} C ⊙ σ′(z^{L})"), _layer_heading(trace, L)]
    if trace.shortcut:
        key = f"note.shortcut.{trace.output}_{trace.cost_name}"
        items += [
            Note(key if key in TERMS else "note.shortcut.other"),
            Equation(f"δ^{{{L}}} = a^{{{L}}} − y"),
            Substitution(
                f"δ^{{{L}}}_{{1}} = a^{{{L}}}_{{1}} − y_{{1}} = {operand(a[0], p)} − {operand(y[0], p)}"
                f" = {number(delta[0], p)}"
            ),
            value("∇_{a} C", grad_a, entry=f"∂C/∂a^{{{L}}}_{{#}}"),
            value(f"δ^{{{L}}}", delta),
        ]
    elif trace.sigma_primes[-1] is not None:
        sp = trace.sigma_primes[-1]
        items += [
            Equation(f"δ^{{{L}}} = ∇_{{a}} C ⊙ σ′(z^{{{L}}})"),
            Substitution(grad_a_line(trace.cost_name, L, a[0], y[0], grad_a[0], p)),
            Substitution(sigma_prime_line(trace.output, L, z[0], a[0], sp[0], p)),
            Substitution(
                f"δ^{{{L}}}_{{1}} = ∂C/∂a^{{{L}}}_{{1}} · σ′(z^{{{L}}}_{{1}}) = "
                f"{operand(grad_a[0], p)} · {operand(sp[0], p)} = {number(delta[0], p)}"
            ),
            value("∇_{a} C", grad_a, entry=f"∂C/∂a^{{{L}}}_{{#}}"),
            value(f"σ′(z^{{{L}}})", sp, entry=f"σ′(z^{{{L}}}_{{#}})"),
            value(f"δ^{{{L}}}", delta),
        ]
    elif trace.output == "softmax":
        inner = float(np.dot(grad_a, a))
        gk = terms_of(len(a), lambda k: f"{operand(grad_a[k], p)} · {operand(a[k], p)}")
        items += [
            Note("note.jacobian"),
            Equation(
                f"δ^{{{L}}} = (∂a^{{{L}}}/∂z^{{{L}}})ᵀ ∇_{{a}} C = a^{{{L}}} ⊙ (∇_{{a}} C − ⟨∇_{{a}} C, a^{{{L}}}⟩)"
            ),
            Substitution(grad_a_line(trace.cost_name, L, a[0], y[0], grad_a[0], p)),
            Substitution(
                f"⟨∇_{{a}} C, a^{{{L}}}⟩ = Σ_{{k}} ∂C/∂a^{{{L}}}_{{k}} a^{{{L}}}_{{k}} = {gk} = {number(inner, p)}"
            ),
            Substitution(
                f"δ^{{{L}}}_{{1}} = a^{{{L}}}_{{1}} (∂C/∂a^{{{L}}}_{{1}} − ⟨∇_{{a}} C, a^{{{L}}}⟩) = "
                f"{operand(a[0], p)} · ({operand(grad_a[0], p)} − {operand(inner, p)}) = {number(delta[0], p)}"
            ),
            value("∇_{a} C", grad_a, entry=f"∂C/∂a^{{{L}}}_{{#}}"),
            value(f"δ^{{{L}}}", delta),
        ]
    else:
        items += [
            Note("note.jacobian_custom"),
            Equation(f"δ^{{{L}}} = (∂a^{{{L}}}/∂z^{{{L}}})ᵀ ∇_{{a}} C"),
            value("∇_{a} C", grad_a, entry=f"∂C/∂a^{{{L}}}_{{#}}"),
            value(f"δ^{{{L}}}", delta),
        ]
    return Section("bp1", items)


def _bp2(trace, p, value):
    L = len(trace.sizes)
    items = [
        Equation("δ^{l} = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^{l})"),
        Equation("δ^{l}_{j} = Σ_{k} w^{l+1}_{kj} δ^{l+1}_{k} · σ′(z^{l}_{j})"),
    ]
    if trace.dropout is not None:
        items.append(Equation("dropout:  δ^{l} = ((w^{l+1})ᵀ δ^{l+1}) ⊙ m^{l}/(1 − p) ⊙ σ′(z^{l})"))
    if L == 2:
        return Section("bp2", items + [Note("note.no_hidden")])
    for layer in range(L - 1, 1, -1):
        i = layer - 2
        w_next, d_next = trace.weights_before[i + 1], trace.deltas[i + 1]
        sp, delta, z, a = trace.sigma_primes[i], trace.deltas[i], trace.zs[i], trace.undropped[i + 1]
        comma = max(w_next.shape) > 9
        n = layer + 1
        symbols = terms_of(
            len(d_next), lambda k: f"{element(f'w^{{{n}}}', k + 1, 1, comma=comma)} δ^{{{n}}}_{{{k + 1}}}"
        )
        numbers = terms_of(len(d_next), lambda k: f"{operand(w_next[k, 0], p)} · {operand(d_next[k], p)}")
        mask = trace.mask(layer)
        if mask is None:
            equation = f"δ^{{{layer}}} = ((w^{{{n}}})ᵀ δ^{{{n}}}) ⊙ σ′(z^{{{layer}}})"
            line = (
                f"δ^{{{layer}}}_{{1}} = ({symbols}) · σ′(z^{{{layer}}}_{{1}}) = ({numbers}) · "
                f"{operand(sp[0], p)} = {number(delta[0], p)}"
            )
        else:
            equation = f"δ^{{{layer}}} = ((w^{{{n}}})ᵀ δ^{{{n}}}) ⊙ m^{{{layer}}}/(1 − p) ⊙ σ′(z^{{{layer}}})"
            line = (
                f"δ^{{{layer}}}_{{1}} = ({symbols}) · m^{{{layer}}}_{{1}}/(1 − p) · σ′(z^{{{layer}}}_{{1}}) = "
                f"({numbers}) · {operand(mask[0], p)} · {operand(sp[0], p)} = {number(delta[0], p)}"
            )
        items += [_layer_heading(trace, layer)]
        items += [Note("note.dropout_bp2", {"l": layer})] if mask is not None else []
        items += [
            Equation(equation),
            Substitution(sigma_prime_line(trace.sigma_name(layer), layer, z[0], a[0], sp[0], p)),
            Substitution(line),
        ]
        items += (
            [value(f"m^{{{layer}}}/(1 − p)", mask, entry=f"m^{{{layer}}}_{{#}}/(1 − p)")] if mask is not None else []
        )
        items += [
            value(f"σ′(z^{{{layer}}})", sp, entry=f"σ′(z^{{{layer}}}_{{#}})"),
            value(f"δ^{{{layer}}}", delta),
        ]
        dead = not np.any(sp) and not (trace.l1 or trace.l2)  # with a penalty, ∂C/∂w is not 0
        items += [Note("note.dead_layer", {"l": layer})] if dead else []
    return Section("bp2", items)


def _bp3(trace, p, value):
    L = len(trace.sizes)
    terms = (["(λ/n) w^{l}_{jk}"] if trace.l2 else []) + (["(λ_{1}/n) sgn(w^{l}_{jk})"] if trace.l1 else [])
    items = [Equation(" + ".join(["∂C/∂w^{l}_{jk} = a^{l−1}_{k} δ^{l}_{j}", *terms])), Note("note.matrix_bp3")]
    if trace.l1:
        items.append(Note("note.l1", {"l1": plain(trace.l1), "n": trace.n}))
    if trace.dropout is not None:
        items.append(Note("note.dropout_bp3"))
    for layer in range(L, 1, -1):
        i = layer - 2
        gw, prev, delta, w = trace.grad_w[i], trace.activations[i], trace.deltas[i], trace.weights_before[i]
        wname = element(f"∂C/∂w^{{{layer}}}", 1, 1, comma=max(gw.shape) > 9)
        w11 = element(f"w^{{{layer}}}", 1, 1, comma=max(gw.shape) > 9)
        symbols = [f"{_a(trace, layer - 1)}_{{1}} δ^{{{layer}}}_{{1}}"]
        numbers = [f"{operand(prev[0], p)} · {operand(delta[0], p)}"]
        if trace.l2:
            symbols.append(f"(λ/n) {w11}")
            numbers.append(f"({plain(trace.l2)}/{trace.n}) · {operand(w[0, 0], p)}")
        if trace.l1:
            symbols.append(f"(λ_{{1}}/n) sgn({w11})")
            sign = plain(np.sign(w[0, 0]))
            numbers.append(f"({plain(trace.l1)}/{trace.n}) · {f'({sign})' if sign.startswith(MINUS) else sign}")
        items += [
            _layer_heading(trace, layer),
            Substitution(f"{wname} = {' + '.join(symbols)} = {' + '.join(numbers)} = {number(gw[0, 0], p)}"),
            value(f"∂C/∂w^{{{layer}}}", gw),
        ]
    return Section("bp3", items)


def _bp4(trace, p, value):
    L = len(trace.sizes)
    items = [Equation("∂C/∂b^{l}_{j} = δ^{l}_{j}")]
    for layer in range(L, 1, -1):
        i = layer - 2
        items += [
            _layer_heading(trace, layer),
            Substitution(f"∂C/∂b^{{{layer}}}_{{1}} = δ^{{{layer}}}_{{1}} = {number(trace.grad_b[i][0], p)}"),
            value(f"∂C/∂b^{{{layer}}}", trace.grad_b[i]),
        ]
    return Section("bp4", items)


def _update(trace, p, value):
    L = len(trace.sizes)
    eta = plain(trace.lr)
    items = [
        Equation("w^{l}_{jk} ← w^{l}_{jk} − η ∂C/∂w^{l}_{jk}"),
        Equation("b^{l}_{j} ← b^{l}_{j} − η ∂C/∂b^{l}_{j}"),
        Note("note.update", {"lr": eta}),
    ]
    for layer in range(L, 1, -1):
        i = layer - 2
        w, gw, w_new = trace.weights_before[i], trace.grad_w[i], trace.weights_after[i]
        b, gb, b_new = trace.biases_before[i], trace.grad_b[i], trace.biases_after[i]
        wname = element(f"w^{{{layer}}}", 1, 1, comma=max(w.shape) > 9)
        items += [
            _layer_heading(trace, layer),
            Substitution(
                f"{wname} ← {operand(w[0, 0], p)} − {eta} · {operand(gw[0, 0], p)} = {number(w_new[0, 0], p)}"
            ),
            Substitution(
                f"b^{{{layer}}}_{{1}} ← {operand(b[0], p)} − {eta} · {operand(gb[0], p)} = {number(b_new[0], p)}"
            ),
            value(f"w^{{{layer}}}", w_new, "after_update"),
            value(f"b^{{{layer}}}", b_new, "after_update"),
        ]
    return Section("update", items)


def _summary(trace):
    items = [
        Equation("BP1  δ^{L} = ∇_{a} C ⊙ σ′(z^{L})"),
        Equation("BP2  δ^{l} = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^{l})"),
        Equation("BP3  ∂C/∂w^{l}_{jk} = a^{l−1}_{k} δ^{l}_{j}"),
        Equation("BP4  ∂C/∂b^{l}_{j} = δ^{l}_{j}"),
        Equation("w^{l}_{jk} ← w^{l}_{jk} − η a^{l−1}_{k} δ^{l}_{j},  b^{l}_{j} ← b^{l}_{j} − η δ^{l}_{j}"),
    ]
    if trace.dropout is not None:
        items.append(Equation("dropout:  BP2  δ^{l} = ((w^{l+1})ᵀ δ^{l+1}) ⊙ m^{l}/(1 − p) ⊙ σ′(z^{l})"))
    if trace.l2:
        items.append(Equation("L2:  BP3  ∂C/∂w^{l}_{jk} = a^{l−1}_{k} δ^{l}_{j} + (λ/n) w^{l}_{jk}"))
    if trace.l1:
        items.append(Equation("L1:  BP3  ∂C/∂w^{l}_{jk} = a^{l−1}_{k} δ^{l}_{j} + (λ_{1}/n) sgn(w^{l}_{jk})"))
    return Section("summary", items)


def cost_rows(costs, max_rows=12):
    """(t, index into costs) for a table of at most ``max_rows`` rows, always the first and the last."""
    n = len(costs)
    if n <= max_rows:
        return list(range(n))
    return sorted(set(np.linspace(0, n - 1, max_rows).round().astype(int).tolist()))


def _steps(trace, costs, p, plain_costs=None):
    """The costs of repeated updates; with dropout a second column, C without masks, whose trend is told."""
    two = plain_costs is not None
    rows = [(t, number(costs[t], p)) + ((number(plain_costs[t], p),) if two else ()) for t in cost_rows(costs)]
    n = len(costs) - 1
    trend = plain_costs if two else costs
    key = "steps.fell" if trend[-1] <= trend[0] else "steps.rose"
    names = {"n": n, "lr": plain(trace.lr), "first": number(trend[0], p), "last": number(trend[-1], p)}
    items = [CostTable(rows, Note(key, names))]
    if trace.penalized:
        items.append(Note("steps.penalized"))
    if trace.dropout is not None:
        items.append(Note("steps.dropout" if two else "steps.dropout_one"))
    return Section("steps", items)
