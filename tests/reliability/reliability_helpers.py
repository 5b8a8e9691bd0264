"""Shared helpers of the reliability suite: small problems, subprocesses, run-folder checks, the tally.

Every test of this folder states one guarantee of RELIABILITY.md. TALLY
counts what the tests tried (cases, fuzzed inputs, kills survived);
conftest.py prints it at the end of the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np

import bprop as bp
from bprop.cli.settings import resumed
from bprop.training import checkpoints

TALLY = Counter()


def small_problem(seed=0, m=60, n_in=5, n_out=3):
    """Inputs (m, n_in) and integer labels (m,) with some structure, float64."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n_in))
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)
    return X, np.minimum(y, n_out - 1)


def same_parameters(a, b) -> bool:
    """Bit-for-bit equal weights and biases."""
    return all(
        np.array_equal(x, y) and x.dtype == y.dtype for x, y in zip([*a.weights, *a.biases], [*b.weights, *b.biases])
    )


# ---------------------------------------------------------------- the command line in a subprocess


def bprop_command(*args) -> list:
    return [sys.executable, "-m", "bprop", *map(str, args)]


def subprocess_env(cwd) -> dict:
    return dict(os.environ, BPROP_DATA_DIR=str(Path(cwd) / "bprop-data-root"), PYTHONUNBUFFERED="1")


def run_folders(out: Path) -> list:
    """The run folders under out (hidden temporary folders excluded)."""
    out = Path(out)
    return sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")) if out.is_dir() else []


def temporary_files(folder: Path) -> list:
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith(".") and p.name.endswith(".tmp"))


def assert_readable_run_folder(folder: Path) -> str:
    """Every file of a run folder is whole, and the folder is finished or can be resumed.

    Returns 'finished' (results.json, model.bprop, history.json readable),
    'checkpoint' (settings.json and a loadable checkpoint.ckpt) or 'settings'
    (settings.json only: --resume starts the run again from its beginning).
    Hidden temporary files a killed writer left are allowed; --resume removes them.
    """
    folder = Path(folder)
    settings = resumed(folder, {})  # settings.json whole and valid
    assert settings.epochs >= 1
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".bprop":
            net = bp.load(path)
            assert all(np.isfinite(w).all() for w in [*net.weights, *net.biases]), path
        elif path.suffix == ".ckpt":
            checkpoints.load(path)
        elif path.suffix == ".png":
            assert path.read_bytes()[:4] == b"\x89PNG", path
    if (folder / "results.json").is_file():
        bp.load(folder / "model.bprop")
        json.loads((folder / "history.json").read_text(encoding="utf-8"))
        return "finished"
    return "checkpoint" if (folder / checkpoints.FILENAME).is_file() else "settings"


def completed(args, cwd, timeout=300):
    return subprocess.run(args, cwd=cwd, env=subprocess_env(cwd), capture_output=True, text=True, timeout=timeout)
