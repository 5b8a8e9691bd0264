"""The text of ``bprop lab``: the list, a lab's start, the probes' tables and the graded answer.

Every function returns a string (no printing) in English or Chinese; the
numbers come from ``bench``, the verdicts from ``grading``.
"""

from __future__ import annotations

import inspect

import numpy as np

from ...core import costs
from ...core.optimizers import SGD
from ..explanation.text import pad
from . import planted
from .bench import GRADCHECK_SAMPLE
from .exercises import EXERCISES
from .words import pick, say

SILENT_GAP = 0.05  # broken within 5 points of correct accuracy: the mistake barely shows in training
ZH_EQUATIONS = {"BP1": "公式1（BP1）", "BP2": "公式2（BP2）", "BP3": "公式3（BP3）", "BP4": "公式4（BP4）"}
ZH_EQUATIONS["update"] = "权重和偏置的更新"


def equation_label(equation, lang) -> str:
    return ZH_EQUATIONS[equation] if lang == "zh" else equation


def where(ex, lang, equation=None, layer="answer") -> str:
    """'BP2 at layer 2' / '第 2 层的公式2（BP2）', for the exercise's answer or the given one."""
    equation = ex.equation if equation is None else equation
    layer = ex.layer if layer == "answer" else layer
    label = equation_label(equation, lang)
    if layer is None:
        return say("where.every", lang, equation=label)
    return say("where.layer", lang, equation=label, layer=layer)


def _network_words(ex):
    output = ex.output or ex.activation
    return {"sizes": "-".join(map(str, ex.sizes)), "sigma": ex.activation, "output": output, "cost": ex.cost}


# -- list -------------------------------------------------------------------------


def render_list(lang="en", solutions=False, progress=None) -> str:
    """The labs, one a line (with the learner's progress when given), and with ``solutions`` the answers."""
    lines = [say("list.title", lang), "", say("list.head", lang)]
    for ex in EXERCISES:
        w = _network_words(ex)
        sigmas = f"{w['sigma']} / {w['output']} / {w['cost']}"
        line = f"{ex.number:>3}  {ex.data:<8}  {w['sizes']:<15}  {sigmas:<37}  {ex.lr:<5g}  {ex.epochs:<6}"
        status = progress.status(ex.number) if progress is not None else ""
        if status:
            line += "  " + say(f"progress.{status}", lang, tries=progress.tries.get(ex.number, 0))
        lines.append(line.rstrip())
    lines += ["", say("list.start", lang)]
    if solutions:
        lines += ["", say("list.teacher", lang)]
        for ex in EXERCISES:
            colon = "：" if lang == "zh" else ": "
            lines += ["", f"{ex.number:>3}. {say('sol.answer', lang)}{colon}{where(ex, lang)}"]
            lines += [f"     {line}" for line in solution_lines(ex, lang)]
    return "\n".join(lines) + "\n"


def solution_lines(ex, lang) -> list:
    """The mistake, the derivation and its broken step, the planted code line and the fix."""
    cls, method, line = planted_line(ex)
    colon = "：" if lang == "zh" else ": "
    return [
        f"{say('sol.mistake', lang)}{colon}{pick(ex.mistake, lang)}",
        f"{say('sol.derivation', lang)}{colon}{ex.derivation}",
        f"{say('sol.step', lang)}{colon}{pick(ex.step, lang)}",
        f"{say('sol.wrote', lang)}{colon}{ex.wrote}",
        f"{say('sol.line', lang, where=f'bprop.teaching.labs.planted.{cls}.{method}')}{colon.strip()}",
        f"    {line}",
        f"{say('sol.fix_line', lang)}{colon.strip()}",
        f"    {right_line(ex)}",
    ] + ([] if ex.equation == "update" else [say("sol.rows", lang)])


def planted_line(ex):
    """(class name, method name, source line) of the line marked ``# planted`` in the exercise's class."""
    cls = ex.optimizer or ex.network
    for name, member in vars(cls).items():
        if callable(member):
            for line in inspect.getsource(member).splitlines():
                if "# planted" in line:
                    return cls.__name__, name, line.strip()
    raise AssertionError(f"{cls.__name__} has no line marked '# planted'")  # a lab's class always has one


def right_line(ex) -> str:
    """The line of bprop's own equation that the planted line replaces."""
    if ex.equation == "update":
        source, marker = inspect.getsource(SGD._update), "param -="
    else:
        method = {"BP1": "bp1", "BP2": "bp2", "BP3": "bp3", "BP4": "bp4"}[ex.equation]
        source, marker = inspect.getsource(getattr(planted.PlantedNetwork, method)), "return"
    lines = [line.strip() for line in source.splitlines() if line.strip().startswith(marker)]
    if ex.equation == "BP1" and (ex.output, ex.cost) in costs.SHORTCUTS:
        return next(line for line in lines if "simplified" in line)  # δ^L = a^L − y
    return lines[-1]


# -- start ------------------------------------------------------------------------


