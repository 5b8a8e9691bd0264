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
from .bench_command import bench
from .data_command import data_fetch, data_list, data_show
from .evaluate_command import evaluate
from .explain_command import explain
from .gradcheck_command import gradcheck
from .playground_command import playground
from .plot_command import plot
from .predict_command import predict
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
app.command()(plot)
app.command()(playground)
data_app.command("list")(data_list)
data_app.command("show")(data_show)
data_app.command("fetch")(data_fetch)


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
    except typer.Abort as e:
        if isinstance(e.__cause__, EOFError) and not debug:  # click turns an EOFError into Abort, as for Ctrl-C
            sys.stderr.write(
                f"bprop: error: an input ended too early ({e.__cause__ or 'EOFError'}); the file is "
                "truncated or not of the kind expected.\n"
            )
            return 1
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


def run_main():
    """Console-script entry point (``bprop``): exit with ``main``'s status."""
    raise SystemExit(main())
