"""Writing files so that a crash never leaves a half-written one.

Every file bprop writes goes through ``atomic_write``: the bytes go to a new
temporary file in the same folder, are flushed to disk (fsync), and only then
renamed over the target with ``os.replace``, which is atomic; the folder is
fsynced after the rename. A reader sees the old file or the new one, never a
mixture, and an error leaves the old file untouched.
"""

from __future__ import annotations

import json
import os
import secrets
from contextlib import contextmanager
from pathlib import Path


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
