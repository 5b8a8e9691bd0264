"""The checkpoint file: how a ``Checkpoint`` is stored, and read back with every part checked.

A checkpoint file (``checkpoint.ckpt`` in a run folder) is a ZIP archive of
uncompressed (stored) members, a sibling of the model file
(``bprop.storage.modelfile``):

    header.json             what the run is and where it stands (below), UTF-8 JSON
    net/weights/0.npy …     w^l and b^l now, one .npy per array
    net/biases/0.npy …      (numpy.lib.format, allow_pickle=False)
    optimizer/0.npy …       the optimizer's buffers, in the order of header "optimizer" "buffers"
    epoch/order.npy         the epoch in progress: its shuffled order of the samples (int64, (m,)) …
    epoch/weights/0.npy …   … and the weights at its start (kept if it diverges)
    epoch/biases/0.npy …
    best/weights/0.npy …    early stopping: the weights of the best epoch so far
    best/biases/0.npy …

and the header is

    {"format": "bprop-checkpoint", "format_version": 1, "bprop_version": "0.1.0",
     "network":   {"sizes": [64, 30, 10], "dtype": "float64", "activation": "sigmoid", "output": "sigmoid",
                   "cost": "quadratic"},
     "training":  {"epochs": 30, "batch_size": 10, "l2": 0.0, "l2_divisor": "training_set", "shuffle": true, "early_stopping": null,
                   "l1": 0.0, "dropout": null or [p_2, …] (both absent in older checkpoints),
                   "samples": 1617, "processes": 1, "data_sha256": "<of the training and validation arrays>"},
     "epochs_done": 3,
     "epoch":     null, or for a checkpoint inside an epoch (epoch epochs_done + 1):
                  {"batches_done": 45, "cost_sum": 12.5, "correct": 410, "seen": 450, "seconds": 0.21},
     "rng":       numpy's bit_generator.state of the shuffling generator (a JSON object),
     "optimizer": {"type": "Adam", "steps": 531, "buffers": [["w", 0, "m"], …]},
     "best_cost": null or the best watched cost (early stopping),
     "history":   History.to_dict(),
     "arrays":    {"net/weights/0": {"shape": [30, 64], "dtype": "float64", "sha256": "<hex>"}, …}}

Saving is atomic (``bprop.storage.files.atomic_write``): a crash leaves the
previous checkpoint or the new one, never a mixture. ``read`` treats the file
as hostile, as ``bprop.storage.modelfile.load`` does: no pickle, no eval; safe
member names; only stored members, so that nothing it reads is larger than
the file itself (no ZIP bomb); every array's shape and dtype checked against
the header before it is read and its SHA-256 after; every JSON value checked
for type and range. A problem raises ModelFileError naming the file. The
checks shared with model files are ``bprop.storage.archive.ArchiveReader``'s.
"""

from __future__ import annotations

import math
import numbers
import zipfile
from pathlib import Path

import numpy as np

from ..core.parameters import MAX_PARAMETERS
from ..errors import InvalidArgument, ModelFileError
from ..storage import schema
from ..storage.archive import DTYPE_NAMES, ArchiveReader, bprop_version, short, write_archive
from ..storage.files import atomic_write

FORMAT = "bprop-checkpoint"
FORMAT_VERSION = 1
MAX_HEADER_BYTES = 64 << 20  # the history of a very long run, with per-layer figures, fits easily
MAX_SAMPLES = 2**40
# The bit generators numpy ships; the header names one, and nothing else is built.
BIT_GENERATORS = {name: getattr(np.random, name) for name in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")}


# What each JSON part of the header may hold (``bprop.storage.schema``); relations are checked by the reader.
NETWORK = {
    "sizes": schema.ListOf(schema.Whole(1), 2, schema.MAX_LAYERS + 1),
    "dtype": schema.Text(choices=DTYPE_NAMES),
    # one σ for every hidden layer, or one per hidden layer
    "activation": schema.Either(schema.Text(), schema.ListOf(schema.Text(), 1, schema.MAX_LAYERS), optional=True),
    "output": schema.Text(optional=True),
    "cost": schema.Text(optional=True),
}
TRAINING = {  # in the order run_record writes them: a checkpoint read and saved again gives the same bytes
    "epochs": schema.Whole(1),
    "batch_size": schema.Whole(1),
    "l2": schema.Number(0),
    "l2_divisor": schema.Text(choices=("training_set", "batch"), optional=True),
    "shuffle": schema.Flag(),
    "early_stopping": schema.Whole(1, optional=True),
    "samples": schema.Whole(1, MAX_SAMPLES),
    "l1": schema.Number(0, optional=True),  # absent before bprop had L1
    "dropout": schema.ListOf(schema.Number(0, 1), 1, schema.MAX_LAYERS, optional=True),  # p per hidden layer
    "processes": schema.Whole(1, optional=True),
    "data_sha256": schema.Sha256(),
}
EPOCH = {
    "batches_done": schema.Whole(0),
    "cost_sum": schema.Number(),
    "correct": schema.Whole(0),
    "seen": schema.Whole(0),
    "seconds": schema.Number(0),
}


# -- write ----------------------------------------------------------------------


def write(checkpoint, path: Path) -> None:
    """Write ``checkpoint`` (a ``Checkpoint``) to ``path`` atomically, as laid out above."""
    arrays = _arrays_of(checkpoint)
    buffers = [list(key) for key in checkpoint.optimizer["state"]]
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "bprop_version": bprop_version(),
        "network": checkpoint.network,
        "training": checkpoint.training,
        "epochs_done": int(checkpoint.epochs_done),
        "epoch": checkpoint.epoch,
        "rng": checkpoint.rng,
        "optimizer": {
            "type": checkpoint.optimizer["type"],
            "steps": int(checkpoint.optimizer["steps"]),
            "buffers": buffers,
        },
        "best_cost": None
        if checkpoint.best_cost is None or not math.isfinite(checkpoint.best_cost)
        else float(checkpoint.best_cost),
        "history": checkpoint.history,
    }
    with atomic_write(path) as f:
        # NaN/Infinity may appear only in the history (a validation cost that overflowed).
        write_archive(f, header, arrays, default=_plain)


