"""What the terminal shows while and after training: a rich progress bar and tables."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table


class ProgressBar:
    """A training callback that draws one bar over all batches of all epochs.

    It shows the epoch, batches done, the current batch cost, the last
    epoch's training and validation accuracy, elapsed time and time left.
    """

    def __init__(self, console: Console):
        self.console = console
        self.progress = None
        self.task = None

    def on_train_begin(self, state):
        self.progress = Progress(
            TextColumn("[bold]epoch {task.fields[epoch]}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TextColumn("cost {task.fields[cost]}"),
            TextColumn("{task.fields[accuracy]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.task = self.progress.add_task("train", total=state.epochs * state.batches,
                                           epoch=f"1/{state.epochs}", cost="—", accuracy="")
        self.progress.start()

    def on_batch_end(self, state):
        self.progress.update(self.task, advance=1, epoch=f"{state.epoch}/{state.epochs}",
                             cost=f"{state.batch_cost:.4f}")

    def on_epoch_end(self, state):
        h = state.history
        parts = []
        if h.train_accuracy[-1] is not None:
            parts.append(f"acc {h.train_accuracy[-1]:.3f}")
        if h.validation_accuracy[-1] is not None:
            parts.append(f"val {h.validation_accuracy[-1]:.3f}")
        self.progress.update(self.task, accuracy="  ".join(parts))

    def on_train_end(self, state):
        done = state.epoch * state.batches
        self.progress.update(self.task, completed=done, total=done)
        self.progress.stop()

    def close(self):
        """Stop drawing; safe to call twice, and needed when training raised before on_train_end."""
        if self.progress is not None:
            self.progress.stop()


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
