"""A progress bar over a whole training run: a callback that draws in the terminal (rich).

The command line and the estimators' ``verbose`` both attach it; it only reads
the ``TrainingState`` that ``train`` hands to callbacks.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


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
        self.task = self.progress.add_task(
            "train", total=state.epochs * state.batches, epoch=f"1/{state.epochs}", cost="—", accuracy=""
        )
        self.progress.start()

    def on_batch_end(self, state):
        self.progress.update(
            self.task, advance=1, epoch=f"{state.epoch}/{state.epochs}", cost=f"{state.batch_cost:.4f}"
        )

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
