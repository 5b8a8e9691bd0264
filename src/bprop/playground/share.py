"""A shareable link: the whole setup of a session in one short URL-safe string, replayed bit for bit.

``encode(session)`` packs what made the session — its settings (data seed,
data set, noise, samples, classes, features, layers, the σ of each hidden
layer and the output's, cost, optimizer, η, batch size, L2, L1, dropout, init), the point edits its data went
through before it was built, and its ``log`` (steps, resets, point edits,
hand-set weights, in order) — as compact JSON, deflated, in base64url:

    "1." + base64url(zlib(json {"v": 1, "s": settings, "e": data edits, "o": log}))

A link made before a setting existed leaves it out and opens with its
default (one σ for all hidden layers, no L1, no dropout): the same setup.

``restore(sid, text)`` checks the string, rebuilds the data and the session
from the settings, and replays every entry by calling the same ``Session``
methods with the same arguments. The arithmetic is the same, in the same
order, so the restored weights equal the original's bit for bit on the same
server (JSON numbers are written with repr, which reads back as the same
float64; another machine's BLAS may round a product differently).

Bounds, so that a link cannot make the server work for long: at most
``MAX_CHARS`` characters, ``MAX_JSON`` bytes once inflated, ``session.MAX_LOG``
entries, ``MAX_REPLAY_BATCHES`` batches in all and ``MAX_REPLAY_SAMPLES``
samples (batches × batch size). Measured on this project's shared 2-core
machines, a link at a bound replays in about 5 s: 20,000 batches of 10 for a
[2, 4, 4, 1] network (5.0 s), 2,000 batches of 1,000 for six hidden layers of
16 (3.2 s); 20,000 batches of 100 there took 11 s, hence the bound on samples.
A session beyond them, or one whose data was uploaded or whose network was
imported, cannot be shared (409, saying why: export the model or the data
instead).
"""

from __future__ import annotations

import base64
import binascii
import json
import numbers
import re
import zlib

from . import data as session_data
from . import edits
from .session import MAX_BATCHES, MAX_LOG, Session
from .settings import DATASETS, SettingError, checked_settings

VERSION = 1
PREFIX = f"{VERSION}."
MAX_CHARS = 12_000  # the string; a request body of 16 KiB holds it
MAX_JSON = 256 * 1024  # bytes once inflated
MAX_REPLAY_BATCHES = 20_000
MAX_REPLAY_SAMPLES = 1_000_000
ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def encode(session) -> dict:
    """{"share": the string, "batches": batches replayed, "chars": its length}; SettingError 409 when it cannot be shared."""
    why = session.unshareable
    origin = session.origin
    if why is None and origin is None:
        why = "its data was uploaded (export the data as CSV to pass it on)"
    if why is None and len(origin["edits"]) > MAX_LOG:
        why = f"its data went through more than {MAX_LOG} point edits (export the data as CSV instead)"
    if why is None:
        batches = _replay_batches(session.log)
        if batches > MAX_REPLAY_BATCHES or batches * session.settings.batch_size > MAX_REPLAY_SAMPLES:
            why = (
                f"it trained {batches} batches of {session.settings.batch_size}; a link replays at most "
                f"{MAX_REPLAY_BATCHES} batches and {MAX_REPLAY_SAMPLES:,} samples (reset, or export the model instead)"
            )
    if why is not None:
        raise SettingError("id", f"this session cannot be shared as a link: {why}.", status=409)
    payload = {"v": VERSION, "s": session.settings.to_dict(), "e": origin["edits"], "o": session.log}
    raw = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
    text = PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
    if len(text) > MAX_CHARS:
        raise SettingError(
            "id",
            f"this session's link would be {len(text)} characters, more than {MAX_CHARS}: it went through too many "
            "edits. Export the model or the data instead.",
            status=409,
        )
    return {"share": text, "batches": batches, "chars": len(text)}


def restore(sid: str, text) -> Session:
    """A new session ``sid`` rebuilt from a string of ``encode``; SettingError ("share") for anything malformed."""
    payload = _payload(text)
    try:
        settings = checked_settings(payload["s"])
    except SettingError as error:
        raise _refused(f"its setting {error.parameter} is refused: {error.message}") from None
    steps = [entry for entry in payload["o"] if entry[0] == "step"]
    if not all(len(entry) == 2 and _whole(entry[1:]) and entry[1] >= 1 for entry in steps):
        raise _refused("a step count in it is not a whole number of at least 1")
    batches = _replay_batches(payload["o"])
    if batches > MAX_REPLAY_BATCHES or batches * settings.batch_size > MAX_REPLAY_SAMPLES:
        raise _refused(
            f"it replays {batches} batches of {settings.batch_size}; a link may replay at most "
            f"{MAX_REPLAY_BATCHES} batches and {MAX_REPLAY_SAMPLES:,} samples"
        )
    session = Session(sid, settings, data=edited_data(settings, payload["e"]))
    for entry in payload["o"]:
        _replay(session, entry)
    return session


