"""The file layout shared by model files and checkpoints: a ZIP of .npy arrays and a JSON header.

Every member is stored uncompressed (floats barely compress, and a stored
member cannot be a zip bomb) with a fixed 1980 timestamp, so the same state
gives the same bytes; each array is written with ``allow_pickle=False`` and
its shape, dtype and SHA-256 recorded in the "arrays" table of
``header.json``, which is written last.

``ArchiveReader`` reads such a file back as hostile input; the checks both
kinds of file need (members, the header's format and version, the network's
sizes and dtype, the "arrays" table, each array's bytes) live there once.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct
import tokenize
import warnings
import zipfile
import zlib

import numpy as np
from numpy.lib import format as npy_format

from ..core.parameters import MAX_PARAMETERS, parameter_count
from ..errors import ModelFileError
from ..version import __version__
from .files import open_regular, parse_json

HEADER_NAME = "header.json"
NPY_HEADER_ALLOWANCE = 4096  # bytes a member may hold beyond its array data
DTYPE_NAMES = ("float32", "float64")  # the dtypes of a stored network


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
    info = zipfile.ZipInfo(name)  # fixed 1980 timestamp: the same state gives the same bytes
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
    return __version__


def difference(expected, found) -> str:
    """'missing: [...]; unexpected: [...]', naming only what is there."""
    missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
    parts = [f"{what}: {short(names)}" for what, names in (("missing", missing), ("unexpected", extra)) if names]
    return "; ".join(parts)


def short(value, limit=80) -> str:
    """repr(value), cut to ``limit`` characters for a message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_sha256(value) -> bool:
    """True for a SHA-256 hex digest as bprop writes one: 64 lowercase hex digits."""
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


# -- reading ----------------------------------------------------------------------

# What numpy's .npy header parser may raise on a hostile header.
NPY_HEADER_ERRORS = (
    ValueError,
    SyntaxError,
    TypeError,
    EOFError,
    tokenize.TokenError,
    RecursionError,
    KeyError,
    IndexError,
    OverflowError,
    MemoryError,
    Warning,
)
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    OverflowError,
    NotImplementedError,
    RuntimeError,
)


class _Refused(ValueError):
    """parse_json's refusal, worded again by ``ArchiveReader.fail``."""


