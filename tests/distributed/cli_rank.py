"""One rank of ``bprop`` under mpiexec, made slow or impatient, for tests/test_distributed.py.

    python cli_rank.py DELAY PATIENCE bprop-arguments…

DELAY: seconds this rank sleeps before loading its data (a rank still on its
way to the meeting); PATIENCE: bprop.cli.mpi_job.FAILED_PATIENCE for this rank.
On reaching the meeting a rank creates ``waiting-rankN`` in its working folder,
so that a test can signal it there (not while it is still importing).
"""

import sys
import time
from pathlib import Path

from bprop.cli import mpi_job, training_run
from bprop.cli.app import main

delay, patience = float(sys.argv[1]), float(sys.argv[2])
mpi_job.FAILED_PATIENCE = patience
prepare_data = training_run.prepare_data


def slow_prepare_data(settings):
    time.sleep(delay)
    return prepare_data(settings)


training_run.prepare_data = slow_prepare_data
rendezvous = mpi_job.MpiJob._rendezvous


def marked_rendezvous(job, *args, **kwargs):
    Path(f"waiting-rank{job.rank}").touch()
    return rendezvous(job, *args, **kwargs)


mpi_job.MpiJob._rendezvous = marked_rendezvous
raise SystemExit(main(sys.argv[3:]))
