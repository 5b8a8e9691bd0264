"""The ``bprop`` command: flags in, core calls, results out. No math here.

User errors (bad flags, missing files, unknown data, a model that does not fit
the data) print one line that names the problem and the fix, and exit with
status 1 (2 for malformed command lines), without a traceback; ``--debug``
before the command shows one.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import BpropError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Neural networks trained by backpropagation, written as the four equations BP1–BP4.",
)
data_app = typer.Typer(no_args_is_help=True, help="List, show and fetch data sets.")
app.add_typer(data_app, name="data")


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an error (before the command).")
    ] = False,
):
    """--debug is handled by main(); declared here so that --help lists it."""


console = Console(highlight=False)


def _print_json(data):
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# -- train --------------------------------------------------------------------


@app.command()
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
    activation: Annotated[
        str | None, typer.Option(help="Hidden σ: sigmoid, tanh, relu, leaky_relu, identity (default: sigmoid).")
    ] = None,
    output: Annotated[
        str | None, typer.Option(help="Output σ: as --activation, or softmax (default: same as --activation).")
    ] = None,
    cost: Annotated[
        str | None, typer.Option(help="quadratic, cross_entropy, log_likelihood (default: quadratic).")
    ] = None,
    init: Annotated[str | None, typer.Option(help="normal, scaled_normal, xavier, he (default: normal).")] = None,
    optimizer: Annotated[str | None, typer.Option(help="sgd, momentum, nesterov, adam (default: sgd).")] = None,
    lr: Annotated[
        float | None, typer.Option(help="Learning rate η (default: 3.0 for sgd, 0.1 momentum, 0.001 adam).")
    ] = None,
    momentum: Annotated[float | None, typer.Option(help="μ for momentum/nesterov (default: 0.9).")] = None,
    l2: Annotated[float | None, typer.Option(help="λ of the L2 term (λ/2n)Σw² (default: 0).")] = None,
    epochs: Annotated[int | None, typer.Option(help="(default: 30)")] = None,
    batch_size: Annotated[int | None, typer.Option(help="(default: 10)")] = None,
    seed: Annotated[int | None, typer.Option(help="Initial weights, shuffling, sampling (default: 0).")] = None,
    dtype: Annotated[str | None, typer.Option(help="float32 or float64 (default: float32).")] = None,
    device: Annotated[
        str | None,
        typer.Option(
            help="cpu, cuda or cuda:N: where the weights and batches live (default: cpu). cuda uses CuPy if installed, else PyTorch with CUDA."
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
    it runs as one process.
    """
    given = dict(locals())
    from ..errors import TrainingDiverged, TrainingInterrupted
    from ..training.progress import ProgressBar
    from . import training_run
    from .settings import KEYS, merged, resumed
    from .tables import results_table

    flags = {k: v for k, v in given.items() if k in KEYS}
    settings = resumed(resume, flags, config) if resume is not None else merged(config, flags)
    comm = None
    if distributed:
        from ..training.distributed import Communicator

        comm = Communicator()
    if comm is not None and comm.rank != 0:
        quiet, as_json = True, False  # rank 0 alone shows progress and results
    show = not quiet and not as_json
    if show:
        console.print(
            f"{'resuming' if resume else 'training'} [bold]{escape(settings.data)}[/] with "
            f"{settings.activation} neurons, {settings.cost} cost, {settings.optimizer} η={settings.learning_rate}"
        )
    bar = ProgressBar(console) if show else None
    ends_all = comm.abort_on_error(agreed=(TrainingInterrupted, TrainingDiverged)) if comm else contextlib.nullcontext()
    try:
        with ends_all:
            summary = training_run.run(
                settings,
                callbacks=[bar] if bar else [],
                report=_print_finding if show else None,
                resume_folder=resume,
                communicator=comm,
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
        _print_json(summary)
    elif show:
        console.print(results_table(summary["results"], summary["seconds"], f"{settings.data}: results"))
        console.print(
            f"run folder: {summary['run_folder']}  (model.bprop, history.json, curves.png)",
            markup=False,
            soft_wrap=True,
        )


def _print_finding(finding):
    """A diagnostic as it fires: printed above the progress bar, naming its equation."""
    console.print(f"[yellow]diagnostic[/] {escape(str(finding))}", soft_wrap=True)


# -- evaluate / predict -------------------------------------------------------


@app.command()
def evaluate(
    model: Annotated[Path, typer.Argument(help="A .bprop model file.")],
    data: Annotated[str | None, typer.Option(help="Data set (default: the one the model was trained on).")] = None,
    data_dir: Annotated[str | None, typer.Option()] = None,
    split: Annotated[str, typer.Option(help="test or train.")] = "test",
    label_column: Annotated[str | None, typer.Option()] = None,
    plot: Annotated[
        Path | None, typer.Option(help="Where to write the confusion matrix PNG (default: next to the model).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
):
    """Accuracy, per-class precision/recall/F1 and the confusion matrix."""
    from . import inspect_commands

    if split not in ("test", "train"):
        raise typer.BadParameter(f"--split must be 'test' or 'train', got {split!r}.")
    report = inspect_commands.evaluate(model, data, data_dir, split, label_column)
    png = inspect_commands.write_confusion_png(report, plot or model.with_name(model.stem + "-confusion.png"))
    if as_json:
        _print_json(report | {"plot": str(png)})
        return
    console.print(
        f"[bold]{report['data']}[/] {report['split']} split, {report['samples']} samples: "
        f"accuracy {report['accuracy']:.4f}, cost {report['cost']:.5f}"
    )
    table = Table(title="per class")
    for column in ("class", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for row in report["classes"]:
        table.add_row(
            row["class"], f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", str(row["support"])
        )
    console.print(table)
    matrix = Table(title="confusion matrix (rows: true class, columns: predicted)")
    matrix.add_column("")
    for name in report["class_names"]:
        matrix.add_column(name, justify="right")
    for name, row in zip(report["class_names"], report["confusion_matrix"]):
        matrix.add_row(name, *map(str, row))
    console.print(matrix)
    console.print(f"confusion matrix plot: {png}", markup=False, soft_wrap=True)


@app.command()
def predict(
    model: Annotated[Path, typer.Argument(help="A .bprop model file.")],
    inputs: Annotated[Path, typer.Argument(help="A .csv (numeric features), .npz (array X) or .png file.")],
    output: Annotated[Path | None, typer.Option(help="Write labels and outputs to this CSV file.")] = None,
    invert: Annotated[bool, typer.Option(help="PNG: invert grey levels (dark ink on light paper → as MNIST).")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
):
    """Labels and outputs a^L for new inputs."""
    from . import inspect_commands

    result = inspect_commands.predict(model, inputs, invert)
    if output:
        inspect_commands.write_predictions_csv(result, output)
        console.print(f"wrote {len(result['outputs'])} predictions to {output}", markup=False, soft_wrap=True)
    elif as_json:
        _print_json(result)
    else:
        _print_predictions(result)


def _print_predictions(result):
    """Label and largest output per row; every output when there are few (all of them: --json, --output)."""
    outputs = np.asarray(result["outputs"])
    names = result["output_names"] or [f"a{j + 1}" for j in range(outputs.shape[1])]
    table = Table(caption="all outputs: --json or --output FILE" if outputs.shape[1] > 4 else None)
    table.add_column("row", justify="right")
    if "labels" in result:
        table.add_column("label")
        table.add_column("largest output a^L", justify="right")
    columns = names if outputs.shape[1] <= 4 else []
    for name in columns:
        table.add_column(name, justify="right")
    for i, row in enumerate(outputs):
        cells = [result["labels"][i], f"{row.max():.4f}"] if "labels" in result else []
        table.add_row(str(i), *cells, *(f"{v:.4f}" for v in row[: len(columns)]))
    console.print(table)


@app.command()
def gradcheck(
    model: Annotated[Path | None, typer.Option(help="Check a saved network on a batch of its data.")] = None,
    data: Annotated[str | None, typer.Option(help="With --model: the data (default: the model's).")] = None,
    data_dir: Annotated[str | None, typer.Option()] = None,
    layers: Annotated[str, typer.Option(help="Random networks: layer sizes.")] = "4,5,3",
    activation: Annotated[
        str | None, typer.Option(help="Only this hidden σ (a name, or module:Name of your own).")
    ] = None,
    output: Annotated[str | None, typer.Option(help="Only this output σ.")] = None,
    cost: Annotated[str | None, typer.Option(help="Only this cost (a name, or module:Name).")] = None,
    samples: Annotated[int, typer.Option(help="Samples in the checked batch.")] = 8,
    seed: Annotated[int, typer.Option()] = 0,
    threshold: Annotated[float, typer.Option(help="Largest accepted relative error per layer.")] = 1e-6,
    eps: Annotated[float, typer.Option(help="ε of the central difference.")] = 1e-6,
    max_per_layer: Annotated[
        int | None, typer.Option(help="With --model: check at most this many weights per layer.")
    ] = 200,
    as_json: Annotated[bool, typer.Option("--json")] = False,
):
    """Finite differences against BP1–BP4, per layer; exit status 1 if any check fails."""
    from . import gradcheck_command as gc
    from .settings import int_list

    if model:
        rows = gc.check_model(model, data, data_dir, samples, seed, threshold, eps, max_per_layer)
    else:
        rows = gc.check_random(int_list(layers, "layers"), activation, output, cost, samples, seed, threshold, eps)
    if as_json:
        _print_json(
            [
                {
                    "network": r.label,
                    "passed": r.passed,
                    "max_error": r.report.max_error,
                    "layers": [vars(layer) for layer in r.report.layers],
                }
                for r in rows
            ]
        )
    else:
        table = Table(
            title=f"∂C/∂w, ∂C/∂b: backprop against central differences (ε = {eps:g})",
            caption=f"relative error ‖g − g_fd‖ / (‖g‖ + ‖g_fd‖) per layer; pass ≤ {threshold:g}",
        )
        for column in ("network", "layer", "∂C/∂w error", "∂C/∂b error", ""):
            table.add_column(column)
        for r in rows:
            for i, layer in enumerate(r.report.layers):
                verdict = "[green]pass[/]" if layer.error <= threshold else "[red]FAIL[/]"
                table.add_row(
                    escape(r.label) if i == 0 else "",
                    str(layer.layer),
                    f"{layer.weight_error:.2e}",
                    f"{layer.bias_error:.2e}",
                    verdict,
                )
        console.print(table)
        failed = [r.label for r in rows if not r.passed]
        console.print(
            f"{len(rows) - len(failed)} of {len(rows)} networks pass"
            + (f"; failed: {', '.join(failed)}" if failed else ""),
            markup=False,
            soft_wrap=True,
        )
    if not all(r.passed for r in rows):
        raise typer.Exit(1)


from .bench_command import bench  # noqa: E402
from .explain_command import explain  # noqa: E402
from .playground_command import playground  # noqa: E402
from .plot_command import plot  # noqa: E402

app.command()(bench)
app.command()(explain)
app.command()(plot)
app.command()(playground)


# -- data ---------------------------------------------------------------------


@data_app.command("list")
def data_list(data_dir: Annotated[str | None, typer.Option()] = None):
    """The data sets, where each is found, and their sizes."""
    from .. import datasets

    table = Table()
    for column in ("name", "available", "train", "test", "features", "classes", "source"):
        table.add_column(column, no_wrap=column == "name", overflow="fold")
    infos = datasets.list_datasets(data_dir)
    for info in infos:
        table.add_row(
            info.name,
            "yes" if info.available else "no",
            str(info.n_train),
            str(info.n_test),
            str(info.n_features),
            str(info.n_classes),
            info.source,
        )
    console.print(table)
    for info in infos:
        if not info.available:
            console.print(f"{info.name}: {info.hint}", soft_wrap=True)


@data_app.command("show")
def data_show(
    name: Annotated[str, typer.Argument(help="A data set name or a .csv/.npz file.")],
    data_dir: Annotated[str | None, typer.Option()] = None,
    out: Annotated[Path | None, typer.Option(help="PNG path (default: NAME-samples.png).")] = None,
    seed: Annotated[int, typer.Option()] = 0,
):
    """A PNG grid of samples with their labels."""
    from .. import datasets, plots

    data = datasets.load(name, data_dir=data_dir, seed=seed)
    path = out or Path(f"{Path(name).stem}-samples.png")
    plots.sample_grid(
        data.X_train,
        data.y_train,
        path,
        image_shape=data.image_shape,
        class_names=list(data.class_names),
        title=f"{name}: training samples",
    )
    console.print(f"wrote {path}", markup=False, soft_wrap=True)


@data_app.command("fetch")
def data_fetch(
    name: Annotated[str, typer.Argument(help="mnist or fashion-mnist.")],
    data_dir: Annotated[str | None, typer.Option(help="Root folder; files go to DATA_DIR/NAME.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Another mirror holding the four .gz files.")] = None,
):
    """Download the four IDX files, checksum-verified, resumable, written atomically."""
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    from .. import datasets

    with Progress(*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(), console=console) as bar:
        tasks = {}

        def progress(filename, done, total):
            if filename not in tasks:
                tasks[filename] = bar.add_task(filename, total=total or None)
            bar.update(tasks[filename], completed=done, total=total or None)

        folder = datasets.fetch(name, data_dir, base_url=base_url, progress=progress)
    console.print(f"{name} is in {folder}", markup=False, soft_wrap=True)


# -- entry point --------------------------------------------------------------


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = bool(args) and args[0] == "--debug"
    if debug:
        args.pop(0)
    try:
        status = app(args=args, prog_name="bprop", standalone_mode=False)
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        sys.stderr.write("bprop: interrupted\n")
        return 130
    except typer.TyperException as e:  # malformed command line: usage and the problem
        e.show()
        return getattr(e, "exit_code", 2)
    except (BpropError, OSError) as e:
        if debug:
            raise
        message = str(e) if isinstance(e, BpropError) else f"{e.strerror or e}: {e.filename or ''}".rstrip(": ")
        sys.stderr.write(f"bprop: error: {message}\n")
        return 1
    except MemoryError:
        if debug:
            raise
        sys.stderr.write(
            "bprop: error: out of memory; use narrower layers (--layers/--hidden), a smaller "
            "--batch-size or less data (--n).\n"
        )
        return 1
    return status if isinstance(status, int) else 0  # typer.Exit(n) in a command comes back as n
