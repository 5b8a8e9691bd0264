"""Reading files that may be hostile, and writing files so that a crash never leaves a half-written one.

Every file bprop reads from a path a user gave goes through ``open_regular``:
it is opened without blocking (a FIFO does not hang the open), the opened
descriptor is checked with ``fstat`` (no race between the check and the
read), and anything but a regular file — a directory, a device such as
/dev/zero, a FIFO, a socket — is refused, as is a file larger than the cap
the caller names, before a byte is read. ``read_regular`` reads such a file
whole; ``read_json_file`` parses one as JSON with its nesting depth bounded.

Every file bprop writes goes through ``atomic_write``: the bytes go to a new
temporary file in the same folder, are flushed to disk (fsync), and only then
renamed over the target with ``os.replace``, which is atomic; the folder is
fsynced after the rename. A reader sees the old file or the new one, never a
mixture, and an error leaves the old file untouched.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from contextlib import contextmanager
from pathlib import Path

from ..errors import DataError

MAX_JSON_DEPTH = 64
"""Nesting a JSON file bprop reads may have: bprop writes at most 5 levels; json's parser recurses per level."""

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular(path, what, max_bytes, error=DataError, mode="rb"):
    """``path`` opened for reading, refused (``error``) unless it is a regular file of at most ``max_bytes``.

    what : what the file should be, for messages ('model file', 'settings.json').
    max_bytes : the largest size accepted, or None for a file read as a stream (a CSV data file).
    error : the BpropError subclass to raise (DataError, ModelFileError, InvalidArgument).
    mode : 'rb', or 'r' for UTF-8 text (a BOM is refused by the JSON parser, not here).

    The file is opened with O_NONBLOCK, so that a FIFO neither hangs the open
    nor the check, and the checks are made on the opened descriptor (fstat),
    so that the file cannot be swapped between check and read. OSError (such
    as FileNotFoundError) when it cannot be opened at all. Symbolic links are
    followed: what counts is the file they lead to.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        kind = next((name for test, name in _KINDS if test(info.st_mode)), None)
        if kind is not None or not stat.S_ISREG(info.st_mode):
            raise error(
                f"{path} is {kind or 'not a regular file'}, not a {what}; bprop reads only regular files. "
                f"Pass the path of a {what}."
            )
        if max_bytes is not None and info.st_size > max_bytes:
            raise error(
                f"{path} holds {info.st_size:,} bytes, more than the {max_bytes:,} a {what} may have; "
                f"it is not a {what} bprop wrote. Pass the right file."
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: ordinary reads from here on
        if mode == "rb":
            return os.fdopen(fd, "rb")
        return os.fdopen(fd, mode, encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path, what, max_bytes, error=DataError) -> bytes:
    """The bytes of the regular file ``path`` (see ``open_regular``), at most ``max_bytes`` of them.

    The read itself is bounded too: a file that grew after the check is refused.
    """
    with open_regular(path, what, max_bytes, error) as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise error(
            f"{path} grew past the {max_bytes:,} bytes a {what} may have while it was read. Pass the right file."
        )
    return data


def read_json_file(path, what, max_bytes, error=DataError, allow_nan=False, fix="Pass the right file."):
    """The JSON value in the regular file ``path``: UTF-8, nested at most MAX_JSON_DEPTH deep, numbers finite.

    allow_nan : accept the tokens NaN, Infinity and -Infinity (as Python's
        json writes for a non-finite float; a history may hold one). A number
        too large for a float (1e999) is refused either way.
    Every refusal is one ``error`` naming the file and the problem, ending with ``fix``.
    """
    raw = read_regular(path, what, max_bytes, error)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise error(f"{path} is not valid UTF-8 JSON for a {what} ({e}). {fix}") from None
    return parse_json(text, f"{path}", what, error, allow_nan, fix)


def parse_json(text, where, what, error=DataError, allow_nan=False, fix="Pass the right file."):
    """``text`` parsed as JSON, its depth checked first (``json_depth``) and its numbers checked as parsed.

    where : the file (and member) for messages. fix : the last sentence of a refusal.
    """
    depth = json_depth(text, MAX_JSON_DEPTH)
    if depth > MAX_JSON_DEPTH:
        raise error(
            f"{where}: the JSON is nested more than {MAX_JSON_DEPTH} levels deep; a {what} nests only a few "
            f"levels. {fix}".rstrip()
        )

    def constant(name):
        if not allow_nan:
            raise ValueError(f"the non-standard number {name} is not allowed")
        return float(name)

    def finite_float(literal):
        value = float(literal)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"the number {literal[:40]} does not fit a float")
        return value

    try:
        return json.loads(text, parse_constant=constant, parse_float=finite_float)
    except (ValueError, RecursionError) as e:
        raise error(f"{where} is not valid UTF-8 JSON for a {what} ({str(e)[:200]}). {fix}".rstrip()) from None


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth(text, limit) -> int:
    """How deep the arrays and objects of the JSON ``text`` nest (brackets inside strings do not count).

    Stops counting once ``limit`` is passed (returns limit + 1), so that a
    file of a million '[' costs a scan, not a parse. A scan of the string
    tokens and brackets only, in C (re), so linear in the text's length.
    """
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return limit + 1
            deepest = max(deepest, depth)
        elif token in ("]", "}"):
            depth -= 1
    return deepest


@contextmanager
def atomic_write(path, mode="wb"):
    """Yield a new temporary file to write; on success it replaces ``path``.

    Missing parent folders are created. On an exception the temporary file is
    removed and ``path`` is untouched.
    """
    path = Path(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(temp, flags, 0o666)  # 0o666 & ~umask, like any new file
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    fsync_folder(folder)


def write_json(path, data) -> Path:
    """``data`` as indented JSON, written atomically."""
    with atomic_write(path, "w") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
    return Path(path)


def fsync_folder(folder: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return  # Windows: folders cannot be opened for fsync
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return  # the file itself is synced; the rename may still be cached
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse
    finally:
        os.close(fd)
