"""``bprop train``: flags → settings → one training run → its figures on the terminal.

The flags that are settings (every field of ``settings.TrainSettings``) are
passed on by name (``--no-shuffle`` sets ``shuffle`` to False); a flag left out is None, so that ``--config FILE`` and the
defaults fill it (``settings.merged``), or, with ``--resume RUN_DIR``, the
run's own settings.json does (``settings.resumed``). The run itself is
``training_run.run``.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InvalidArgument, TrainingDiverged, TrainingInterrupted
from ..training.loop import L2_DIVISORS
from . import mpi_job
from .options import ActivationOption, CostOption, OutputOption
from .settings import TrainSettings, merged, resumed
from .terminal import console, print_json


def train(
    config: Annotated[
        Path | None, typer.Option(help="A TOML file with the same keys as these flags; flags win.")
    ] = None,
    data: Annotated[
        str | None,
        typer.Option(help="digits, mnist, fashion-mnist, xor, circles, moons, spiral, gaussians, or a .csv/.npz file."),
    ] = None,
    data_dir: Annotated[str | None, typer.Option(help="Where mnist/fashion-mnist files are.")] = None,
    layers: Annotated[str | None, typer.Option(help="All layer sizes, input first, e.g. 784,256,128,10.")] = None,
    hidden: Annotated[
        str | None, typer.Option(help="Hidden layer sizes when --layers is not given (default: 30).")
    ] = None,
    activation: ActivationOption = None,
    output: OutputOption = None,
    cost: CostOption = None,
    init: Annotated[str | None, typer.Option(help="normal, scaled_normal, xavier, he (default: normal).")] = None,
    optimizer: Annotated[str | None, typer.Option(help="sgd, momentum, nesterov, adam (default: sgd).")] = None,
    lr: Annotated[
        float | None, typer.Option(help="Learning rate η (default: 3.0 for sgd, 0.1 momentum, 0.001 adam).")
    ] = None,
    momentum: Annotated[float | None, typer.Option(help="μ for momentum/nesterov (default: 0.9).")] = None,
    lr_decay: Annotated[
        float | None,
        typer.Option(help="Multiply η by this after every epoch: η·decay^(e−1) in epoch e (default: 1, constant)."),
    ] = None,
    l2: Annotated[
        float | None, typer.Option(help="λ of the L2 term (λ/2n)Σw², n as --l2-divisor says (default: 0).")
    ] = None,
    l2_divisor: Annotated[
        str | None,
        typer.Option(
            callback=lambda value: one_of(L2_DIVISORS, value),
            help="training_set: (λ/2n)Σw², n the training-set size; batch: (λ/2m_b)Σw² per batch of m_b "
            "samples, scikit-learn's alpha (default: training_set).",
        ),
    ] = None,
    l1: Annotated[
        float | None,
        typer.Option(
            help="λ₁ of the L1 term (λ₁/n)Σ|w|, a subgradient step sgn(w); with --l2: elastic net (default: 0)."
        ),
    ] = None,
    dropout: Annotated[
        float | None,
        typer.Option(
            help="p of inverted dropout on every hidden layer during training, 0 ≤ p < 1; "
            "evaluation and predict use no mask (default: 0)."
        ),
    ] = None,
    epochs: Annotated[int | None, typer.Option(help="(default: 30)")] = None,
    batch_size: Annotated[int | None, typer.Option(help="(default: 10)")] = None,
    no_shuffle: Annotated[
        bool | None,
        typer.Option(
            "--no-shuffle",
            help="Keep the training set in its order: the same batches every epoch (default: a new shuffle every epoch).",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Initial weights, shuffling, sampling (default: 0).")] = None,
    dtype: Annotated[str | None, typer.Option(help="float32 or float64 (default: float32).")] = None,
    device: Annotated[
        str | None,
        typer.Option(
            help="cpu, cuda or cuda:N: where the weights and batches live (default: cpu). cuda uses PyTorch with CUDA if installed, else CuPy."
        ),
    ] = None,
    early_stopping: Annotated[
        int | None, typer.Option(help="Stop after N epochs without a better validation cost.")
    ] = None,
    validation_fraction: Annotated[
        float | None, typer.Option(help="Share of the training split held out for validation (default: 0.1).")
    ] = None,
    preprocess: Annotated[
        str | None, typer.Option(help="scale (to [0,1]), standardize, none (default: scale).")
    ] = None,
    label_column: Annotated[str | None, typer.Option(help="CSV data: the label column (default: the last).")] = None,
    n: Annotated[int | None, typer.Option(help="Generated sets: samples; others: keep n training samples.")] = None,
    noise: Annotated[float | None, typer.Option(help="Generated sets: noise level.")] = None,
    out: Annotated[str | None, typer.Option(help="Folder for run folders (default: runs).")] = None,
    name: Annotated[str | None, typer.Option(help="A name added to the run folder's.")] = None,
    plots: Annotated[
        bool | None,
        typer.Option(
            "--plots", help="Also record per-layer |δ| and |∂C/∂w| and draw every picture into the run folder."
        ),
    ] = None,
    checkpoint_every: Annotated[
        str | None,
        typer.Option(
            metavar="N|Nb",
            help="Save a checkpoint every N epochs, or every N batches with Nb (e.g. 200b), for --resume. Ctrl-C always saves one.",
        ),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(metavar="RUN_DIR", help="Continue the run in RUN_DIR from its checkpoint, with its settings."),
    ] = None,
    distributed: Annotated[
        bool,
        typer.Option(
            "--distributed",
            help="Under mpiexec -n K: split each batch across the K processes (MPI); needs pip install 'bprop[mpi]'.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="Print nothing but errors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the final figures as JSON.")] = False,
):
    """Train a network; with no options, the classic [64,30,10] sigmoid network on digits.

    Ctrl-C stops after the current batch, saves a checkpoint in the run folder
    and exits with status 130; --resume RUN_DIR continues the run from it, to
    the same weights as a run never stopped.

    --distributed under mpiexec -n K: every process keeps its shard of the
    training data and one MPI Allreduce per step combines their gradients;
    rank 0 alone shows progress and writes the run folder. Without mpiexec
    it runs as one process. Every rank must be started with --distributed
    and the same settings and data: before training the ranks compare them,
    and any difference, or an error on any rank, stops every rank with one
    message from rank 0.
    """
    if not distributed and mpi_job.CURRENT is not None:
        raise InvalidArgument(
            f"this process is one of {mpi_job.CURRENT.size} started by mpiexec, but --distributed was not given: "
            "add --distributed on every rank to train together, or run bprop train without mpiexec."
        )
    flags = dict(  # every TrainSettings field, by name; None: not given on the command line
        data=data,
        data_dir=data_dir,
        layers=layers,
        hidden=hidden,
        activation=activation,
        output=output,
        cost=cost,
        init=init,
        optimizer=optimizer,
        lr=lr,
        momentum=momentum,
        lr_decay=lr_decay,
        l2=l2,
        l2_divisor=l2_divisor,
        l1=l1,
        dropout=dropout,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=None if no_shuffle is None else False,  # the one flag named for its off state
        seed=seed,
        dtype=dtype,
        device=device,
        early_stopping=early_stopping,
        validation_fraction=validation_fraction,
        preprocess=preprocess,
        label_column=label_column,
        n=n,
        noise=noise,
        out=out,
        name=name,
        plots=plots,
        checkpoint_every=checkpoint_every,
    )
    settings = resumed(resume, flags, config) if resume is not None else merged(config, flags)
    train_and_report(settings, resume=resume, distributed=distributed, quiet=quiet, as_json=as_json)


def one_of(accepted, value):
    """A flag's value, checked while the command line is parsed: a value not in ``accepted`` is a usage error (exit 2)."""
    if value is not None and value not in accepted:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(accepted)}.")
    return value


