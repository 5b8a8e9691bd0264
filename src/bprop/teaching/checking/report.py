"""A ``CheckReport`` as plain text (en or zh) and as a JSON-ready dict.

The text leads with the first step that breaks: the equation and layer, the
neuron, the number expected and the number got, what the learner's code
computes instead (when a common mistake matches), the line of the derivation
it contradicts, and the fix.
"""

from __future__ import annotations

import copy

from .diagnosis import Finding
from .mistakes import BY_KEY
from .probes import BATCH
from .wording import ARRAYS, CONVENTIONS, DERIVATION, PHRASES, mistake_words, words

PASS, FAIL, WARN = "✓", "✗", "!"


def render_text(report, lang="en") -> str:
    """The report as lines of text; the first failing step in full, the others in a line each."""
    s = report.setting
    lines = [
        f"bprop check {report.spec} — " + words(PHRASES, "runs_file", lang, path=report.path),
        _setting_line(report, lang),
        ("probe networks: " if lang == "en" else "探测网络：")
        + ", ".join(report.probes)
        + (f" (seed {s.seed}); " if lang == "en" else f"（seed {s.seed}）；")
        + words(PHRASES, "fd", lang, error=f"{report.fd_error:.1e}"),
        "",
    ]
    if report.rows:
        lines.append(f"{WARN} " + words(PHRASES, "rows", lang))
    if report.flat:
        lines.append(f"{WARN} " + words(PHRASES, "flat", lang))
    if report.feedforward_checked and report.feedforward is None:
        lines.append(f"{PASS} " + words(PHRASES, "feedforward_ok", lang))
    for step, finding in report.steps:
        if finding is not None:
            lines += finding_lines(finding, report, lang, step)
            if report.first is finding:
                break
        elif step == "backprop":
            lines += _backprop_pass_lines(report, lang)
        elif step == "update":
            lines.append(f"{PASS} " + _update_ok(report, lang))
    if report.setting.l2 and not report.update_checked and report.first is None:
        lines.append(
            f"{WARN} "
            + (
                "--l2 is checked in update_mini_batch(mini_batch, eta, lmbda, n), which your code does not define."
                if lang == "en"
                else "--l2 在 update_mini_batch(mini_batch, eta, lmbda, n) 中检查，你的代码没有定义它。"
            )
        )
    if report.loop is not None:
        lines.append(_loop_line(report.loop, lang))
    lines += ["", _verdict(report, lang)]
    return "\n".join(lines)


def _setting_line(report, lang) -> str:
    s = report.setting
    mode = (
        (
            "batched: X is (n_1, m), gradients are batch means"
            if lang == "en"
            else "矩阵形式：X 为 (n_1, m)，梯度取批量平均"
        )
        if report.batched
        else ("per sample" if lang == "en" else "逐个样本")
    )
    what = f"{report.form} {report.method}" if report.form == "function" else f"class, method {report.method}"
    if lang == "zh":
        what = f"函数 {report.method}" if report.form == "function" else f"类，方法 {report.method}"
        neuron = f"；第 {s.neuron.layer} 层第 {s.neuron.j} 个神经元用 {s.neuron.sigma}" if s.neuron else ""
        return f"{what}，{mode}；激活函数 σ：{s.activation}（隐藏层），{s.output}（输出层）{neuron}；代价函数 {s.cost}"
    neuron = f", neuron {s.neuron.j} of layer {s.neuron.layer}: {s.neuron.sigma}" if s.neuron else ""
    return f"{what}, {mode}; σ = {s.activation} (hidden), {s.output} (output){neuron}; cost {s.cost}"


def _backprop_pass_lines(report, lang) -> list:
    f = report.backprop
    what = "backprop"
    lines = [
        f"{PASS} "
        + words(
            PHRASES,
            "pass",
            lang,
            what=what,
            count=str(f.probes_checked),
            probes=", ".join(report.probes),
            diff=f"{f.largest_difference:.1e}",
        )
    ]
    return lines


def _update_ok(report, lang) -> str:
    s = report.setting
    decay = "(1 − ηλ/n)" if s.l2 else ""
    l2 = f", λ = {s.l2:g}, n = {s.n}" if s.l2 else ""
    return words(PHRASES, "update_ok", lang, decay=decay, eta=f"{s.eta:g}", m=str(BATCH), l2=l2)


