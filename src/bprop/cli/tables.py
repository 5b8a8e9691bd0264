"""Tables the command line prints after training."""

from __future__ import annotations

from rich.table import Table


def results_table(results: dict, seconds: float, title: str) -> Table:
    """One row per split: accuracy and cost; the caption gives the time."""
    table = Table(title=title, caption=f"trained in {seconds:.2f} s")
    table.add_column("split")
    table.add_column("samples", justify="right")
    table.add_column("accuracy", justify="right")
    table.add_column("cost", justify="right")
    for split, r in results.items():
        accuracy = "—" if r["accuracy"] is None else f"{r['accuracy']:.4f}"
        table.add_row(split, str(r["samples"]), accuracy, f"{r['cost']:.5f}")
    return table