def _arrays_of(c) -> list:
    arrays = [(f"net/weights/{i}", w) for i, w in enumerate(c.weights)]
    arrays += [(f"net/biases/{i}", b) for i, b in enumerate(c.biases)]
    for i, (key, buf) in enumerate(c.optimizer["state"].items()):
        if not (
            isinstance(key, tuple)
            and len(key) >= 2
            and key[0] in ("w", "b")
            and isinstance(key[1], int)
            and all(isinstance(k, (str, int)) for k in key)
        ):
            raise InvalidArgument(
                f"the optimizer buffer {key!r} has no key of the form "
                "('w' or 'b', layer index, …); "
                "a checkpoint stores buffers that belong to one parameter array each."
            )
        arrays.append((f"optimizer/{i}", buf))
    if c.order is not None:
        arrays.append(("epoch/order", np.asarray(c.order, dtype=np.int64)))
    for prefix, pair in (("epoch", c.epoch_start), ("best", c.best)):
        if pair is not None:
            arrays += [(f"{prefix}/weights/{i}", w) for i, w in enumerate(pair[0])]
            arrays += [(f"{prefix}/biases/{i}", b) for i, b in enumerate(pair[1])]
    return arrays


# -- read -----------------------------------------------------------------------


def read(path: Path) -> dict:
    """The fields of the ``Checkpoint`` in the file at ``path``, every part checked.

    Raises ModelFileError (naming the file, the problem and the fix) for a
    file that is not a bprop checkpoint, was written by a newer bprop, or is
    corrupt or truncated; OSError (such as FileNotFoundError) when it cannot
    be opened. Memory and time are bounded by the file's size.
    """
    return _Reader.read(path, _Reader.fields)


