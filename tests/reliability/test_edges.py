"""Validation at every edge: one table of bad inputs, each refused by a documented error that names it.

Each case is refused with a subclass of bprop.errors.BpropError (and of
ValueError, or an OSError) whose message holds the fragments listed: the
argument, the value seen, the fix. The command-line cases must print one line
and exit 1. tests/test_validation.py and tests/test_cli.py hold many more;
this table is the reliability suite's cross-section of every edge named in
RELIABILITY.md.
"""

from __future__ import annotations

import numpy as np
import pytest

import bprop as bp
from bprop.cli import main
from bprop.datasets import read_idx
from bprop.datasets.tabular import load_tabular

from .reliability_helpers import TALLY

X = np.random.default_rng(0).normal(size=(12, 3))
Y = np.arange(12) % 2


def net():
    return bp.Network([3, 4, 2], seed=0)


def with_nan():
    bad = X.copy()
    bad[4, 2] = np.nan
    return bad


def csv_file(tmp_path, text):
    path = tmp_path / "data.csv"
    path.write_text(text)
    return path


def npz_with_objects(tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, X=np.ones((4, 2)), y=np.array(["a", None, "b", "c"], dtype=object))
    return path


CASES = {
    "10^9 neurons": (lambda t: bp.Network([784, 10**9, 10]), bp.InvalidArgument, ["parameters", "narrower"]),
    "negative layer width": (lambda t: bp.Network([3, -1]), bp.InvalidArgument, ["sizes[1]", "-1"]),
    "negative η": (lambda t: bp.SGD(lr=-1), bp.InvalidArgument, ["lr", "-1"]),
    "NaN η": (lambda t: bp.Adam(lr=float("nan")), bp.InvalidArgument, ["lr", "nan"]),
    "zero batch size": (lambda t: bp.train(net(), X, Y, batch_size=0), bp.InvalidArgument, ["batch_size", "0"]),
    "zero epochs": (lambda t: bp.train(net(), X, Y, epochs=0), bp.InvalidArgument, ["epochs", "0"]),
    "negative l2": (lambda t: bp.train(net(), X, Y, l2=-1), bp.InvalidArgument, ["l2", "-1"]),
    "NaN in X": (lambda t: bp.train(net(), with_nan(), Y), bp.InvalidArgument, ["NaN", "row 4, column 2"]),
    "empty X": (lambda t: bp.train(net(), np.empty((0, 3)), np.empty(0, int)), bp.InvalidArgument, ["empty"]),
    "wrong feature count": (lambda t: bp.train(net(), X[:, :2], Y), bp.InvalidArgument, ["2 features", "n_1 = 3"]),
    "label outside the output layer": (
        lambda t: bp.train(net(), X, Y + 3),
        bp.InvalidArgument,
        ["label 3", "outside 0 … 1"],
    ),
    "X and Y of other lengths": (lambda t: bp.train(net(), X, Y[:5]), bp.InvalidArgument, ["12 samples", "5"]),
    "validation of the wrong width": (
        lambda t: bp.train(net(), X, Y, validation=(X[:, :1], Y)),
        bp.InvalidArgument,
        ["validation X", "1 features"],
    ),
    "not an optimizer": (lambda t: bp.train(net(), X, Y, optimizer="sgd"), bp.InvalidArgument, ["optimizer", "'sgd'"]),
    "resume from random bytes": (
        lambda t: bp.train(net(), X, Y, resume=_bytes(t, b"junk")),
        bp.ModelFileError,
        ["not a bprop checkpoint"],
    ),
    "resume from a missing file": (lambda t: bp.train(net(), X, Y, resume=t / "none.ckpt"), FileNotFoundError, []),
    "model file of random bytes": (
        lambda t: bp.load(_bytes(t, b"\x00" * 50)),
        bp.ModelFileError,
        ["not a bprop model file"],
    ),
    "non-numeric CSV cell": (
        lambda t: load_tabular(csv_file(t, "a,b,label\n1,x,yes\n2,3,no\n")),
        bp.DataError,
        ["row 1", "'b'", "'x'", "not a number"],
    ),
    "NaN CSV cell": (
        lambda t: load_tabular(csv_file(t, "a,b,label\n1,nan,yes\n2,3,no\n")),
        bp.DataError,
        ["nan", "data row 1"],
    ),
    "empty CSV": (lambda t: load_tabular(csv_file(t, "")), bp.DataError, ["empty"]),
    "CSV of one class": (lambda t: load_tabular(csv_file(t, "a,label\n1,x\n2,x\n")), bp.DataError, ["2 classes"]),
    "NPZ of Python objects": (lambda t: load_tabular(npz_with_objects(t)), bp.DataError, ["pickle"]),
    "truncated IDX": (lambda t: read_idx(bytes([0, 0, 8, 1, 0, 0, 0, 9, 1, 2])), bp.DataError, ["truncated"]),
    "IDX declaring 8 GiB": (
        lambda t: read_idx(bytes([0, 0, 8, 2, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 4])),
        bp.DataError,
        ["limit"],
    ),
}


def _bytes(tmp_path, data):
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", CASES)
def test_a_bad_input_is_refused_with_a_documented_error_that_names_it(tmp_path, case):
    call, error, fragments = CASES[case]
    with pytest.raises(error) as caught:
        call(tmp_path)
    assert isinstance(caught.value, (ValueError, OSError))
    assert isinstance(caught.value, bp.BpropError) or isinstance(caught.value, OSError)
    for fragment in fragments:
        assert fragment in str(caught.value), (fragment, str(caught.value))
    TALLY["edges: bad inputs refused (library)"] += 1


CLI_CASES = {
    "10^9 hidden neurons": (["--hidden", "1000000000"], ["parameters"]),
    "10^12 generated samples": (["--data", "xor", "--n", "1000000000000"], ["n=1000000000000", "smaller n"]),
    "overflowing noise": (["--data", "xor", "--noise", "1e308"], ["noise", "1e+308"]),
    "negative η": (["--lr", "-1"], ["lr", "-1"]),
    "zero batch size": (["--batch-size", "0"], ["batch_size", "0"]),
    "layers that do not fit the data": (["--layers", "10,5"], ["--layers", "64 features"]),
    "non-numeric CSV": (["--data", "bad.csv"], ["not a number"]),
    "checkpoint schedule": (["--checkpoint-every", "-3"], ["--checkpoint-every"]),
}


@pytest.mark.parametrize("case", CLI_CASES)
def test_a_bad_command_line_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys, case):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.csv").write_text("a,b,label\n1,x,yes\n2,3,no\n")
    flags, fragments = CLI_CASES[case]
    status = main(["train", "--quiet", "--epochs", "1", "--out", str(tmp_path / "runs"), *flags])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert line.startswith("bprop: error: ") and all(f in line for f in fragments), line
    assert not (tmp_path / "runs").exists()
    TALLY["edges: bad command lines refused (CLI)"] += 1


def test_a_model_whose_sizes_do_not_fit_the_data_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bp.Network([3, 4, 2], seed=0).save(tmp_path / "small.bprop", metadata={"dataset": "digits"})
    status = main(["evaluate", str(tmp_path / "small.bprop"), "--data", "digits"])
    err = capsys.readouterr().err
    assert status == 1 and len(err.strip().splitlines()) == 1 and "64" in err
