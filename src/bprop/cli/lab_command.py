"""``bprop lab``: find the planted bug, with bprop's own tools.

    bprop lab list [--solutions]                 the labs (and, for a teacher, their answers)
    bprop lab start N                            train lab N's broken network beside a correct one
    bprop lab probe N --gradcheck|--deltas|--explain|--page [--plot FILE]
    bprop lab answer N --equation BP2 --layer 2  graded; the derivation line it broke after a right answer
    bprop lab answer N --give-up                 the solution

``bprop lab list`` shows what was solved (``teaching.labs.progress``: a
small labs.json in bprop's data folder, $BPROP_DATA_DIR or ~/.cache/bprop).

Exit status: 0 for a right answer (and for --give-up and the other
commands), 1 for a wrong answer or an error (one line), 2 for a malformed
command line. Every subcommand takes --lang en|zh.

The labs live in ``bprop.teaching.labs``; this module parses and prints.
Registered in ``app.py`` as the sub-app ``lab``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import InvalidArgument

lab_app = typer.Typer(
    no_args_is_help=True,
    help="Find the planted bug: networks whose backprop has one wrong line, and bprop's tools to find it.",
)

LabNumber = Annotated[int, typer.Argument(help="The lab's number (bprop lab list shows them).", show_default=False)]
LangOption = Annotated[str, typer.Option(help="en or zh (the terms of the Chinese notes).")]


def _checked_lang(lang):
    from ..teaching.labs.words import LANGS

    if lang not in LANGS:
        raise InvalidArgument(f"--lang {lang!r} is not supported; use en (English) or zh (中文).")
    return lang


@lab_app.command("list")
def lab_list(
    solutions: Annotated[
        bool, typer.Option("--solutions", help="Teacher's view: each lab's mistake, equation, layer and fix.")
    ] = False,
    lang: LangOption = "en",
):
    """List the labs (with --solutions, their answers)."""
    from ..teaching.labs import progress
    from ..teaching.labs.render import render_list

    typer.echo(render_list(_checked_lang(lang), solutions=solutions, progress=progress.load()), nl=False)


@lab_app.command("start")
def lab_start(number: LabNumber, lang: LangOption = "en"):
    """Train lab N's broken network beside a correct one, and say which tools find the mistake."""
    from ..teaching.labs import bench, exercise
    from ..teaching.labs.render import render_start

    lang = _checked_lang(lang)
    ex = exercise(number)
    broken, correct = bench.train_both(ex)
    typer.echo(render_start(ex, broken, correct, lang), nl=False)


@lab_app.command("probe")
def lab_probe(
    number: LabNumber,
    gradcheck: Annotated[
        bool, typer.Option("--gradcheck", help="Finite differences against the broken backprop, per layer.")
    ] = False,
    deltas: Annotated[bool, typer.Option("--deltas", help="Mean |δ^l| per layer, broken beside correct.")] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="BP1–BP4 and one update on one batch, broken beside correct.")
    ] = False,
    page: Annotated[
        bool,
        typer.Option(
            "--page",
            help="bprop explain's page of the broken network for one sample: redo each line's arithmetic.",
        ),
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option(
            help="With --deltas: also draw mean |δ^l| and |∂C/∂w^l| per layer over training, the broken network "
            "beside the correct one (PNG)."
        ),
    ] = None,
    lang: LangOption = "en",
):
    """Look inside lab N's broken network with gradcheck, the per-layer |δ|, or BP1–BP4 beside the correct ones."""
    from ..teaching.labs import bench, exercise
    from ..teaching.labs import render as show

    lang = _checked_lang(lang)
    ex = exercise(number)
    if not (gradcheck or deltas or explain or page):
        raise InvalidArgument(
            f"choose a tool: bprop lab probe {number} --gradcheck, --deltas, --explain or --page "
            "(several may be given)."
        )
    if plot is not None and not deltas:
        raise InvalidArgument("--plot draws the per-layer |δ^l|; add --deltas.")
    pages = []
    if gradcheck:
        pages.append(show.render_gradcheck(ex, bench.check_gradients(ex), lang))
    if deltas:
        pages.append(show.render_deltas(ex, bench.delta_table(ex), bench.DELTA_BATCHES, lang))
        if plot is not None:
            from ..teaching.labs.words import say

            pages.append(say("dl.plot", lang, path=bench.plot_deltas(ex, plot, lang)) + "\n")
    if explain:
        pages.append(show.render_compare(ex, bench.compare(ex), lang))
    if page:
        pages.append(bench.explain_page(ex, lang))
    typer.echo("\n".join(pages), nl=False)


@lab_app.command("answer")
def lab_answer(
    number: LabNumber,
    equation: Annotated[
        str | None, typer.Option(help="The equation with the mistake: BP1, BP2, BP3, BP4 or update.")
    ] = None,
    layer: Annotated[
        str | None, typer.Option(help="Its layer l (2 … L), or all when every layer has it; BP1 needs none.")
    ] = None,
    give_up: Annotated[bool, typer.Option("--give-up", help="Show the solution without answering.")] = False,
    lang: LangOption = "en",
):
    """Answer lab N: which equation, which layer. Exit status 0 if right, 1 if not."""
    from ..teaching.labs import exercise, grade, progress
    from ..teaching.labs.grading import equation_name, layer_number
    from ..teaching.labs.render import render_answer, render_give_up

    lang = _checked_lang(lang)
    ex = exercise(number)
    if give_up:
        if equation is not None or layer is not None:
            raise InvalidArgument("--give-up shows the solution; drop --equation and --layer.")
        typer.echo(render_give_up(ex, lang), nl=False)
        progress.record(number, "gave_up")
        return
    if equation is None:
        raise InvalidArgument(
            f"give your answer: bprop lab answer {number} --equation BP1|BP2|BP3|BP4|update --layer l|all "
            "(or --give-up)."
        )
    name, where = equation_name(equation), layer_number(layer, ex)
    verdict = grade(ex, name, where)
    typer.echo(render_answer(ex, name, where, verdict, lang), nl=False)
    progress.record(number, verdict.verdict)
    if not verdict.right:
        raise typer.Exit(1)