class _Reader(ArchiveReader):
    """One pass over an open checkpoint: the header's every value first, then each array."""

    KIND = "checkpoint"
    FORMAT, FORMAT_VERSION, MAX_HEADER_BYTES = FORMAT, FORMAT_VERSION, MAX_HEADER_BYTES
    # Parameters now, at the epoch's start, at the best epoch, and two optimizer buffers each; the epoch's order.
    MAX_FILE_BYTES = 8 * (5 * MAX_PARAMETERS + MAX_SAMPLES) + MAX_HEADER_BYTES + (64 << 20)
    ALLOW_NAN = True  # a history's validation cost may have overflowed (written as NaN/Infinity)
    FIX = "The checkpoint is damaged; resume from a copy, or train again."
    NOT_OURS_FIX = (
        "Pass the checkpoint.ckpt of a run folder (a model file is loaded with bprop.load), or resume "
        "from another checkpoint."
    )
    UPGRADE_FIX = "Upgrade bprop to resume from it."
    TOO_MANY_PARAMETERS = "{what}={sizes} declares more than {limit:,} parameters"
    WRONG_SHAPE = WRONG_DTYPE = (
        "arrays[{key!r}] declares {found_shape} {found_dtype}, but the header gives {shape} {dtype}"
    )

    def fail(self, problem, fix=None):
        return ModelFileError(f"checkpoint {self.path}: {problem}. {fix or self.FIX}")

    def fields(self) -> dict:
        """The fields of a ``Checkpoint``, every one checked."""
        infos = self.members()
        h = self.header(infos)
        network = self.network(h.get("network"))
        training = self.training(h.get("training"))
        sizes, dtype = network["sizes"], network["dtype"]
        batches = math.ceil(training["samples"] / training["batch_size"])
        epochs_done = self.integer(h.get("epochs_done"), "epochs_done", 0, training["epochs"])
        epoch = self.epoch(h.get("epoch"), batches, training["samples"])
        if epoch is not None and epochs_done >= training["epochs"]:
            raise self.fail(f"it stands inside epoch {epochs_done + 1} of a run of {training['epochs']} epochs")
        rng = self.rng(h.get("rng"))
        optimizer = h.get("optimizer")
        if not isinstance(optimizer, dict):
            raise self.fail("'optimizer' must be a JSON object")
        opt_type = optimizer.get("type")
        if not isinstance(opt_type, str) or not opt_type.isidentifier():
            raise self.fail(f"optimizer type {short(opt_type)} is not a class name")
        steps = self.integer(optimizer.get("steps"), "optimizer steps", 0, None)
        buffer_keys = self.buffer_keys(optimizer.get("buffers"), len(sizes) - 1)
        best_cost = h.get("best_cost")
        if best_cost is not None and not _is_number(best_cost):
            raise self.fail(f"best_cost={short(best_cost)} is not a number or null")
        history = self.history(h.get("history"), epochs_done)

        shapes = [(n_out, n_in) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        expected = {}
        prefixes = (
            ["net"] + (["epoch"] if epoch is not None else []) + (["best"] if "best/weights/0" in h["arrays"] else [])
        )
        for prefix in prefixes:
            expected.update({f"{prefix}/weights/{i}": (s, dtype) for i, s in enumerate(shapes)})
            expected.update({f"{prefix}/biases/{i}": ((s[0],), dtype) for i, s in enumerate(shapes)})
        for i, key in enumerate(buffer_keys):
            shape = shapes[key[1]] if key[0] == "w" else (shapes[key[1]][0],)
            expected[f"optimizer/{i}"] = (shape, dtype)
        if epoch is not None and training["shuffle"] and training["processes"] == 1:  # MPI recomputes it
            expected["epoch/order"] = ((training["samples"],), "int64")
        declared = self.declared_arrays(h["arrays"], expected, "the header")
        self.check_member_set(infos, declared)
        read = {key: self.array(infos[key + ".npy"], key, *declared[key]) for key in declared}
        for key in read:
            if _must_be_finite(key, epoch) and not np.isfinite(read[key]).all():
                raise self.fail(
                    f"{key} holds NaN or infinite values; bprop never saves such {key.split('/')[0]} weights"
                )

        def pair(prefix):
            if f"{prefix}/weights/0" not in read:
                return None
            return (
                [read[f"{prefix}/weights/{i}"] for i in range(len(shapes))],
                [read[f"{prefix}/biases/{i}"] for i in range(len(shapes))],
            )

        order = read.get("epoch/order")
        if order is not None and not _is_permutation(order):
            raise self.fail("epoch/order is not a permutation of the sample indices")
        weights, biases = pair("net")
        return dict(
            network=network,
            weights=weights,
            biases=biases,
            optimizer={
                "type": opt_type,
                "steps": steps,
                "state": {key: read[f"optimizer/{i}"] for i, key in enumerate(buffer_keys)},
            },
            rng=rng,
            training=training,
            history=history,
            epochs_done=epochs_done,
            epoch=epoch,
            order=order,
            epoch_start=pair("epoch"),
            best_cost=best_cost,
            best=pair("best"),
        )

    # -- the archive -----------------------------------------------------------

    def check_member(self, info) -> None:
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1 or info.compress_size != info.file_size:
            raise self.fail(
                f"the member {short(info.filename)} is compressed or encrypted; bprop checkpoints "
                "store their members as they are",
                "Do not use this file.",
            )

    def header(self, infos) -> dict:
        header = super().header(infos)
        self.arrays_table(header)
        return header

    # -- the header's parts ------------------------------------------------------

    def integer(self, value, what, low, high) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            bound = f"in {low} … {high}" if high is not None else f"≥ {low}"
            raise self.fail(f"{what}={short(value)} is not a whole number {bound}")
        return value

    def network(self, network) -> dict:
        checked = schema.check(NETWORK, network, self.fail, "network.")
        self.layer_sizes(checked["sizes"], "network sizes")  # and within MAX_PARAMETERS
        return checked

    def training(self, training) -> dict:
        checked = schema.check(TRAINING, training, self.fail, "training.")
        return (
            checked
            | {
                "l2": float(checked["l2"]),
                "l2_divisor": checked["l2_divisor"] or "training_set",  # absent before bprop had the option
                "processes": checked["processes"] or 1,  # absent before MPI: 1
                "l1": float(checked["l1"] or 0.0),  # absent before bprop had L1
                "dropout": None if checked["dropout"] is None else [float(p) for p in checked["dropout"]],
            }
            | self.identity(training)  # absent before bprop recorded them: not checked
        )

    def identity(self, training) -> dict:
        """The recorded optimizer ({"type": name, hyper-parameter: finite number}) and seed, as present."""
        found = {key: None for key in ("optimizer", "seed") if key in training}
        if training.get("optimizer") is not None:
            optimizer = training["optimizer"]
            if not (
                isinstance(optimizer, dict)
                and len(optimizer) <= 8
                and isinstance(optimizer.get("type"), str)
                and len(optimizer["type"]) <= 100
                and all(
                    isinstance(k, str) and len(k) <= 20 and _is_number(v) and math.isfinite(v)
                    for k, v in optimizer.items()
                    if k != "type"
                )
            ):
                raise self.fail(f"optimizer={short(optimizer)} is not a type name with finite numbers")
            found["optimizer"] = dict(optimizer)
        if training.get("seed") is not None:
            found["seed"] = self.integer(training["seed"], "seed", 0, None)
        return found

    def epoch(self, epoch, batches, samples):
        if epoch is None:
            return None
        checked = schema.check(EPOCH, epoch, self.fail, "epoch.")
        for key, bound, of in (("batches_done", batches, "batches"), ("seen", samples, "samples")):
            if checked[key] > bound:
                raise self.fail(f"epoch.{key}={checked[key]} is more than the run's {bound} {of}")
        if checked["correct"] > checked["seen"]:
            raise self.fail(f"epoch.correct={checked['correct']} is more than the {checked['seen']} samples seen")
        return checked | {"cost_sum": float(checked["cost_sum"]), "seconds": float(checked["seconds"])}

    def rng(self, state) -> dict:
        if (
            not isinstance(state, dict)
            or not isinstance(state.get("bit_generator"), str)
            or state["bit_generator"] not in BIT_GENERATORS
        ):
            raise self.fail(f"rng is not the state of one of numpy's bit generators ({', '.join(BIT_GENERATORS)})")
        try:
            BIT_GENERATORS[state["bit_generator"]]().state = state
        except (ValueError, TypeError, KeyError, OverflowError, IndexError, AttributeError) as e:
            raise self.fail(f"rng is not a valid {state['bit_generator']} state ({short(str(e))})") from None
        return state

    def buffer_keys(self, buffers, layers) -> list:
        if not isinstance(buffers, list):
            raise self.fail("optimizer buffers must be a list of keys")
        keys = []
        for key in buffers:
            if not (
                isinstance(key, list)
                and len(key) >= 2
                and key[0] in ("w", "b")
                and isinstance(key[1], int)
                and not isinstance(key[1], bool)
                and 0 <= key[1] < layers
                and all(isinstance(k, str) or (isinstance(k, int) and not isinstance(k, bool)) for k in key)
            ):
                raise self.fail(f"optimizer buffer key {short(key)} is not ['w' or 'b', layer index, …]")
            keys.append(tuple(key))
        if len(set(keys)) != len(keys):
            raise self.fail("an optimizer buffer key appears twice")
        return keys

    def history(self, history, epochs_done) -> dict:
        """The history, held to ``bprop.storage.schema.HISTORY`` with one figure per epoch done."""
        checked = schema.check(schema.HISTORY, history, self.fail, "history.")
        problem = schema.history_problem(checked, epochs_done)
        if problem:
            raise self.fail(problem)
        return {key: checked[key] or [] for key in schema.HISTORY_LISTS} | {
            "best_epoch": checked["best_epoch"],
            "stopped_early": bool(checked["stopped_early"]),
            "layer_stats": checked["layer_stats"] or {},
        }

    def array(self, info, key, shape, dtype, digest) -> np.ndarray:
        return np.array(self.read_array(info, key, shape, dtype, digest), order="C")


def _plain(value):
    """NumPy values in a header (a bit generator's key array, a numpy scalar) as JSON values."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} cannot be stored in a checkpoint header")


def _must_be_finite(key, epoch) -> bool:
    """Whether the array ``key`` is always finite in a checkpoint bprop wrote.

    The weights at an epoch's start and at the best epoch are; the current
    weights are at the end of an epoch (the loop checks them before it saves),
    but not inside one, where a step may have overflowed that the epoch's end
    will find and undo. Optimizer buffers are not checked.
    """
    prefix, _, rest = key.partition("/")
    if not rest.startswith(("weights/", "biases/")):
        return False
    return prefix in ("epoch", "best") or (prefix == "net" and epoch is None)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _is_permutation(order) -> bool:
    m = order.shape[0]
    if m == 0 or order.min() < 0 or order.max() >= m:
        return False
    return bool((np.bincount(order, minlength=m) == 1).all())
