"""The lines of the derivation in symbols (the notes' 推导过程, in their order) and with numbers.

``chain_lines`` writes an equation's chain-rule lines with its indices, the
notes' order and wording (BP3 ends with a^{l−1}_k δ^l_j); ``numbers_line``
its last line with this sample's numbers; ``cost_formula`` the cost's formula
for this network's L. Values are written with significant digits (``value``,
``operand``). ``derivation_page`` lays them out.
"""

from __future__ import annotations

from .formulas import COST_DEFINITIONS
from .markup import MINUS, significant


def value(x, digits) -> str:
    return significant(x, digits)


def operand(x, digits) -> str:
    """A value inside an expression: negatives in parentheses, '(−0.038098)'."""
    text = significant(x, digits)
    return f"({text})" if text.startswith(MINUS) else text


def cost_formula(d) -> str:
    """C of one sample by the cost's formula, a^{L} written with this network's L: 'C = ½ Σ_{j} (y_{j} − a^{3}_{j})²'."""
    formula = COST_DEFINITIONS.get(d.cost_name, "C = C(a^{L}, y)").split(",  ")[0]
    return formula.replace("a^{L}", f"a^{{{len(d.sizes)}}}")


def numbers_line(e, digits) -> str:
    """The equation's last line with this sample's numbers: BP3 as a^{l−1}_k δ^l_j, the notes' order."""
    products = []
    for n, term in enumerate(e.terms):
        factors = term[::-1] if e.name == "BP3" and n == 0 else term  # a^{l−1}_k δ^l_j, as the notes write it
        products.append(" · ".join(operand(f.analytic, digits) for f in factors))
    joined = " + ".join(products) if len(products) <= 4 else " + ".join(products[:2] + ["…", products[-1]])
    left = e.left.formula if e.name in ("BP1", "BP2") else e.left.symbol
    return f"{left} = {joined} = {value(e.chain_value, digits)}"


def symbol(name, layer, *indices) -> str:
    """'w', 3, 'k', 1 → 'w^{3}_{k1}' (indices joined by commas once one has two digits)."""
    texts = [str(i) for i in indices]
    return f"{name}^{{{layer}}}_{{{(',' if any(len(t) > 1 for t in texts) else '').join(texts)}}}"


def chain_lines(e, d) -> list:
    """The derivation's lines, in symbols with this equation's indices: the notes' 推导过程, in their order."""
    l, j, k = e.layer, e.j, e.k
    L = len(d.sizes)
    if e.name == "BP1":
        z, a, delta = symbol("z", L, j), symbol("a", L, j), symbol("δ", L, j)
        if len(e.terms) == 1:
            return [f"{delta} = ∂C/∂{z} = ∂C/∂{a} · ∂{a}/∂{z}", f"= (∇_{{a}} C)_{{{j}}} · σ′({z})"]
        a_k = symbol("a", L, "k")
        return [
            f"{delta} = ∂C/∂{z} = Σ_{{k}} ∂C/∂{a_k} · ∂{a_k}/∂{z}",
            f"= Σ_{{k}} (∇_{{a}} C)_{{k}} · {a_k}(1[k = {j}] − {a})",
        ]
    z, a, delta, b = symbol("z", l, j), symbol("a", l, j), symbol("δ", l, j), symbol("b", l, j)
    if e.name == "BP2":
        z_next, delta_next = symbol("z", l + 1, "k"), symbol("δ", l + 1, "k")
        w_next, b_next = symbol("w", l + 1, "k", j), symbol("b", l + 1, "k")
        if len(e.terms[0]) == 4:  # dropout: the next layer sees ã^l_j = a^l_j m^l_j/(1 − p)
            seen, mask = symbol("ã", l, j), f"{symbol('m', l, j)}/(1 − p)"
            return [
                f"{delta} = ∂C/∂{z} = Σ_{{k}} ∂C/∂{z_next} · ∂{z_next}/∂{seen} · ∂{seen}/∂{a} · ∂{a}/∂{z}",
                f"= Σ_{{k}} {delta_next} · ∂({w_next} {seen} + {b_next})/∂{seen} · {mask} · σ′({z})",
                f"= Σ_{{k}} {delta_next} · {w_next} · {mask} · σ′({z})",
            ]
        return [
            f"{delta} = ∂C/∂{z} = Σ_{{k}} ∂C/∂{z_next} · ∂{z_next}/∂{a} · ∂{a}/∂{z}",
            f"= Σ_{{k}} {delta_next} · ∂({w_next} {a} + {b_next})/∂{a} · σ′({z})",
            f"= Σ_{{k}} {delta_next} · {w_next} · σ′({z})",
        ]
    if e.name == "BP3":
        w = symbol("w", l, j, k)
        a_in = e.terms[0][1].formula  # a^{l−1}_k, or ã^{l−1}_k with dropout
        extra = [term[0] for term in e.terms[1:]]  # the L2 / L1 terms' derivatives
        plus = "".join(f" + {f.symbol}" for f in extra)
        plus_value = "".join(f" + {f.formula}" for f in extra)
        return [
            f"∂C/∂{w} = ∂C/∂{z} · ∂{z}/∂{w}{plus}",
            f"= {delta} · ∂({w} {a_in} + {b})/∂{w}{plus_value}",
            f"= {a_in} {delta}{plus_value}",
        ]
    return [f"∂C/∂{b} = ∂C/∂{z} · ∂{z}/∂{b}", f"= {delta}"]
