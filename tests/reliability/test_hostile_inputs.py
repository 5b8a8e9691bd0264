"""Hostile and odd input (issue 16): data files, configs and settings that cannot work.

Every case is refused with one documented error, through the Python API and
through the command line (exit 1, one line ``bprop: error: …``, no traceback,
no run folder written), quickly and in bounded memory.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

import bprop as bp
import bprop.datasets
from bprop.cli import main
from bprop.cli.settings import TrainSettings, check_values, merged
from bprop.core.gradcheck import gradcheck
from bprop.datasets.idx import write_idx
from bprop.errors import BpropError, DataError, InvalidArgument

from .reliability_helpers import TALLY

REPO = Path(__file__).resolve().parents[2]


def _npz_members(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def _npy_bytes(array) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _lying_npy_header() -> bytes:
    """A .npy member whose header claims 10^11 float64 values, followed by 8 bytes."""
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    header["shape"] = (100_000_000_000,)
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + b"\0" * 8


# name → (writer(path), words the message must hold)
DATA_CASES = {
    "0-byte .npz": ("empty.npz", lambda p: p.write_bytes(b""), ["not a zip file"]),
    ".npy named .npz": ("x.npz", lambda p: p.write_bytes(_npy_bytes(np.zeros((3, 2)))), ["NPZ", "np.savez"]),
    "non-npy member": ("m.npz", lambda p: _npz_members(p, {"X.npy": b"hello", "y.npy": b"world"}), ["not a .npy"]),
    "object member": (
        "o.npz",
        lambda p: _npz_members(
            p, {"X.npy": _npy_bytes(np.zeros((2, 2))), "y.npy": _npy_bytes(np.array([1, "a"], dtype=object))}
        ),
        ["pickle"],
    ),
    "header claiming 800 GB": (
        "h.npz",
        lambda p: _npz_members(p, {"X.npy": _lying_npy_header(), "y.npy": _npy_bytes(np.zeros(2))}),
        ["declares shape", "crafted"],
    ),
    "0-d X": ("d.npz", lambda p: np.savez(p, X=np.array(1.0), y=np.array([1])), ["2-D", "shape ()"]),
    "0-row X": ("r.npz", lambda p: np.savez(p, X=np.zeros((0, 3)), y=np.zeros(0, int)), ["no rows"]),
    "CSV cell over 128 KiB": ("c.csv", lambda p: p.write_text("a,b\n" + "1" * 200_000 + ",0\n1,1\n"), ["cell longer"]),
    "CSV line over 1 MiB": ("l.csv", lambda p: p.write_text("1," * 600_000 + "0\n"), ["longer than", "characters"]),
    "CSV header only, long": ("n.csv", lambda p: p.write_text(",".join(["h" * 30] * 5000) + "\n"), ["no data rows"]),
    "CSV in UTF-16": ("u.csv", lambda p: p.write_text("a,b\n1,0\n2,1\n", encoding="utf-16"), ["UTF-8"]),
    "CSV not a number": ("t.csv", lambda p: p.write_text("a,b\n" + "x" * 5000 + ",0\n1,1\n"), ["not a number"]),
}


@pytest.fixture
def hostile(tmp_path):
    def make(case):
        name, write, words = DATA_CASES[case]
        path = tmp_path / name
        write(path)
        return path, words

    return make


@pytest.mark.parametrize("case", list(DATA_CASES))
def test_a_hostile_data_file_is_one_documented_error(case, hostile):
    path, words = hostile(case)
    with pytest.raises(BpropError) as raised:
        bp.datasets.load(str(path))
    message = str(raised.value)
    assert all(w in message for w in words), message
    assert len(message) < 600, "a message quotes at most a short excerpt of the input"
    TALLY["hostile: data files refused (API)"] += 1


def _cli(capsys, *args):
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _one_line_error(status, err, words=()):
    assert status == 1, err
    assert err.startswith("bprop: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert all(w in err for w in words), err


@pytest.mark.parametrize("case", list(DATA_CASES))
def test_a_hostile_data_file_is_one_line_and_exit_1(case, hostile, capsys, tmp_path):
    path, words = hostile(case)
    status, _, err = _cli(capsys, "train", "--data", path, "--epochs", "1", "--out", tmp_path / "runs", "--quiet")
    _one_line_error(status, err, words)
    assert not (tmp_path / "runs").exists(), "nothing is written for a refused run"
    TALLY["hostile: data files refused (CLI)"] += 1


@pytest.mark.parametrize("case", ["0-byte .npz", ".npy named .npz", "non-npy member", "CSV cell over 128 KiB"])
def test_predict_refuses_a_hostile_input_file_in_one_line(case, hostile, capsys, tmp_path):
    model = tmp_path / "m.bprop"
    bp.Network([2, 3, 2], seed=0).save(model)
    path, _ = hostile(case)
    status, _, err = _cli(capsys, "predict", model, path)
    _one_line_error(status, err)  # not "interrupted" with 130, as a 0-byte .npz gave before


def test_finite_values_near_the_float64_limit_are_accepted_and_overflow_is_named(tmp_path, capsys):
    path = tmp_path / "big.csv"
    path.write_text("a,b,label\n1e308,-1e308,0\n1,2,1\n3,4,0\n5,6,1\n7,8,0\n9,10,1\n")
    data = bp.datasets.load(str(path))  # finite: read as they are
    assert np.abs(np.concatenate([data.X_train, data.X_test])).max() == 1e308
    with pytest.raises(InvalidArgument, match="overflows"):
        bp.datasets.fit_preprocessor("scale", np.array([[1e308], [-1e308]]))
    status, _, err = _cli(capsys, "train", "--data", path, "--epochs", "1", "--out", tmp_path / "r", "--quiet")
    _one_line_error(status, err)
    assert "NaN" not in err and "Warning" not in err


def test_a_label_beyond_int64_names_a_class(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("a,label\n1,99999999999999999999999\n2,1\n3,99999999999999999999999\n4,1\n5,1\n")
    data = bp.datasets.load(str(path))
    assert data.class_names == ["1", "99999999999999999999999"]


def test_an_mnist_folder_of_zero_images_is_refused(tmp_path, capsys):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for stem, shape in [("train-images-idx3-ubyte", (0, 28, 28)), ("train-labels-idx1-ubyte", (0,))] * 1 + [
        ("t10k-images-idx3-ubyte", (0, 28, 28)),
        ("t10k-labels-idx1-ubyte", (0,)),
    ]:
        write_idx(folder / f"{stem}.gz", np.zeros(shape, np.uint8))
    with pytest.raises(DataError, match="no image"):
        bp.datasets.load("mnist", data_dir=tmp_path)
    status, _, err = _cli(capsys, "train", "--data", "mnist", "--data-dir", tmp_path, "--out", tmp_path / "r")
    _one_line_error(status, err, ["no image"])


# -- memory: a child process under an address-space limit ---------------------------------------

CHILD = textwrap.dedent(
    """
    import resource, sys
    import sklearn.model_selection  # the stratified split's library, loaded before the limit
    from bprop.datasets import load, read_idx
    from bprop.errors import BpropError
    pages = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
    limit = pages + {headroom}
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        {call}
    except BpropError as e:
        print("refused:", str(e)[:300])
    """
)


def _under_memory_limit(call: str, headroom_mb: int) -> str:
    code = CHILD.format(headroom=headroom_mb << 20, call=call)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_50_mb_one_line_csv_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "one-line.csv"
    with open(path, "w") as f:
        for _ in range(50):
            f.write("1," * 500_000)
        f.write("\n")
    out = _under_memory_limit(f"load({str(path)!r})", headroom_mb=100)
    assert out.startswith("refused:") and "longer than" in out, out
    assert len(out) < 400, "the message does not echo the line"


def test_a_many_row_csv_is_read_within_a_small_multiple_of_its_numbers(tmp_path):
    path = tmp_path / "rows.csv"
    m, n = 200_000, 10
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        f.write(",".join(f"x{j}" for j in range(n)) + ",label\n")
        for row in rng.integers(0, 1000, (m, n + 1)):
            f.write(",".join(map(str, row[:-1])) + f",{row[-1] % 3}\n")
    kept = m * (n + 1) * 8  # 17.6 MB of float64 and int64
    out = _under_memory_limit(f"print(load({str(path)!r}))", headroom_mb=6 * kept >> 20)
    assert "Dataset(" in out, out


def test_a_small_gzip_idx_claiming_gigabytes_costs_only_what_it_inflates_to(tmp_path):
    path = tmp_path / "bomb-idx3-ubyte.gz"
    with gzip.open(path, "wb") as g:
        g.write(bytes([0, 0, 8, 3]) + np.array([2_000_000, 28, 28], ">i4").tobytes())  # claims 1.57 GB
        g.write(b"\0" * (20 << 20))  # delivers 20 MB
    assert path.stat().st_size < 100_000
    out = _under_memory_limit(f"read_idx({str(path)!r})", headroom_mb=200)
    assert out.startswith("refused:") and "truncated" in out, out


# -- TOML configs ----------------------------------------------------------------------------

CONFIG_CASES = {
    "UTF-16 BOM": ("epochs = 1\n".encode("utf-16"), ["UTF-16"]),
    "nested 5000 deep": (("x = " + "[" * 5000 + "]" * 5000 + "\n").encode(), ["too deeply"]),
    "bool in layers": (b"layers = [64, true, 10]\n", ["True"]),
    "fraction in hidden": (b"hidden = [30.9]\n", ["30.9"]),
    "fraction epochs": (b"epochs = 30.9\n", ["epochs", "30.9"]),
    "nan lr": (b"lr = nan\n", ["lr", "nan"]),
    "inf momentum": (b"momentum = inf\n", ["momentum", "inf"]),
    "not UTF-8": (b"epochs = \xff\n", ["UTF-8"]),
    "not TOML": (b"epochs = = 1\n", ["not valid TOML"]),
}


@pytest.mark.parametrize("case", list(CONFIG_CASES))
def test_a_hostile_config_is_refused(case, tmp_path, capsys):
    text, words = CONFIG_CASES[case]
    path = tmp_path / "run.toml"
    path.write_bytes(text)
    with pytest.raises(InvalidArgument) as raised:
        merged(path, {})
    assert all(w in str(raised.value) for w in words), raised.value
    status, _, err = _cli(capsys, "train", "--config", path, "--out", tmp_path / "runs")
    _one_line_error(status, err, words)
    assert not (tmp_path / "runs").exists()


# -- settings ----------------------------------------------------------------------------------

FLAG_CASES = {
    "momentum nan": (["--momentum", "nan"], ["momentum", "nan"]),
    "momentum 1": (["--momentum", "1"], ["momentum"]),
    "empty layer entry": (["--layers", "64,,10"], ["empty entry"]),
    "empty hidden entry": (["--hidden", "30,"], ["empty entry"]),
    "l2 inf": (["--l2", "inf"], ["l2", "inf"]),
    "lr nan": (["--lr", "nan"], ["lr"]),
    "lr 0": (["--lr", "0"], ["lr"]),
    "noise nan": (["--noise", "nan"], ["noise"]),
    "validation fraction nan": (["--validation-fraction", "nan"], ["validation-fraction"]),
    "negative seed": (["--seed", "-1"], ["seed"]),
}


@pytest.mark.parametrize("case", list(FLAG_CASES))
def test_a_setting_that_cannot_work_is_refused_before_training(case, tmp_path, capsys):
    flags, words = FLAG_CASES[case]
    status, _, err = _cli(capsys, "train", "--data", "xor", "--epochs", "1", "--out", tmp_path / "runs", *flags)
    _one_line_error(status, err, words)
    assert not (tmp_path / "runs").exists(), "refused before anything is trained or written"


@pytest.mark.parametrize(
    "field, value",
    [("momentum", float("nan")), ("lr", float("inf")), ("l2", -1.0), ("epochs", True), ("batch_size", 0)],
)
def test_check_values_is_the_same_check_for_every_front_end(field, value):
    settings = TrainSettings()
    setattr(settings, field, value)
    with pytest.raises(InvalidArgument, match=field):
        check_values(settings)


@pytest.mark.parametrize(
    "make",
    [
        lambda: bp.Momentum(lr=0.1, momentum=float("nan")),
        lambda: bp.Adam(eps=float("inf")),
        lambda: bp.Adam(beta1=float("nan")),
        lambda: bp.SGD(lr=float("nan")),
    ],
)
def test_the_python_api_refuses_optimizer_settings_when_built(make):
    with pytest.raises(InvalidArgument, match="finite"):
        make()


@pytest.mark.parametrize("eps", [0.0, float("nan"), float("inf"), -1e-6])
def test_gradcheck_refuses_an_eps_that_cannot_work(eps):
    net = bp.Network([2, 3, 2], seed=0, dtype="float64")
    with pytest.raises(InvalidArgument, match="eps"):
        gradcheck(net, np.zeros((2, 2)), np.array([0, 1]), eps=eps)


@pytest.mark.parametrize(
    "flags, words",
    [
        (["--eps", "0"], ["--eps"]),
        (["--eps", "nan"], ["--eps"]),
        (["--threshold", "nan"], ["--threshold"]),
        (["--layers", "4,100000,3"], ["at most"]),
        (["--layers", "4,,3"], ["empty entry"]),
        (["--samples", "0"], ["--samples"]),
        (["--max-per-layer", "100000000"], ["--max-per-layer"]),
    ],
)
def test_gradcheck_refuses_settings_instead_of_reporting_fail(flags, words, capsys):
    status, out, err = _cli(capsys, "gradcheck", *flags)
    _one_line_error(status, err, words)
    assert "FAIL" not in out


# -- resume refuses a different run ------------------------------------------------------------


@pytest.mark.parametrize(
    "changed, words",
    [
        ({"optimizer": "lr"}, ["lr = 1.0", "2.0"]),
        ({"optimizer": "type"}, ["'SGD'", "'Momentum'"]),
    ],
)
def test_resume_refuses_another_optimizer_setting_and_names_both(changed, words, tmp_path):
    from bprop.training.loop import train

    X = np.random.default_rng(0).normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    path = tmp_path / "c.ckpt"
    train(
        bp.Network([2, 3, 2], seed=0), X, y, epochs=1, batch_size=10, optimizer=bp.SGD(lr=1.0), seed=1, checkpoint=path
    )
    optimizer = {"lr": bp.SGD(lr=2.0), "type": bp.Momentum(lr=1.0)}.get(changed.get("optimizer"), bp.SGD(lr=1.0))
    seed = changed.get("seed", 1)
    with pytest.raises(InvalidArgument) as raised:
        train(bp.Network([2, 3, 2], seed=0), X, y, epochs=2, batch_size=10, optimizer=optimizer, seed=seed, resume=path)
    assert all(w in str(raised.value) for w in words), raised.value
    assert "start a new run" in str(raised.value)
    train(bp.Network([2, 3, 2], seed=0), X, y, epochs=2, batch_size=10, optimizer=bp.SGD(lr=1.0), seed=1, resume=path)


@pytest.mark.parametrize(
    "edit, words",
    [
        ({"lr": 0.02}, ["lr = 0.01", "0.02", "start a new run"]),
        ({"optimizer": "sgd", "lr": 0.01}, ["'Adam'", "'SGD'"]),
        ({"momentum": float("nan")}, ["settings.json", "NaN"]),
        ({"layers": [2, 0, 2]}, ["layer widths"]),
    ],
)
def test_cli_resume_of_an_edited_settings_json_is_refused_and_the_checkpoint_kept(
    edit, words, tmp_path, capsys, monkeypatch
):
    import json

    from bprop.training import checkpoints

    from .reliability_helpers import run_folders
    from .test_cli_checkpoints import RUN, interrupt_at

    monkeypatch.chdir(tmp_path)
    interrupt_at(monkeypatch, 2, 5)
    status, _, _ = _cli(capsys, *RUN, "--out", tmp_path / "runs")
    assert status == 130
    (folder,) = run_folders(tmp_path / "runs")
    monkeypatch.undo()
    settings = json.loads((folder / "settings.json").read_text())
    (folder / "settings.json").write_text(json.dumps(settings | edit))
    status, _, err = _cli(capsys, "train", "--resume", folder, "--quiet")
    _one_line_error(status, err, words)
    assert (folder / checkpoints.FILENAME).is_file(), "the checkpoint is kept"
    (folder / "settings.json").write_text(json.dumps(settings))
    status, _, err = _cli(capsys, "train", "--resume", folder, "--quiet")
    assert status == 0, err


def test_an_eof_error_that_escapes_a_reader_is_an_error_not_an_interruption(capsys, monkeypatch):
    """click turns EOFError into Abort, as it does Ctrl-C; bprop tells them apart (exit 1, not 130)."""

    def truncated(*args, **kwargs):
        raise EOFError("No data left in file")

    monkeypatch.setattr(bprop.datasets, "load", truncated)
    status, _, err = _cli(capsys, "data", "show", "x.npz")
    assert status == 1 and "bprop: error: " in err and "interrupted" not in err, err


def test_an_mnist_file_declaring_more_than_any_real_one_is_refused_before_reading(tmp_path, capsys):
    folder = tmp_path / "mnist"
    folder.mkdir()
    with gzip.open(folder / "train-images-idx3-ubyte.gz", "wb") as g:
        g.write(bytes([0, 0, 8, 3]) + np.array([2_000_000, 28, 28], ">i4").tobytes())
        g.write(b"\0" * (1 << 20))
    for stem, shape in [
        ("train-labels-idx1-ubyte", (1,)),
        ("t10k-images-idx3-ubyte", (1, 28, 28)),
        ("t10k-labels-idx1-ubyte", (1,)),
    ]:
        write_idx(folder / f"{stem}.gz", np.zeros(shape, np.uint8))
    status, _, err = _cli(capsys, "train", "--data", "mnist", "--data-dir", tmp_path, "--out", tmp_path / "r")
    _one_line_error(status, err, ["1568000000 bytes", "limit"])
