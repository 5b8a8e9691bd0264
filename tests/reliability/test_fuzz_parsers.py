"""Property-based fuzzing of every parser of untrusted bytes: only documented errors, in bounded time.

For each reader — the IDX reader, the CSV and NPZ loaders, the model-file
loader and the checkpoint loader — hypothesis generates inputs (random bytes,
and structured mutations of valid files that get past the first checks) and
the property is: the reader returns a valid result or raises one of bprop's
documented errors (``bprop.errors.BpropError`` subclasses, or OSError), never
another exception, never a warning (warnings are errors in this test suite),
and within a time bound. Valid inputs must round-trip exactly.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import pickle
import time
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bprop as bp
from bprop.datasets import read_idx, write_idx
from bprop.datasets.tabular import load_tabular
from bprop.errors import BpropError, TrainingInterrupted
from bprop.training import checkpoints

from .reliability_helpers import TALLY, same_parameters, small_problem

pytestmark = pytest.mark.fuzz  # hypothesis throws generated files at every parser

TIME_LIMIT = 2.0  # seconds any one input may take
EXAMPLES = int(os.environ.get("BPROP_FUZZ_EXAMPLES", "300"))  # per test; a long campaign sets more
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def documented(call, counter):
    """call() → its result, or None when it raised a documented error; anything else fails the test."""
    TALLY[f"fuzz: {counter}"] += 1
    started = time.perf_counter()
    try:
        return call()
    except (BpropError, OSError):
        return None
    finally:
        assert time.perf_counter() - started < TIME_LIMIT, f"{counter}: one input took too long"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# ---------------------------------------------------------------- IDX

IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


@FUZZ
@given(st.binary(max_size=600), st.booleans())
def test_idx_random_bytes(data, compressed):
    data = gzip.compress(data, mtime=0) if compressed else data
    documented(lambda: read_idx(data, max_bytes=1 << 16), "IDX random bytes")


@FUZZ
@given(
    code=st.sampled_from([*IDX_DTYPES, 0x00, 0x0A, 0xFF]),
    dims=st.lists(st.one_of(st.integers(0, 6), st.integers(2**20, 2**31 - 1), st.integers(-(2**31), -1)), max_size=5),
    ndim_delta=st.integers(-1, 1),
    payload_delta=st.integers(-3, 3),
    compressed=st.booleans(),
    magic=st.sampled_from([b"\x00\x00", b"\x00\x01"]),
)
def test_idx_structured_headers(code, dims, ndim_delta, payload_delta, compressed, magic):
    """Headers that are nearly right: an array of the declared shape comes back, or a DataError."""
    ndim = max(0, len(dims) + ndim_delta)
    header = magic + bytes([code, ndim]) + np.asarray(dims, dtype=">i4").tobytes()
    itemsize = np.dtype(IDX_DTYPES.get(code, "u1")).itemsize
    size = int(np.prod(dims, dtype=object)) * itemsize if dims else itemsize
    payload = bytes(max(0, min(size, 1 << 12) + payload_delta))
    raw = header + payload
    data = gzip.compress(raw, mtime=0) if compressed else raw
    array = documented(lambda: read_idx(data, max_bytes=1 << 12), "IDX structured headers")
    if array is not None:  # accepted: the bytes are exactly a header and its data
        assert magic == b"\x00\x00" and code in IDX_DTYPES
        assert array.dtype == np.dtype(IDX_DTYPES[code]).newbyteorder("=")
        assert len(raw) == 4 + 4 * array.ndim + array.nbytes and array.ndim == raw[3]


@FUZZ
@given(
    dtype=st.sampled_from(["u1", "i1", "i2", "i4", "f4", "f8"]),
    shape=st.lists(st.integers(0, 5), max_size=4),
    seed=st.integers(0, 2**32 - 1),
    gz=st.booleans(),
)
def test_idx_round_trip(folder, dtype, shape, seed, gz):
    rng = np.random.default_rng(seed)
    array = (rng.normal(size=shape) * 100).astype(dtype)
    path = write_idx(folder / ("a.idx.gz" if gz else "a.idx"), array)
    back = read_idx(path)
    assert back.dtype == array.dtype and back.shape == array.shape and np.array_equal(back, array, equal_nan=True)
    TALLY["fuzz: IDX round trips"] += 1


# ---------------------------------------------------------------- CSV and NPZ

CELLS = st.one_of(
    st.text(max_size=6),
    st.sampled_from(
        [
            "1",
            "2.5",
            "-0",
            "nan",
            "inf",
            "-inf",
            "1e400",
            "0x10",
            "1_0",
            "١",
            "１",
            " 3 ",
            "",
            "a",
            "1e-400",
            "+1",
            "--1",
            "True",
            "1j",
            "\x00",
            "\ufeff1",
            "1,2",
            '"',
        ]
    ),
    st.integers(-3, 3).map(str),
    st.floats(allow_nan=True).map(repr),
)


@FUZZ
@given(
    rows=st.lists(st.lists(CELLS, min_size=1, max_size=4), max_size=8), label=st.sampled_from([None, "a", "b", "label"])
)
def test_csv_rows(folder, rows, label):
    path = folder / "data.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    data = documented(lambda: load_tabular(path, label_column=label), "CSV files of random cells")
    if data is not None:
        assert np.isfinite(data.X_train).all() and len(data.class_names) >= 2
        assert data.X_train.shape[0] + data.X_test.shape[0] == len([r for r in rows[1:] if any(c.strip() for c in r)])


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".npz"]))
def test_csv_and_npz_random_bytes(folder, data, suffix):
    path = folder / f"bytes{suffix}"
    path.write_bytes(data)
    documented(lambda: load_tabular(path), f"{suffix} random bytes")


ARRAY_DTYPES = ["f8", "f4", "i8", "u1", "b1", "U3", "S2", "c16", "m8[s]", "V4", "f2", "O"]


@FUZZ
@given(
    x_dtype=st.sampled_from(ARRAY_DTYPES),
    y_dtype=st.sampled_from(ARRAY_DTYPES),
    x_shape=st.lists(st.integers(0, 4), max_size=3),
    y_shape=st.lists(st.integers(0, 5), max_size=2),
    names=st.sampled_from([("X", "y"), ("X",), ("x", "y"), ("X", "y", "Z")]),
    fill=st.sampled_from([0, 1, np.nan]),
)
def test_npz_arrays(folder, x_dtype, y_dtype, x_shape, y_shape, names, fill):
    """Any arrays under any names: numeric X (m, n) and labels y (m,) load; the rest is refused, never unpickled."""

    def array(dtype, shape):
        if dtype == "O":
            a = np.empty(shape, dtype=object)
            a[...] = None
            return a
        with np.errstate(invalid="ignore"):
            return np.full(shape, fill).astype(dtype) if dtype[0] in "fc" else np.zeros(shape, dtype=dtype)

    arrays = {"X": array(x_dtype, x_shape), "y": array(y_dtype, y_shape), "x": np.ones(2), "Z": np.ones(1)}
    path = folder / "data.npz"
    np.savez(path, **{name: arrays[name] for name in names})
    data = documented(lambda: load_tabular(path), "NPZ arrays")
    if data is not None:
        assert "O" not in (x_dtype, y_dtype) and np.isfinite(data.X_train).all()


def test_an_npz_object_array_is_refused_without_unpickling(folder, monkeypatch):
    path = folder / "evil.npz"
    np.savez(path, X=np.ones((4, 2)), y=np.array([object(), 1, 2, 3], dtype=object))
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    with pytest.raises(bp.DataError, match="pickle"):
        load_tabular(path)


@FUZZ
@given(
    edits=st.lists(st.tuples(st.integers(0, 127), st.integers(0, 255)), min_size=1, max_size=6),
    cut=st.integers(0, 200),
    member=st.sampled_from(["X.npy", "y.npy"]),
)
def test_npz_member_header_mutations(folder, edits, cut, member):
    """Bytes of a .npy member's header changed (shape, dtype, magic), or its data cut: a documented error."""
    import io

    arrays = {"X.npy": np.arange(12.0).reshape(6, 2), "y.npy": np.array([0, 1] * 3)}
    members = {}
    for name, array in arrays.items():
        buffer = io.BytesIO()
        np.save(buffer, array)
        members[name] = bytearray(buffer.getvalue())
    data = members[member]
    for at, byte in edits:
        data[at % len(data)] = byte
    members[member] = data[: max(0, len(data) - cut)] if cut % 3 == 0 else data
    path = folder / "mutated.npz"
    with zipfile.ZipFile(path, "w") as z:
        for name, raw in members.items():
            z.writestr(name, bytes(raw))
    result = documented(lambda: load_tabular(path), "NPZ member header mutations")
    if result is not None:
        assert np.isfinite(result.X_train).all()


