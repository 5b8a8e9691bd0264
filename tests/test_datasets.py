"""Tests of bprop.datasets: IDX files, MNIST-format folders, fetch, toy sets,
user files, preprocessing and the catalog. Nothing here touches the network
except a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import json
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from bprop.datasets import (
    NAMES,
    DatasetInfo,
    Preprocessor,
    fetch,
    fit_preprocessor,
    list_datasets,
    load,
    read_idx,
    write_idx,
)
from bprop.errors import DataError, InvalidArgument

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


@pytest.fixture(autouse=True)
def _private_data_root(tmp_path, monkeypatch):
    """Keep every test away from the real ~/.cache/bprop."""
    monkeypatch.setenv("BPROP_DATA_DIR", str(tmp_path / "bprop-data-root"))


# ---------------------------------------------------------------- IDX files

IDX_DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@pytest.mark.parametrize("dtype", IDX_DTYPES)
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, dtype, suffix):
    rng = np.random.default_rng(1)
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    if info is not None:
        a = rng.integers(info.min, info.max, size=(3, 4, 5), endpoint=True).astype(dtype)
    else:
        a = rng.standard_normal((3, 4, 5)).astype(dtype)
    path = write_idx(tmp_path / f"a{suffix}", a)
    b = read_idx(path)
    assert b.dtype == a.dtype and b.shape == a.shape
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(read_idx(path.read_bytes()), a)


def test_idx_header_is_big_endian_as_specified(tmp_path):
    path = write_idx(tmp_path / "x", np.arange(6, dtype=np.int16).reshape(2, 3))
    assert path.read_bytes() == bytes([0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5])


def test_idx_gzip_detected_by_content_not_name(tmp_path):
    a = np.arange(10, dtype=np.uint8)
    gz = write_idx(tmp_path / "a.gz", a)
    disguised = tmp_path / "no-suffix"
    disguised.write_bytes(gz.read_bytes())
    np.testing.assert_array_equal(read_idx(disguised), a)


def test_idx_zero_length_dimension(tmp_path):
    a = np.zeros((0, 28, 28), dtype=np.uint8)
    assert read_idx(write_idx(tmp_path / "empty", a)).shape == (0, 28, 28)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_truncated_is_data_error(tmp_path, suffix):
    raw = write_idx(tmp_path / "full", np.ones((4, 5), dtype=np.int32)).read_bytes()
    path = tmp_path / f"cut{suffix}"
    cut = raw[:-3]
    path.write_bytes(gzip.compress(cut) if suffix else cut)
    with pytest.raises(DataError, match=r"truncated.*80 data bytes.*only 77") as e:
        read_idx(path)
    assert str(path) in str(e.value)


def test_idx_trailing_bytes_is_data_error(tmp_path):
    path = write_idx(tmp_path / "a", np.ones(10, dtype=np.uint8))
    path.write_bytes(path.read_bytes() + b"\x00\x00")
    with pytest.raises(DataError, match=r"trailing bytes.*10 data bytes.*but 12 follow") as e:
        read_idx(path)
    assert str(path) in str(e.value)


def test_idx_bad_magic_and_bad_dtype_code(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x01\x07")
    with pytest.raises(DataError, match="magic"):
        read_idx(bad)
    bad.write_bytes(b"\x00\x00\x07\x01\x00\x00\x00\x01\x07")
    with pytest.raises(DataError, match="dtype code 0x07"):
        read_idx(bad)
    bad.write_bytes(b"\x00\x00")
    with pytest.raises(DataError, match="too short"):
        read_idx(bad)


def test_idx_huge_declared_size_is_refused_before_reading(tmp_path):
    # 100000 × 100000 × 1000 doubles: 8e13 bytes declared, a few bytes present.
    header = bytes([0, 0, 0x0E, 3]) + np.array([100000, 100000, 1000], dtype=">i4").tobytes()
    path = tmp_path / "huge.gz"
    path.write_bytes(gzip.compress(header + b"\x00" * 64))
    with pytest.raises(DataError, match="more than the limit"):
        read_idx(path)


def test_idx_damaged_gzip_and_missing_file(tmp_path):
    gz = write_idx(tmp_path / "a.gz", np.ones(1000, dtype=np.uint8)).read_bytes()
    damaged = tmp_path / "damaged.gz"
    damaged.write_bytes(gz[: len(gz) // 2])
    with pytest.raises(DataError, match="damaged.gz"):
        read_idx(damaged)
    with pytest.raises(DataError, match="nope"):
        read_idx(tmp_path / "nope")


def test_write_idx_refuses_int64(tmp_path):
    with pytest.raises(InvalidArgument, match="int64.*int32"):
        write_idx(tmp_path / "a", np.arange(3))


# ---------------------------------------------------------------- MNIST-format folders


def _fake_mnist_arrays(m_train=30, m_test=10, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "train-images-idx3-ubyte": rng.integers(0, 256, (m_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": (np.arange(m_train) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (m_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": (np.arange(m_test) % 10).astype(np.uint8),
    }


def _write_fake_mnist(folder: Path, arrays=None, gz=True) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    arrays = arrays or _fake_mnist_arrays()
    for stem, a in arrays.items():
        write_idx(folder / (stem + (".gz" if gz else "")), a)
    return arrays


@pytest.mark.parametrize("gz", [True, False])
def test_fake_mnist_folder_loads(tmp_path, gz):
    arrays = _write_fake_mnist(tmp_path / "mnist", gz=gz)
    data = load("mnist", data_dir=tmp_path)
    assert data.X_train.shape == (30, 784) and data.X_test.shape == (10, 784)
    assert data.X_train.dtype == np.float64 and data.y_train.dtype == np.int64
    np.testing.assert_array_equal(data.X_train[3], arrays["train-images-idx3-ubyte"][3].ravel())
    np.testing.assert_array_equal(data.y_test, arrays["t10k-labels-idx1-ubyte"])
    assert data.image_shape == (28, 28) and data.value_range == 255.0
    assert data.class_names == [str(k) for k in range(10)] and data.n_classes == 10
    assert data.n_features == 784
    # data_dir may also be the folder holding the files itself.
    np.testing.assert_array_equal(load("mnist", data_dir=tmp_path / "mnist").X_test, data.X_test)


def test_mnist_missing_files_error_names_folder_files_and_fix(tmp_path):
    arrays = _fake_mnist_arrays()
    del arrays["t10k-labels-idx1-ubyte"]
    _write_fake_mnist(tmp_path / "mnist", arrays)
    with pytest.raises(DataError) as e:
        load("mnist", data_dir=tmp_path)
    message = str(e.value)
    assert str(tmp_path / "mnist") in message
    assert "missing: t10k-labels-idx1-ubyte" in message
    assert f"bprop data fetch mnist --data-dir {tmp_path}" in message


def test_fashion_missing_error_suggests_apt(tmp_path):
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist"):
        load("fashion-mnist", data_dir=tmp_path)


def test_mnist_count_mismatch_and_bad_label(tmp_path):
    arrays = _fake_mnist_arrays()
    arrays["train-labels-idx1-ubyte"] = arrays["train-labels-idx1-ubyte"][:-1]
    _write_fake_mnist(tmp_path / "a" / "mnist", arrays)
    with pytest.raises(DataError, match="30 images but .* 29 labels"):
        load("mnist", data_dir=tmp_path / "a")
    arrays = _fake_mnist_arrays()
    arrays["t10k-labels-idx1-ubyte"][0] = 10
    _write_fake_mnist(tmp_path / "b" / "mnist", arrays)
    with pytest.raises(DataError, match="label 10"):
        load("mnist", data_dir=tmp_path / "b")


@pytest.mark.slow  # reads the real 60,000 + 10,000 images
@pytest.mark.skipif(not FASHION_DIR.is_dir(), reason=f"{FASHION_DIR} is absent (apt-get install dataset-fashion-mnist)")
def test_real_fashion_mnist_loads():
    data = load("fashion-mnist")
    assert data.X_train.shape == (60000, 784) and data.X_test.shape == (10000, 784)
    assert data.y_train.dtype == np.int64 and data.X_train.dtype == np.float64
    # Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
    np.testing.assert_array_equal(np.bincount(data.y_train), np.full(10, 6000))
    np.testing.assert_array_equal(np.bincount(data.y_test), np.full(10, 1000))
    assert data.X_train.min() == 0 and data.X_train.max() == 255
    assert data.class_names[9] == "Ankle boot" and data.image_shape == (28, 28)
    info = {i.name: i for i in list_datasets()}["fashion-mnist"]
    assert info.available and info.source == str(FASHION_DIR)


# ---------------------------------------------------------------- fetch


class _Server:
    """A local HTTP server of in-memory files that can honour Range requests."""

    def __init__(self, files: dict[str, bytes], honour_range=True):
        self.files, self.honour_range, self.requests = files, honour_range, []
        self.drop_after = {}  # name -> bytes sent before the connection drops (once)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name, wanted = self.path.lstrip("/"), self.headers.get("Range")
                outer.requests.append((name, wanted))
                body = outer.files.get(name)
                if body is None:
                    self.send_error(404)
                    return
                match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
                if match and outer.honour_range:
                    start = int(match.group(1))
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                    body = body[start:]
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: outer.drop_after.pop(name, len(body))])

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def mirror():
    """(server, checksums) serving four small gzipped IDX files."""
    files = {}
    for stem, a in _fake_mnist_arrays(m_train=50, m_test=20, seed=3).items():
        files[f"{stem}.gz"] = gzip.compress(
            bytes([0, 0, 0x08, a.ndim]) + np.array(a.shape, dtype=">i4").tobytes() + a.tobytes(), mtime=0
        )
    checksums = {name: hashlib.md5(body).hexdigest() for name, body in files.items()}
    server = _Server(files)
    yield server, checksums
    server.close()


def test_fetch_downloads_verifies_and_loads(tmp_path, mirror):
    server, checksums = mirror
    calls = []
    folder = fetch("mnist", tmp_path, base_url=server.url, checksums=checksums, progress=lambda *a: calls.append(a))
    assert folder == tmp_path / "mnist"
    for name, body in server.files.items():
        assert (folder / name).read_bytes() == body
    assert not list(folder.glob("*.part"))
    last = {name: (done, total) for name, done, total in calls}
    assert last == {name: (len(b), len(b)) for name, b in server.files.items()}
    data = load("mnist", data_dir=tmp_path)
    assert data.X_train.shape == (50, 784) and data.X_test.shape == (20, 784)


def test_fetch_skips_files_already_present(tmp_path, mirror):
    server, checksums = mirror
    fetch("mnist", tmp_path, base_url=server.url, checksums=checksums)
    server.requests.clear()
    fetch("mnist", tmp_path, base_url=server.url, checksums=checksums)
    assert server.requests == []


def test_fetch_default_folder_is_under_bprop_data_dir(tmp_path, mirror, monkeypatch):
    server, checksums = mirror
    monkeypatch.setenv("BPROP_DATA_DIR", str(tmp_path / "root"))
    assert fetch("mnist", base_url=server.url, checksums=checksums) == tmp_path / "root" / "mnist"
    assert load("mnist").X_train.shape == (50, 784)


def test_fetch_resumes_a_part_file_with_range(tmp_path, mirror):
    server, checksums = mirror
    name = "train-images-idx3-ubyte.gz"
    body = server.files[name]
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / f"{name}.part").write_bytes(body[:1000])
    fetch("mnist", tmp_path, base_url=server.url, checksums=checksums)
    assert (name, "bytes=1000-") in server.requests
    assert (folder / name).read_bytes() == body
    assert not (folder / f"{name}.part").exists()


def test_fetch_dropped_connection_keeps_part_and_resumes(tmp_path, mirror):
    server, checksums = mirror
    name = "train-images-idx3-ubyte.gz"
    server.drop_after[name] = 700
    with pytest.raises(DataError, match="run the fetch again to resume"):
        fetch("mnist", tmp_path, base_url=server.url, checksums=checksums)
    part = tmp_path / "mnist" / f"{name}.part"
    assert part.stat().st_size == 700 and not (tmp_path / "mnist" / name).exists()
    fetch("mnist", tmp_path, base_url=server.url, checksums=checksums)
    assert (name, "bytes=700-") in server.requests
    assert (tmp_path / "mnist" / name).read_bytes() == server.files[name] and not part.exists()


def test_fetch_restarts_a_too_long_part_file(tmp_path, mirror):
    server, checksums = mirror
    name = "train-labels-idx1-ubyte.gz"
    body = server.files[name]
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / f"{name}.part").write_bytes(b"x" * (len(body) + 5))
    fetch("mnist", tmp_path, base_url=server.url, checksums=checksums)  # 416, then a fresh download
    assert (name, f"bytes={len(body) + 5}-") in server.requests and (name, None) in server.requests
    assert (tmp_path / "mnist" / name).read_bytes() == body


def test_fetch_restarts_when_server_ignores_range(tmp_path, mirror):
    server, checksums = mirror
    server.honour_range = False
    name = "t10k-images-idx3-ubyte.gz"
    body = server.files[name]
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / f"{name}.part").write_bytes(body[:500])
    fetch("mnist", tmp_path, base_url=server.url, checksums=checksums)
    assert (name, "bytes=500-") in server.requests
    assert (folder / name).read_bytes() == body


def test_fetch_corrupted_file_leaves_nothing_behind(tmp_path, mirror):
    server, checksums = mirror
    name = "train-labels-idx1-ubyte.gz"
    server.files[name] = server.files[name][:-1] + b"X"
    with pytest.raises(DataError, match=rf"{name}.*MD5.*expected {checksums[name]}"):
        fetch("mnist", tmp_path, base_url=server.url, checksums=checksums)
    folder = tmp_path / "mnist"
    assert not (folder / name).exists()
    assert not (folder / f"{name}.part").exists()


def test_fetch_http_error_and_bad_arguments(tmp_path, mirror):
    server, checksums = mirror
    del server.files["t10k-labels-idx1-ubyte.gz"]
    with pytest.raises(DataError, match="HTTP 404"):
        fetch("mnist", tmp_path, base_url=server.url, checksums=checksums)
    with pytest.raises(InvalidArgument, match="'mnist', 'fashion-mnist'"):
        fetch("digits", tmp_path)
    with pytest.raises(InvalidArgument, match="base_url"):
        fetch("mnist", tmp_path, base_url="file:///etc/")


def test_fetch_checksum_table_is_the_published_one():
    from bprop.datasets.fetch import CHECKSUMS, MIRRORS

    assert CHECKSUMS["mnist"]["train-images-idx3-ubyte.gz"] == "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    assert CHECKSUMS["fashion-mnist"]["t10k-labels-idx1-ubyte.gz"] == "bb300cfdad3c16e7a12a480ee83cd310"
    assert set(MIRRORS) == {"mnist", "fashion-mnist"}
    assert all(len(table) == 4 for table in CHECKSUMS.values())


# ---------------------------------------------------------------- toy sets

TOY = ["xor", "circles", "moons", "spiral", "gaussians"]


@pytest.mark.parametrize("name", TOY)
def test_toy_shapes_classes_and_seeds(name):
    data = load(name, seed=5)
    assert data.X_train.shape == (300, 2) and data.X_test.shape == (100, 2)
    assert data.X_train.dtype == np.float64 and data.y_train.dtype == np.int64
    assert set(data.y_train) == {0, 1} and set(data.y_test) == {0, 1}
    assert data.value_range is None and data.image_shape is None
    again = load(name, seed=5)
    np.testing.assert_array_equal(again.X_train, data.X_train)
    np.testing.assert_array_equal(again.y_test, data.y_test)
    assert not np.array_equal(load(name, seed=6).X_train, data.X_train)
    small = load(name, n=40, noise=0.0, test_fraction=0.5)
    assert small.X_train.shape == (20, 2) and small.X_test.shape == (20, 2)


def test_toy_geometry_without_noise():
    xor = load("xor", noise=0.0)
    X = np.vstack([xor.X_train, xor.X_test])
    y = np.concatenate([xor.y_train, xor.y_test])
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    circles = load("circles", noise=0.0)
    radius = np.hypot(*circles.X_train.T)
    np.testing.assert_allclose(radius, np.where(circles.y_train == 0, 1.0, 0.5))


def test_toy_n_classes():
    data = load("spiral", n_classes=3, n=300)
    assert data.n_classes == 3 and set(data.y_train) == {0, 1, 2}
    assert load("gaussians", n_classes=5).n_classes == 5
    with pytest.raises(InvalidArgument, match="n_classes"):
        load("xor", n_classes=3)
    with pytest.raises(InvalidArgument, match="n=3"):
        load("moons", n=3)


# ---------------------------------------------------------------- user files


def test_csv_numeric_labels(tmp_path):
    path = tmp_path / "d.csv"
    rows = "\n".join(f"{i},{i * 0.5},{i % 3}" for i in range(30))
    path.write_text("a,b,label\n" + rows + "\n")
    data = load(str(path), seed=1)
    assert data.X_train.shape == (24, 2) and data.X_test.shape == (6, 2)
    assert data.class_names == ["0", "1", "2"]
    X = np.vstack([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test])
    np.testing.assert_array_equal(y, X[:, 0].astype(int) % 3)
    assert sorted(np.bincount(data.y_test)) == [2, 2, 2]  # stratified


def test_csv_string_labels_and_label_column(tmp_path):
    path = tmp_path / "iris.csv"
    species = ["setosa", "virginica", "versicolor"]
    lines = [f"{species[i % 3]},{i},{-i}" for i in range(12)]
    path.write_text("species,x1,x2\n" + "\n".join(lines))
    data = load(path, label_column="species", test_fraction=0.25)
    assert data.class_names == ["setosa", "versicolor", "virginica"]
    X = np.vstack([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test])
    names = np.array(data.class_names)[y]
    np.testing.assert_array_equal(names, [species[int(i) % 3] for i in X[:, 0]])
    with pytest.raises(InvalidArgument, match="'nope'.*'species', 'x1', 'x2'"):
        load(path, label_column="nope")


def test_csv_non_numeric_cell_names_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x,y,label\n1,2,a\n3,oops,b\n5,6,a\n")
    with pytest.raises(DataError) as e:
        load(str(path))
    message = str(e.value)
    assert str(path) in message and "row 2" in message and "'y'" in message and "'oops'" in message


def test_csv_empty_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="empty"):
        load(str(empty))
    header = tmp_path / "header.csv"
    header.write_text("a,b,label\n")
    with pytest.raises(DataError, match="no data rows"):
        load(str(header))


def test_csv_nan_is_refused(tmp_path):
    path = tmp_path / "nan.csv"
    path.write_text("a,label\n1,0\nnan,1\n3,0\n4,1\n")
    with pytest.raises(DataError, match="nan.*row 2"):
        load(str(path))


def test_npz_happy_path_and_object_arrays_refused(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((50, 3)), np.arange(50) % 2
    path = tmp_path / "d.npz"
    np.savez(path, X=X, y=y)
    data = load(str(path), test_fraction=0.2)
    assert data.X_train.shape == (40, 3) and data.X_test.shape == (10, 3)
    assert data.class_names == ["0", "1"]
    np.testing.assert_array_equal(np.sort(np.vstack([data.X_train, data.X_test]), axis=0), np.sort(X, axis=0))
    bad = tmp_path / "obj.npz"
    np.savez(bad, X=X, y=np.array([{"x": 1}] * 50, dtype=object))
    with pytest.raises(DataError, match="pickle"):
        load(str(bad))
    missing = tmp_path / "missing.npz"
    np.savez(missing, features=X)
    with pytest.raises(DataError, match="lacks the array"):
        load(str(missing))


# ---------------------------------------------------------------- preprocessing


def test_preprocessing_is_fitted_on_training_data_only():
    X_train = np.array([[0.0, 10.0], [2.0, 30.0], [4.0, 20.0]])
    X_test = np.array([[8.0, 10.0]])
    scale = fit_preprocessor("scale", X_train)
    np.testing.assert_allclose(scale.transform(X_train).min(axis=0), [0, 0])
    np.testing.assert_allclose(scale.transform(X_train).max(axis=0), [1, 1])
    np.testing.assert_allclose(scale.transform(X_test), [[2.0, 0.0]])  # beyond [0, 1]: train stats only
    standard = fit_preprocessor("standardize", X_train)
    np.testing.assert_allclose(standard.transform(X_train).mean(axis=0), [0, 0], atol=1e-12)
    np.testing.assert_allclose(standard.transform(X_train).std(axis=0), [1, 1])
    np.testing.assert_array_equal(fit_preprocessor("none", X_train).transform(X_test), X_test)


def test_preprocessing_value_range_and_constant_feature():
    p = fit_preprocessor("scale", np.array([[0.0, 5.0], [8.0, 5.0]]), value_range=16.0)
    np.testing.assert_array_equal(p.scale, [16.0, 16.0])
    q = fit_preprocessor("scale", np.array([[0.0, 5.0], [8.0, 5.0]]))
    np.testing.assert_array_equal(q.transform([[4.0, 5.0]]), [[0.5, 0.0]])
    s = fit_preprocessor("standardize", np.array([[1.0, 5.0], [3.0, 5.0]]))
    assert np.isfinite(s.transform([[2.0, 7.0]])).all()


@pytest.mark.parametrize("kind", ["scale", "standardize", "none"])
def test_preprocessing_dict_round_trip(kind):
    X = np.random.default_rng(0).standard_normal((20, 4)) * 3 + 1
    p = fit_preprocessor(kind, X)
    q = Preprocessor.from_dict(json.loads(json.dumps(p.to_dict())))
    assert q.kind == kind
    np.testing.assert_array_equal(q.transform(X), p.transform(X))


def test_preprocessing_errors():
    p = fit_preprocessor("standardize", np.ones((3, 4)))
    with pytest.raises(InvalidArgument, match=r"shape \(2, 3\).*4 features"):
        p.transform(np.ones((2, 3)))
    with pytest.raises(InvalidArgument, match="reshape"):
        p.transform(np.ones(4))
    with pytest.raises(InvalidArgument, match="kind='minmax'"):
        fit_preprocessor("minmax", np.ones((3, 4)))
    d = p.to_dict()
    with pytest.raises(InvalidArgument, match="scale"):
        Preprocessor.from_dict({**d, "scale": [1.0, 0.0, 1.0, 1.0]})
    with pytest.raises(InvalidArgument, match="shift must be a list of 4"):
        Preprocessor.from_dict({**d, "shift": [0.0]})
    with pytest.raises(InvalidArgument, match="keys"):
        Preprocessor.from_dict({"kind": "none"})


# ---------------------------------------------------------------- catalog


def test_list_datasets_includes_every_name(tmp_path):
    infos = list_datasets(data_dir=tmp_path)
    assert all(isinstance(i, DatasetInfo) for i in infos)
    assert [i.name for i in infos] == list(NAMES)
    assert set(NAMES) == {"digits", "mnist", "fashion-mnist", "xor", "circles", "moons", "spiral", "gaussians"}
    by_name = {i.name: i for i in infos}
    assert not by_name["mnist"].available and "bprop data fetch mnist" in by_name["mnist"].hint
    assert by_name["digits"].available and (by_name["digits"].n_train, by_name["digits"].n_test) == (1437, 360)
    assert by_name["moons"].source == "generated"
    _write_fake_mnist(tmp_path / "mnist")
    assert {i.name: i for i in list_datasets(data_dir=tmp_path)}["mnist"].available


def test_digits_test_split_is_fixed_across_seeds():
    a, b = load("digits", seed=0), load("digits", seed=123)
    assert a.X_train.shape == (1437, 64) and a.X_test.shape == (360, 64)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert a.value_range == 16.0 and a.image_shape == (8, 8) and a.X_train.max() == 16.0
    assert set(np.bincount(a.y_test)) <= {35, 36, 37}  # stratified: about 36 per class
    small = load("digits", n=100, seed=4)
    assert small.X_train.shape == (100, 64)
    np.testing.assert_array_equal(small.X_test, a.X_test)


def test_load_argument_errors():
    with pytest.raises(InvalidArgument) as e:
        load("cifar")
    assert "cifar" in str(e.value) and "fashion-mnist" in str(e.value) and ".csv" in str(e.value)
    with pytest.raises(InvalidArgument, match="test_fraction.*fixed test split"):
        load("digits", test_fraction=0.3)
    with pytest.raises(InvalidArgument, match="noise"):
        load("digits", noise=0.1)
    with pytest.raises(InvalidArgument, match="seed"):
        load("xor", seed=-1)
    with pytest.raises(InvalidArgument, match="test_fraction"):
        load("xor", test_fraction=1.5)
    with pytest.raises(InvalidArgument, match="n=5000 is more than"):
        load("digits", n=5000)
    with pytest.raises(DataError, match="does not exist"):
        load("/no/such/file.csv")
