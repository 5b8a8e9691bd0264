"""The ``bprop`` command: the Typer app, its commands wired in, and the entry point.

Each command lives in its own module, with its flags and what it prints
(``train_command``, ``evaluate_command``, …); this module only registers them
and turns errors into exit statuses. User errors (bad flags, missing files,
unknown data, a model that does not fit the data) print one line that names
the problem and the fix, and exit with status 1 (2 for malformed command
lines), without a traceback; ``--debug`` before the command shows one.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..errors import BpropError
from . import mpi_job
from .bench_command import bench
from .check_command import check
from .data_command import data_fetch, data_list, data_show
from .evaluate_command import evaluate
from .explain_command import explain
from .gradcheck_command import gradcheck
from .lab_command import lab_app
from .playground_command import playground
from .plot_command import plot
from .predict_command import predict
from .quiz_command import quiz
from .train_command import train

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


# The order here is the order of `bprop --help`.
app.command()(train)
app.command()(evaluate)
app.command()(predict)
app.command()(gradcheck)
app.command()(bench)
app.command()(explain)
app.command()(check)
app.add_typer(lab_app, name="lab")
app.command()(quiz)
app.command()(plot)
app.command()(playground)
data_app.command("list")(data_list)
data_app.command("show")(data_show)
data_app.command("fetch")(data_fetch)


def main(argv=None) -> int:
    """Run the command line; returns the exit status.

    Under ``mpiexec -n K`` (K > 1) every rank first starts MPI and, whatever
    happens to its command, meets the others once before training
    (``mpi_job``): an error on one rank stops every rank, with one message.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = bool(args) and args[0] == "--debug"
    if debug:
        args.pop(0)
    if mpi_job.launched_size() == 1:
        return _run(args, debug, sys.stderr.write)
    try:
        job = mpi_job.MpiJob()
    except BpropError as e:  # no mpi4py here: this rank cannot meet the others (they give up on MPI_Init)
        sys.stderr.write(f"bprop: error: {e}\n")
        return 1
    held = []  # this rank's error before the meeting: sent to the others instead of printed

    def say(text):
        if job.met:
            sys.stderr.write(text)
        else:
            held.append(text)

    if args[:1] != ["train"]:
        command = f"bprop {args[0]}" if args else "bprop without a command"
        return job.finish(
            1,
            f"{command} was started under mpiexec -n {job.size}: only bprop train --distributed runs on "
            "many processes; run other commands without mpiexec",
        )
    mpi_job.CURRENT = job
    try:
        status = _run(args, debug, say, one_line_usage=True)
    except BaseException as e:  # any failure must reach the other ranks, or they wait for this one forever
        if job.met:
            raise
        status = 1
        held.append(f"{type(e).__name__}: {e}")
    finally:
        mpi_job.CURRENT = None
    return job.finish(status, "".join(held))


def _run(args, debug, say, one_line_usage=False) -> int:
    """The command's exit status; its error, if any, goes to ``say`` as one ``bprop: error:`` line."""
    try:
        status = app(args=args, prog_name="bprop", standalone_mode=False)
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort as e:
        if isinstance(e.__cause__, EOFError) and not debug:  # click turns an EOFError into Abort, as for Ctrl-C
            say(
                f"bprop: error: an input ended too early ({e.__cause__ or 'EOFError'}); the file is "
                "truncated or not of the kind expected.\n"
            )
            return 1
        say("bprop: interrupted\n")
        return 130
    except typer.TyperException as e:  # malformed command line: usage and the problem
        if one_line_usage:
            say(f"bprop: error: {e.format_message()} (bprop {' '.join(args[:1])} --help lists the flags)\n")
        else:
            e.show()
        return getattr(e, "exit_code", 2)
    except (BpropError, OSError) as e:
        if debug:
            raise
        message = str(e) if isinstance(e, BpropError) else f"{e.strerror or e}: {e.filename or ''}".rstrip(": ")
        say(f"bprop: error: {message}\n")
        return 1
    except MemoryError:
        if debug:
            raise
        say(
            "bprop: error: out of memory; use narrower layers (--layers/--hidden), a smaller "
            "--batch-size or less data (--n).\n"
        )
        return 1
    return status if isinstance(status, int) else 0  # typer.Exit(n) in a command comes back as n


def run_main():
    """Console-script entry point (``bprop``): exit with ``main``'s status."""
    raise SystemExit(main())
