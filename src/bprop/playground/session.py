"""One playground session: a data set, a network, an optimizer, and where training stands.

The server owns this state; the browser only draws what ``state()`` returns.
Training is mini-batch gradient descent as ``bprop.train`` does it — per
batch ``net.backprop`` (BP1–BP4, with the L2 and L1 terms, and dropout masks
m^l/(1−p) drawn from the session's generator, as ``bprop.train`` draws them
from its shuffling one) then ``optimizer.step`` — but run a few
batches per request, so that the page can redraw between them; its own short
loop, because an epoch may span many requests. Nothing here
computes a gradient: it calls the core and reshapes the results for JSON.

All numerics run under ``np.errstate(all="ignore")``: a learning rate that makes
the network diverge is a normal thing to try in a playground, so an overflow
becomes a ``diverged`` message (the weights of the start of the request are
kept), never an exception.

The data is a ``data.Data`` record (generated from the settings, edited point by
point, or uploaded). Every change a session goes through after it is built is
appended to ``log`` (``["step", n]``, ``["reset", seed]``, ``["points", edit]``,
``["set", layer, j, k, value]``), so that ``share`` can rebuild it bit for bit
by calling the same methods again; an upload or an imported model cannot be
replayed from a short string and sets ``unshareable`` to the reason. The
state's ``network`` says where the weights came from: "initialized" (from the
seed; a reset) or "imported" (a model file), so that a page whose session was
lost knows to import its model again.
"""

from __future__ import annotations

import base64
import math
import threading
import time
import warnings

import numpy as np

from ..core import optimizers
from ..core.dropout import draw_masks
from ..core.network import Network
from ..training.loop import EXPLOSION_FACTOR
from ..training.state import snapshot
from . import data as session_data
from . import features as feature_map
from .settings import SettingError, Settings

BOUNDARY_SIZE = 48  # the decision-boundary image: BOUNDARY_SIZE² points of a^L
NEURON_SIZE = 16  # each neuron's thumbnail: NEURON_SIZE² points of a^l_j
MAX_HISTORY = 400  # cost-curve points kept; beyond, every other one is dropped
MAX_BATCHES = 1000  # batches one step request may train
MAX_LOG = 5000  # changes a session records for its shareable link; beyond, it cannot be shared
# What a step changes, and so all that a step answers (``frame``); the rest of ``state`` stays as it was.
FRAME_KEYS = (
    "id",
    "batches",
    "epochs",
    "epoch",
    "costs",
    "history",
    "diverged",
    "unshareable",
    "next_batch",
    "weights",
    "biases",
)


