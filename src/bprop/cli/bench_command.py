"""``bprop bench``: bprop against PyTorch CPU and scikit-learn, written to bench.md and bench.json.

A thin front end over ``bprop.benchmarking``: it parses the flags, prints the
run's progress and the results table, and writes the report. Register it with
``app.command()(bench)``; ``benchmarks/run.py`` runs the same function as a script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .terminal import console


def bench(
    quick: Annotated[
        bool,
        typer.Option(
            "--quick", help="Smoke mode for CI: small subsets, one batch size per case, 1 repeat, no memory probe."
        ),
    ] = False,
    cases: Annotated[
        str,
        typer.Option(
            help="Comma-separated: a (digits, classic), b (Fashion-MNIST MLP, SGD), c (wide MLP, GEMM-bound), d (b with Adam)."
        ),
    ] = "a,b,c,d",
    repeats: Annotated[
        int | None, typer.Option(help="Timed repeats per case and batch size (default: 5; 1 with --quick).")
    ] = None,
    epochs_per_repeat: Annotated[int, typer.Option(help="Epochs timed together in one repeat.")] = 1,
    warmup: Annotated[int, typer.Option(help="Untimed epochs per contender before the repeats.")] = 1,
    memory: Annotated[
        bool | None,
        typer.Option(
            "--memory/--no-memory",
            help="Peak memory, a subprocess per contender and run (default: on; off with --quick).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Initial weights, shuffling, subsets.")] = 0,
    out: Annotated[Path, typer.Option(help="Folder for bench.md and bench.json.")] = Path("bench-results"),
    quiet: Annotated[bool, typer.Option("--quiet", help="Print only where the report was written.")] = False,
):
    """Time bprop, PyTorch and scikit-learn on the same work; ratios, GFLOP/s, memory, accuracy."""
    from ..benchmarking import report, run
    from ..errors import InvalidArgument

    say = None if quiet else (lambda line: console.print(line, markup=False, soft_wrap=True))
    try:
        results = run(
            cases,
            quick=quick,
            repeats=repeats,
            epochs_per_repeat=epochs_per_repeat,
            warmup=warmup,
            measure_memory=memory,
            seed=seed,
            progress=say,
        )
    except InvalidArgument as e:
        raise typer.BadParameter(str(e))
    md, js = report.write(results, out)
    if not quiet:
        console.print("")
        console.print("| " + " | ".join(report.COLUMNS) + " |", markup=False, soft_wrap=True)
        console.print("|" + "|".join("---" for _ in report.COLUMNS) + "|", markup=False)
        for row in report.table(results):
            console.print("| " + " | ".join(row) + " |", markup=False, soft_wrap=True)
        console.print("")
        for line in report.floor_lines(results):
            console.print(line, markup=False, soft_wrap=True)
        summary = results["summary"]
        console.print(f"targets met: {summary['targets_met']} of {summary['targets_checked']} checked", markup=False)
        for line in summary["missed"]:
            console.print(f"  missed: {line}", markup=False, soft_wrap=True)
        for line in summary["waived"]:
            console.print(f"  waived: {line}", markup=False, soft_wrap=True)
    console.print(f"wrote {md} and {js}", markup=False, soft_wrap=True)
