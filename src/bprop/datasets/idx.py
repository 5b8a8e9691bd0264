"""Read and write IDX files, the file format of MNIST and Fashion-MNIST.

An IDX file is, byte by byte::

    0x00 0x00            magic
    code                 dtype: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int,
                                0x0D float, 0x0E double
    ndim                 number of dimensions
    ndim × int32         the dimensions, big-endian
    prod(dims) items     the data, big-endian, C order

Files may be gzip-compressed; ``read_idx`` recognises gzip by its magic bytes
(1f 8b), whatever the file's name. The size the header declares is checked
against ``max_bytes`` before anything is read, so a crafted header cannot make
the reader allocate huge amounts of memory, and the data must fill exactly
that size: a truncated file or trailing bytes are errors.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError, InvalidArgument

MAX_BYTES = 2**31
"""The largest data size (in bytes) ``read_idx`` accepts by default."""

_GZIP_MAGIC = b"\x1f\x8b"
_CODE_TO_DTYPE = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_KIND_SIZE_TO_CODE = {(dt.kind, dt.itemsize): code for code, dt in _CODE_TO_DTYPE.items()}


def read_idx(source, *, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """The array stored in an IDX file (plain or gzip), in native byte order.

    source : a path (str or Path) or the file's bytes
    returns : an array of shape dims and the dtype the header names
              (uint8, int8, int16, int32, float32 or float64)
    Raises DataError naming the file for a missing, unreadable, corrupt,
    truncated or oversized file.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        label, raw = "IDX data (in-memory bytes)", io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)):
        label = f"IDX file {str(source)!r}"
        try:
            raw = open(source, "rb")
        except OSError as e:
            raise DataError(f"{label} cannot be opened ({e.strerror or e}); check the path.") from None
    else:
        raise InvalidArgument(f"read_idx(source=...) takes a path or bytes, got {type(source).__name__}.")
    with raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        try:
            return _read_stream(stream, label, max_bytes)
        except (OSError, EOFError, zlib.error) as e:
            kind = "decompress" if compressed else "read"
            raise DataError(
                f"{label}: cannot {kind} it ({e}); the file is damaged, download or copy it again."
            ) from None
        finally:
            if compressed:
                stream.close()


def _read_stream(stream, label: str, max_bytes: int) -> np.ndarray:
    magic = stream.read(4)
    if len(magic) < 4:
        raise DataError(
            f"{label} is {len(magic)} bytes long, too short for the 4-byte IDX header; it is empty or truncated."
        )
    if magic[:2] != b"\x00\x00":
        raise DataError(
            f"{label} does not start with the IDX magic 00 00 (found {magic[:2].hex(' ')}); "
            "it is not an IDX file (or a compressed format other than gzip)."
        )
    code, ndim = magic[2], magic[3]
    if code not in _CODE_TO_DTYPE:
        known = ", ".join(f"0x{c:02X} ({d.name})" for c, d in _CODE_TO_DTYPE.items())
        raise DataError(f"{label} has dtype code 0x{code:02X}, which IDX does not define; known: {known}.")
    dtype = _CODE_TO_DTYPE[code]
    header = stream.read(4 * ndim)
    if len(header) < 4 * ndim:
        raise DataError(
            f"{label} declares {ndim} dimensions but the header ends after {len(header) // 4}; the file is truncated."
        )
    dims = tuple(int(d) for d in np.frombuffer(header, dtype=">i4"))
    if any(d < 0 for d in dims):
        raise DataError(f"{label} declares negative dimensions {dims}; the file is corrupt.")
    n_bytes = math.prod(dims) * dtype.itemsize
    if math.prod(d for d in dims if d) * dtype.itemsize > np.iinfo(np.intp).max:
        raise DataError(
            f"{label} declares dimensions {dims}, too large for any array (even with a zero among "
            "them); the header is corrupt or crafted."
        )
    if n_bytes > max_bytes:
        raise DataError(
            f"{label} declares dimensions {dims} of {dtype.name}, i.e. {n_bytes} bytes, more "
            f"than the limit of {max_bytes} bytes; the header is corrupt or crafted "
            "(if the file is genuine, read it from Python with bprop.datasets.idx.read_idx(path, max_bytes=...))."
        )
    data = _read_up_to(stream, n_bytes)
    if len(data) < n_bytes:
        raise DataError(
            f"{label} is truncated: its header declares dimensions {dims} of {dtype.name}, "
            f"i.e. {n_bytes} data bytes, but only {len(data)} follow; "
            "download or copy it again."
        )
    extra = _count_rest(stream, limit=max_bytes)
    if extra:
        raise DataError(
            f"{label} has trailing bytes: its header declares dimensions {dims} of "
            f"{dtype.name}, i.e. {n_bytes} data bytes, but {n_bytes + extra}"
            f"{' or more' if extra > max_bytes else ''} follow; the file is corrupt "
            "or not what its header says."
        )
    return np.frombuffer(data, dtype=dtype).reshape(dims).astype(dtype.newbyteorder("="), copy=False)


def _read_up_to(stream, n_bytes: int) -> bytearray:
    """At most n_bytes from stream, read in 1 MiB chunks.

    ``stream.read(n_bytes)`` would allocate n_bytes at once, whatever the stream
    holds; read in chunks, memory follows what the file really delivers, so a
    small gzip file whose header claims gigabytes costs only what it inflates to.
    """
    data = bytearray()
    while len(data) < n_bytes and (chunk := stream.read(min(1 << 20, n_bytes - len(data)))):
        data += chunk
    return data


def _count_rest(stream, limit: int) -> int:
    """How many bytes are left in stream (counting stops once past limit)."""
    extra = 0
    while extra <= limit and (chunk := stream.read(1 << 20)):
        extra += len(chunk)
    return extra


def write_idx(path, array) -> Path:
    """Write array to an IDX file at path, gzip-compressed if the name ends in .gz.

    array : any shape, dtype uint8, int8, int16, int32, float32 or float64
    returns : the path written
    """
    array = np.asarray(array)
    code = _KIND_SIZE_TO_CODE.get((array.dtype.kind, array.dtype.itemsize))
    if code is None:
        raise InvalidArgument(
            f"write_idx: array dtype {array.dtype} has no IDX code; cast it to one of "
            "uint8, int8, int16, int32, float32, float64."
        )
    if array.ndim > 255 or any(d >= 2**31 for d in array.shape):
        raise InvalidArgument(
            f"write_idx: array shape {array.shape} cannot be described by an IDX header "
            "(at most 255 dimensions, each below 2**31)."
        )
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">i4").tobytes()
    data = np.ascontiguousarray(array, dtype=_CODE_TO_DTYPE[code]).tobytes()
    path = Path(path)
    if path.name.endswith(".gz"):
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write(header + data)
    else:
        path.write_bytes(header + data)
    return path