class Session:
    """A training session. Callers hold ``lock`` around every method but ``__init__``."""

    def __init__(self, sid: str, settings: Settings, now: float | None = None, data=None):
        """``data``: a ``data.Data`` to train on (a copy of another session's); default, generated from ``settings``."""
        self.id = sid
        self.settings = settings
        self.lock = threading.Lock()
        self.last_used = time.monotonic() if now is None else now
        self.log, self.unshareable = [], None
        self._use_data(session_data.generated(settings) if data is None else data)
        self.origin = self.data.recipe  # how the data was made before this session: what a link rebuilds first
        self._fresh(None)

    def _use_data(self, data) -> None:
        """Train on ``data`` from now on: the feature columns, the pictures' grids, the number of outputs."""
        s = self.settings
        self.data = data
        self.classes, self.task = data.classes, data.task
        self.points = data.points
        self.y_train, self.y_test = data.y["train"], data.y["test"]
        self.X_train = feature_map.transform(data.points["train"], s.features)
        self.X_test = feature_map.transform(data.points["test"], s.features)
        self.extent = data.extent  # the square [−e, e]², in halves
        self.boundary_inputs = feature_map.transform(_grid(self.extent, BOUNDARY_SIZE), s.features)
        self.neuron_inputs = feature_map.transform(_grid(self.extent, NEURON_SIZE), s.features)
        if self.task == "regression":
            self.n_outputs = 1
        else:
            self.n_outputs = self.classes if (s.output == "softmax" or self.classes > 2) else 1

    # -- training ------------------------------------------------------------

    def reset(self, seed: int | None = None) -> None:
        """Fresh weights (from ``seed``, default the session's), optimizer and history; same data."""
        self._fresh(seed)
        self._log(["reset", seed])

    def _fresh(self, seed, net=None) -> None:
        """``net`` (default: a new one from ``seed``), a fresh optimizer, batch order and history."""
        s = self.settings
        seed = s.seed if seed is None else seed
        self.network = "initialized" if net is None else "imported"  # the page imports it again into a lost session
        self.net = (
            net
            if net is not None
            else Network(
                [len(s.features), *s.hidden, self.n_outputs],
                activation=s.activation,
                output=s.output,
                cost=s.cost,
                init=s.init,
                seed=seed,
                dtype="float64",
            )
        )
        self.optimizer = optimizers.BUILTIN[s.optimizer](lr=s.learning_rate)
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(self.y_train))
        self.cursor = 0  # where the next batch starts in self.order
        self.batches = 0  # t: batches trained
        self.epochs = 0  # full passes over the training set
        self.diverged = None
        self.history = {"batch": [], "train": [], "test": []}
        self._record()
        # bprop.train's factor, against the cost before training (at least 1) rather than the first
        # epoch's mean: a request may end long before an epoch does.
        self.explosion_limit = EXPLOSION_FACTOR * max(1.0, self.costs["train"] or 1.0)

    def next_batch(self) -> np.ndarray:
        """Training-set rows of the batch the next step will train on."""
        return self.order[self.cursor : self.cursor + self.settings.batch_size]

    def step(self, batches: int) -> None:
        """Train ``batches`` mini-batches (backprop, then the optimizer's step), then record the costs."""
        if isinstance(batches, bool) or not isinstance(batches, int) or not 1 <= batches <= MAX_BATCHES:
            raise SettingError(
                "batches", f"batches={batches!r} is out of range; use a whole number between 1 and {MAX_BATCHES}."
            )
        if self.diverged:
            return
        net, m, s = self.net, len(self.y_train), self.settings
        rates = [s.dropout] * (len(net.sizes) - 2) if s.dropout else None  # p of each hidden layer
        start = snapshot(net)
        with np.errstate(all="ignore"):
            for _ in range(batches):
                rows = self.next_batch()
                masks = None if not rates else draw_masks(rates, net.sizes, len(rows), self.rng, net.dtype)
                grads = net.backprop(self.X_train[rows], self.y_train[rows], l2=s.l2, n=m, l1=s.l1, masks=masks)
                if not abs(grads.cost) <= self.explosion_limit:  # NaN, ±∞, or exploded
                    self._diverge(start, f"the cost became {grads.cost:.4g} at batch {self.batches + 1}")
                    break
                self.optimizer.step(net, grads)
                self.batches += 1
                self.cursor += len(rows)
                if self.cursor >= m:
                    self.order, self.cursor = self.rng.permutation(m), 0
                    self.epochs += 1
            if not self.diverged and not all(np.isfinite(w).all() for w in net.weights):
                self._diverge(start, f"a step made a weight NaN or infinite by batch {self.batches}")
        self._log_step(batches)
        self._record()

    def _log_step(self, batches) -> None:
        """Record a step request after it ran; a run of requests that did not diverge is one entry.

        Batches follow each other the same way whether they come in one request
        or several, so a run replays as one; a request that diverged restored
        the weights of its own start, so it stays an entry of its own.
        """
        last = self.log[-1] if self.log else None
        if last is not None and last[0] == "step" and not self.diverged:
            last[1] += batches
        else:
            self._log(["step", batches])

    def _log(self, entry) -> None:
        if self.unshareable is not None:
            return
        if len(self.log) >= MAX_LOG:
            self.unshareable = f"it went through more than {MAX_LOG} changes"
            self.log = []
            return
        self.log.append(entry)

    def _diverge(self, start, what) -> None:
        self.net.weights, self.net.biases = start
        self.diverged = (
            f"{what}: training diverged, and the weights from before this step were kept. "
            f"Try a smaller learning rate (now {self.settings.learning_rate:g}), then reset."
        )

    def _record(self) -> None:
        with np.errstate(all="ignore"):
            train = self.net.evaluate(self.X_train, self.y_train)
            test = self.net.evaluate(self.X_test, self.y_test)
        self.costs = {
            "train": _finite(train[0]),
            "test": _finite(test[0]),
            "train_accuracy": _finite(train[1]),
            "test_accuracy": _finite(test[1]),
        }
        h = self.history
        h["batch"].append(self.batches)
        h["train"].append(self.costs["train"])
        h["test"].append(self.costs["test"])
        if len(h["batch"]) > MAX_HISTORY:
            for key in h:  # 401 points: keeps the first and the last
                h[key] = h[key][::2]

    # -- changes besides training: each one logged, so that a link can replay it ----------

    def edit_points(self, edit) -> dict:
        """Apply a checked point edit (``data.checked_add`` or ``checked_remove``); returns what changed.

        The features follow the points; when the training set changed, the
        batch order is drawn again from the session's generator.
        """
        data, change = session_data.apply_edit(self.data, edit)
        self._use_data(data)
        if next(iter(change.values()))["part"] == "train":
            self.order, self.cursor = self.rng.permutation(len(self.y_train)), 0
        self._log(["points", list(edit)])
        self._record()
        return change

    def set_parameter(self, layer: int, j: int, k: int | None, value: float) -> None:
        """w^l_jk = value (b^l_j when k is None); indices count from 1, as in the notation (checked by the caller)."""
        if k is None:
            self.net.biases[layer - 2][j - 1] = value
        else:
            self.net.weights[layer - 2][j - 1, k - 1] = value
        self._log(["set", layer, j, k, value])
        self._record()

    def replace_data(self, data, settings: Settings) -> None:
        """Train on ``data`` (an upload) with ``settings`` (its output and cost fitted to it): a new network."""
        self.settings = settings
        self._use_data(data)
        self._fresh(None)
        self._cannot_share("its data was uploaded (export the data as CSV to pass it on)")

    def use_network(self, net: Network, settings: Settings) -> None:
        """Train ``net`` (an imported model, checked to fit the data) from here, with ``settings`` describing it."""
        self.settings = settings
        self._fresh(None, net=net)
        self._cannot_share("its network was imported from a model file (export the model to pass it on)")

    def _cannot_share(self, why) -> None:
        self.unshareable, self.log = why, []

    # -- what the browser draws ----------------------------------------------------

    def state(self, data: bool = False) -> dict:
        """The JSON the page draws from; ``data`` adds the train and test points (sent once per session)."""
        net, s = self.net, self.settings
        outputs, activations = self._pictures()
        state = {
            **self._changing(),
            "settings": s.to_dict(),
            "sizes": list(net.sizes),
            "feature_labels": feature_map.labels(s.features),
            "task": self.task,
            "classes": self.classes,
            "class_names": self.data.class_names,
            "data_source": self.data.source,
            "network": self.network,
            "counts": {part: len(self.points[part]) for part in session_data.PARTS},
            "extent": self.extent,
            "boundary": {"size": BOUNDARY_SIZE, "outputs": self.n_outputs, "values": _rounded(outputs, 3)},
            "neurons": {"size": NEURON_SIZE, "layers": [_rounded(a.T, 2) for a in activations]},
        }
        if data:  # the points exactly (repr floats read back as the same float64), so the page can send them again
            state["data"] = {
                part: {"points": self.points[part].tolist(), "labels": self.data.labels(part)}
                for part in session_data.PARTS
            }
            state["data"]["edits"] = None if self.data.recipe is None else self.data.recipe["edits"]
        return state

    def frame(self) -> dict:
        """What a step changed, compactly: the answer to each training frame (~20× smaller than ``state``).

        The keys of ``FRAME_KEYS`` as ``state`` has them, and the two pictures
        as bytes: ``boundary`` is {size, outputs, packed} with one ``_packed`` row
        per output (the page puts them back cell by cell, as ``state`` sends
        them), ``neurons`` is {size, layers: [packed]} with one row per neuron of
        the layer. Everything else (settings, sizes, labels, the extent, the
        points) cannot change in a step; the page keeps it from ``state``.
        """
        outputs, activations = self._pictures()
        frame = self._changing()
        frame["boundary"] = {"size": BOUNDARY_SIZE, "outputs": self.n_outputs, "packed": _packed(outputs.T)}
        frame["neurons"] = {"size": NEURON_SIZE, "layers": [_packed(a.T) for a in activations]}
        return frame

    def _changing(self) -> dict:
        """The part of ``state`` that a step changes, besides the pictures: the keys of ``FRAME_KEYS``."""
        return {
            "id": self.id,
            "batches": self.batches,
            "epochs": self.epochs,
            "epoch": self.epochs + self.cursor / len(self.y_train),
            "costs": self.costs,
            "history": self.history,
            "diverged": self.diverged,
            "unshareable": self.unshareable,
            "next_batch": self.next_batch().tolist(),
            "weights": [_rounded(w, 4) for w in self.net.weights],
            "biases": [_rounded(b, 4) for b in self.net.biases],
        }

    def _pictures(self):
        """(a^L over the boundary grid (G², n_L), [a^l over the neuron grid (g², n_l) for every layer])."""
        with np.errstate(all="ignore"):
            outputs = self.net.feedforward(self.boundary_inputs)
            _, activations = self.net.forward(self.neuron_inputs)
        return outputs, activations


