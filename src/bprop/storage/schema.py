"""What each field of a file bprop reads back may hold, written down once and checked in one place.

A schema is a dict {field name: rule}; a rule is one of the small classes
below (``Text``, ``Whole``, ``Number``, ``Flag``, ``ListOf``, ``Record``),
each with the type and range it accepts and whether null/absent is allowed.
``check(schema, data, fail)`` checks every field the schema names and
returns them; a field the schema does not name is left alone (the caller
decides whether such a field is allowed). Relations between fields, or with
the rest of the file (class_names has one name per output), are plain
functions the caller runs after ``check``.

Every refusal is ``fail(problem)``, the caller's exception naming its file;
the problem names the field (``metadata.image_shape[1]``), an excerpt of the
value seen (at most 80 characters) and what is accepted.

The schemas of bprop's files live beside their readers; the model file's
metadata (``MODEL_METADATA``) is here, because ``bprop.storage.modelfile``
checks it on save and on load.
"""

from __future__ import annotations

import math
import numbers

from .archive import is_sha256, short

MAX_NAME_LENGTH = 200  # a class name, a data set's name, a column's name
MAX_PATH_LENGTH = 4096
MAX_CLASSES = 100_000
MAX_IMAGE_SIDE = 65_536


class Rule:
    """A field's rule: ``check(value, name, fail)`` returns the value or raises ``fail(problem)``."""

    optional = False
    accepts = "a value"

    def check(self, value, name, fail):
        if value is None:
            if self.optional:
                return None
            raise fail(f"{name} is missing or null; it must be {self.accepts}")
        if not self.valid(value):
            raise fail(f"{name}={short(value)} is not {self.accepts}")
        return value

    def valid(self, value) -> bool:
        raise NotImplementedError


class Text(Rule):
    """A string of 1 … ``max_length`` characters."""

    def __init__(self, max_length=MAX_NAME_LENGTH, *, optional=False, choices=None):
        self.max_length, self.optional, self.choices = max_length, optional, choices
        self.accepts = (
            f"one of {', '.join(map(repr, choices))}" if choices else f"a string of 1 to {max_length:,} characters"
        )

    def valid(self, value) -> bool:
        if self.choices is not None:
            return isinstance(value, str) and value in self.choices
        return isinstance(value, str) and 0 < len(value) <= self.max_length


class Whole(Rule):
    """A whole number (not a bool, not a float) in low … high."""

    def __init__(self, low=0, high=None, *, optional=False):
        self.low, self.high, self.optional = low, high, optional
        self.accepts = f"a whole number in {low:,} … {high:,}" if high is not None else f"a whole number ≥ {low:,}"

    def valid(self, value) -> bool:
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and value >= self.low
            and (self.high is None or value <= self.high)
        )


class Number(Rule):
    """A finite real number (not a bool) in low … high; ``positive`` excludes low itself."""

    def __init__(self, low=-math.inf, high=math.inf, *, positive=False, optional=False):
        self.low, self.high, self.positive, self.optional = low, high, positive, optional
        bounds = [f"> {low:g}" if positive else (f"≥ {low:g}" if low > -math.inf else "")]
        bounds += [f"≤ {high:g}"] if high < math.inf else []
        self.accepts = " ".join(["a finite number", " and ".join(b for b in bounds if b)]).strip()

    def valid(self, value) -> bool:
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
            return False
        return (value > self.low if self.positive else value >= self.low) and value <= self.high


class Flag(Rule):
    accepts = "true or false"

    def __init__(self, *, optional=False):
        self.optional = optional

    def valid(self, value) -> bool:
        return isinstance(value, bool)


class Sha256(Rule):
    accepts = "a SHA-256 digest (64 lowercase hex digits)"

    def __init__(self, *, optional=False):
        self.optional = optional

    def valid(self, value) -> bool:
        return is_sha256(value)


