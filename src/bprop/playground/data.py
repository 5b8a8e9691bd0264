"""A session's data: points of the plane with their classes or targets, and how to make them again.

``Data`` is an immutable record; every change (a point added or removed, an
upload) makes a new one, so that a session can keep or share its data without
copies going stale.

    points[part]   (m, 2) float64      (x₁, x₂) of each sample, part "train" or "test"
    y[part]        classification: (m,) int64 classes 0 … classes−1
                   regression:     (m, 1) float64 targets (the network's one output)
    task           "classification" or "regression"
    classes        the number of classes (None for regression)
    class_names    the name of each class (the labels of an upload, or "0", "1", …)
    extent         the plot's square [−e, e]²: it grows to hold added points, never shrinks
    source         "generated", "edited" (generated, then points added or removed) or "uploaded"
    recipe         how to make the data again: {"data": the generating settings,
                   "edits": the point edits in order}, or None for uploaded data

A point edit is ``["add", x1, x2, y, part]`` or ``["remove", x1, x2, part, within]``
(part and within None when not given); ``apply_edit`` replays one, so that a
shared link rebuilds the same arrays bit for bit.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace

import numpy as np

from .. import datasets
from ..datasets import toy
from .settings import MAX_SAMPLES, SettingError, check_regression, checked_settings

PARTS = ("train", "test")
TASKS = ("classification", "regression")
DATA_SETTINGS = ("dataset", "noise", "samples", "test_fraction", "classes", "seed")  # what generates the data
MAX_POINTS = MAX_SAMPLES  # train and test together, after edits or an upload
MAX_COORDINATE = 1e6  # |x₁|, |x₂| and |target|: beyond, x₁² and the costs lose all meaning


@dataclass(frozen=True, eq=False)
class Data:
    points: dict
    y: dict
    task: str
    classes: int | None
    class_names: list | None
    extent: float
    source: str
    recipe: dict | None

    @property
    def size(self) -> int:
        return sum(len(self.points[part]) for part in PARTS)

    def labels(self, part) -> list:
        """The classes (ints) or targets (floats) of ``part``, for JSON."""
        y = self.y[part]
        return y[:, 0].tolist() if self.task == "regression" else y.tolist()


def generated(s) -> Data:
    """The data set the settings ``s`` name, generated from ``s.seed``."""
    if s.dataset in toy.REGRESSION_GENERATORS:
        X_train, t_train, X_test, t_test = toy.make_toy_regression(
            s.dataset, n=s.samples, noise=s.noise, test_fraction=s.test_fraction, seed=s.seed
        )
        points, y = {"train": X_train, "test": X_test}, {"train": t_train[:, None], "test": t_test[:, None]}
        task, classes, names = "regression", None, None
    else:
        d = datasets.load(
            s.dataset,
            n=s.samples,
            noise=s.noise,
            test_fraction=s.test_fraction,
            seed=s.seed,
            n_classes=s.classes if s.dataset in ("spiral", "gaussians") else None,
        )
        points, y = {"train": d.X_train, "test": d.X_test}, {"train": d.y_train, "test": d.y_test}
        task, classes, names = "classification", d.n_classes, list(d.class_names)
    recipe = {"data": {key: getattr(s, key) for key in DATA_SETTINGS}, "edits": []}
    return Data(points, y, task, classes, names, extent_of(points), "generated", recipe)


def uploaded(points, y, task, class_names) -> Data:
    """Data from an upload (already checked: see ``uploads``)."""
    classes = None if task == "regression" else len(class_names)
    return Data(points, y, task, classes, class_names, extent_of(points), "uploaded", None)


def extent_of(points) -> float:
    """Half the side of the square the plot shows: 1.1 × the largest |coordinate|, rounded up to a half."""
    both = np.concatenate([points["train"], points["test"]])
    return float(np.ceil(np.abs(both).max() * 1.1 * 2) / 2)


# -- data kept from one session to the next -------------------------------------------------


def keep(data: Data, source_settings, body):
    """Settings for a new session that trains on ``data``, the data of a session with ``source_settings``.

    ``body`` is the new session's settings request without ``data_from``. The
    settings that made the data (``DATA_SETTINGS``) are taken from the source
    when left out, and refused when they differ (they would describe other
    data); a regression set refuses a classification cost.
    """
    source = {key: getattr(source_settings, key) for key in DATA_SETTINGS}
    if isinstance(body, dict):
        body = {**source, **{key: value for key, value in body.items() if not (key == "noise" and value is None)}}
    s = checked_settings(body, train_size=len(data.points["train"]))
    for key in DATA_SETTINGS:
        if getattr(s, key) != source[key]:
            raise SettingError(
                key,
                f"{key}={getattr(s, key)!r} would make other data than the session kept with data_from "
                f"({key}={source[key]!r}); leave out data_from to make new data, or leave out {key}.",
            )
    if data.task == "regression":
        check_regression(s.output, s.cost, "the data kept with data_from is a regression set")
    return s


# -- point edits ------------------------------------------------------------------------


def checked_add(data: Data, body) -> list:
    """The edit ``["add", x1, x2, y, part]`` from a request body {x1, x2, label | target, part}."""
    _object(body, {"x1", "x2", "label", "target", "part"})
    x1, x2 = _coordinate(body.get("x1"), "x1"), _coordinate(body.get("x2"), "x2")
    part = _part(body.get("part", "train"), optional=False)
    if data.task == "regression":
        if "label" in body:
            raise SettingError(
                "label", "this session's data is a regression set: give the point a real target, not a label."
            )
        y = _coordinate(body.get("target"), "target")
    else:
        if "target" in body:
            raise SettingError(
                "target", f"this session's data has {data.classes} classes: give the point a label, not a target."
            )
        y = body.get("label")
        if isinstance(y, bool) or not isinstance(y, numbers.Integral) or not 0 <= y < data.classes:
            raise SettingError(
                "label", f"label={y!r} is not a class of this data; use a whole number from 0 to {data.classes - 1}."
            )
        y = int(y)
    if data.size >= MAX_POINTS:
        raise SettingError(
            "x1",
            f"the data already holds {data.size} points, the most a session may have; remove some first.",
            zh=f"数据已有 {data.size} 个点，这是一个会话的上限；请先删除一些。",
        )
    return ["add", x1, x2, y, part]


def checked_remove(body) -> list:
    """The edit ``["remove", x1, x2, part, within]`` from a request body {x1, x2, part?, within?}."""
    _object(body, {"x1", "x2", "part", "within"})
    x1, x2 = _coordinate(body.get("x1"), "x1"), _coordinate(body.get("x2"), "x2")
    part = _part(body.get("part"), optional=True)
    within = body.get("within")
    if within is not None:
        within = _coordinate(within, "within")
        if within <= 0:
            raise SettingError("within", f"within={within!r} must be a distance greater than 0 (or left out).")
    return ["remove", x1, x2, part, within]


def apply_edit(data: Data, edit) -> tuple[Data, dict]:
    """(the data after ``edit``, what changed: {"added" | "removed": {x1, x2, label | target, part, index}})."""
    kind, x1, x2 = edit[0], edit[1], edit[2]
    points, y = dict(data.points), dict(data.y)
    if kind == "add":
        _, _, _, value, part = edit
        points[part] = np.concatenate([points[part], np.array([[x1, x2]], dtype=np.float64)])
        row = np.array([[value]], dtype=np.float64) if data.task == "regression" else np.array([value], dtype=np.int64)
        y[part] = np.concatenate([y[part], row])
        change = {"added": _point(part, len(y[part]) - 1, points, y, data.task)}
        extent = max(data.extent, extent_of(points))
    else:
        _, _, _, only, within = edit
        part, index, distance = _nearest(points, (x1, x2), only)
        if within is not None and distance > within:
            raise SettingError(
                "within",
                f"the point nearest to ({x1:g}, {x2:g}) is {distance:.3g} away, farther than within={within:g}; "
                "nothing was removed.",
                status=404,
            )
        if len(points[part]) == 1:
            part_zh = {"train": "训练集", "test": "测试集"}[part]
            raise SettingError(
                "part",
                f"that point is the last of the {part} set, which needs at least one point.",
                zh=f"这是{part_zh}的最后一个点，{part_zh}至少需要一个点。",
            )
        change = {"removed": _point(part, index, points, y, data.task)}
        points[part] = np.delete(points[part], index, axis=0)
        y[part] = np.delete(y[part], index, axis=0)
        extent = data.extent
    recipe = None if data.recipe is None else {**data.recipe, "edits": [*data.recipe["edits"], list(edit)]}
    source = "uploaded" if data.source == "uploaded" else "edited"
    return replace(data, points=points, y=y, extent=extent, source=source, recipe=recipe), change


def _nearest(points, xy, only) -> tuple[str, int, float]:
    """(part, row, distance) of the point nearest to ``xy`` (the first on a tie, train before test)."""
    best = None
    for part in PARTS if only is None else (only,):
        d = np.hypot(points[part][:, 0] - xy[0], points[part][:, 1] - xy[1])
        i = int(np.argmin(d))
        if best is None or d[i] < best[2]:
            best = (part, i, float(d[i]))
    return best


def _point(part, index, points, y, task) -> dict:
    x1, x2 = points[part][index]
    key = "target" if task == "regression" else "label"
    value = float(y[part][index, 0]) if task == "regression" else int(y[part][index])
    return {"x1": float(x1), "x2": float(x2), key: value, "part": part, "index": index}


# -- the data as CSV ----------------------------------------------------------------------


def to_csv(data: Data) -> str:
    """The data as CSV text: x1,x2,label (or target),part; the upload reads it back unchanged.

    Numbers are written with repr, which reads back as the same float64.
    """
    key = "target" if data.task == "regression" else "label"
    lines = [f"x1,x2,{key},part"]
    for part in PARTS:
        for (x1, x2), value in zip(data.points[part].tolist(), data.labels(part)):
            label = repr(value) if data.task == "regression" else _csv_cell(data.class_names[value])
            lines.append(f"{x1!r},{x2!r},{label},{part}")
    return "\n".join(lines) + "\n"


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text


# -- checks of request bodies ---------------------------------------------------------------


def _object(body, keys) -> None:
    if not isinstance(body, dict):
        raise SettingError("body", f"the request body must be a JSON object with {', '.join(sorted(keys))}.")
    unknown = [key for key in body if key not in keys]
    if unknown:
        raise SettingError(unknown[0], f"{unknown[0]!r} is not known here; use some of {', '.join(sorted(keys))}.")


def _coordinate(value, name) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise SettingError(name, f"{name} must be a finite number, got {value!r}.")
    if abs(value) > MAX_COORDINATE:
        raise SettingError(
            name,
            f"{name}={value!r} is out of range; use a number between ±{MAX_COORDINATE:g}.",
            zh=f"{name}={value!r} 超出范围；请用 ±{MAX_COORDINATE:g} 之内的数。",
        )
    return float(value)


def _part(value, optional) -> str | None:
    if value is None and optional:
        return None
    if value not in PARTS:
        raise SettingError("part", f"part={value!r} is not known; use train or test.")
    return value
