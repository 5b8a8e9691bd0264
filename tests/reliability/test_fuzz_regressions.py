"""Inputs that once crashed a parser, kept and replayed: each must now give a documented error.

regressions/<parser>/ holds one input per file, named after what found it
(hypothesis or atheris) and what it does. fuzz_atheris.py saves new ones here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import bprop as bp
from bprop import datasets
from bprop.cli.settings import merged
from bprop.datasets import read_idx
from bprop.errors import BpropError
from bprop.training import checkpoints

from .reliability_helpers import TALLY

HERE = Path(__file__).parent / "regressions"
PARSERS = {
    "idx": lambda path: read_idx(path.read_bytes(), max_bytes=1 << 20),
    "data": lambda path: datasets.load(str(path)),  # CSV and NPZ files, by suffix
    "config": lambda path: merged(path, {}),  # --config TOML files
    "model": bp.load,
    "checkpoint": checkpoints.load,
}
CASES = sorted(
    (parser, path)
    for parser in PARSERS
    if (HERE / parser).is_dir()
    for path in (HERE / parser).iterdir()
    if path.is_file() and not path.name.startswith(".")
)


@pytest.mark.parametrize("parser, path", CASES, ids=[f"{p}/{f.name}" for p, f in CASES])
def test_a_saved_crashing_input_now_gives_a_documented_error(parser, path):
    TALLY["fuzz: saved crashing inputs replayed"] += 1
    try:
        PARSERS[parser](path)
    except (BpropError, OSError):
        pass


def test_there_are_regression_inputs():
    assert CASES
