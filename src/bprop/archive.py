"""The file layout shared by model files and checkpoints: a ZIP of .npy arrays and a JSON header.

Every member is stored uncompressed (floats barely compress, and a stored
member cannot be a zip bomb) with a fixed 1980 timestamp, so the same state
gives the same bytes; each array is written with ``allow_pickle=False`` and
its SHA-256 recorded in ``header.json``, which is written last.
"""

from __future__ import annotations

import hashlib
import json
import zipfile

import numpy as np
from numpy.lib import format as npy_format

HEADER_NAME = "header.json"
NPY_HEADER_ALLOWANCE = 4096           # bytes a member may hold beyond its array data


def write_archive(f, header: dict, arrays, **json_options) -> None:
    """Write ``arrays`` (pairs of name and array) and then ``header`` with an "arrays" table of checksums."""
    table = {}
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
        for key, array in arrays:
            array = np.ascontiguousarray(array)
            big = array.nbytes + NPY_HEADER_ALLOWANCE > zipfile.ZIP64_LIMIT
            with zf.open(member_info(key + ".npy"), "w", force_zip64=big) as member:
                sink = HashingWriter(member)
                npy_format.write_array(sink, array, allow_pickle=False)
            table[key] = {"shape": list(array.shape), "dtype": array.dtype.name, "sha256": sink.sha256.hexdigest()}
        text = json.dumps({**header, "arrays": table}, ensure_ascii=False, **json_options)
        zf.writestr(member_info(HEADER_NAME), text.encode("utf-8"))


def member_info(name) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)          # fixed 1980 timestamp: the same state gives the same bytes
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


class HashingWriter:
    """A write-only stream that hashes what passes through it."""

    def __init__(self, stream):
        self._stream = stream
        self.sha256 = hashlib.sha256()

    def write(self, data):
        self.sha256.update(data)
        return self._stream.write(data)


def bprop_version() -> str:
    from . import __version__

    return __version__


def difference(expected, found) -> str:
    """'missing: [...]; unexpected: [...]', naming only what is there."""
    missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
    parts = [f"{what}: {short(names)}" for what, names in (("missing", missing), ("unexpected", extra)) if names]
    return "; ".join(parts)


def short(value, limit=80) -> str:
    """repr(value), cut to ``limit`` characters for a message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"