class Figure(Rule):
    """A measured figure: a number, NaN or ±infinity included (a cost that overflowed), or null (not measured)."""

    accepts = "a number or null"
    optional = True

    def valid(self, value) -> bool:
        return isinstance(value, numbers.Real) and not isinstance(value, bool)


class ListOf(Rule):
    """A list of ``min_length`` … ``max_length`` items, each checked by ``item``."""

    def __init__(self, item, min_length=0, max_length=MAX_CLASSES, *, optional=False):
        self.item, self.min_length, self.max_length, self.optional = item, min_length, max_length, optional
        count = f"{min_length}" if min_length == max_length else f"{min_length:,} to {max_length:,}"
        self.accepts = f"a list of {count} items, each {item.accepts}"

    def check(self, value, name, fail):
        if value is None or not isinstance(value, list) or not self.min_length <= len(value) <= self.max_length:
            return super().check(value, name, fail)
        return [self.item.check(v, f"{name}[{i}]", fail) for i, v in enumerate(value)]

    def valid(self, value) -> bool:
        return False  # reached only for a value ``check`` did not accept


class Either(Rule):
    """A value that one of ``rules`` accepts (the first that does checks it)."""

    def __init__(self, *rules, optional=False):
        self.rules, self.optional = rules, optional
        self.accepts = " or ".join(rule.accepts for rule in rules)

    def check(self, value, name, fail):
        if value is None:
            return super().check(value, name, fail)
        for rule in self.rules:
            try:
                return rule.check(value, name, _Refused)
            except _Refused:
                continue
        raise fail(f"{name}={short(value)} is not {self.accepts}")


class _Refused(Exception):
    """What ``Either`` hands its rules as ``fail``: a refusal it catches to try the next rule."""


class Record(Rule):
    """A JSON object whose fields follow ``schema`` (other fields are left alone)."""

    accepts = "a JSON object"

    def __init__(self, schema, *, optional=False):
        self.schema, self.optional = schema, optional

    def check(self, value, name, fail):
        if value is None or not isinstance(value, dict):
            return super().check(value, name, fail)
        check(self.schema, value, fail, prefix=f"{name}.")
        return value  # as found: absent fields stay absent

    def valid(self, value) -> bool:
        return False


def check(schema, data, fail, prefix="") -> dict:
    """{field: checked value} of every field ``schema`` names (absent fields as None); ``fail`` refuses."""
    if not isinstance(data, dict):
        raise fail(f"{prefix.rstrip('.') or 'the file'} must be a JSON object, not {short(data)}")
    return {key: rule.check(data.get(key), prefix + key, fail) for key, rule in schema.items()}


# -- the metadata of a model file (the keys bprop gives a meaning to) ----------------

PREPROCESSING = {
    "kind": Text(),
    "n_features": Whole(1),
    "shift": ListOf(Number(), 1, 10**8),
    "scale": ListOf(Number(positive=True, low=0), 1, 10**8),
}

TRAINING_READ_BACK = {
    # What evaluate, predict and plot read from metadata["training"] (the run's
    # settings) to load the data set again; the rest of the settings is the run's record.
    "seed": Whole(0, 2**64 - 1, optional=True),
    "data_dir": Text(MAX_PATH_LENGTH, optional=True),
    "n": Whole(1, 10**9, optional=True),
    "noise": Number(0, 1e6, optional=True),
    "label_column": Text(MAX_NAME_LENGTH, optional=True),
}

MODEL_METADATA = {
    "dataset": Text(MAX_PATH_LENGTH, optional=True),
    "class_names": ListOf(Text(MAX_NAME_LENGTH), 0, MAX_CLASSES, optional=True),
    "image_shape": ListOf(Whole(1, MAX_IMAGE_SIDE), 2, 2, optional=True),
    "value_range": Number(0, 1e12, positive=True, optional=True),
    "preprocessing": Record(PREPROCESSING, optional=True),
    "training": Record(TRAINING_READ_BACK, optional=True),
}
"""metadata keys written by ``bprop train`` and read by evaluate, predict, plot and gradcheck.

Other keys are the caller's own (``net.save(path, metadata=...)``): they
must be JSON (finite numbers, bounded depth) and are not otherwise looked at.
"""