def render_start(ex, broken, correct, lang="en") -> str:
    w = _network_words(ex)
    lines = [
        say(
            "start.title", lang, n=ex.number, data=ex.data, lr=f"{ex.lr:g}", epochs=ex.epochs, batch=ex.batch_size, **w
        ),
        say("start.one_line", lang),
        "",
        say("start.head", lang),
    ]
    for e in _shown_epochs(len(correct.costs)):
        b_cost = f"{broken.costs[e]:.4f}" if e < len(broken.costs) else "—"
        b_acc = _percent(broken.accuracies[e]) if e < len(broken.accuracies) else "—"
        lines.append(
            f"{e + 1:>5}   {b_cost:>13}   {b_acc:>17}   {correct.costs[e]:>14.4f}   {_percent(correct.accuracies[e]):>18}"
        )
    lines.append("")
    if broken.diverged is not None:
        lines.append(say("start.diverged", lang, epoch=broken.diverged))
    elif correct.final_accuracy - broken.final_accuracy < SILENT_GAP:
        lines.append(
            say("start.silent", lang, broken=_percent(broken.final_accuracy), correct=_percent(correct.final_accuracy))
        )
    else:
        lines.append(
            say("start.fails", lang, broken=_percent(broken.final_accuracy), correct=_percent(correct.final_accuracy))
        )
    lines += ["", say("start.tools", lang)]
    for flag in ("gradcheck", "deltas", "explain", "page"):
        lines.append(f"  bprop lab probe {ex.number} --{flag:<10} {say('tool.' + flag, lang)}")
    lines += ["", say("start.answer", lang, n=ex.number)]
    return "\n".join(lines) + "\n"


def _shown_epochs(count, rows=10) -> list:
    """Indices of the epochs shown: all of them up to ``rows`` + 2, else every k-th and the last."""
    if count <= rows + 2:
        return list(range(count))
    step = -(-count // rows)
    return sorted(set(range(0, count, step)) | {count - 1})


def _percent(value) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{100 * value:.1f}%"


# -- probes -----------------------------------------------------------------------


def render_gradcheck(ex, report, lang="en", tolerance=1e-6) -> str:
    m = ex.batch_size
    title = say("gc.title", lang, n=ex.number, m=m, eps=report.eps, most=GRADCHECK_SAMPLE, tolerance=tolerance)
    lines = [title, "", say("gc.head", lang)]
    for check in reversed(report.layers):  # from the output back, as backprop runs
        lines.append(
            f"{check.layer:>5}   {check.weight_error:9.1e} {_mark(check.weight_error <= tolerance)}"
            f"     {check.bias_error:9.1e} {_mark(check.bias_error <= tolerance)}"
        )
    lines += ["", say("gc.read", lang)]
    return "\n".join(lines) + "\n"


def render_deltas(ex, table, batches, lang="en") -> str:
    lines = [say("dl.title", lang, batches=batches, m=ex.batch_size), "", say("dl.head", lang)]
    for row in table:
        lines.append(f"{row.layer:>5}   {row.broken:<12.4e}  {row.correct:<12.4e}  {row.ratio:.3f}")
    lines += ["", say("dl.read", lang)]
    return "\n".join(lines) + "\n"


def render_compare(ex, rows, lang="en") -> str:
    lines = [say("ex.title", lang, n=ex.number, m=ex.batch_size), "", say("ex.head", lang)]
    for row in rows:
        name = say("ex.after", lang, w=row.name) if row.equation == "update" else row.name
        lines.append(
            f"{row.equation:<8}  {pad(name, 11)}  {_entries(row.broken):<30}  {_entries(row.correct):<30}  "
            f"{_difference(row):>9} {_mark(row.agrees())}"
        )
    lines += ["", say("ex.read", lang)]
    return "\n".join(lines) + "\n"


def _entries(array, count=3) -> str:
    """The first ``count`` entries of an array (its first row for a matrix), ``…`` when there are more."""
    flat = np.asarray(array)
    flat = flat[0] if flat.ndim == 2 else flat
    shown = " ".join(f"{v:.3g}" for v in flat[:count])
    more = " …" if flat.size > count or np.ndim(array) == 2 else ""
    return f"[{shown}{more}]"


def _difference(row) -> str:
    if row.broken.shape != row.correct.shape:
        return f"shape {row.broken.shape}"
    return f"{row.difference:.1e}"


def _mark(ok) -> str:
    return "✓" if ok else "✗"


# -- answer -----------------------------------------------------------------------


def render_answer(ex, equation, layer, grade, lang="en") -> str:
    if grade.right:
        lines = [say("ans.right", lang, where=where(ex, lang)), ""]
        return "\n".join(lines + solution_lines(ex, lang)) + "\n"
    if grade.verdict == "wrong_equation":
        first = say("ans.wrong_equation", lang, equation=equation_label(equation, lang))
    elif layer is None and ex.layer is not None:
        first = say("ans.no_layer", lang, equation=equation_label(equation, lang))
    else:
        given = say("layer.every", lang) if layer is None else say("layer.one", lang, layer=layer)
        first = say("ans.wrong_layer", lang, equation=equation_label(equation, lang), layer=given)
    lines = [first, say("ans.hint", lang, hint=pick(grade.hint, lang)), say("ans.again", lang, n=ex.number)]
    return "\n".join(lines) + "\n"


def render_give_up(ex, lang="en") -> str:
    return "\n".join([say("ans.gave_up", lang, where=where(ex, lang)), ""] + solution_lines(ex, lang)) + "\n"