@FUZZ
@given(
    cells=st.lists(
        st.one_of(
            st.text(max_size=30),
            st.integers(-(2**70), 2**70).map(str),
            st.sampled_from(["1e308", "-1e308", "1e309", "nan", "1_0", "\u0663", '"a,b"', "x" * 200]),
        ),
        min_size=4,
        max_size=40,
    ),
    width=st.integers(2, 4),
)
def test_csv_labels_and_values_at_the_edges(folder, cells, width):
    """Huge integers, ±1e308, odd digits as cells or labels: a Dataset of finite values, or a documented error."""
    rows = [[f"c{j}" for j in range(width)]] + [cells[i : i + width] for i in range(0, len(cells), width)]
    path = folder / "edges.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    data = documented(lambda: load_tabular(path), "CSV values and labels at the edges")
    if data is not None:
        assert np.isfinite(data.X_train).all() and len(data.class_names) >= 2
        assert data.y_train.max() < len(data.class_names)


# ---------------------------------------------------------------- TOML configs

TOML_VALUES = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.floats(allow_nan=True).map(lambda v: {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(repr(v), repr(v))),
    st.sampled_from(["true", "false", '""', '"digits"', '"64,,10"', "[]", "[64, true, 10]", "[30.9]", "{}"]),
    st.lists(st.integers(-3, 2**31).map(str), max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
    st.integers(1, 3000).map(lambda depth: "[" * depth + "]" * depth),
)
TOML_KEYS = st.sampled_from(
    ["epochs", "batch_size", "lr", "momentum", "l2", "seed", "layers", "hidden", "validation_fraction", "noise", "n"]
    + ["early_stopping", "optimizer", "checkpoint_every", "shuffle", "train", "unknown-key"]
)


@FUZZ
@given(pairs=st.dictionaries(TOML_KEYS, TOML_VALUES, max_size=5))
def test_toml_configs(folder, pairs):
    """Any settings in a --config file: settings whose every number is finite and in range, or InvalidArgument."""
    from bprop.cli.settings import merged

    path = folder / "run.toml"
    path.write_text("".join(f"{key} = {value}\n" for key, value in pairs.items()), encoding="utf-8")
    settings = documented(lambda: merged(path, {}), "TOML configs")
    if settings is not None:
        assert settings.epochs >= 1 and settings.batch_size >= 1 and settings.seed >= 0
        assert settings.lr is None or (np.isfinite(settings.lr) and settings.lr > 0)
        assert np.isfinite(settings.momentum) and 0 <= settings.momentum < 1
        assert np.isfinite(settings.l2) and settings.l2 >= 0
        for widths in (settings.hidden, settings.layers or []):
            assert all(type(w) is int and w >= 1 for w in widths)


@FUZZ
@given(data=st.binary(max_size=400), bom=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
def test_toml_config_random_bytes(folder, data, bom):
    from bprop.cli.settings import merged

    path = folder / "bytes.toml"
    path.write_bytes(bom + data)
    documented(lambda: merged(path, {}), "TOML random bytes")


# ---------------------------------------------------------------- model files and checkpoints

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=8,
)
NPY = st.tuples(
    st.sampled_from(["<f4", "<f8", ">f8", "<i8", "<f2", "O", "<U2"]),
    st.lists(st.integers(0, 9), max_size=3),
    st.booleans(),
)


def npy_bytes(dtype, shape, fortran):
    buffer = io.BytesIO()
    array = np.zeros(shape, dtype=dtype) if dtype != "O" else np.full(shape, None, dtype=object)
    np.lib.format.write_array(buffer, np.asfortranarray(array) if fortran else array, allow_pickle=True)
    return buffer.getvalue()


def paths_of(value, path=()):
    """Every path (tuple of keys and indices) into a JSON value."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths_of(child, path + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from paths_of(child, path + (i,))


def replaced(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    return [replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]


@st.composite
def mutations(draw, members):
    """A structured mutation of an archive's members (a dict name → bytes): header values, arrays, names."""
    files = dict(members)
    header = json.loads(files["header.json"])
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["value", "value", "value", "delete", "array", "drop", "add", "truncate"]))
        if kind in ("value", "delete"):
            paths = list(paths_of(header))
            path = paths[draw(st.integers(0, len(paths) - 1))]
            if kind == "delete" and path and isinstance(header, dict):
                parent = header
                for key in path[:-1]:
                    parent = parent[key]
                if isinstance(parent, dict):
                    parent.pop(path[-1])
                    continue
            header = replaced(header, path, draw(JSON))
        else:
            names = sorted(n for n in files if n != "header.json")
            name = names[draw(st.integers(0, len(names) - 1))] if names else "header.json"
            if kind == "array":
                files[name] = npy_bytes(*draw(NPY))
            elif kind == "drop":
                files.pop(name, None)
            elif kind == "add":
                files[
                    draw(
                        st.sampled_from(
                            [
                                "../x.npy",
                                "/abs.npy",
                                "a\\b.npy",
                                "extra.npy",
                                "net/weights/0.npy",
                                "weights/0.npy",
                                "c:x",
                                "header.json/x",
                            ]
                        )
                    )
                ] = npy_bytes("<f8", [2], False)
            else:
                files[name] = files.get(name, b"")[: draw(st.integers(0, 200))]
    if draw(st.booleans()) and isinstance(header, dict) and isinstance(header.get("arrays"), dict):
        for key, entry in header["arrays"].items():  # checksums made right, to get past them
            if isinstance(entry, dict) and f"{key}.npy" in files:
                entry["sha256"] = hashlib.sha256(files[f"{key}.npy"]).hexdigest()
    files["header.json"] = json.dumps(header).encode()
    return files, draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))


