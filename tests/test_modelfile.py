"""Model files: save → load round trips, atomic writes, and refusal of bad or hostile files."""

import hashlib
import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

import bprop as bp
from bprop.core import activations
from bprop.errors import InvalidArgument, ModelFileError
from bprop.storage import modelfile

CONFIGS = [
    dict(activation="sigmoid", cost="quadratic", init="normal"),
    dict(activation="relu", output="softmax", cost="log_likelihood", init="he"),
    dict(activation="tanh", output="sigmoid", cost="cross_entropy", init="xavier"),
    dict(activation=activations.LeakyReLU(0.2), output="identity", cost="quadratic", init="scaled_normal"),
]


def make_net(dtype="float32", sizes=(3, 4, 2), **kwargs):
    kwargs = {**CONFIGS[1], **kwargs} if not kwargs else kwargs
    return bp.Network(list(sizes), seed=0, dtype=dtype, **kwargs)


@pytest.fixture
def saved(tmp_path):
    """A small float32 model file: sizes [3, 4, 2], relu → softmax."""
    return modelfile.save(make_net(), tmp_path / "model.bprop", metadata={"dataset": "toy"})


def npy(array, **kwargs):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), **kwargs)
    return buffer.getvalue()


def read_members(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


def tamper(src, dst, *, header=None, members=None, checksums=True):
    """A copy of model file ``src`` with the header edited by ``header(h)`` and members replaced.

    ``members`` maps names to new bytes (None removes the member). With
    ``checksums`` the header's sha256 entries are recomputed, so that the file
    is refused for the problem under test and not for its checksum.
    """
    files = read_members(src)
    for name, data in (members or {}).items():
        if data is None:
            files.pop(name, None)
        else:
            files[name] = data
    h = json.loads(files["header.json"])
    if header:
        header(h)
    if checksums and isinstance(h.get("arrays"), dict):
        for key, entry in h["arrays"].items():
            if isinstance(entry, dict) and key + ".npy" in files:
                entry["sha256"] = hashlib.sha256(files[key + ".npy"]).hexdigest()
    files["header.json"] = json.dumps(h).encode()
    return write_zip(dst, files)


# -- round trips --------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("config", range(len(CONFIGS)))
def test_round_trip_is_exact(tmp_path, dtype, config):
    net = make_net(dtype, sizes=(5, 7, 6, 3), **CONFIGS[config])
    meta = {"classes": ["a", "b", "c"], "preprocessing": {"scale": 0.0625}, "epochs": 3, "ok": True, "none": None}
    path = modelfile.save(net, tmp_path / "net.bprop", metadata=meta)
    loaded = modelfile.load(path)

    assert isinstance(loaded, bp.Network)
    assert loaded.sizes == net.sizes
    assert loaded.dtype is net.dtype
    for part in ("activation", "output", "cost", "init"):
        assert getattr(loaded, part).name == getattr(net, part).name
    assert getattr(loaded.activation, "slope", None) == getattr(net.activation, "slope", None)
    for ours, theirs in zip(net.weights + net.biases, loaded.weights + loaded.biases):
        assert theirs.dtype == ours.dtype and theirs.shape == ours.shape
        assert theirs.tobytes() == ours.tobytes()  # bitwise identical
        assert theirs.flags.writeable and theirs.flags.c_contiguous
    X = np.random.default_rng(1).normal(size=(8, 5))
    np.testing.assert_array_equal(loaded.feedforward(X), net.feedforward(X))
    assert loaded.metadata == meta


def test_loaded_network_trains_like_the_original(saved):
    net = modelfile.load(saved)
    X, y = np.random.default_rng(2).normal(size=(6, 3)), np.array([0, 1, 0, 1, 1, 0])
    twin = net.copy()
    for model in (net, twin):
        bp.SGD(lr=0.5).step(model, model.backprop(X, y))
    for a, b in zip(net.weights, twin.weights):
        np.testing.assert_array_equal(a, b)


def test_file_is_a_zip_with_a_self_describing_header(saved):
    assert zipfile.is_zipfile(saved)
    with zipfile.ZipFile(saved) as zf:
        assert zf.testzip() is None
        assert sorted(zf.namelist()) == [
            "biases/0.npy",
            "biases/1.npy",
            "header.json",
            "weights/0.npy",
            "weights/1.npy",
        ]
        header = json.loads(zf.read("header.json"))
        w1 = np.lib.format.read_array(io.BytesIO(zf.read("weights/1.npy")), allow_pickle=False)
    assert header["format"] == "bprop-model" and header["format_version"] == 1
    assert header["bprop_version"] == bp.__version__
    assert header["sizes"] == [3, 4, 2] and header["dtype"] == "float32"
    names = (header["activation"], header["output"], header["cost"], header["init"])
    assert names == ("relu", "softmax", "log_likelihood", "he")
    assert "leaky_relu_slope" not in header
    assert header["metadata"] == {"dataset": "toy"}
    assert header["arrays"]["weights/1"]["shape"] == [2, 4]
    assert header["arrays"]["weights/1"]["dtype"] == "float32"
    member = read_members(saved)["weights/1.npy"]
    assert header["arrays"]["weights/1"]["sha256"] == hashlib.sha256(member).hexdigest()
    np.testing.assert_array_equal(w1, modelfile.load(saved).weights[1])


def test_save_accepts_any_path_and_returns_it(tmp_path):
    path = modelfile.save(make_net(), str(tmp_path / "model.weights"))
    assert path == tmp_path / "model.weights"
    assert modelfile.load(str(path)).sizes == [3, 4, 2]


def test_leaky_relu_slope_is_stored_only_when_relevant(tmp_path):
    net = make_net(activation=activations.LeakyReLU(0.25), output="softmax", cost="log_likelihood")
    header = json.loads(read_members(modelfile.save(net, tmp_path / "m.bprop"))["header.json"])
    assert header["leaky_relu_slope"] == 0.25
    assert modelfile.load(tmp_path / "m.bprop").activation.slope == 0.25


def test_network_metadata_is_kept_under_the_explicit_argument(tmp_path):
    net = make_net()
    net.metadata = {"dataset": "digits", "classes": [0, 1]}
    path = modelfile.save(net, tmp_path / "m.bprop", metadata={"dataset": "xor", "accuracy": np.float32(0.5)})
    assert modelfile.load(path).metadata == {"dataset": "xor", "classes": [0, 1], "accuracy": 0.5}


def test_saving_twice_gives_the_same_bytes(tmp_path):
    net = make_net()
    a, b = modelfile.save(net, tmp_path / "a.bprop"), modelfile.save(net, tmp_path / "b.bprop")
    assert a.read_bytes() == b.read_bytes()


# -- atomic writes ------------------------------------------------------------


def test_failed_save_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "model.bprop"
    path.write_bytes(b"the previous model")
    written = []

    def failing_write_array(fp, array, *args, **kwargs):
        if written:
            raise OSError("disk full")
        written.append(array)
        fp.write(b"\x93NUMPY partial")

    monkeypatch.setattr(np.lib.format, "write_array", failing_write_array)
    with pytest.raises(OSError, match="disk full"):
        modelfile.save(make_net(), path)
    assert path.read_bytes() == b"the previous model"
    assert os.listdir(tmp_path) == ["model.bprop"]


def test_save_replaces_an_existing_file(tmp_path):
    path = tmp_path / "model.bprop"
    path.write_bytes(b"old")
    modelfile.save(make_net(), path)
    assert modelfile.load(path).sizes == [3, 4, 2]
    assert os.listdir(tmp_path) == ["model.bprop"]


def test_save_into_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(InvalidArgument, match="does not exist"):
        modelfile.save(make_net(), tmp_path / "nowhere" / "m.bprop")


# -- what save refuses --------------------------------------------------------


class MySigmoid(activations.Sigmoid):
    """A user subclass: same name, but user code, so not savable by name."""


class MyCost:
    name = "quadratic"

    def value(self, a, y):
        return 0.5 * ((a - y) ** 2).sum(axis=1)

    def gradient(self, a, y):
        return a - y


@pytest.mark.parametrize(
    "kwargs, part",
    [
        (dict(activation=MySigmoid()), "activation"),
        (dict(activation="relu", output=MySigmoid(), cost="quadratic"), "output"),
        (dict(activation="sigmoid", cost=MyCost()), "cost"),
    ],
)
def test_user_defined_components_are_refused(tmp_path, kwargs, part):
    with pytest.raises(InvalidArgument, match=rf"{part}=.*only bprop's built-in"):
        modelfile.save(make_net(**kwargs), tmp_path / "m.bprop")
    assert os.listdir(tmp_path) == []


def test_non_json_metadata_is_refused_naming_the_key(tmp_path):
    with pytest.raises(InvalidArgument, match="metadata\\['callback'\\]"):
        modelfile.save(make_net(), tmp_path / "m.bprop", metadata={"ok": 1, "callback": print})
    with pytest.raises(InvalidArgument, match="metadata\\['loss'\\]"):
        modelfile.save(make_net(), tmp_path / "m.bprop", metadata={"loss": float("nan")})
    with pytest.raises(InvalidArgument, match="dict"):
        modelfile.save(make_net(), tmp_path / "m.bprop", metadata=["not", "a", "dict"])
    assert os.listdir(tmp_path) == []


# -- what load refuses --------------------------------------------------------


def refused(path, *fragments):
    with pytest.raises(ModelFileError) as info:
        modelfile.load(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_random_bytes_are_not_a_model_file(tmp_path):
    path = tmp_path / "noise.bprop"
    path.write_bytes(np.random.default_rng(0).bytes(5000))
    refused(path, "not a bprop model file")


def test_an_empty_file_is_not_a_model_file(tmp_path):
    path = tmp_path / "empty.bprop"
    path.write_bytes(b"")
    refused(path, "not a bprop model file")


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        modelfile.load(tmp_path / "absent.bprop")


def test_a_zip_without_header_is_refused(tmp_path):
    refused(write_zip(tmp_path / "m.bprop", {"weights/0.npy": npy(np.zeros((2, 2)))}), "no header.json")


@pytest.mark.parametrize(
    "text, fragment",
    [
        (b"{not json", "not valid UTF-8 JSON"),
        (b"\xff\xfe", "not valid UTF-8 JSON"),
        (b"[1, 2]", "JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than 64 levels deep"),
    ],
    ids=["syntax", "utf8", "array", "deep"],
)
def test_a_header_that_is_not_a_json_object_is_refused(tmp_path, text, fragment):
    refused(write_zip(tmp_path / "m.bprop", {"header.json": text}), fragment)


def test_an_oversized_header_is_refused(tmp_path):
    text = json.dumps({"format": "bprop-model", "pad": "x" * (2 << 20)}).encode()
    refused(write_zip(tmp_path / "m.bprop", {"header.json": text}, zipfile.ZIP_DEFLATED), "header.json declares")


def test_another_format_is_refused(saved, tmp_path):
    bad = tamper(saved, tmp_path / "bad.bprop", header=lambda h: h.update(format="other"))
    refused(bad, "not a bprop model file", "'other'")


def test_a_newer_format_version_is_refused_with_advice(saved, tmp_path):
    bad = tamper(saved, tmp_path / "bad.bprop", header=lambda h: h.update(format_version=99))
    refused(bad, "format_version 99", "reads format_version 1", "Upgrade bprop")


@pytest.mark.parametrize(
    "sizes, fragment",
    [
        ([784, 10**9, 10], "parameters, more than"),
        ([5], "2 or more positive"),
        ([3, 0], "2 or more positive"),
        ([3, True], "2 or more positive"),
        ([3, 2.0], "2 or more positive"),
        ("3,4", "2 or more positive"),
    ],
)
def test_bad_sizes_are_refused_before_any_array_is_read(saved, tmp_path, sizes, fragment):
    bad = tamper(saved, tmp_path / "bad.bprop", header=lambda h: h.update(sizes=sizes))
    refused(bad, "sizes=", fragment)


def test_a_huge_declared_shape_is_refused(saved, tmp_path):
    def huge(h):
        h["arrays"]["weights/0"]["shape"] = [10**9, 10**9]

    refused(tamper(saved, tmp_path / "bad.bprop", header=huge), "weights/0", "shape")


@pytest.mark.parametrize(
    "key, value, fragment",
    [
        ("activation", "swish", "activation='swish' is not a built-in"),
        ("output", None, "output=None"),
        ("cost", "hinge", "cost='hinge'"),
        ("init", "orthogonal", "init='orthogonal'"),
        ("dtype", "float16", "dtype='float16'"),
        ("leaky_relu_slope", "0.1", "leaky_relu_slope"),
        ("metadata", [1], "metadata"),
    ],
)
def test_unknown_names_and_values_are_refused(saved, tmp_path, key, value, fragment):
    refused(tamper(saved, tmp_path / "bad.bprop", header=lambda h: h.update({key: value})), fragment)


def test_a_combination_bprop_will_not_build_is_refused(saved, tmp_path):
    bad = tamper(saved, tmp_path / "bad.bprop", header=lambda h: h.update(output="relu", cost="cross_entropy"))
    refused(bad, "will not build", "cross_entropy")


_sprung = []


def _spring():
    _sprung.append(True)
    return "sprung"


class Trap:
    """Unpickling this runs _spring: a stand-in for arbitrary code in a pickle."""

    def __reduce__(self):
        return (_spring, ())


def test_a_pickled_object_array_is_refused_without_unpickling(saved, tmp_path):
    objects = np.empty((4, 3), dtype=object)
    objects[...] = [[Trap() for _ in range(3)] for _ in range(4)]
    member = npy(objects, allow_pickle=True)
    assert b"_spring" in member  # the trap really is in the file
    bad = tamper(saved, tmp_path / "bad.bprop", members={"weights/0.npy": member})
    refused(bad, "weights/0", "Python objects", "never unpickles")
    assert _sprung == []


@pytest.mark.parametrize("name", ["../evil.npy", "/etc/evil.npy", "weights\\..\\evil.npy", "weights/../../evil.npy"])
def test_members_with_path_tricks_are_refused(saved, tmp_path, name):
    bad = tamper(saved, tmp_path / "bad.bprop", members={name: npy(np.zeros(3, np.float32))})
    refused(bad, "unsafe name", repr(name))


def test_unexpected_and_missing_members_are_refused(saved, tmp_path):
    extra = tamper(saved, tmp_path / "extra.bprop", members={"weights/9.npy": npy(np.zeros(2, np.float32))})
    refused(extra, "unexpected: ['weights/9.npy']")
    missing = tamper(saved, tmp_path / "missing.bprop", members={"biases/1.npy": None})
    refused(missing, "missing: ['biases/1.npy']")


def test_a_duplicated_member_is_refused(saved, tmp_path):
    path = tmp_path / "dup.bprop"
    path.write_bytes(saved.read_bytes())
    with pytest.warns(UserWarning, match="Duplicate name"):
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("weights/0.npy", npy(np.ones((4, 3), np.float32)))
    refused(path, "more than once")


def test_a_flipped_byte_is_caught(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    with zipfile.ZipFile(saved) as zf:
        info = zf.getinfo("weights/1.npy")
    data[info.header_offset + 30 + len(info.filename) + info.file_size - 3] ^= 0x40  # in the array data
    path = tmp_path / "flipped.bprop"
    path.write_bytes(bytes(data))
    refused(path, "file is corrupt", "weights/1")  # the ZIP CRC catches it first


def test_a_changed_array_fails_the_checksum(saved, tmp_path):
    member = bytearray(read_members(saved)["weights/1.npy"])
    member[-3] ^= 0x40
    bad = tamper(saved, tmp_path / "bad.bprop", members={"weights/1.npy": bytes(member)}, checksums=False)
    refused(bad, "file is corrupt: checksum of weights/1 does not match")


@pytest.mark.parametrize("keep", [0.5, 0.9, -1])
def test_a_truncated_archive_is_refused(saved, tmp_path, keep):
    data = saved.read_bytes()
    path = tmp_path / "cut.bprop"
    path.write_bytes(data[:keep] if isinstance(keep, int) else data[: int(len(data) * keep)])
    refused(path, "not a bprop model file", "truncated")


def test_truncated_array_data_is_refused(saved, tmp_path):
    member = read_members(saved)["weights/0.npy"]
    refused(tamper(saved, tmp_path / "bad.bprop", members={"weights/0.npy": member[:-8]}), "weights/0 is truncated")


def test_a_member_declaring_far_more_than_its_array_is_refused(saved, tmp_path):
    bomb = npy(np.zeros((4, 3), np.float32)) + bytes(20 << 20)  # 20 MiB of zeros, deflates to ~20 KiB
    files = {**read_members(saved), "weights/0.npy": bomb}
    path = write_zip(tmp_path / "bomb.bprop", files, zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 1 << 20
    refused(path, "weights/0 declares 20,971,", "ZIP bomb")


def _declare_size(path, name, size):
    """Rewrite the uncompressed size of ``name`` in both its local and central ZIP headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(name).header_offset
    struct.pack_into("<I", data, local + 22, size)  # local file header
    end = data.rindex(b"PK\x05\x06")  # end of central directory
    central = struct.unpack_from("<I", data, end + 16)[0]  # its first entry
    while True:
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, central + 28)
        if data[central + 46 : central + 46 + name_len] == name.encode():
            break
        central += 46 + name_len + extra_len + comment_len
    struct.pack_into("<I", data, central + 24, size)  # central directory entry
    path.write_bytes(bytes(data))


def test_a_member_expanding_past_its_declared_size_is_refused(saved, tmp_path):
    good = read_members(saved)["weights/0.npy"]
    files = {**read_members(saved), "weights/0.npy": good + bytes(50 << 20)}  # expands to 50 MiB
    path = write_zip(tmp_path / "bomb.bprop", files, zipfile.ZIP_DEFLATED)
    _declare_size(path, "weights/0.npy", len(good))  # … but declares the honest size
    refused(path, "file is corrupt", "weights/0")  # read stops at the declared size; CRC fails


@pytest.mark.parametrize("header_dtype, array_dtype", [("float64", np.float32), ("float32", np.float64)])
def test_a_header_array_dtype_mismatch_is_refused(saved, tmp_path, header_dtype, array_dtype):
    def retype(h):
        h["dtype"] = header_dtype
        for entry in h["arrays"].values():
            entry["dtype"] = header_dtype

    members = {
        name: npy(np.lib.format.read_array(io.BytesIO(data)).astype(array_dtype))
        for name, data in read_members(saved).items()
        if name.endswith(".npy")
    }
    bad = tamper(saved, tmp_path / "bad.bprop", header=retype, members=members)
    refused(bad, f"holds dtype {np.dtype(array_dtype)}", f"header says {header_dtype}")


def test_a_json_declared_dtype_differing_from_the_network_dtype_is_refused(saved, tmp_path):
    bad = tamper(saved, tmp_path / "bad.bprop", header=lambda h: h["arrays"]["biases/0"].update(dtype="float64"))
    refused(bad, "biases/0", "dtype")


def test_an_npy_shape_disagreeing_with_the_header_is_refused(saved, tmp_path):
    bad = tamper(saved, tmp_path / "bad.bprop", members={"weights/0.npy": npy(np.zeros((3, 4), np.float32))})
    refused(bad, "weights/0 holds shape (3, 4)", "(4, 3)")


def test_a_member_that_is_not_npy_is_refused(saved, tmp_path):
    bad = tamper(saved, tmp_path / "bad.bprop", members={"biases/0.npy": b"print('hello')"})
    refused(bad, "biases/0 is not a readable .npy array")


def test_a_bad_checksum_entry_is_refused(saved, tmp_path):
    bad = tamper(
        saved, tmp_path / "bad.bprop", header=lambda h: h["arrays"]["weights/0"].update(sha256="abc"), checksums=False
    )
    refused(bad, "weights/0", "sha256")


def test_pickle_is_never_used(saved, monkeypatch):
    def no_pickle(*args, **kwargs):
        raise AssertionError("load must never unpickle")

    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "loads", no_pickle)
    assert modelfile.load(saved).sizes == [3, 4, 2]