def read_npy_header(stream, limit, versions=((1, 0), (2, 0))):
    """(shape, fortran_order, dtype) from the .npy header at the start of ``stream``.

    numpy reads the header, a Python literal, with ``ast.literal_eval`` (no
    code runs) within ``limit`` bytes. Headers bprop never writes (another
    version; a Python 2 header, about which numpy only warns) are refused:
    the warning is raised as an error, and the caller catches NPY_HEADER_ERRORS.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        version = npy_format.read_magic(stream)
        if version not in versions:
            raise ValueError(f".npy format version {version} (bprop writes 1.0)")
        read = npy_format.read_array_header_1_0 if version == (1, 0) else npy_format.read_array_header_2_0
        return read(stream, max_header_size=limit)


class ArchiveReader:
    """The checks every bprop archive gets, for a reader that treats the file as hostile.

    Subclasses name what they read (KIND, FORMAT, FORMAT_VERSION,
    MAX_HEADER_BYTES, the fixes to suggest, the wording of three refusals)
    and check the rest of their own header. Checked here: member names and
    sizes, the header's JSON, format and version, the network's layer sizes
    and dtype, the "arrays" table against the arrays the header implies, and
    each array's .npy header, size and SHA-256, before any array is built.
    Every refusal is a ModelFileError naming the file.
    """

    KIND = "archive"
    FORMAT = None
    FORMAT_VERSION = 1
    MAX_HEADER_BYTES = 1 << 20
    MAX_FILE_BYTES = 8 * MAX_PARAMETERS + (64 << 20)  # float64 parameters and room for the rest
    MAX_MEMBERS = 100_000  # a model file of L layers has 2L + 1, a checkpoint at most about 10L
    MAX_DIRECTORY_BYTES = 16 << 20  # the central directory: about 80 bytes a member bprop writes
    ALLOW_NAN = False  # may header.json hold NaN/Infinity (a checkpoint's history may)
    FIX = "Restore the file from a copy."
    NOT_OURS_FIX = "Pass a file written by bprop."
    UPGRADE_FIX = "Upgrade bprop (pip install --upgrade bprop) to read it."
    # How a subclass words three refusals (str.format fields in braces).
    TOO_MANY_PARAMETERS = (
        "{what}={sizes} declares {count:,} parameters, more than the {limit:,} bprop accepts; "
        "the file is corrupt or not meant for bprop"
    )
    WRONG_SHAPE = "arrays[{key!r}] declares shape {found_shape}, but {against} give {shape}"
    WRONG_DTYPE = "arrays[{key!r}] declares dtype {found_dtype}, but the network's dtype is {dtype}"

    def __init__(self, path, zf):
        self.path, self.zf = path, zf

    @classmethod
    def read(cls, path, what):
        """``what(reader)`` on the archive at ``path``, a ``Path``.

        A file that is not a ZIP archive (or is cut short), or not a regular
        file of at most MAX_FILE_BYTES (a directory, a device, a FIFO: see
        ``bprop.storage.files.open_regular``), is one ModelFileError naming
        the kind of file expected; OSError when it cannot be opened at all.
        """
        with open_regular(path, f"bprop {cls.KIND}", cls.MAX_FILE_BYTES, ModelFileError) as f:
            cls.check_directory_size(path, f)
            try:
                zf = zipfile.ZipFile(f)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError, OverflowError, NotImplementedError) as e:
                raise ModelFileError(
                    f"{path} is not a bprop {cls.KIND}: it is not a ZIP archive, or it is "
                    f"truncated ({short(str(e), 200)}). {cls.NOT_OURS_FIX}"
                ) from None
            with zf:
                return what(cls(path, zf))

    @classmethod
    def check_directory_size(cls, path, f) -> None:
        """Refuse more than MAX_MEMBERS members, or a central directory over MAX_DIRECTORY_BYTES, before it is parsed.

        zipfile builds one object per member when it opens an archive; the
        end-of-central-directory record (read by zipfile's own reader of it,
        a few hundred bytes from the end) says how many there are and how
        large the directory is, so a file of millions of members is refused
        in constant time and memory. Where that reader is missing (another
        Python), the count is checked after zipfile has parsed the directory.
        """
        end_record = getattr(zipfile, "_EndRecData", None)
        try:
            record = end_record(f) if end_record is not None else None
        except (OSError, ValueError, EOFError, struct.error):
            record = None  # zipfile itself will say what is wrong with the file
        finally:
            f.seek(0)
        if not record:
            return
        members, size = record[zipfile._ECD_ENTRIES_TOTAL], record[zipfile._ECD_SIZE]
        if members > cls.MAX_MEMBERS or size > cls.MAX_DIRECTORY_BYTES:
            raise ModelFileError(
                f"{path}: the archive declares {members:,} members in a {size:,}-byte directory, more than "
                f"the {cls.MAX_MEMBERS:,} members ({cls.MAX_DIRECTORY_BYTES:,} bytes) a bprop {cls.KIND} may have; "
                "it was not written by bprop. Do not use this file."
            )

    def fail(self, problem, fix=None) -> ModelFileError:
        return ModelFileError(f"{self.path}: {problem}. {fix or self.FIX}")

    def members(self) -> dict:
        """{name: ZipInfo}, refusing path tricks and duplicated names."""
        infos = self.zf.infolist()
        if len(infos) > self.MAX_MEMBERS:
            raise self.fail(
                f"the archive holds {len(infos):,} members, more than the {self.MAX_MEMBERS:,} a bprop "
                f"{self.KIND} may have; it was not written by bprop",
                "Do not use this file.",
            )
        seen, twice = set(), set()
        for info in infos:
            name = info.filename
            parts = name.split("/")
            if (
                name.startswith("/")
                or "\\" in name
                or ":" in name
                or "\x00" in name
                or any(p in ("", ".", "..") for p in parts)
            ):
                raise self.fail(
                    f"the archive holds a member with an unsafe name {name!r} (absolute, '..', or a "
                    f"backslash); a bprop {self.KIND} never does, so it was not written by bprop",
                    "Do not use this file.",
                )
            self.check_member(info)
            (twice if name in seen else seen).add(name)  # a set: linear in the number of members
        if twice:
            raise self.fail(f"the archive holds the member(s) {short(sorted(twice))} more than once")
        return {info.filename: info for info in infos}

    def check_member(self, info) -> None:
        """A subclass hook for what its members may be (compression, say)."""

    def read_member(self, info, limit, what) -> bytes:
        """At most ``limit`` bytes of a member, refusing odd compression and encryption."""
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self.fail(
                f"{what} uses ZIP compression method {info.compress_type}; a bprop {self.KIND} uses "
                "stored or deflated members"
            )
        if info.flag_bits & 0x1:
            raise self.fail(f"{what} is encrypted; a bprop {self.KIND} never is")
        try:
            with self.zf.open(info) as member:
                data = member.read(limit + 1)  # zipfile stops at the declared size and checks the CRC there
        except _READ_ERRORS as e:
            raise self.fail(f"file is corrupt: {what} cannot be read ({e})") from None
        if len(data) > limit:
            raise self.fail(f"file is corrupt: {what} holds more than the {limit:,} bytes it may have")
        return data

    def header(self, infos) -> dict:
        """header.json as a dict, of this FORMAT and a version this bprop reads."""
        info = infos.get(HEADER_NAME)
        if info is None:
            raise self.fail(f"not a bprop {self.KIND}: the ZIP archive has no {HEADER_NAME}", self.NOT_OURS_FIX)
        if info.file_size > self.MAX_HEADER_BYTES:
            raise self.fail(
                f"{HEADER_NAME} declares {info.file_size:,} bytes, more than the "
                f"{self.MAX_HEADER_BYTES:,} a bprop {self.KIND} header may have"
            )
        raw = self.read_member(info, self.MAX_HEADER_BYTES, HEADER_NAME)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise self.fail(f"{HEADER_NAME} is not valid UTF-8 JSON ({e})") from None
        try:
            header = parse_json(text, HEADER_NAME, f"bprop {self.KIND} header", _Refused, self.ALLOW_NAN, fix="")
        except _Refused as e:
            raise self.fail(str(e).rstrip(". ")) from None
        if not isinstance(header, dict):
            raise self.fail(f"{HEADER_NAME} must hold a JSON object, got {type(header).__name__}")
        if header.get("format") != self.FORMAT:
            raise self.fail(
                f"not a bprop {self.KIND}: {HEADER_NAME} says format={short(header.get('format'))}, "
                f"not {self.FORMAT!r}",
                self.NOT_OURS_FIX,
            )
        version = header.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail(f"format_version={short(version)} is not a positive whole number")
        if version > self.FORMAT_VERSION:
            raise self.fail(
                f"the file has format_version {version}, written by a newer bprop "
                f"({short(header.get('bprop_version', 'unknown version'))}); this bprop reads "
                f"format_version {self.FORMAT_VERSION} only",
                self.UPGRADE_FIX,
            )
        return header

    # -- the network the header describes ---------------------------------------

    def layer_sizes(self, sizes, what) -> list:
        """``sizes`` (``what`` in messages): 2 or more positive whole numbers, within MAX_PARAMETERS."""
        if (
            not isinstance(sizes, list)
            or len(sizes) < 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in sizes)
        ):
            raise self.fail(f"{what}={short(sizes)} is not a list of 2 or more positive whole numbers")
        count = parameter_count(sizes)
        if count > MAX_PARAMETERS:
            raise self.fail(
                self.TOO_MANY_PARAMETERS.format(what=what, sizes=short(sizes), count=count, limit=MAX_PARAMETERS)
            )
        return sizes

    def dtype_name(self, dtype, what) -> str:
        """``dtype`` (``what`` in messages): one of DTYPE_NAMES."""
        if dtype not in DTYPE_NAMES:
            raise self.fail(f"{what}={short(dtype)} is not one of {', '.join(DTYPE_NAMES)}")
        return dtype

    # -- the "arrays" table and the members it lists -------------------------------

    def arrays_table(self, header) -> dict:
        """The header's "arrays" table, {key: {"shape", "dtype", "sha256"}}, unchecked."""
        table = header.get("arrays")
        if not isinstance(table, dict):
            raise self.fail(f"{HEADER_NAME} has no 'arrays' table")
        return table

    def declared_arrays(self, table, expected, against) -> dict:
        """{key: (shape, dtype, sha256)} for each array ``expected``, after checking the "arrays" table.

        expected : {key: (shape, dtype name)}, what the rest of the header implies;
            the table must list exactly these keys, with these shapes and dtypes,
            each with a valid SHA-256.
        against : what ``expected`` comes from, for messages ('sizes=[3, 4, 2]').
        """
        if set(table) != set(expected):
            raise self.fail(f"the 'arrays' table does not match {against} ({difference(expected, table)})")
        declared = {}
        for key, (shape, dtype) in expected.items():
            entry = table[key]
            if not isinstance(entry, dict):
                raise self.fail(f"arrays[{key!r}] must be a JSON object")
            found = {"key": key, "found_shape": short(entry.get("shape")), "found_dtype": short(entry.get("dtype"))}
            if entry.get("shape") != list(shape):
                raise self.fail(self.WRONG_SHAPE.format(**found, shape=list(shape), dtype=dtype, against=against))
            if entry.get("dtype") != dtype:
                raise self.fail(self.WRONG_DTYPE.format(**found, shape=list(shape), dtype=dtype, against=against))
            if not is_sha256(entry.get("sha256")):
                raise self.fail(f"arrays[{key!r}] has no valid sha256 (64 lowercase hex digits)")
            declared[key] = (tuple(shape), np.dtype(dtype), entry["sha256"])
        return declared

    def check_member_set(self, infos, declared) -> None:
        expected = {HEADER_NAME} | {key + ".npy" for key in declared}
        if set(infos) != expected:
            raise self.fail(
                f"the archive's members are not those of a bprop {self.KIND} ({difference(expected, infos)})"
            )

    def read_array(self, info, key, shape, dtype, digest) -> np.ndarray:
        """The member ``key``.npy as a read-only (shape) array of ``dtype``, every byte checked."""
        dtype = np.dtype(dtype)
        nbytes = math.prod(shape) * dtype.itemsize
        limit = nbytes + NPY_HEADER_ALLOWANCE
        if info.file_size > limit:
            raise self.fail(
                f"file is corrupt: {key} declares {info.file_size:,} bytes uncompressed, but a {shape} "
                f"{dtype.name} array takes {nbytes:,} (a ZIP bomb, or not written by bprop)",
                "Do not use this file.",
            )
        data = self.read_member(info, limit, key)
        stream = io.BytesIO(data)
        try:
            found_shape, fortran, found = read_npy_header(stream, limit)
        except NPY_HEADER_ERRORS as e:
            raise self.fail(f"file is corrupt: {key} is not a readable .npy array ({e})") from None
        if found.hasobject:
            raise self.fail(
                f"{key} is an array of Python objects (dtype {found}), which would have to be "
                "unpickled; bprop never unpickles its files",
                "Do not use this file.",
            )
        if found.kind != dtype.kind or found.name != dtype.name:
            raise self.fail(f"{key} holds dtype {found} but the header says {dtype.name}; the file is inconsistent")
        if tuple(found_shape) != tuple(shape):
            raise self.fail(
                f"{key} holds shape {tuple(found_shape)} but the header gives {tuple(shape)}; the file is inconsistent"
            )
        payload = memoryview(data)[stream.tell() :]
        if len(payload) < nbytes:
            raise self.fail(f"file is corrupt: {key} is truncated ({len(payload):,} of {nbytes:,} data bytes)")
        if len(payload) > nbytes:
            raise self.fail(f"file is corrupt: {key} has {len(payload) - nbytes:,} bytes after its data")
        if hashlib.sha256(data).hexdigest() != digest:
            raise self.fail(f"file is corrupt: checksum of {key} does not match")
        return np.frombuffer(payload, dtype=found).reshape(shape, order="F" if fortran else "C")