def write_zip(path, files, compression):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)


def members(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.fixture(scope="module")
def model_members(folder):
    net = bp.Network([3, 4, 2], activation="relu", output="softmax", cost="log_likelihood", seed=0)
    path = net.save(folder / "m.bprop")
    return members(path), path.read_bytes()


@pytest.fixture(scope="module")
def checkpoint_members(folder):
    X, y = small_problem(m=20)

    class Stop:
        def on_batch_end(self, state):
            if state.epoch == 2 and state.batch == 2:
                state.interrupt()

    path = folder / "c.ckpt"
    with pytest.raises(TrainingInterrupted):
        bp.train(
            bp.Network([5, 4, 3], seed=0, dtype="float64"),
            X,
            y,
            epochs=3,
            batch_size=6,
            optimizer=bp.Adam(),
            seed=0,
            validation=(X, y),
            early_stopping=2,
            callbacks=[Stop()],
            checkpoint=path,
        )
    return members(path), path.read_bytes()


LOADERS = {"model file": bp.load, "checkpoint": checkpoints.load}


@pytest.mark.parametrize("what", LOADERS)
@FUZZ
@given(data=st.data())
def test_structured_mutations_of_valid_files(folder, model_members, checkpoint_members, what, data):
    files, compression = data.draw(mutations((model_members if what == "model file" else checkpoint_members)[0]))
    path = folder / f"mutated-{what}"
    write_zip(path, files, compression)
    documented(lambda: LOADERS[what](path), f"{what} structured mutations")


@pytest.mark.parametrize("what", LOADERS)
@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=4), cut=st.integers(0, 64))
def test_byte_flips_and_truncations_of_valid_files(folder, model_members, checkpoint_members, what, edits, cut):
    original = (model_members if what == "model file" else checkpoint_members)[1]
    originals = {"model file": bp.load(folder / "m.bprop"), "checkpoint": checkpoints.load(folder / "c.ckpt")}
    damaged = bytearray(original)
    for position, value in edits:
        damaged[position % len(damaged)] = value
    damaged = bytes(damaged[: len(damaged) - cut])
    path = folder / f"damaged-{what}"
    path.write_bytes(damaged)
    result = documented(lambda: LOADERS[what](path), f"{what} byte flips and truncations")
    if result is not None:  # the damage hit bytes nobody reads (ZIP times, padding): same content
        assert same_parameters(result, originals[what])