def edited_data(settings, edits) -> session_data.Data:
    """The data ``settings`` generate, with the point edits ``edits`` (a data record's ``recipe["edits"]``) replayed.

    The same arrays, bit for bit, as the session whose edits they were: a link
    rebuilds its data so, and so does a page that recreates a lost session.
    """
    if not isinstance(edits, list) or len(edits) > MAX_LOG:
        raise _refused(f"its point edits are not a list of at most {MAX_LOG}")
    data = session_data.generated(settings)
    for entry in edits:
        try:
            data, _ = session_data.apply_edit(data, _point_edit(data, entry))
        except SettingError as error:
            if error.parameter == "share":
                raise
            raise _refused(f"its point edit {entry!r} cannot be replayed ({error.message})") from None
    return data


def _payload(text) -> dict:
    if not isinstance(text, str):
        raise _refused(f"expected the link's string, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise _refused(f"it has {len(text)} characters; a link has at most {MAX_CHARS}")
    if not text.startswith(PREFIX) or not ALPHABET.fullmatch(text[len(PREFIX) :]):
        raise _refused(f"it does not start with {PREFIX!r} followed by base64url characters (A–Z, a–z, 0–9, - and _)")
    body = text[len(PREFIX) :]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_JSON)
        if inflater.unconsumed_tail:
            raise _refused(f"it inflates to more than {MAX_JSON} bytes")
        if not inflater.eof:
            raise ValueError("cut short")
        payload = json.loads(raw)
    except (binascii.Error, zlib.error, ValueError, RecursionError) as error:
        if isinstance(error, SettingError):
            raise
        raise _refused("it is damaged (cut short or altered): copy the whole link again") from None
    if not isinstance(payload, dict) or set(payload) != {"v", "s", "e", "o"}:
        raise _refused("its content is not a playground setup")
    if payload["v"] != VERSION:
        raise _refused(f"it is of version {payload['v']!r}; this playground reads version {VERSION}")
    if not isinstance(payload["s"], dict) or payload["s"].get("dataset") not in DATASETS:
        raise _refused("its settings are missing or name an unknown data set")
    for key in ("e", "o"):
        if not isinstance(payload[key], list) or len(payload[key]) > MAX_LOG:
            raise _refused(f"its list {key!r} is not a list of at most {MAX_LOG} entries")
        if not all(isinstance(entry, list) and entry and isinstance(entry[0], str) for entry in payload[key]):
            raise _refused(f"its list {key!r} holds entries that are not changes")
    return payload


def _replay_batches(log) -> int:
    """The batches a log trains, its step entries checked to be whole numbers ≥ 1 (``restore``)."""
    return sum(entry[1] for entry in log if entry[0] == "step")


def _replay(session, entry) -> None:
    """Call the session method that made ``entry``, its arguments checked as a request's would be."""
    kind, args = entry[0], entry[1:]
    try:
        if kind == "step" and len(args) == 1 and _whole(args) and args[0] >= 1:
            left = args[0]
            while left:  # a logged run of steps may exceed one request's MAX_BATCHES; only its last request can diverge
                session.step(min(left, MAX_BATCHES))
                left -= min(left, MAX_BATCHES)
        elif kind == "reset" and len(args) == 1 and (args[0] is None or _whole(args)):
            if args[0] is not None and not 0 <= args[0] < 2**32:
                raise SettingError("seed", f"seed={args[0]!r} is out of range")
            session.reset(args[0])
        elif kind == "points" and len(args) == 1 and isinstance(args[0], list):
            session.edit_points(_point_edit(session.data, args[0]))
        elif kind == "set" and len(args) == 4:
            layer, j, k, value = args
            session.set_parameter(*edits.checked(session, {"layer": layer, "j": j, "k": k, "value": value}))
        else:
            raise SettingError(None, f"{entry!r} is not a change the playground makes")
    except SettingError as error:
        if error.parameter == "share":
            raise
        raise _refused(f"its change {entry!r} cannot be replayed ({error.message})") from None


def _point_edit(data, entry) -> list:
    """A logged point edit, checked again as the request that made it was."""
    if not isinstance(entry, list) or len(entry) != 5 or entry[0] not in ("add", "remove"):
        raise _refused(f"{entry!r} is not a point edit")
    _, x1, x2, third, fourth = entry
    if entry[0] == "add":
        key = "target" if data.task == "regression" else "label"
        return session_data.checked_add(data, {"x1": x1, "x2": x2, key: third, "part": fourth})
    body = {"x1": x1, "x2": x2, **({"part": third} if third is not None else {})}
    return session_data.checked_remove({**body, **({"within": fourth} if fourth is not None else {})})


def _whole(values) -> bool:
    return all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values)


def _refused(why) -> SettingError:
    return SettingError("share", f"the shared link cannot be opened: {why}.")