def model_metadata_problem(metadata, sizes) -> str | None:
    """What is wrong between ``metadata``'s checked fields and the network's ``sizes``, or None.

    class_names: one name per output (or two for one sigmoid output: a binary
    classifier), or none at all (regression). image_shape: height × width
    pixels, one per input. preprocessing: one shift and one scale per input.
    """
    n_in, n_out = sizes[0], sizes[-1]
    names = metadata.get("class_names")
    if names and len(names) != n_out and not (n_out == 1 and len(names) == 2):
        expected = f"{n_out}" + (" (or 2 for its single sigmoid output)" if n_out == 1 else "")
        return (
            f"metadata.class_names holds {len(names)} names, but the network has {n_out} outputs; it needs {expected}"
        )
    shape = metadata.get("image_shape")
    if shape and shape[0] * shape[1] != n_in:
        return f"metadata.image_shape={shape} is {shape[0] * shape[1]:,} pixels, but the network takes {n_in} inputs"
    pre = metadata.get("preprocessing")
    if pre:
        if pre["n_features"] != n_in:
            return f"metadata.preprocessing.n_features={pre['n_features']}, but the network takes {n_in} inputs"
        for key in ("shift", "scale"):
            if len(pre[key]) != n_in:
                return f"metadata.preprocessing.{key} holds {len(pre[key])} values, but the network takes {n_in} inputs"
    return None


# -- a training history (history.json, and the "history" of a checkpoint) ------------

MAX_EPOCHS = 10_000_000
MAX_LAYERS = 100_000

LAYER_STATS = {
    "layers": ListOf(Whole(2, MAX_LAYERS + 1), 0, MAX_LAYERS, optional=True),
    "mean_abs_delta": ListOf(ListOf(Figure(), 0, MAX_LAYERS), 0, MAX_EPOCHS, optional=True),
    "mean_abs_grad_w": ListOf(ListOf(Figure(), 0, MAX_LAYERS), 0, MAX_EPOCHS, optional=True),
}

HISTORY_LISTS = ("train_cost", "train_accuracy", "validation_cost", "validation_accuracy", "epoch_seconds")

HISTORY = {key: ListOf(Figure(), 0, MAX_EPOCHS, optional=True) for key in HISTORY_LISTS} | {
    "best_epoch": Whole(1, MAX_EPOCHS, optional=True),
    "stopped_early": Flag(optional=True),
    "layer_stats": Record(LAYER_STATS, optional=True),
}
"""``bprop.training.state.History.to_dict()``: one figure per epoch in each list (NaN kept: it is what was measured)."""


def history_problem(history, epochs=None) -> str | None:
    """What is wrong between the checked fields of a history, or None.

    Every list holds one figure per epoch (``epochs`` of them when given, else
    as many as train_cost), best_epoch is one of those epochs, and the
    per-layer figures hold one row per epoch with one figure per layer.
    """
    epochs = len(history.get("train_cost") or []) if epochs is None else epochs
    for key in HISTORY_LISTS:
        values = history.get(key) or []
        if len(values) != epochs:
            return f"history {key} holds {len(values)} figures, but the run has {epochs} epochs; it needs one per epoch"
    best = history.get("best_epoch")
    if best is not None and best > epochs:
        return f"history best_epoch={best}, but the run has only {epochs} epochs"
    stats = history.get("layer_stats") or {}
    layers = stats.get("layers") or []
    for key in ("mean_abs_delta", "mean_abs_grad_w"):
        rows = stats.get(key) or []
        if rows and (len(rows) != epochs or any(len(row) != len(layers) for row in rows)):
            return (
                f"history layer_stats.{key} must hold one row per epoch ({epochs}) with one figure per "
                f"layer ({len(layers)})"
            )
    return None
