"""``bprop check PATH.py:Name``: the learner's own backprop, diagnosed equation by equation.

The engine is ``bprop.teaching.checking``; this module declares the flags and
prints. Exit status 0 when every array agrees with bprop's BP1–BP4, 1 when
something differs (or the learner's code fails to load or raises: one
``bprop: error:`` line quoting their line), 2 for a malformed command line.

Registered in ``app.py`` with ``app.command()(check)``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import InvalidArgument
from ..teaching.checking import as_dict, render_text, setting_of
from ..teaching.checking import check as run_check
from ..teaching.explanation.terms import LANGS
from .terminal import console, print_json

HELP = """Check YOUR backprop against BP1–BP4: the first equation, layer and neuron that break.

TARGET is PATH.py:Name. Name is a Nielsen-style class, Network(sizes) with
.weights and .biases (lists of (n_l, n_{l-1}) and (n_l, 1) arrays) and
.backprop(x, y) returning (nabla_b, nabla_w) for one column sample x (n_1, 1),
as in the book's network.py; or a function backprop(weights, biases, x, y)
returning (nabla_b, nabla_w) or (nabla_b, nabla_w, deltas). With --batched, x
is a batch X (n_1, m), the samples as columns, and the gradients must be the
batch means. feedforward(a) and update_mini_batch(mini_batch, eta[, lmbda, n])
are checked too when the class has them.

bprop check RUNS PATH.py in this process, as a test runner does: its
top-level code executes (an `if __name__ == "__main__":` block does not).
Check only code you trust.

Probe networks [2,3,2], [3,4,3,2], [2,5,4,3,2] and [3,3,3,3] get seeded
parameters; every returned array is compared with bprop's own BP1–BP4
(themselves checked by finite differences), and common mistakes are tested as
hypotheses (σ′ missing, σ′(a) for σ′(z), a flipped sign, w untransposed, δ of
the wrong layer, a^l for a^{l-1}, 1/m forgotten, …). Exit status 0 when all
agree, 1 otherwise.
"""


def check(
    target: Annotated[str, typer.Argument(help="PATH.py:Name — your class (e.g. network.py:Network) or function.")],
    method: Annotated[str, typer.Option(help="The class's backprop method (batched: the matrix one).")] = "backprop",
    batched: Annotated[
        bool,
        typer.Option("--batched", help="Your backprop takes X (n_1, m), samples as columns, and returns batch means."),
    ] = False,
    compare_loop: Annotated[
        str | None,
        typer.Option(
            help="With --batched: the per-sample backprop (method or function) to compare with, and to time against."
        ),
    ] = None,
    activation: Annotated[
        str, typer.Option(help="The hidden σ your code uses: sigmoid, tanh, relu, linear (identity).")
    ] = "sigmoid",
    output: Annotated[str | None, typer.Option(help="The output σ (default: --activation), or softmax.")] = None,
    cost: Annotated[str, typer.Option(help="Your cost: quadratic, cross_entropy, log_likelihood.")] = "quadratic",
    neuron: Annotated[
        str | None,
        typer.Option(help="l,j:f — the book's exercise: neuron j of layer l uses f (e.g. 2,1:tanh), the rest σ."),
    ] = None,
    l2: Annotated[float, typer.Option(help="λ: check update_mini_batch(mini_batch, eta, lmbda, n) with L2.")] = 0.0,
    n: Annotated[int | None, typer.Option(help="With --l2: n, the training set's size in (λ/2n) Σ w².")] = None,
    eta: Annotated[float, typer.Option(help="η of the update checked.")] = 0.5,
    seed: Annotated[int, typer.Option(help="Seed of the probe networks' parameters and samples.")] = 0,
    lang: Annotated[str, typer.Option(help="en or zh (the terms of the Chinese notes).")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON.")] = False,
):
    if lang not in LANGS:
        raise InvalidArgument(f"--lang {lang!r} is not supported; use en (English) or zh (中文).")
    setting = setting_of(activation, output, cost, l2, n, eta, seed, neuron)
    report = run_check(target, method=method, batched=batched, compare_loop=compare_loop, setting=setting)
    if as_json:
        print_json(as_dict(report, lang))
    else:
        console.print(render_text(report, lang), markup=False, highlight=False, soft_wrap=True)
    if not report.passed:
        raise typer.Exit(1)


check.__doc__ = HELP
