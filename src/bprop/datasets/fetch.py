"""Download MNIST or Fashion-MNIST, resumably and atomically, checking MD5 sums.

Each of the four gzipped files is downloaded into ``FILE.part``; an existing
``.part`` is resumed with an HTTP Range request (a server that answers 200
instead of 206 restarts it). A complete download is checked against the known
MD5 sum, flushed to disk (fsync) and only then renamed (os.replace) to its
final name, so the final name never holds a partial or wrong file. A checksum
mismatch deletes the ``.part`` and raises DataError. Files already present with
the right checksum are not downloaded again.

The checksums are those published with the data: torchvision's MNIST
resources and the table in the Fashion-MNIST README.
This module never prints; pass ``progress`` to draw a bar.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from ..errors import DataError, InvalidArgument
from ..storage.files import fsync_folder
from .mnist import FILES, default_root

MIRRORS = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion-mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
}
CHECKSUMS = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}
CHUNK = 1 << 16

Progress = Callable[[str, int, "int | None"], None]


def fetch(
    name: str,
    data_dir=None,
    *,
    base_url: str | None = None,
    progress: Progress | None = None,
    checksums: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download the four files of ``name`` into ``data_dir/name``; return that folder.

    name : "mnist" or "fashion-mnist"
    data_dir : the root data folder; default $BPROP_DATA_DIR or ~/.cache/bprop
    base_url : the mirror, ending in "/" or not; default MIRRORS[name]
    progress : called as progress(filename, bytes_done, bytes_total or None)
    checksums : {filename.gz: md5 hex}; default CHECKSUMS[name] (for other mirrors or tests)
    timeout : seconds a connection may stay silent
    Raises DataError for a failed download (the .part is kept to resume) or a
    checksum mismatch (the .part is deleted).
    """
    if name not in MIRRORS:
        raise InvalidArgument(
            f"fetch: name={name!r} cannot be downloaded; use one of "
            f"{', '.join(map(repr, MIRRORS))} (digits comes with scikit-learn, "
            "the 2-D sets are generated)."
        )
    base_url = MIRRORS[name] if base_url is None else str(base_url)
    if not re.match(r"https?://", base_url):
        raise InvalidArgument(f"fetch: base_url={base_url!r} must start with http:// or https://.")
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    checksums = CHECKSUMS[name] if checksums is None else dict(checksums)
    folder = (Path(data_dir).expanduser() if data_dir is not None else default_root()) / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataError(
            f"fetch {name}: cannot create the folder {folder} ({e.strerror or e}); pass a writable --data-dir."
        ) from None
    for stem in FILES:
        filename = f"{stem}.gz"
        if filename not in checksums:
            raise InvalidArgument(
                f"fetch: checksums has no entry for {filename!r}; "
                f"give the MD5 of each of {', '.join(s + '.gz' for s in FILES)}."
            )
        _fetch_file(base_url + filename, folder / filename, checksums[filename], progress, timeout)
    return folder


def md5_of(path: Path) -> str:
    """The MD5 hex digest of a file, read in chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch_file(url: str, final: Path, md5: str, progress: Progress | None, timeout: float) -> None:
    """Make ``final`` hold the file at url with the given MD5 (skip if it already does)."""
    if final.is_file() and md5_of(final) == md5:
        if progress:
            size = final.stat().st_size
            progress(final.name, size, size)
        return
    part = final.with_name(final.name + ".part")
    if not (part.is_file() and md5_of(part) == md5):  # a complete .part needs no request
        _download(url, part, progress, timeout)
    actual = md5_of(part)
    if actual != md5:
        part.unlink()
        raise DataError(
            f"{url}: the downloaded file has MD5 {actual}, expected {md5}; it was deleted. "
            "Run the fetch again; if it fails the same way, the mirror serves other data: "
            "pass another base_url (--base-url) or copy the files in by hand."
        )
    _sync(part)
    os.replace(part, final)
    fsync_folder(final.parent)


def _download(url: str, part: Path, progress: Progress | None, timeout: float) -> None:
    """Append the rest of url to part (resume with Range), or restart it from zero."""
    done = part.stat().st_size if part.is_file() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={done}-"} if done else {})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as e:
        e.close()
        if e.code == 416 and done:  # the .part is at least as long as the file: start again
            part.unlink()
            return _download(url, part, progress, timeout)
        raise DataError(
            f"{url}: the server answered HTTP {e.code} {e.reason}; check the name and base_url, or try again later."
        ) from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise DataError(
            f"{url}: cannot connect ({reason}); check the network and run the fetch "
            "again (it resumes), or copy the files in by hand."
        ) from None
    with response:
        resumed = bool(done) and response.status == 206
        if resumed and _range_start(response) != done:  # not the range asked for: start again
            response.close()
            part.unlink()
            return _download(url, part, progress, timeout)
        if not resumed:  # a 200 answer sends the whole file
            done = 0
        total = _total_size(response, done)
        try:
            with open(part, "ab" if resumed else "wb") as f:
                if progress:
                    progress(part.name[: -len(".part")], done, total)
                while chunk := response.read(CHUNK):
                    f.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(part.name[: -len(".part")], done, total)
        except (OSError, http.client.HTTPException) as e:  # timeouts, dropped connections
            raise DataError(
                f"{url}: the download stopped after {done} bytes ({e}); run the fetch again to resume from {part}."
            ) from None
    if total is not None and done != total:
        raise DataError(
            f"{url}: the download stopped after {done} of {total} bytes; run the fetch again to resume from {part}."
        )


def _range_start(response) -> int | None:
    """The first byte position in a 206 answer's Content-Range, or None."""
    match = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    return int(match.group(1)) if match else None


def _total_size(response, done: int) -> int | None:
    """The full file size, from Content-Range or Content-Length, or None if not given."""
    match = re.match(r"bytes \d+-\d+/(\d+)", response.headers.get("Content-Range", ""))
    if match:
        return int(match.group(1))
    length = response.headers.get("Content-Length")
    return done + int(length) if length and length.isdigit() else None


def _sync(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())
