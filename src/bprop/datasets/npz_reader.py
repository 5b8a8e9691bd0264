"""NPZ files read without trusting them: no pickle, sizes checked before reading.

An NPZ file is a ZIP archive of ``.npy`` members. ``np.load`` allocates the
array its header declares before reading a byte of data, so a 1 KB file can
claim gigabytes; here each member's header is read first, its declared size
is checked against ``MAX_BYTES`` and against the member's size in the archive,
and the data is then read in chunks, so memory follows what the file really
delivers. Object dtypes (which need pickle) are refused.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..storage.archive import NPY_HEADER_ERRORS, read_npy_header
from ..storage.files import open_regular

MAX_BYTES = 2**31
"""The largest array (in bytes) read from an NPZ file."""
_CHUNK = 1 << 20
_MAX_HEADER_BYTES = 10_000


def read_npz_arrays(path: Path, names: tuple[str, ...], *, required: tuple[str, ...], max_bytes: int = MAX_BYTES):
    """{name: array} for each of ``names`` present in the NPZ file (all of ``required`` must be)."""
    try:
        with open_regular(path, "NPZ data file", None) as raw, zipfile.ZipFile(raw) as archive:
            members = {}
            for info in archive.infolist():
                key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
                if key in members:
                    raise DataError(f"{path} holds the array {key!r} twice; the file is corrupt or crafted.")
                members[key] = info
            missing = [k for k in required if k not in members]
            if missing:
                held = ", ".join(repr(k[:40]) for k in list(members)[:10]) or "nothing"
                raise DataError(
                    f"{path} lacks the array(s) {', '.join(missing)}; it holds {held}. Save it with "
                    "np.savez(path, X=features, y=labels)."
                )
            return {k: _read_member(archive, members[k], path, max_bytes) for k in names if k in members}
    except zipfile.BadZipFile as e:
        raise DataError(f"{path}: cannot be read as an NPZ file ({e}); save it with np.savez.") from None
    except (OSError, EOFError, zlib.error, NotImplementedError) as e:
        raise DataError(f"{path}: cannot be read as an NPZ file ({e}); it is damaged, save it again.") from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path, max_bytes: int) -> np.ndarray:
    """The array of one .npy member, its header checked before its data is read."""
    where = f"{path}, array {info.filename!r}"
    with archive.open(info) as f:
        try:
            shape, fortran_order, dtype = read_npy_header(f, _MAX_HEADER_BYTES)
        except NPY_HEADER_ERRORS as e:
            raise DataError(
                f"{where} is not a .npy array ({str(e)[:80] or type(e).__name__}); save the file with np.savez."
            ) from None
        if dtype.itemsize == 0:
            raise DataError(f"{where} has dtype {dtype}, whose items hold no bytes; save numbers or strings.")
        if dtype.hasobject:
            raise DataError(
                f"{where} holds Python objects (dtype {dtype}), which would need pickle to read; "
                "save plain numeric arrays (labels as integers or strings)."
            )
        n_bytes = math.prod(shape) * dtype.itemsize
        if n_bytes > max_bytes or n_bytes > info.file_size:
            raise DataError(
                f"{where} declares shape {shape} of {dtype}, i.e. {n_bytes} bytes, but "
                f"{'the limit is ' + str(max_bytes) if n_bytes > max_bytes else f'the archive holds {info.file_size}'}"
                " bytes; the file is corrupt or crafted."
            )
        data = bytearray()
        while len(data) < n_bytes and (chunk := f.read(min(_CHUNK, n_bytes - len(data)))):
            data += chunk
    if len(data) < n_bytes:
        raise DataError(f"{where} is truncated: {n_bytes} data bytes declared, {len(data)} found.")
    array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape, order="F" if fortran_order else "C")