def finding_lines(f: Finding, report, lang, step="backprop") -> list:
    """The lines of one failing step."""
    if f.verdict == "malformed":
        return [f"{FAIL} " + words(PHRASES, "malformed", lang, described=f.malformed, probe=f.probe)]
    if f.verdict == "raised" and f.equation is None:
        probe, what, line = f.raised[0]
        return [f"{FAIL} " + words(PHRASES, "raised", lang, what=what, probe=probe, line=line)]
    if f.verdict == "convention":
        lines = [f"{WARN} " + words(PHRASES, "numbers_right", lang)]
        return lines + [f"  - {words(CONVENTIONS, key, lang, shape=_shape(value))}" for key, value in f.notes]
    fields = _fields(f, report)
    where = words(PHRASES, "at_layer", lang, equation=_equation(f.equation, lang), l=str(f.layer))
    detail = [words(PHRASES, "network", lang, probe=f.probe)]
    if f.neuron:
        detail.append(
            words(PHRASES, "neuron", lang, j=str(f.neuron[0]))
            if len(f.neuron) == 1
            else words(PHRASES, "entry", lang, j=str(f.neuron[0]), k=str(f.neuron[1]))
        )
    lines = [f"{FAIL} {where} ({', '.join(detail)})" if lang == "en" else f"{FAIL} {where}（{'，'.join(detail)}）"]
    if f.expected is not None:
        index = "_" + (str(f.neuron[0]) if len(f.neuron) == 1 else f"{{{f.neuron[0]},{f.neuron[1]}}}")
        what = words(ARRAYS, f.array, lang, l=str(f.layer), idx=index)
        if (
            f.array == "nabla_b" and f.equation in ("BP1", "BP2") and not report.batched
        ):  # no δ returned: ∂C/∂b^l = δ^l shows it (BP4)
            what += f" = δ^{f.layer}{index}"
        lines.append(
            "  " + words(PHRASES, "expected_got", lang, what=what, expected=f"{f.expected:.6g}", got=f"{f.got:.6g}")
        )
    else:
        what = words(ARRAYS, f.array, lang, l=str(f.layer), idx="")
        if report.rows and f.array == "nabla_w":  # shown in the learner's own layout, (n_{l−1}, n_l)
            f = copy.copy(f)
            f.expected_shape, f.got_shape = f.expected_shape[::-1], f.got_shape[::-1]
        lines.append(
            "  " + words(PHRASES, "shape", lang, what=what, expected=_shape(f.expected_shape), got=_shape(f.got_shape))
        )
    if f.mistake:
        says, fix = mistake_words(BY_KEY[f.mistake].words_key if f.mistake in BY_KEY else f.mistake, lang, **fields)
        lines.append(("  Diagnosis: " if lang == "en" else "  诊断：") + says)
    lines.append(f"  {words(PHRASES, 'derivation', lang)}{_colon(lang)}" + _derivation(f, report, lang))
    if f.mistake:
        lines.append(f"  {words(PHRASES, 'fix', lang)}{_colon(lang)}{fix}")
        if f.mistake == "bp1_no_sigma_prime" and (report.setting.output, report.setting.cost) == (
            "sigmoid",
            "quadratic",
        ):
            lines.append("  " + words(PHRASES, "cost_hint", lang))  # a − y is right for the cross-entropy
    else:
        lines.append("  " + words(PHRASES, "unknown", lang))
    for line, probes in _grouped(f.raised).items():
        lines.append("  " + words(PHRASES, "also_raised", lang, probe=", ".join(probes), line=line))
    for key, value in f.notes:
        lines.append(f"  {WARN} " + words(CONVENTIONS, key, lang, shape=_shape(value)))
    return lines


def _colon(lang) -> str:
    return ": " if lang == "en" else "："


def _grouped(raised) -> dict:
    """{the learner's line: the networks it raised on}, so one line is shown once."""
    groups = {}
    for probe, _, line in raised:
        groups.setdefault(line, []).append(probe)
    return groups


def _derivation(f, report, lang) -> str:
    s = report.setting
    key = f.equation
    if key == "BP1" and (s.output, s.cost) in (("sigmoid", "cross_entropy"), ("softmax", "log_likelihood")):
        key = "BP1_shortcut"
    if key == "update" and s.l2:
        key = "update_l2"
    return words(DERIVATION, key, lang, cost=s.cost, output=s.output)


def _fields(f, report) -> dict:
    layers = (f.probe or "[]").count(",") + 1
    s = report.setting
    return {
        "l": f.layer,
        "n": (f.layer or 0) + 1,
        "p": (f.layer or 0) - 1,
        "L": layers,
        "m": BATCH,  # the batch of --batched and the mini-batch of update_mini_batch
        "shape": _shape(f.got_shape),
        "j": f.neuron[0] if f.neuron else "j",
        "f": s.neuron.sigma if s.neuron else "f",
        "cost": s.cost,
        "output": s.output,
        "activation": s.activation,
        "found_hidden": f.sigmas[0] if f.sigmas else "σ",
        "found_output": f.sigmas[1] if f.sigmas else "σ",
        "nl": s.neuron.layer if s.neuron else "l",
        "nj": s.neuron.j if s.neuron else "j",
    }


