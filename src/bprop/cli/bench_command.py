"""``bprop bench``: bprop against PyTorch CPU and scikit-learn, written to bench.md and bench.json.

A thin front end over ``bprop.benchmarking``: it parses the flags, prints the
run's progress, the results table and the product-floor table, and writes the
report. ``--scaling`` runs the batch-size and width sweeps instead of the
cases and writes their table and plots (``benchmarking.scaling``). Register it with
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
            "--quick",
            help="Smoke mode for CI: small subsets, one batch size per case, 1 repeat, no memory probe "
            "(with --scaling: three batch sizes, two widths, 512 samples).",
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
    out: Annotated[Path, typer.Option(help="Folder for bench.md and bench.json (scaling.* with --scaling).")] = Path(
        "bench-results"
    ),
    quiet: Annotated[bool, typer.Option("--quiet", help="Print only where the report was written.")] = False,
    scaling: Annotated[
        bool,
        typer.Option(
            "--scaling",
            help="Instead of the cases: seconds per epoch against batch size (8…4096) and width (64…4096), "
            "every contender and the product floors; writes scaling.md/.csv/.json and PNG plots "
            "(--cases and --memory do not apply; default 3 repeats).",
        ),
    ] = False,
    samples: Annotated[
        int | None,
        typer.Option(help="With --scaling: synthetic training samples per epoch (default 8192; 512 with --quick)."),
    ] = None,
):
    """Time bprop, PyTorch, scikit-learn and BPClassifier on the same work; ratios, product floor, GFLOP/s, memory."""
    from ..benchmarking import report, run, scaling_report
    from ..benchmarking import scaling as sweeps
    from ..errors import InvalidArgument

    say = None if quiet else (lambda line: console.print(line, markup=False, soft_wrap=True))
    if samples is not None and not scaling:
        raise InvalidArgument("--samples sets the size of the --scaling sweeps; add --scaling or leave it out.")
    timing = dict(quick=quick, repeats=repeats, epochs_per_repeat=epochs_per_repeat, warmup=warmup, seed=seed)
    if scaling:  # a bad value raises InvalidArgument: one line, exit 1, as every command
        results = sweeps.run(samples=samples, progress=say, **timing)
    else:
        results = run(cases, measure_memory=memory, progress=say, **timing)
    if scaling:
        paths = scaling_report.write(results, out).values()
        if not quiet:
            for sweep in scaling_report.AXES:
                _print_table(*scaling_report.rows(results, sweep))
    else:
        paths = report.write(results, out)
        if not quiet:
            _print_table(report.COLUMNS, report.table(results))
            console.print("")
            for line in report.floor_lines(results):
                console.print(line, markup=False, soft_wrap=True)
            summary = results["summary"]
            console.print(
                f"targets met: {summary['targets_met']} of {summary['targets_checked']} checked", markup=False
            )
            for kind in ("missed", "waived"):
                for line in summary[kind]:
                    console.print(f"  {kind}: {line}", markup=False, soft_wrap=True)
    console.print("wrote " + ", ".join(str(p) for p in paths), markup=False, soft_wrap=True)


def _print_table(header, rows):
    console.print("")
    for row in [list(header), ["---"] * len(header)] + rows:
        console.print("| " + " | ".join(row) + " |", markup=False, soft_wrap=True)
