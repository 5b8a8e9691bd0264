"""Inputs that once crashed a parser, kept and replayed: each must now give a documented error.

regressions/<parser>/ holds one input per file, named after what found it
(hypothesis or atheris) and what it does. fuzz_atheris.py saves new ones here.
The ``hostile-*`` inputs (made by make_hostile_corpus.py: metadata of the
wrong type, size or relation, NaN weights with fixed checksums, JSON nested
thousands deep, numbers that overflow a float) must be refused, not merely
survived.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

import bprop as bp
from bprop import datasets
from bprop.cli.plot_command import read_history
from bprop.cli.settings import merged, resumed
from bprop.datasets import read_idx
from bprop.errors import BpropError
from bprop.storage import modelfile
from bprop.training import checkpoints

from .reliability_helpers import TALLY

HERE = Path(__file__).parent / "regressions"
PARSERS = {
    "idx": lambda path: read_idx(path.read_bytes(), max_bytes=1 << 20),
    "data": lambda path: datasets.load(str(path)),  # CSV and NPZ files, by suffix
    "config": lambda path: merged(path, {}),  # --config TOML files
    "model": bp.load,
    "checkpoint": checkpoints.load,
    "model-metadata": modelfile.load_trained,
    "history": read_history,
    "settings": lambda path: resumed_from(path),
}


def resumed_from(settings_json):
    """``bprop train --resume`` of a run folder whose settings.json is ``settings_json``."""
    with tempfile.TemporaryDirectory() as folder:
        shutil.copyfile(settings_json, Path(folder) / "settings.json")
        return resumed(folder, {})


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
        return
    assert not path.name.startswith("hostile-"), f"{parser}/{path.name} was accepted"


def test_there_are_regression_inputs():
    assert CASES