def _equation(equation, lang) -> str:
    return words(PHRASES, equation, lang) + ("" if lang == "en" or not equation.startswith("BP") else f"（{equation}）")


def _shape(shape) -> str:
    return "?" if shape is None else str(tuple(int(n) for n in shape))


def _loop_line(loop, lang) -> str:
    if loop.failure is not None:
        line = getattr(loop.failure, "line", None) or getattr(loop.failure, "described", "")
        return f"{FAIL} " + ("--compare-loop: " if lang == "en" else "--compare-loop：") + line
    if not loop.agrees:
        what = words(ARRAYS, loop.array, lang, l=str(loop.layer), idx="")
        return f"{FAIL} " + words(
            PHRASES, "loop_differs", lang, what=what, l=str(loop.layer), diff=f"{loop.largest_difference:.1e}"
        )
    return f"{PASS} " + words(
        PHRASES,
        "loop",
        lang,
        diff=f"{loop.largest_difference:.1e}",
        sizes=str(loop.sizes),
        m=str(loop.m),
        batched=f"{loop.batched_ms:.2f}",
        loop=f"{loop.loop_ms:.2f}",
        ratio=words(PHRASES, "faster", lang, ratio=f"{loop.speedup:.1f}")
        if loop.speedup >= 1
        else words(PHRASES, "slower", lang, ratio=f"{1 / loop.speedup:.1f}"),
        repeats=str(loop.repeats),
    )


def _verdict(report, lang) -> str:
    if report.passed:
        return "All agree." if lang == "en" else "全部一致。"
    first = report.first
    if first is not None and first.verdict == "convention":
        return (
            "The numbers agree; the convention above does not (exit status 1)."
            if lang == "en"
            else "数值一致，但上面的约定不一致（退出状态 1）。"
        )
    if first is not None and first.equation:
        where = words(PHRASES, "at_layer", lang, equation=_equation(first.equation, lang), l=str(first.layer))
        return f"First to break: {where}." if lang == "en" else f"最先出错的是{where}。"
    return "Not all agree." if lang == "en" else "并非全部一致。"


def as_dict(report, lang="en") -> dict:
    """The report for ``--json``: the setting, each step's verdict, the first break in full."""
    s = report.setting
    first = report.first
    out = {
        "target": report.spec,
        "path": report.path,
        "form": report.form,
        "method": report.method,
        "batched": report.batched,
        "layout": "rows" if report.rows else "flat" if report.flat else "columns",
        "activation": s.activation,
        "output": s.output,
        "cost": s.cost,
        "l2": s.l2,
        "n": s.n if s.l2 else None,
        "eta": s.eta,
        "seed": s.seed,
        "neuron": s.neuron.label if s.neuron else None,
        "probes": report.probes,
        "finite_difference_error": report.fd_error,
        "passed": report.passed,
        "steps": [{"step": step, "passed": f is None} for step, f in report.steps],
        "first": None if first is None else finding_dict(first, report, lang),
        "loop": None,
    }
    if report.loop is not None:
        loop = report.loop
        out["loop"] = {
            "agrees": loop.agrees,
            "largest_difference": loop.largest_difference,
            "batched_ms": loop.batched_ms,
            "loop_ms": loop.loop_ms,
            "speedup": loop.speedup,
            "sizes": loop.sizes,
            "m": loop.m,
        }
    return out


def finding_dict(f: Finding, report, lang) -> dict:
    out = {
        "verdict": f.verdict,
        "equation": f.equation,
        "layer": f.layer,
        "neuron": list(f.neuron) if f.neuron else None,
        "array": f.array,
        "expected": f.expected,
        "got": f.got,
        "expected_shape": list(f.expected_shape) if f.expected_shape else None,
        "got_shape": list(f.got_shape) if f.got_shape else None,
        "network": f.probe,
        "mistake": f.mistake,
        "conventions": [key for key, _ in f.notes],
        "raised": [{"network": p, "in": what, "line": line} for p, what, line in f.raised],
        "malformed": f.malformed,
    }
    if f.mistake:
        out["says"], out["fix"] = mistake_words(
            BY_KEY[f.mistake].words_key if f.mistake in BY_KEY else f.mistake, lang, **_fields(f, report)
        )
    if f.equation:
        out["derivation"] = _derivation(f, report, lang)
    return out
