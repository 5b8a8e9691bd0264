"""Model files: a network saved as arrays and a JSON header, never as a pickle.

A model file (suggested suffix ``.bprop``) is a ZIP archive holding

    header.json         what the network is (see below), UTF-8 JSON
    weights/0.npy       w^2, (n_2, n_1)           one .npy per array, written by
    biases/0.npy        b^2, (n_2,)               numpy.lib.format.write_array
    weights/1.npy …     w^3 …                     with allow_pickle=False

and the header is

    {"format": "bprop-model", "format_version": 1, "bprop_version": "0.1.0",
     "sizes": [64, 30, 10], "activation": "relu", "output": "softmax",
     "cost": "log_likelihood", "init": "he", "dtype": "float32",
     "leaky_relu_slope": 0.01,                      (only when a layer is leaky_relu)
     (with one σ per hidden layer, "activation" is their list: ["relu", "tanh"];
      files with one name, all files before, mean it for every hidden layer)
     "metadata": {...},                             (the caller's, JSON only)
     "arrays": {"weights/0": {"shape": [30, 64], "dtype": "float32",
                              "sha256": "<hex digest of the whole .npy member>"}, ...}}

Only built-in activations and costs can be saved: the file names them, it
holds no code. ``init`` is informational (null for a user initializer): a loaded
network's parameters come from the file.

``load`` treats the file as hostile. It never unpickles or evaluates anything,
checks the header (format, version, names, sizes within
``bprop.core.network.MAX_PARAMETERS``) before it reads any array, refuses
unexpected or oddly named members, checks each member's declared size before
decompressing it and reads it with a bounded read, checks each .npy header
against the JSON header and the sizes, and checks each member's SHA-256 (the
checks shared with checkpoints are ``bprop.storage.archive.ArchiveReader``'s).
Its time and memory are bounded by the checked sizes of the network the header
declares. Only a regular file is read (a directory, a device such as
/dev/zero, a FIFO or a socket is refused before a byte is read); the header's
JSON may nest at most 64 levels and hold only finite numbers; every weight
and bias must be finite. ``load`` accepts any JSON metadata (it is the
caller's); ``load_trained``, which the commands use, also holds the keys
``bprop train`` writes (class_names, image_shape, value_range,
preprocessing, training) to ``bprop.storage.schema.MODEL_METADATA``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

from ..core import activations, costs, initializers
from ..core.backend import to_numpy
from ..core.network import Network
from ..errors import InvalidArgument, ModelFileError
from . import schema
from .archive import DTYPE_NAMES, HEADER_NAME, ArchiveReader, bprop_version, short, write_archive
from .files import MAX_JSON_DEPTH, atomic_write, json_depth

FORMAT = "bprop-model"
FORMAT_VERSION = 1
SUFFIX = ".bprop"

MAX_HEADER_BYTES = 1 << 20  # header.json larger than 1 MiB is refused

__all__ = ["save", "load", "load_trained", "FORMAT", "FORMAT_VERSION", "SUFFIX"]


# -- save ---------------------------------------------------------------------


def save(net, path, *, metadata=None) -> Path:
    """Write ``net`` to ``path`` as one model file; returns the path.

    net : Network with built-in activation, output and cost (by name).
    path : str or os.PathLike; any suffix (``.bprop`` suggested). Its directory
        must exist. The file is written atomically: until the new file is
        complete and on disk, a file already at ``path`` is left untouched.
    metadata : dict of JSON values (str keys), stored in the header; merged
        over ``net.metadata`` when the network has one. NumPy scalars and
        arrays are stored as numbers and lists.
    """
    if not isinstance(net, Network):
        raise InvalidArgument(f"save needs a bprop Network, got {type(net).__name__}.")
    path = _as_path(path, "path")
    header = _header_of(net, _merged_metadata(net, metadata))
    _refuse_non_finite_parameters(net)
    if not path.parent.is_dir():
        raise InvalidArgument(f"cannot save to {path}: the directory {path.parent} does not exist; create it first.")
    with atomic_write(path) as f:
        write_archive(f, header, _arrays_of(net), indent=2, allow_nan=False)
    return path


def _header_of(net, metadata) -> dict:
    dtype = np.dtype(net.dtype).name
    if dtype not in DTYPE_NAMES:
        raise InvalidArgument(
            f"a network of dtype {dtype} cannot be saved; model files hold float32 or float64 "
            "(convert with net.copy('float64'))."
        )
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "bprop_version": bprop_version(),
        "sizes": [int(n) for n in net.sizes],
        "activation": _builtin_name(net.activation, activations.BUILTIN, "activation")
        if net.uniform_activation
        else [_builtin_name(sigma, activations.BUILTIN, "activation") for sigma in net.hidden_activations],
        "output": _builtin_name(net.output, activations.BUILTIN, "output"),
        "cost": _builtin_name(net.cost, costs.BUILTIN, "cost"),
        "init": _builtin_name(net.init, initializers.BUILTIN, "init", required=False),
        "dtype": dtype,
    }
    layers = (*net.hidden_activations, net.output)
    slopes = {float(layer.slope) for layer in layers if isinstance(layer, activations.LeakyReLU)}
    if slopes:
        if len(slopes) > 1 or not all(math.isfinite(s) for s in slopes):
            raise InvalidArgument(
                f"the leaky_relu layers have slopes {sorted(slopes)}; a model file stores one "
                "finite slope. Use the same slope for all of them."
            )
        header["leaky_relu_slope"] = slopes.pop()
    header["metadata"] = metadata
    return header


def _builtin_name(component, builtin, parameter, *, required=True):
    """The name of a built-in component, refusing user objects (or None when not required)."""
    name = getattr(component, "name", None)
    if isinstance(name, str) and builtin.get(name) is type(component):
        return name
    if not required:
        return None
    raise InvalidArgument(
        f"{parameter}={component!r} is a user-defined object; only bprop's built-in {parameter}s can be "
        f"saved by name ({', '.join(repr(n) for n in builtin)}). Save the weights yourself "
        "(np.savez of net.weights and net.biases), or build the network with a built-in."
    )


def _merged_metadata(net, metadata) -> dict:
    own = getattr(net, "metadata", None) or {}
    extra = {} if metadata is None else metadata
    for what, value in (("net.metadata", own), ("metadata", extra)):
        if not isinstance(value, dict):
            raise InvalidArgument(f"{what} must be a dict of JSON values, got {type(value).__name__}.")
    merged = {**own, **extra}
    for key, value in merged.items():
        if not isinstance(key, str):
            raise InvalidArgument(f"metadata key {key!r} is not a string; JSON object keys are strings.")
        try:
            json.dumps(value, allow_nan=False, default=_numpy_to_json)
        except (TypeError, ValueError, RecursionError) as e:
            raise InvalidArgument(
                f"metadata[{key!r}] cannot be stored as JSON ({e}); use str, int, float (finite), bool, "
                "None, lists and dicts with string keys."
            ) from None
    text = json.dumps(merged, allow_nan=False, default=_numpy_to_json)
    if json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH - 1:  # the header holds it one level down
        raise InvalidArgument(f"metadata nests deeper than {MAX_JSON_DEPTH - 1} levels; a model file refuses that.")
    return json.loads(text)


def _refuse_non_finite_parameters(net) -> None:
    """A network with a NaN or infinite weight or bias cannot be saved (a model file holds finite ones)."""
    for kind, arrays in (("weights", net.weights), ("biases", net.biases)):
        for i, array in enumerate(arrays):
            if not bool(np.isfinite(to_numpy(array)).all()):
                raise InvalidArgument(
                    f"net.{kind}[{i}] holds NaN or infinite values; a model file holds finite parameters "
                    "only. Save the network before it diverged (bprop's training restores the last finite weights)."
                )


def _numpy_to_json(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _arrays_of(net):
    """The parameters as NumPy arrays (a GPU network's come to the host)."""
    for i, w in enumerate(net.weights):
        yield f"weights/{i}", to_numpy(w)
    for i, b in enumerate(net.biases):
        yield f"biases/{i}", to_numpy(b)


# -- load ---------------------------------------------------------------------


def load(path, device="cpu", backend=None) -> Network:
    """The network saved in the model file at ``path``, on ``device``.

    Raises ModelFileError (naming the file, the problem and the fix) for a file
    that is not a bprop model file, was written by a newer bprop, is corrupt or
    truncated, or describes a network bprop will not build. OSError (such as
    FileNotFoundError) when the file cannot be opened. The returned network has
    the file's sizes, names, dtype, weights and biases, and ``net.metadata``.
    device, backend : where the network goes, as for ``Network`` (a model
        saved from a GPU loads on the CPU and the other way round).
    """
    path = _as_path(path, "path")
    if (device, backend) != ("cpu", None):
        return load(path).to(device, backend)
    return _Reader.read(path, _Reader.network)


def load_trained(path) -> Network:
    """``load(path)``, and the metadata keys bprop itself reads held to ``schema.MODEL_METADATA``.

    For the commands that use what ``bprop train`` stores (evaluate, predict,
    plot): class_names, image_shape, value_range, preprocessing and the
    training settings are checked for type and range, and against the
    network (one class name per output, image_shape's pixels one per input,
    one preprocessing shift and scale per input). A problem is a
    ModelFileError naming the file, the field and the value seen. The other
    metadata keys are left alone: they are the caller's own (``load`` itself
    accepts any JSON metadata).
    """
    path = _as_path(path, "path")
    net = load(path)

    def refuse(problem):
        return ModelFileError(f"{path}: {problem}. {_Reader.FIX}")

    schema.check(schema.MODEL_METADATA, net.metadata, refuse, "metadata.")
    problem = schema.model_metadata_problem(net.metadata, net.sizes)
    if problem:
        raise refuse(problem)
    return net


class _Reader(ArchiveReader):
    """One pass over an open model file: header checks first, then each array."""

    KIND = "model file"
    FORMAT, FORMAT_VERSION, MAX_HEADER_BYTES = FORMAT, FORMAT_VERSION, MAX_HEADER_BYTES
    FIX = "Save the model again with bprop, or restore the file from a copy."
    NOT_OURS_FIX = "Pass a file written by bprop's save (net.save), or save the model again."
    UPGRADE_FIX = "Upgrade bprop (pip install --upgrade bprop) to load it."

    def network(self) -> Network:
        infos = self.members()
        header = self.header(infos)
        sizes = self.layer_sizes(header.get("sizes"), "sizes")
        dtype = self.dtype_name(header.get("dtype"), "dtype")
        hidden, output, cost, init = self.components(header)
        declared = self.declared_arrays(self.arrays_table(header), _expected_arrays(sizes, dtype), f"sizes={sizes}")
        self.check_member_set(infos, declared)
        weights = [self.array(infos, f"weights/{i}", declared) for i in range(len(sizes) - 1)]
        biases = [self.array(infos, f"biases/{i}", declared) for i in range(len(sizes) - 1)]
        try:
            net = Network(
                sizes, activation=hidden, output=output, cost=cost, init=_Preloaded(weights, biases), dtype=dtype
            )
        except InvalidArgument as e:
            raise self.fail(f"the header describes a network bprop will not build: {str(e).rstrip('.')}") from None
        net.init = initializers.BUILTIN[init]() if init is not None else initializers.Normal()
        net.metadata = header["metadata"]
        return net

    # -- the archive's table of contents ------------------------------------

    def header(self, infos) -> dict:
        header = super().header(infos)
        if not isinstance(header.get("metadata", {}), dict):
            raise self.fail(f"metadata in {HEADER_NAME} must be a JSON object")
        header.setdefault("metadata", {})
        return header

    def components(self, header):
        names = []
        for key, builtin in (
            ("activation", activations.BUILTIN),
            ("output", activations.BUILTIN),
            ("cost", costs.BUILTIN),
            ("init", initializers.BUILTIN),
        ):
            name = header.get(key)
            listed = key == "activation" and isinstance(name, list) and 0 < len(name) <= len(header.get("sizes", ()))
            for one in name if listed else [name]:  # activation: one name, or one per hidden layer
                if not ((isinstance(one, str) and one in builtin) or (key == "init" and one is None)):
                    raise self.fail(
                        f"{key}={short(name)} is not a built-in {key} of this bprop "
                        f"({', '.join(repr(n) for n in builtin)})",
                        "Upgrade bprop if a newer version wrote the file.",
                    )
            names.append(name)
        hidden, output, cost, init = names
        slope = header.get("leaky_relu_slope")
        if slope is not None and (
            isinstance(slope, bool) or not isinstance(slope, (int, float)) or not math.isfinite(slope)
        ):
            raise self.fail(f"leaky_relu_slope={short(slope)} is not a finite number")

        def layer(name):
            if name == "leaky_relu" and slope is not None:
                return activations.LeakyReLU(slope)
            return name

        hidden = [layer(name) for name in hidden] if isinstance(hidden, list) else layer(hidden)
        return hidden, layer(output), cost, init

    def array(self, infos, key, declared) -> np.ndarray:
        """The checked array ``key`` ('weights/0' …), a read-only view of the member's bytes, every value finite."""
        array = self.read_array(infos[key + ".npy"], key, *declared[key])
        if not np.isfinite(array).all():
            bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
            raise self.fail(
                f"{key} holds {bad:,} NaN or infinite value(s); a bprop model file holds finite weights and biases"
            )
        return array


def _expected_arrays(sizes, dtype) -> dict:
    """{key: (shape, dtype)} of the arrays a network of ``sizes`` is stored as: w^l (n_l, n_{l−1}), b^l (n_l,)."""
    expected = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        expected[f"weights/{i}"] = ((n_out, n_in), dtype)
        expected[f"biases/{i}"] = ((n_out,), dtype)
    return expected


class _Preloaded:
    """An initializer that hands the Network constructor the arrays read from the file."""

    name = "preloaded"

    def __init__(self, weights, biases):
        self._layers = iter(zip(weights, biases))

    def initial(self, n_out, n_in, rng):
        return next(self._layers)


def _as_path(path, parameter) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgument(f"{parameter} must be a file path (str or os.PathLike), got {type(path).__name__}.")
    return Path(path)
