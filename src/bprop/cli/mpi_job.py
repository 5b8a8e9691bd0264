"""``bprop`` under ``mpiexec -n K``: the K ranks start together, and agree or stop together.

When the environment says this process is one of K > 1 started by
``mpiexec`` (``distributed.launched_ranks``), ``main`` starts an ``MpiJob``
before it reads the command line. MPI is initialized at once, on every rank:
MPI_Init waits for all K processes, so a rank that ended before initializing
would leave the others waiting forever. Then every rank meets the others
exactly once before training, in one collective (``rendezvous``):

- a rank that got as far as training (``bprop train --distributed``: its
  settings read, its data loaded, its network built) brings what must agree
  (``agree``): every setting that changes the numbers, and the training
  data's shape, class count and SHA-256 (each rank holds the whole set);
- a rank that failed before (a bad flag, a missing file, another command,
  ``--distributed`` forgotten) brings its error message instead (``finish``).

Every rank sees every record, so every rank reaches the same verdict: train,
or stop — rank 0 prints one ``bprop: error:`` line naming the rank that
failed and why, or the first setting that differs, and every rank exits with
status 1, within a second of the last rank's arrival. A rank that failed
waits at most FAILED_PATIENCE seconds for the others (they may be loading
data), then ends the job (MPI Abort). SIGINT or SIGTERM while waiting turns
this rank's record into "interrupted", and so stops every rank.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from pathlib import Path

import typer

from ..errors import BpropError
from ..training.distributed import Communicator, first_difference, launched_ranks
from .settings import flag_name

INIT_PATIENCE = 60.0  # s for MPI_Init: every rank of the job must start it
FAILED_PATIENCE = 30.0  # s that a rank which failed waits for the others before ending the job
RANK_LOCAL = ("out", "name", "data_dir", "plots")  # settings that only rank 0 uses, or that may differ per node

CURRENT = None  # the MpiJob of this process while ``main`` runs a command under mpiexec; else None


class RanksStopped(BpropError):
    """Some rank failed before training, or the ranks disagree: every rank stops (rank 0 says why)."""


def launched_size() -> int:
    """K when this process is one of K > 1 ranks started by ``mpiexec``; else 1."""
    return launched_ranks()[1]


class MpiJob:
    """This process's part in an MPI job of K > 1 ranks: MPI started, and the one meeting before training."""

    def __init__(self):
        self.comm = _start_mpi()
        self.rank, self.size = self.comm.rank, self.comm.size
        self.met = False  # True once this rank took part in the rendezvous
        self.interrupted = None  # the signal's name, when one came while waiting

    # -- the two ways to the meeting --------------------------------------------

    def agree(self, facts: dict) -> None:
        """Meet the others with what must agree; returns when every rank brought the same.

        ``facts``: the settings (by TrainSettings field) and the data figures.
        Raises RanksStopped on rank 0 (its message the verdict) and
        ``typer.Exit(1)`` on the others when a rank failed or differs.
        """
        records = self._rendezvous(lambda: self._failure(self.interrupted) if self.interrupted else {"facts": facts})
        verdict = _verdict(records)
        if verdict is not None:
            if self.rank == 0:
                raise RanksStopped(verdict)
            raise typer.Exit(1)

    def finish(self, status: int, message: str) -> int:
        """The exit status of a command that ended on this rank without meeting the others: meet them now.

        ``message``: what this rank would have printed (its error), or "" when
        the command ended quietly. Only rank 0 prints the verdict.
        """
        if self.met:
            return status
        if not message:
            message = f"bprop stopped before training (status {status})"
        failure = self._failure(message)
        records = self._rendezvous(failure, patience=FAILED_PATIENCE)
        if records is None:
            _write(
                f"bprop: error: rank {self.rank} of {self.size}: {failure['error']}; the other ranks did not reach "
                f"training within {FAILED_PATIENCE:.0f} s: ending every rank.\n"
            )
            self.comm.abort(1)
        if self.rank == 0:
            _write(f"bprop: error: {_verdict(records)}\n")
        return 1

    # -- the meeting --------------------------------------------------------------

    def _rendezvous(self, record, patience=None):
        """Every rank's record, once all are here (``Communicator.gather_when_ready``); None after ``patience`` s.

        A signal while waiting marks this rank interrupted (its record says so)
        and bounds the wait; a second signal ends this rank at once.
        """
        self.met = True
        deadline = [None if patience is None else time.monotonic() + patience]

        def on_signal(signum, frame):
            if self.interrupted:
                os._exit(128 + signum)
            self.interrupted = signal.Signals(signum).name
            if deadline[0] is None:
                deadline[0] = time.monotonic() + FAILED_PATIENCE

        with _handling_signals(on_signal):
            return self.comm.gather_when_ready(
                record, give_up=lambda: deadline[0] is not None and time.monotonic() > deadline[0]
            )

    def _failure(self, message) -> dict:
        if message in ("SIGINT", "SIGTERM"):
            message = f"interrupted ({message}) before training"
        lines = [
            line.strip().removeprefix("bprop: error: ").removeprefix("bprop: ") for line in str(message).splitlines()
        ]
        return {"error": " ".join(line for line in lines if line).rstrip(".")}


