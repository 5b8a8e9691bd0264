"""The slips a wrong answer may come from, each worked out from the same trace.

``likely_mistake(q, given)`` returns the key of the first slip whose number the
given answer matches (within the question's tolerance), or None. Each slip is
one line of the derivation done wrong: σ forgotten, σ′ left out of BP1 or BP2,
w^{l+1} not transposed, a^l used in BP3 in place of a^{l−1}, the outer product
transposed, the update's sign, the sign of the whole answer.
"""

from __future__ import annotations

import numpy as np

from .questions import Question
from .words import word


def candidates(q: Question) -> list:
    """[(key, value)]: what each slip would have given for this question (None where it does not apply)."""
    t, i, j = q.trace, q.layer - 2, q.j - 1
    out = []
    if q.kind == "a":
        out.append(("mistake.no_sigma", float(t.zs[i][j])))
    if q.kind == "delta_out" and t.sigma_primes[i] is not None and not t.shortcut:
        out.append(("mistake.bp1_no_sigma_prime", float(t.grad_a[j])))
    if q.kind == "delta":
        w_next, delta_next = t.weights_before[i + 1], t.deltas[i + 1]
        out.append(("mistake.bp2_no_sigma_prime", float(w_next[:, j] @ delta_next)))
        if w_next.shape[0] == w_next.shape[1]:  # (w^{l+1}) δ^{l+1} only has the right shape when square
            out.append(("mistake.bp2_untransposed", float(w_next[j, :] @ delta_next * t.sigma_primes[i][j])))
    if q.kind in ("dw", "update"):
        k = q.k - 1
        delta, a_before, a_same = t.deltas[i], t.activations[i], t.activations[i + 1]
        if k < len(a_same):
            out.append(("mistake.bp3_wrong_layer", float(delta[j] * a_same[k])))
        if k < len(delta) and j < len(a_before):
            out.append(("mistake.bp3_transposed", float(delta[k] * a_before[j])))
    if q.kind == "update":
        w, step = float(t.weights_before[i][j, q.k - 1]), q.scale
        out += [("mistake.update_plus", w + step), ("mistake.update_old", w), ("mistake.update_step", -step)]
        if any(key.startswith("mistake.bp3") for key, _ in out):  # BP3 slips, carried into the update
            out = [(key, w - q.lr * value) if key.startswith("mistake.bp3") else (key, value) for key, value in out]
    if q.kind != "update":
        out.append(("mistake.sign", -q.answer))
    return out


def hint(q: Question, given, lang="en") -> str | None:
    """One line naming the slip ``given`` matches, in markup with this question's indices, or None."""
    key = likely_mistake(q, given)
    if key is None:
        return None
    names = {"l": q.layer, "j": q.j, "next": q.layer + 1, "prev": q.layer - 1}
    if q.k is not None:
        names["k"] = q.k
    else:  # BP2 sums over k: w^{l+1}_{kj} with this question's j, as in Σ_k w^{3}_{k1} δ^{3}_{k}
        names["kj"], names["jk"] = f"k{q.j}", f"{q.j}k"
    names = {name: "{" + str(value) + "}" for name, value in names.items()}  # each stands as an index: ^{l} → ^{3}
    return word("hint", lang) + (" " if lang == "en" else "") + word(key, lang, **names)


def likely_mistake(q: Question, given) -> str | None:
    """The key of the slip the wrong answer ``given`` matches, or None."""
    if q.accepts(given):
        return None
    for key, value in candidates(q):
        if np.isfinite(value) and not q.accepts(value) and q.tolerance.accepts(given, value, _scale(q, value)):
            return key
    return None


def _scale(q, value):
    return q.scale if q.kind == "update" else value