def _packed(rows) -> dict:
    """Each row of ``rows`` as bytes: {lo, hi, bytes}, value ≈ lo + byte / 255 · (hi − lo).

    ``lo`` and ``hi`` (a list, one per row) are the row's least and greatest
    value to 4 significant digits; ``bytes`` is base64 of the rows' uint8
    codes, row after row. The page draws each picture with 8-bit colour, so
    a step of (hi − lo) / 255 is finer than what it shows. NaN and ±∞
    (a diverging network) are sent as lo.
    """
    rows = np.asarray(rows, dtype=np.float64)
    finite = np.isfinite(rows)
    safe = np.where(finite, rows, np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a row with no finite value
        lo = np.nan_to_num(np.nanmin(safe, axis=1), nan=0.0)
        hi = np.nan_to_num(np.nanmax(safe, axis=1), nan=0.0)
    lo = np.array([float(f"{v:.4g}") for v in lo])
    hi = np.array([float(f"{v:.4g}") for v in hi])
    span = np.where(hi > lo, hi - lo, 1.0)
    codes = np.clip(np.rint((np.where(finite, rows, lo[:, None]) - lo[:, None]) / span[:, None] * 255), 0, 255)
    return {
        "lo": lo.tolist(),
        "hi": hi.tolist(),
        "bytes": base64.b64encode(codes.astype(np.uint8).tobytes()).decode("ascii"),
    }


def _grid(extent, size) -> np.ndarray:
    """(size², 2) points of the square [−extent, extent]², row by row from the top (x₂ = +extent)."""
    ticks = np.linspace(-extent, extent, size)
    x1, x2 = np.meshgrid(ticks, ticks[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def _finite(x):
    """A float for JSON: None for None, NaN and ±∞ (JSON has no such numbers)."""
    return None if x is None or not math.isfinite(x) else float(x)


def _rounded(array, decimals):
    """Nested lists of floats for JSON, NaN and ±∞ as None."""
    array = np.round(np.asarray(array, dtype=np.float64), decimals)
    if np.isfinite(array).all():
        return array.tolist()
    return _none_for_nan(array.tolist())


def _none_for_nan(x):
    if isinstance(x, list):
        return [_none_for_nan(v) for v in x]
    return None if not math.isfinite(x) else x