def _verdict(records) -> str | None:
    """Why the ranks stop, in one sentence; None when they may train."""
    failed = [(rank, r["error"]) for rank, r in enumerate(records) if "error" in r]
    if failed:
        messages = {}
        for rank, message in failed:
            messages.setdefault(message, []).append(rank)
        if len(failed) == len(records) and len(messages) == 1:
            return f"{failed[0][1]} (on every rank)."
        parts = [f"{_ranks(ranks)}: {message}" for message, ranks in messages.items()]
        return f"{'; '.join(parts)}. Every rank stopped."
    difference = first_difference([r["facts"] for r in records], name=_name_of)
    if difference is None:
        return None
    return f"the {len(records)} ranks disagree: {difference}; start every rank with the same settings and data."


def _ranks(ranks) -> str:
    return f"rank {ranks[0]}" if len(ranks) == 1 else f"ranks {', '.join(map(str, ranks))}"


def _name_of(key) -> str:
    """How the message calls a fact: a setting by its flag, the data by what it is."""
    if key == "shuffle":
        return "shuffling (--no-shuffle)"
    return key if " " in key else flag_name(key)


def agreed_facts(settings: dict, X, n_classes: int, data_sha256: str, resuming: bool) -> dict:
    """What every rank must hold equally: the settings that change the numbers, and the data's figures."""
    facts = {key: value for key, value in settings.items() if key not in RANK_LOCAL}
    if Path(str(facts.get("data"))).suffix in (".csv", ".npz"):
        del facts["data"]  # a file's path may differ from node to node; its content must not
    return facts | {
        "resuming (--resume)": resuming,
        "training data's shape": "×".join(map(str, X.shape)),
        "class count": int(n_classes),
        "data's SHA-256": data_sha256,
    }


# -- starting MPI -------------------------------------------------------------------


def _start_mpi() -> Communicator:
    """MPI initialized (mpi4py imported), bounded by INIT_PATIENCE: a rank that never starts MPI ends the wait."""
    rank, size = launched_ranks()
    done = threading.Event()

    def give_up():
        if not done.wait(INIT_PATIENCE):
            _write(
                f"bprop: error: rank {rank} of {size}: the other processes of this mpiexec did not start MPI "
                f"within {INIT_PATIENCE:.0f} s; run bprop train --distributed on every rank.\n"
            )
            os._exit(1)

    threading.Thread(target=give_up, name="bprop-mpi-init", daemon=True).start()
    try:
        return Communicator()
    finally:
        done.set()


@contextlib.contextmanager
def _handling_signals(handler):
    """``handler`` for SIGINT and SIGTERM inside (main thread only), the previous ones restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _write(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(text)
        sys.stderr.flush()
