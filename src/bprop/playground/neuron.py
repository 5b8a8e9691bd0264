"""The neuron panel: every number of BP1–BP4 for one neuron j of layer l.

``panel(session, layer, j, lang, sample, row)`` runs ``net.backprop`` once, on
the batch the next step will train on (or on one training sample), at the
current weights, and reads the neuron's numbers out of the arrays it returns:

    z, a               grads.zs[l-2][:, j], grads.activations[l-1][:, j]
    δ                  grads.deltas[l-2][:, j]              BP1 (output layer) or BP2
    ∂C/∂b^l_j          grads.biases[l-2][j]                 BP4 (batch mean)
    ∂C/∂w^l_jk         grads.weights[l-2][j, k]             BP3 (batch mean)
    w − η ∂C/∂w        the update of gradient descent with the optimizer's η

σ′(z) comes from the network's own activation object, and the BP2 terms
w^{l+1}_kj δ^{l+1}_k from its weights and the δ of the next layer, for one row
of the batch. With plain SGD the update shown is the one the next step applies.
Indices j, k count from 1 (as in the notes and ``bprop explain``); ``sample``
and ``row`` are row indices counting from 0.

The words come from ``bprop.teaching.explanation.terms`` (the same table as ``bprop
explain``), the formulas are written in its markup and rendered by its
``to_html``, so the page shows both languages with one vocabulary.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..core import activations as activation_table
from ..core import costs as cost_table
from ..core.arguments import as_targets
from ..teaching.explanation.markup import number, operand, plain, to_html
from ..teaching.explanation.terms import TERMS, check_lang, heading, term
from .settings import SettingError

P = 4  # decimals shown


def _index(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise SettingError(name, f"{name}={value!r} is out of range; use a whole number between {low} and {high}.")
    return int(value)


def panel(session, layer, j, lang="en", sample=None, row=0) -> dict:
    """The JSON of the neuron panel (see the module docstring)."""
    net = session.net
    lang = _lang(lang)
    L = net.num_layers
    if layer == 1:
        raise SettingError(
            "layer",
            f"layer 1 is the input layer: its neurons are the features, with no z, δ or "
            f"weights. Choose a layer between 2 and L = {L}.",
        )
    layer = _index(layer, "layer", 2, L)
    n_l = net.sizes[layer - 1]
    j = _index(j, "j", 1, n_l)
    if sample is None:
        rows, mode = session.next_batch(), "batch"
    else:
        rows, mode = np.array([_index(sample, "sample", 0, len(session.y_train) - 1)]), "sample"
    row = _index(row, "row", 0, len(rows) - 1)
    X, y = session.X_train[rows], session.y_train[rows]
    with np.errstate(all="ignore"):
        grads = net.backprop(X, y, l2=session.settings.l2, n=len(session.y_train), l1=session.settings.l1)
    i, jj, m = layer - 2, j - 1, len(rows)
    output = layer == L
    sigma = net.output if output else net.hidden_activations[i]  # each hidden layer's own σ
    z, a = grads.zs[i][:, jj], grads.activations[i + 1][:, jj]
    delta = grads.deltas[i][:, jj]
    with np.errstate(all="ignore"):
        sigma_prime = (
            sigma.derivative(grads.zs[i], grads.activations[i + 1])[:, jj]
            if activation_table.is_elementwise(sigma)
            else None
        )
    eta = session.optimizer.learning_rate()
    lab = f"^{{{layer}}}_{{{j}}}"
    result = {
        "layer": layer,
        "j": j,
        "lang": lang,
        "mode": mode,
        "rows": rows.tolist(),
        "row": row,
        "m": m,
        "output_layer": output,
        "rule": "BP1" if output else "BP2",
        "z": z.tolist(),
        "a": a.tolist(),
        "delta": delta.tolist(),
        "sigma_prime": None if sigma_prime is None else sigma_prime.tolist(),
        "grad_b": float(grads.biases[i][jj]),
        "bias": float(net.biases[i][jj]),
        "eta": eta,
        "optimizer": session.settings.optimizer,
        "l2": session.settings.l2,
        "l1": session.settings.l1,
    }
    r = row
    where = term("label.forward", lang) + f" · {_sample_words(mode, rows[r], r, m, lang)}"

    # forward: z, a, σ′(z)
    forward = [
        f"{term('weighted_input', lang)}: z{lab} = Σ_{{k}} w^{{{layer}}}_{{{j}k}} a^{{{layer - 1}}}_{{k}} + b{lab} = {number(z[r], P)}",
        f"{term('activation', lang)}: a{lab} = σ(z{lab}) = {number(a[r], P)}",
    ]
    if sigma_prime is not None:
        forward.append(f"σ′(z{lab}) = {number(sigma_prime[r], P)}")

    # δ by BP1 or BP2
    if output:
        Y = as_targets(y, m, net.sizes[-1], net.dtype)
        target = float(Y[r, jj])
        result["target"] = target
        shortcut = cost_table.uses_shortcut(net.output, net.cost)
        if shortcut:
            lines = [
                f"δ{lab} = a{lab} − y_{{{j}}} = {operand(a[r], P)} − {operand(target, P)} = {number(delta[r], P)}",
                term(_shortcut_note(net), lang),
            ]
        elif sigma_prime is not None:
            with np.errstate(all="ignore"):
                grad_a = float(net.cost.gradient(grads.activations[-1][r : r + 1], Y[r : r + 1])[0, jj])
            result["grad_a"] = grad_a
            lines = [
                f"δ{lab} = ∂C/∂a{lab} · σ′(z{lab}) = {operand(grad_a, P)} · {operand(sigma_prime[r], P)} "
                f"= {number(delta[r], P)}"
            ]
        else:
            lines = [f"δ{lab} = {number(delta[r], P)}", term("note.jacobian", lang)]
        delta_section = {
            "id": "bp1",
            "heading": to_html(heading("bp1", lang)),
            "equation": to_html("δ^{L} = ∇_{a} C ⊙ σ′(z^{L})"),
            "lines": [to_html(s) for s in lines],
        }
    else:
        w_next = net.weights[i + 1][:, jj]  # w^{l+1}_kj for every k
        delta_next = grads.deltas[i + 1][r]  # δ^{l+1}_k of this row
        products = w_next * delta_next
        result["terms"] = [
            {"k": k + 1, "w": float(w_next[k]), "delta": float(delta_next[k]), "product": float(products[k])}
            for k in range(len(w_next))
        ]
        result["sum"] = float(products.sum())
        nxt = layer + 1
        parts = " + ".join(f"{operand(w, P)} · {operand(d, P)}" for w, d in zip(w_next, delta_next))
        lines = [
            f"Σ_{{k}} w^{{{nxt}}}_{{k{j}}} δ^{{{nxt}}}_{{k}} = {parts} = {number(products.sum(), P)}",
            f"δ{lab} = (Σ_{{k}} w^{{{nxt}}}_{{k{j}}} δ^{{{nxt}}}_{{k}}) · σ′(z{lab}) = {operand(products.sum(), P)} · "
            f"{operand(sigma_prime[r], P)} = {number(delta[r], P)}",
        ]
        delta_section = {
            "id": "bp2",
            "heading": to_html(heading("bp2", lang)),
            "equation": to_html("δ^{l} = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^{l})"),
            "lines": [to_html(s) for s in lines],
        }

    mean = "" if m == 1 else f" ({_mean_words(m, lang)})"
    bp4 = {
        "id": "bp4",
        "heading": to_html(heading("bp4", lang)),
        "equation": to_html("∂C/∂b^{l}_{j} = δ^{l}_{j}"),
        "lines": [to_html(f"∂C/∂b{lab} = {number(result['grad_b'], P)}{mean}")],
    }

    w_row, gw_row = net.weights[i][jj], grads.weights[i][jj]
    a_prev = grads.activations[i][r]
    new_w = w_row - eta * gw_row  # w ← w − η ∂C/∂w, for display
    new_b = result["bias"] - eta * result["grad_b"]
    result["incoming"] = [
        {
            "k": k + 1,
            "w": float(w_row[k]),
            "a_prev": float(a_prev[k]),
            "grad_w": float(gw_row[k]),
            "w_new": float(new_w[k]),
        }
        for k in range(len(w_row))
    ]
    result["bias_new"] = float(new_b)
    bp3_lines = []
    for k in range(len(w_row)):
        w_jk, a_k = f"w^{{{layer}}}_{{{j}{k + 1}}}", f"a^{{{layer - 1}}}_{{{k + 1}}}"
        worked = f"{a_k} δ{lab} = {operand(a_prev[k], P)} · {operand(delta[r], P)} = {number(a_prev[k] * delta[r], P)}"
        if m == 1 and not session.settings.l2 and not session.settings.l1:
            bp3_lines.append(f"∂C/∂{w_jk} = {worked}")
        else:
            extra = f" + (λ/n) {w_jk}" if session.settings.l2 else ""
            extra += f" + (λ_{{1}}/n) sgn({w_jk})" if session.settings.l1 else ""
            bp3_lines.append(f"∂C/∂{w_jk} = ⟨{a_k} δ{lab}⟩{extra} = {number(gw_row[k], P)}{mean};  {worked}")
    bp3 = {
        "id": "bp3",
        "heading": to_html(heading("bp3", lang)),
        "equation": to_html("∂C/∂w^{l}_{jk} = a^{l−1}_{k} δ^{l}_{j}"),
        "lines": [to_html(s) for s in bp3_lines],
    }
    update_lines = [
        f"w^{{{layer}}}_{{{j}{k + 1}}} ← {operand(w_row[k], P)} − {plain(eta)} · {operand(gw_row[k], P)} "
        f"= {number(new_w[k], P)}"
        for k in range(len(w_row))
    ]
    update_lines.append(
        f"b{lab} ← {operand(result['bias'], P)} − {plain(eta)} · {operand(result['grad_b'], P)} = {number(new_b, P)}"
    )
    notes = []
    if session.settings.l2:
        notes.append(
            f"L2: ∂C/∂w = a^{{l−1}}_{{k}} δ^{{l}}_{{j}} + (λ/n) w, λ = {plain(session.settings.l2)}, "
            f"n = {len(session.y_train)}"
        )
    if session.settings.l1:
        notes.append(
            f"L1: ∂C/∂w = a^{{l−1}}_{{k}} δ^{{l}}_{{j}} + (λ_{{1}}/n) sgn(w), λ_{{1}} = {plain(session.settings.l1)}, "
            f"n = {len(session.y_train)}"
        )
    if session.settings.dropout and not output:
        notes.append(_dropout_words(session.settings.dropout, lang))
    if session.settings.optimizer != "sgd":
        notes.append(_optimizer_words(session.settings.optimizer, lang))
    update = {
        "id": "update",
        "heading": to_html(heading("update", lang)),
        "equation": to_html(f"w ← w − η ∂C/∂w,  b ← b − η ∂C/∂b  ({term('learning_rate', lang)} = {plain(eta)})"),
        "lines": [to_html(s) for s in update_lines + notes],
    }
    result["title"] = to_html(f"{term('layer_output' if output else 'layer', lang, l=layer)} · j = {j}")
    result["sections"] = [
        {
            "id": "forward",
            "heading": to_html(where),
            "equation": to_html("z^{l} = w^{l} a^{l−1} + b^{l},  a^{l} = σ(z^{l})"),
            "lines": [to_html(s) for s in forward],
        },
        delta_section,
        bp3,
        bp4,
        update,
    ]
    result["labels"] = {
        key: term(key, lang) for key in ("weighted_input", "activation", "error", "weight", "bias", "learning_rate")
    }
    return result


def _shortcut_note(net):
    key = f"note.shortcut.{getattr(net.output, 'name', '')}_{getattr(net.cost, 'name', '')}"
    return key if key in TERMS else "note.shortcut.other"


def _lang(lang):
    try:
        return check_lang(lang)
    except ValueError as error:
        raise SettingError("lang", str(error)) from None


def _sample_words(mode, index, row, m, lang):
    if mode == "sample":
        return f"training sample {index}" if lang == "en" else f"训练样本 {index}"
    return (
        f"row {row} of the next batch ({m} samples; training sample {index})"
        if lang == "en"
        else f"下一批（{m} 个样本）的第 {row} 行（训练样本 {index}）"
    )


def _mean_words(m, lang):
    return f"mean over the {m} samples of the batch" if lang == "en" else f"一批 {m} 个样本的平均值"


# The optimizers' names as the page shows them (static/words.js NAMES.optimizer).
OPTIMIZER_NAMES = {
    "momentum": ("momentum", "动量法"),
    "nesterov": ("Nesterov momentum", "Nesterov 动量法"),
    "adam": ("Adam", "Adam"),
}


def _optimizer_words(name, lang):
    en, zh = OPTIMIZER_NAMES.get(name, (name, name))
    if lang == "en":
        return (
            f"The optimizer {en} applies its own rule to ∂C/∂w; the lines above are the plain gradient-descent "
            "update of the derivation."
        )
    return f"优化器 {zh} 用自己的规则使用 ∂C/∂w；上面是推导中的普通梯度下降更新。"


def _dropout_words(p, lang):
    """Dropout acts in training steps only: the panel's numbers are a pass without a mask, as evaluation is."""
    if lang == "en":
        return (
            f"Dropout p = {plain(p)}: each training step drops every hidden neuron with probability p (and its "
            "error with it, BP2 ⊙ m^{l}/(1 − p)); the numbers here are a pass without a mask, as evaluation is."
        )
    return (
        f"随机失活 p = {plain(p)}：每个训练步以概率 p 丢弃每个隐藏神经元（它的误差也随之为 0，公式2 ⊙ m^{{l}}/(1 − p)）；"
        "这里的数值是不带掩码的一次传播，和评估时一样。"
    )
