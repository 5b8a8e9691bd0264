"""Hostile files where bprop reads them back: every metadata field checked, only regular files read.

Each test crafts the file an attacker (or a damaged disk) would hand bprop —
a model whose metadata has the wrong type, size or relation to the network;
NaN weights with their checksums fixed up; /dev/zero, a directory or a FIFO
named like a model; an archive of 200,000 members; a history.json nested
thousands deep — and checks the promise of RELIABILITY.md: a documented
error naming the file and the field, and on the command line exit 1 with one
line ``bprop: error: …``, no traceback, within seconds, and no file written.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import stat
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import bprop as bp
from bprop.cli import main
from bprop.cli.terminal import finite_or_null
from bprop.errors import BpropError, InvalidArgument, ModelFileError
from bprop.storage import modelfile
from bprop.storage.files import MAX_JSON_DEPTH, json_depth, read_json_file
from bprop.storage.schema import HISTORY_LISTS
from bprop.training import checkpoints

from .reliability_helpers import TALLY

SIZES = [64, 5, 10]


def digits_metadata():
    """The metadata ``bprop train --data digits`` writes, for a [64, 5, 10] network."""
    return {
        "dataset": "digits",
        "class_names": [str(k) for k in range(10)],
        "image_shape": [8, 8],
        "value_range": 16.0,
        "preprocessing": {"kind": "scale", "n_features": 64, "shift": [0.0] * 64, "scale": [16.0] * 64},
        "training": {"data": "digits", "seed": 0, "data_dir": None, "n": None, "noise": None},
    }


@pytest.fixture
def model(tmp_path):
    """A valid model file as bprop train writes one for digits."""
    return bp.Network(SIZES, seed=0).save(tmp_path / "model.bprop", metadata=digits_metadata())


def rewritten(src, dst, header=None, arrays=None) -> Path:
    """A copy of the model file ``src`` at ``dst``: ``header(h)`` edits the header dict, ``arrays(key, a)``
    returns a replacement array; every checksum is fixed up, so only the checks on the values can refuse it."""
    with zipfile.ZipFile(src) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    h = json.loads(members["header.json"])
    for key, entry in h["arrays"].items():
        if arrays is not None:
            array = np.load(io.BytesIO(members[key + ".npy"]), allow_pickle=False)
            new = arrays(key, array.copy())
            if new is not None:
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, np.ascontiguousarray(new, dtype=array.dtype), allow_pickle=False)
                members[key + ".npy"] = buffer.getvalue()
        entry["sha256"] = hashlib.sha256(members[key + ".npy"]).hexdigest()
    if header is not None:
        header(h)
    text = h if isinstance(h, (bytes, str)) else json.dumps(h)
    members["header.json"] = text.encode() if isinstance(text, str) else text
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return Path(dst)


def with_metadata(src, dst, **changes) -> Path:
    def edit(h):
        for key, value in changes.items():
            h["metadata"][key] = value

    return rewritten(src, dst, header=edit)


def refused_by_the_cli(capsys, *args):
    """(stderr line) of a command that must fail as a user error: exit 1, one line, no traceback."""
    started = time.perf_counter()
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert time.perf_counter() - started < 30
    assert status == 1, (status, out, err)
    assert err.startswith("bprop: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err + out
    TALLY["hostile files: refused by the CLI"] += 1
    return err


# -- the metadata bprop reads back ---------------------------------------------------

BAD_METADATA = [
    ("class_names", "0123456789", "metadata.class_names='0123456789' is not a list"),
    ("class_names", list(range(10)), "metadata.class_names[0]=0 is not a string"),
    ("class_names", ["a", "b"], "metadata.class_names holds 2 names, but the network has 10 outputs"),
    ("class_names", ["x" * 10_000] * 10, "metadata.class_names[0]='xxxx"),
    ("class_names", [["nested"]] * 10, "metadata.class_names[0]=['nested'] is not a string"),
    ("image_shape", [10**9, 10**9], "metadata.image_shape[0]=1000000000 is not a whole number in 1 … 65,536"),
    ("image_shape", [8, 9], "metadata.image_shape=[8, 9] is 72 pixels, but the network takes 64 inputs"),
    ("image_shape", [8, 8, 1], "metadata.image_shape=[8, 8, 1] is not a list of 2 items"),
    ("image_shape", [8.0, 8.0], "metadata.image_shape[0]=8.0 is not a whole number"),
    ("image_shape", "8x8", "metadata.image_shape='8x8' is not a list"),
    ("image_shape", [True, 64], "metadata.image_shape[0]=True is not a whole number"),
    ("value_range", "255", "metadata.value_range='255' is not a finite number"),
    ("value_range", 0, "metadata.value_range=0 is not a finite number > 0"),
    ("value_range", [0, 255], "metadata.value_range=[0, 255] is not a finite number"),
    ("value_range", 1e300, "metadata.value_range=1e+300 is not a finite number"),
    ("preprocessing", "scale", "metadata.preprocessing='scale' is not a JSON object"),
    ("preprocessing", {"kind": "scale", "n_features": 3, "shift": [0.0] * 3, "scale": [1.0] * 3}, "n_features=3"),
    ("preprocessing", {"kind": "scale", "n_features": 64, "shift": [0.0] * 64, "scale": [0.0] * 64}, "scale[0]=0.0"),
    ("preprocessing", {"kind": "scale", "n_features": 64, "shift": [0.0] * 64}, "metadata.preprocessing.scale"),
    ("training", ["seed", 0], "metadata.training=['seed', 0] is not a JSON object"),
    ("training", {"seed": "zero"}, "metadata.training.seed='zero' is not a whole number"),
    ("training", {"seed": -1}, "metadata.training.seed=-1 is not a whole number"),
    ("training", {"seed": 2**70}, "metadata.training.seed=1180591620717411303424 is not a whole number"),
    ("training", {"n": 1.5}, "metadata.training.n=1.5"),
    ("training", {"data_dir": 7}, "metadata.training.data_dir=7 is not a string"),
    ("dataset", {"name": "digits"}, "metadata.dataset={'name': 'digits'} is not a string"),
]
IDS = [f"{field}-{i}" for i, (field, _, _) in enumerate(BAD_METADATA)]


@pytest.mark.parametrize("field, value, fragment", BAD_METADATA, ids=IDS)
def test_each_wrong_metadata_field_is_refused_naming_the_file_the_field_and_the_value(
    tmp_path, model, field, value, fragment
):
    path = with_metadata(model, tmp_path / "bad.bprop", **{field: value})
    modelfile.load(path)  # the library reads any JSON metadata: it is the caller's
    with pytest.raises(ModelFileError) as info:
        modelfile.load_trained(path)
    message = str(info.value)
    assert str(path) in message and fragment in message, message
    assert len(message) < 600, "a message quotes an excerpt of the value, not all of it"
    TALLY["hostile files: wrong metadata refused"] += 1


@pytest.mark.parametrize("field, value, fragment", BAD_METADATA[::3], ids=IDS[::3])
def test_evaluate_and_predict_refuse_wrong_metadata_with_one_line(tmp_path, capsys, model, field, value, fragment):
    path = with_metadata(model, tmp_path / "bad.bprop", **{field: value})
    np.savez(tmp_path / "x.npz", X=np.zeros((2, 64)))
    before = sorted(p.name for p in tmp_path.iterdir())
    err = refused_by_the_cli(capsys, "evaluate", path, "--data", "digits")
    assert fragment in err
    err = refused_by_the_cli(capsys, "predict", path, tmp_path / "x.npz", "--json")
    assert fragment in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "no confusion matrix or other file written"


def test_valid_metadata_still_evaluates_and_predicts(tmp_path, capsys, model):
    np.savez(tmp_path / "x.npz", X=np.full((2, 64), 3.0))
    assert main(["predict", str(model), str(tmp_path / "x.npz"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["labels"]) == 2 and result["output_names"] == [str(k) for k in range(10)]
    assert main(["evaluate", str(model), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["class_names"] == [str(k) for k in range(10)] and len(report["confusion_matrix"]) == 10


def test_a_binary_classifier_may_name_two_classes_for_its_one_output(tmp_path):
    path = bp.Network([2, 3, 1], seed=0).save(tmp_path / "b.bprop", metadata={"class_names": ["no", "yes"]})
    assert modelfile.load_trained(path).metadata["class_names"] == ["no", "yes"]


def test_unknown_metadata_keys_are_the_callers_and_are_kept(tmp_path, model):
    path = with_metadata(model, tmp_path / "m.bprop", notes={"anything": [1, "two", None]})
    assert modelfile.load_trained(path).metadata["notes"] == {"anything": [1, "two", None]}


# -- the header's JSON: depth, non-finite numbers -------------------------------------


@pytest.mark.parametrize(
    "token, fragment",
    [
        ("1e999", "does not fit a float"),
        ("NaN", "non-standard number NaN"),
        ("-Infinity", "non-standard number -Infinity"),
        ("[" * 5000 + "]" * 5000, f"nested more than {MAX_JSON_DEPTH} levels deep"),
    ],
    ids=["overflow", "nan", "infinity", "deep"],
)
def test_a_header_with_non_finite_numbers_or_deep_nesting_is_refused(tmp_path, model, token, fragment):
    with zipfile.ZipFile(model) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    header = json.loads(members["header.json"])
    header["metadata"]["x"] = "PLACEHOLDER"
    members["header.json"] = json.dumps(header).replace('"PLACEHOLDER"', token).encode()
    path = tmp_path / "m.bprop"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(ModelFileError, match=fragment):
        modelfile.load(path)


def test_json_depth_ignores_brackets_inside_strings_and_stops_early():
    assert json_depth('{"a": "[[[[{{{{", "b": [1, [2]]}', 10) == 3
    assert json_depth('["\\"[[[", 1]', 10) == 1
    started = time.perf_counter()
    assert json_depth("[" * 10_000_000, 64) == 65
    assert time.perf_counter() - started < 2


# -- weights and biases must be finite ---------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("key", ["weights/0", "biases/1"])
def test_non_finite_weights_are_refused_even_with_fixed_checksums(tmp_path, capsys, model, bad, key):
    def poison(name, array):
        if name == key:
            array.flat[0] = bad
            return array
        return None

    path = rewritten(model, tmp_path / "nan.bprop", arrays=poison)
    with pytest.raises(ModelFileError, match=f"{key} holds 1 NaN or infinite value"):
        bp.load(path)
    np.savez(tmp_path / "x.npz", X=np.zeros((1, 64)))
    err = refused_by_the_cli(capsys, "predict", path, tmp_path / "x.npz", "--json")
    assert "NaN or infinite" in err


def test_a_network_with_nan_weights_cannot_be_saved(tmp_path):
    net = bp.Network([3, 2], seed=0)
    net.weights[0][0, 0] = np.nan
    with pytest.raises(InvalidArgument, match=r"net.weights\[0\] holds NaN"):
        net.save(tmp_path / "m.bprop")
    assert not (tmp_path / "m.bprop").exists()


def test_a_checkpoint_with_nan_weights_at_an_epoch_end_is_refused(tmp_path):
    from .reliability_helpers import small_problem

    X, y = small_problem()
    net = bp.Network([5, 4, 3], seed=0)
    bp.train(net, X, y, epochs=1, batch_size=10, checkpoint=tmp_path / "c.ckpt", seed=0)
    path = rewritten(
        tmp_path / "c.ckpt",
        tmp_path / "bad.ckpt",
        arrays=lambda key, a: np.full_like(a, np.nan) if key == "net/weights/1" else None,
    )
    with pytest.raises(ModelFileError, match="net/weights/1 holds NaN or infinite values"):
        checkpoints.load(path)


# -- predict --json prints standard JSON ------------------------------------------------


def test_predict_refuses_non_finite_inputs_and_outputs_that_overflow(tmp_path, capsys, model):
    np.savez(tmp_path / "nan.npz", X=np.array([[0.0] * 64, [np.nan] + [0.0] * 63]))
    assert "row 2: holds a NaN or infinite value" in refused_by_the_cli(capsys, "predict", model, tmp_path / "nan.npz")
    (tmp_path / "inf.csv").write_text(",".join(["inf"] * 64) + "\n")
    assert "row 1: holds a NaN" in refused_by_the_cli(capsys, "predict", model, tmp_path / "inf.csv", "--json")
    huge = bp.Network([2, 3, 1], activation="relu", output="identity", cost="quadratic", dtype="float64", seed=0)
    huge.weights[0][:] = 1e300
    path = huge.save(tmp_path / "huge.bprop")
    (tmp_path / "big.csv").write_text("1e300,1e300\n")
    err = refused_by_the_cli(capsys, "predict", path, tmp_path / "big.csv", "--json")
    assert "overflow to NaN or infinity" in err


def test_json_output_never_holds_nan():
    data = {"cost": float("nan"), "list": [1.0, float("inf"), {"x": -float("inf")}], "ok": 2.5, "name": "NaN"}
    assert finite_or_null(data) == {"cost": None, "list": [1.0, None, {"x": None}], "ok": 2.5, "name": "NaN"}


# -- only regular files ------------------------------------------------------------------


def within(seconds, call):
    """call() in a thread; fails the test (instead of hanging it) when it takes longer than ``seconds``."""
    outcome = {}

    def target():
        try:
            outcome["value"] = call()
        except BaseException as e:  # noqa: BLE001 - handed to the test below
            outcome["error"] = e

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s (a hang)"
    return outcome


def not_regular_files(tmp_path):
    fifo = tmp_path / "fifo.bprop"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.bprop"
    folder.mkdir()
    paths = {"FIFO (named pipe)": fifo, "directory": folder}
    if os.path.exists("/dev/zero"):
        paths["character device"] = Path("/dev/zero")
    return paths


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")
def test_devices_fifos_and_folders_are_refused_before_a_byte_is_read(tmp_path, capsys):
    for kind, path in not_regular_files(tmp_path).items():
        for load in (bp.load, checkpoints.load):
            outcome = within(5, lambda: load(path))
            assert isinstance(outcome.get("error"), ModelFileError), (kind, outcome)
            assert f"is a {kind}" in str(outcome["error"]) and "regular files" in str(outcome["error"])
        outcome = within(10, lambda: main(["evaluate", str(path), "--data", "digits"]))
        assert outcome.get("value") == 1, (kind, outcome)
        err = capsys.readouterr().err
        assert err.startswith("bprop: error: ") and f"is a {kind}" in err and err.count("\n") == 1
        TALLY["hostile files: non-regular files refused"] += 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")
@pytest.mark.parametrize("name", ["inputs.csv", "inputs.npz"])
def test_a_fifo_given_to_predict_or_train_is_refused_not_waited_on(tmp_path, capsys, model, name):
    """A FIFO named like a data file: predict used to open it and wait forever for a writer."""
    fifo = tmp_path / name
    os.mkfifo(fifo)
    for args in (["predict", str(model), str(fifo)], ["train", "--data", str(fifo), "--quiet", "--epochs", "1"]):
        outcome = within(10, lambda: main([*args, "--out", str(tmp_path / "out")] if args[0] == "train" else args))
        assert outcome.get("value") == 1, (args, outcome)
        err = capsys.readouterr().err
        assert err.startswith("bprop: error: ") and err.count("\n") == 1, err
        assert "FIFO" in err or "not a file" in err, err
        TALLY["hostile files: non-regular files refused"] += 1


def test_a_socket_is_refused_at_once(tmp_path):
    path = tmp_path / "s.bprop"
    with socket.socket(socket.AF_UNIX) as server:
        try:
            server.bind(str(path))
        except OSError:
            pytest.skip("this file system cannot hold a socket")
        assert stat.S_ISSOCK(os.stat(path).st_mode)
        outcome = within(5, lambda: bp.load(path))
        assert isinstance(outcome.get("error"), OSError)  # ENXIO on open: the CLI prints it as one line


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "h.json"
    path.write_text("[" + "0," * 1000 + "0]")
    with pytest.raises(InvalidArgument, match="more than the 100 a history may have"):
        read_json_file(path, "history", 100, InvalidArgument)
    assert read_json_file(path, "history", 10_000, InvalidArgument)[:2] == [0, 0]


def test_the_cli_names_a_missing_model_file_in_one_line(tmp_path, capsys):
    err = refused_by_the_cli(capsys, "predict", tmp_path / "absent.bprop", tmp_path / "x.csv")
    assert "absent.bprop" in err


# -- archives: linear checks, bounded member count --------------------------------------


def test_an_archive_of_200000_members_is_refused_within_seconds(tmp_path):
    path = tmp_path / "many.bprop"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(200_000):
            zf.writestr(zipfile.ZipInfo(f"m{i}"), b"")
    started = time.perf_counter()
    with pytest.raises(ModelFileError, match="declares 200,000 members in a .*-byte directory, more than the 100,000"):
        bp.load(path)
    assert time.perf_counter() - started < 3


def test_an_archive_whose_end_record_understates_its_members_is_still_bounded(tmp_path):
    """The end record says 1 member; the directory holds 120,000: parsed (bounded by its size), then refused."""
    import struct

    path = tmp_path / "liar.bprop"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(120_000):
            zf.writestr(zipfile.ZipInfo(f"m{i}"), b"")
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 1, 1)  # entries on this disk, entries in total
    end64 = data.rfind(b"PK\x06\x06")  # the ZIP64 end record (over 65,535 members) says it again
    struct.pack_into("<QQ", data, end64 + 24, 1, 1)
    path.write_bytes(bytes(data))
    started = time.perf_counter()
    with pytest.raises(ModelFileError, match="members"):
        bp.load(path)
    assert time.perf_counter() - started < 3


def test_duplicate_members_are_found_in_linear_time(tmp_path):
    path = tmp_path / "dups.bprop"
    with zipfile.ZipFile(path, "w") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        for i in range(90_000):
            zf.writestr(zipfile.ZipInfo(f"m{i % 3}"), b"")
    started = time.perf_counter()
    with pytest.raises(ModelFileError, match="more than once") as info:
        bp.load(path)
    assert time.perf_counter() - started < 3
    assert len(str(info.value)) < 400


# -- history.json and settings.json read back --------------------------------------------


@pytest.fixture
def run_folder(tmp_path, model):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "model.bprop").write_bytes(Path(model).read_bytes())
    history = {
        "train_cost": [0.5, 0.4],
        "train_accuracy": [0.8, 0.9],
        "validation_cost": [float("nan"), 0.45],  # an overflowed cost is kept as NaN
        "validation_accuracy": [None, 0.85],
        "epoch_seconds": [0.1, 0.1],
        "best_epoch": None,
        "stopped_early": False,
        "layer_stats": {},
    }
    (folder / "history.json").write_text(json.dumps(history))
    return folder


BAD_HISTORIES = [
    ("[" * 100_000 + "]" * 100_000, "nested more than 64 levels deep"),
    ('{"train_cost": "0.5"}', "train_cost='0.5' is not a list"),
    ('{"train_cost": [0.5, "x"]}', "train_cost[1]='x' is not a number or null"),
    ('{"train_cost": [0.5], "train_accuracy": [1, 2, 3]}', "train_accuracy holds 3 figures, but the run has 1 epochs"),
    (
        json.dumps({key: [0.5] for key in HISTORY_LISTS} | {"best_epoch": 7}),
        "best_epoch=7, but the run has only 1 epochs",
    ),
    ('{"train_cost": [1e999]}', "does not fit a float"),
    ('{"layer_stats": {"layers": [2], "mean_abs_delta": [[1, 2]]}}', "layer_stats.mean_abs_delta"),
    ('{"stopped_early": "no"}', "stopped_early='no' is not true or false"),
    ("[1, 2]", "must be a JSON object"),
    ('\ufeff{"train_cost": []}', "not valid UTF-8 JSON"),
]


@pytest.mark.parametrize("text, fragment", BAD_HISTORIES, ids=[f"h{i}" for i in range(len(BAD_HISTORIES))])
def test_plot_refuses_a_bad_history_json_with_one_line(run_folder, capsys, text, fragment):
    (run_folder / "history.json").write_text(text, encoding="utf-8")
    before = sorted(p.name for p in run_folder.iterdir())
    err = refused_by_the_cli(capsys, "plot", run_folder)
    assert fragment in err and "history.json" in err, err
    assert sorted(p.name for p in run_folder.iterdir()) == before


def test_plot_reads_a_valid_history_with_a_nan_cost(run_folder, capsys):
    assert main(["plot", str(run_folder)]) == 0
    assert (run_folder / "curves.png").is_file()


def test_plot_refuses_a_history_json_that_is_a_fifo(run_folder, capsys):
    (run_folder / "history.json").unlink()
    os.mkfifo(run_folder / "history.json")
    outcome = within(10, lambda: main(["plot", str(run_folder)]))
    assert outcome.get("value") == 1
    err = capsys.readouterr().err
    assert err.startswith("bprop: error: ") and "history.json" in err and err.count("\n") == 1


def test_resume_refuses_a_deeply_nested_settings_json_with_one_line(tmp_path, capsys):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "settings.json").write_text("[" * 100_000 + "]" * 100_000)
    err = refused_by_the_cli(capsys, "train", "--resume", folder)
    assert "settings.json" in err and "nested more than 64 levels deep" in err


def test_every_refusal_here_is_a_bprop_error():
    assert issubclass(ModelFileError, BpropError) and issubclass(InvalidArgument, BpropError)


# -- a checkpoint's JSON parts, held to their schema -------------------------------------


@pytest.mark.parametrize(
    "part, key, value, fragment",
    [
        ("training", "l2", "0.1", "training.l2='0.1' is not a finite number ≥ 0"),
        ("training", "batch_size", 2.5, "training.batch_size=2.5 is not a whole number ≥ 1"),
        ("training", "shuffle", 1, "training.shuffle=1 is not true or false"),
        ("training", "data_sha256", "abc", "training.data_sha256='abc' is not a SHA-256 digest"),
        ("training", "l2_divisor", "sample", "training.l2_divisor='sample' is not one of 'training_set', 'batch'"),
        ("network", "dtype", "float16", "network.dtype='float16' is not one of 'float32', 'float64'"),
        ("network", "sizes", [5, 0, 3], "network.sizes[1]=0 is not a whole number ≥ 1"),
        ("epoch", "correct", 10**6, "epoch.correct=1000000 is more than the"),
        ("epoch", "seconds", -1, "epoch.seconds=-1 is not a finite number ≥ 0"),
    ],
)
def test_each_wrong_checkpoint_field_is_refused_naming_it(tmp_path, part, key, value, fragment):
    from .reliability_helpers import small_problem

    X, y = small_problem()

    class Stop:
        def on_batch_end(self, state):
            if state.epoch == 2 and state.batch == 2:
                state.interrupt()

    path = tmp_path / "c.ckpt"
    with pytest.raises(bp.errors.TrainingInterrupted):
        bp.train(
            bp.Network([5, 4, 3], seed=0), X, y, epochs=3, batch_size=10, seed=0, checkpoint=path, callbacks=[Stop()]
        )

    def edit(h):
        h[part][key] = value

    bad = rewritten(path, tmp_path / "bad.ckpt", header=edit)
    with pytest.raises(ModelFileError) as info:
        checkpoints.load(bad)
    assert fragment in str(info.value) and str(bad) in str(info.value), str(info.value)


def test_predict_refuses_a_huge_picture_before_decoding_it(tmp_path, capsys, model):
    from PIL import Image

    Image.new("L", (5000, 5000)).save(tmp_path / "big.png")  # 25 megapixels, a few kB of PNG
    err = refused_by_the_cli(capsys, "predict", model, tmp_path / "big.png")
    assert "5000 × 5000 picture, more than the 16,777,216 pixels" in err
    Image.new("L", (20_000, 20_000)).save(tmp_path / "bomb.png")  # Pillow's own decompression-bomb limit
    assert "cannot be read as an image" in refused_by_the_cli(capsys, "predict", model, tmp_path / "bomb.png")


def test_resume_refuses_a_checkpoint_that_is_a_fifo_instead_of_starting_again(tmp_path, capsys):
    assert main(["train", "--data", "digits", "--epochs", "1", "--hidden", "5", "--out", str(tmp_path), "--quiet"]) == 0
    capsys.readouterr()
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir() and (p / "settings.json").exists()]
    (folder / "results.json").unlink()  # as if killed before the end
    model_bytes = (folder / "model.bprop").read_bytes()
    os.mkfifo(folder / "checkpoint.ckpt")
    outcome = within(20, lambda: main(["train", "--resume", str(folder)]))
    assert outcome.get("value") == 1, outcome
    err = capsys.readouterr().err
    assert err.startswith("bprop: error: ") and "checkpoint.ckpt is a FIFO (named pipe)" in err
    assert (folder / "model.bprop").read_bytes() == model_bytes and not (folder / "results.json").exists()


def test_save_refuses_metadata_that_load_would_refuse(tmp_path):
    deep = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(InvalidArgument, match="metadata nests deeper than 63 levels"):
        bp.Network([2, 2], seed=0).save(tmp_path / "m.bprop", metadata={"deep": deep})
    assert not (tmp_path / "m.bprop").exists()
    shallow = [[[[1]]]]
    path = bp.Network([2, 2], seed=0).save(tmp_path / "ok.bprop", metadata={"shallow": shallow})
    assert bp.load(path).metadata == {"shallow": shallow}