class _Announce:
    """Prints what is being trained when training begins: after the data were read and the network built,
    so that a refused data file or setting shows its one error line alone."""

    def __init__(self, line: str):
        self.line = line

    def on_train_begin(self, state):
        console.print(self.line)


def train_and_report(settings: TrainSettings, resume: Path | None, distributed: bool, quiet: bool, as_json: bool):
    """Run the training that ``settings`` describe, with a progress bar, then print its results.

    Exit status 130 after Ctrl-C (the checkpoint saved names the command that
    continues); under ``--distributed`` only rank 0 prints.
    """
    from ..training.progress import ProgressBar
    from . import training_run

    comm = None
    if distributed:
        from ..training.distributed import Communicator

        comm = Communicator()
    if comm is not None and comm.rank != 0:
        quiet, as_json = True, False  # rank 0 alone shows progress and results
    show = not quiet and not as_json
    announce = None
    if show:
        announce = _Announce(
            f"{'resuming' if resume else 'training'} [bold]{escape(settings.data)}[/] with "
            f"{settings.activation} neurons, {settings.cost} cost, {settings.optimizer} η={settings.learning_rate}"
        )
    bar = ProgressBar(console) if show else None
    job = mpi_job.CURRENT
    ends_all = (
        comm.abort_on_error(
            agreed=(TrainingInterrupted, TrainingDiverged, mpi_job.RanksStopped, typer.Exit),
            active=lambda: job is None or job.met,  # before the ranks meet, an error goes to the meeting
        )
        if comm
        else contextlib.nullcontext()
    )
    try:
        with ends_all:
            summary = training_run.run(
                settings,
                callbacks=[announce, bar] if bar else [],
                report=print_finding if show else None,
                resume_folder=resume,
                communicator=comm,
                agree=job.agree if comm is not None and job is not None else None,
            )
    except TrainingInterrupted as e:  # Ctrl-C: saved; one line that says how to continue
        if comm is None or comm.rank == 0:
            sys.stderr.write(f"bprop: {e}\n")
        raise typer.Exit(130)
    except TrainingDiverged:
        if comm is None or comm.rank == 0:
            raise
        raise typer.Exit(1)  # every rank diverged together; rank 0 says so
    finally:
        if bar:
            bar.close()  # also when training raised: on_train_end never came
    if comm is not None and comm.rank != 0:
        return
    if summary.get("already_finished") and not as_json:
        console.print(
            f"the run in {summary['run_folder']} is already finished; nothing to resume.", markup=False, soft_wrap=True
        )
    if as_json:
        print_json(summary)
    elif show:
        console.print(results_table(summary["results"], summary["seconds"], f"{settings.data}: results"))
        console.print(
            f"run folder: {summary['run_folder']}  (model.bprop, history.json, curves.png)",
            markup=False,
            soft_wrap=True,
        )


def print_finding(finding):
    """A diagnostic as it fires: printed above the progress bar, naming its equation."""
    console.print(f"[yellow]diagnostic[/] {escape(str(finding))}", soft_wrap=True)


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