@pytest.mark.parametrize("what", LOADERS)
@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_are_refused(folder, what, data):
    path = folder / f"random-{what}"
    path.write_bytes(data)
    assert documented(lambda: LOADERS[what](path), f"{what} random bytes") is None


def test_a_checkpoint_declaring_a_huge_network_is_refused_before_reading(folder, checkpoint_members):
    files = dict(checkpoint_members[0])
    header = json.loads(files["header.json"])
    header["network"]["sizes"] = [100_000, 10_000, 3]  # 1e9 parameters declared, 12 kB of file
    files["header.json"] = json.dumps(header).encode()
    write_zip(folder / "huge.ckpt", files, zipfile.ZIP_STORED)
    started = time.perf_counter()
    with pytest.raises(bp.ModelFileError):
        checkpoints.load(folder / "huge.ckpt")
    assert time.perf_counter() - started < 0.5


def test_a_compressed_checkpoint_member_is_refused_so_no_zip_bomb_fits(folder, checkpoint_members):
    write_zip(folder / "deflated.ckpt", checkpoint_members[0], zipfile.ZIP_DEFLATED)
    with pytest.raises(bp.ModelFileError, match="compressed"):
        checkpoints.load(folder / "deflated.ckpt")


def test_a_pickled_object_array_in_a_checkpoint_is_refused_without_unpickling(folder, checkpoint_members, monkeypatch):
    files = dict(checkpoint_members[0])
    files["net/weights/0.npy"] = npy_bytes("O", [4, 5], False)
    header = json.loads(files["header.json"])
    header["arrays"]["net/weights/0"]["sha256"] = hashlib.sha256(files["net/weights/0.npy"]).hexdigest()
    files["header.json"] = json.dumps(header).encode()
    write_zip(folder / "pickled.ckpt", files, zipfile.ZIP_STORED)
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    with pytest.raises(bp.ModelFileError):
        checkpoints.load(folder / "pickled.ckpt")
