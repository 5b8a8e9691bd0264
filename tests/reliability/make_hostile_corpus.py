"""Write the hostile inputs of regressions/ that issue 16 found: python -m tests.reliability.make_hostile_corpus.

Each file is named ``hostile-<what it does>``; test_fuzz_regressions.py
replays them and requires each to be *refused* with a documented error.
The files are small (the 200,000-member archive is built by
test_hostile_files.py instead). Run again only to add a case.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np

import bprop as bp

HERE = Path(__file__).parent / "regressions"
METADATA = {
    "dataset": "iris",
    "class_names": ["setosa", "versicolor", "virginica"],
    "preprocessing": {"kind": "standardize", "n_features": 4, "shift": [0.0] * 4, "scale": [1.0] * 4},
    "training": {"seed": 0},
}


def model_members():
    buffer = io.BytesIO()
    path = Path("/tmp") / f"corpus-{id(buffer)}.bprop"
    bp.Network([4, 3, 3], seed=0).save(path, metadata=METADATA)
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    path.unlink()
    return members, json.loads(members["header.json"])


def write(path, members, header_text):
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            if name != "header.json":
                zf.writestr(zipfile.ZipInfo(name), data)
        zf.writestr(zipfile.ZipInfo("header.json"), header_text)


def with_placeholder(header, token):
    header = json.loads(json.dumps(header))
    header["metadata"]["x"] = "PLACEHOLDER"
    return json.dumps(header).replace('"PLACEHOLDER"', token)


def checkpoint_with_nan_weights(path):
    """A checkpoint written after epoch 1, its current weights w^2 made NaN and their checksum fixed up."""
    source = path.with_suffix(".tmp")
    X = np.random.default_rng(0).normal(size=(12, 3))
    bp.train(bp.Network([3, 2, 2], seed=0), X, np.arange(12) % 2, epochs=1, batch_size=4, seed=0, checkpoint=source)
    with zipfile.ZipFile(source) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    source.unlink()
    header = json.loads(members["header.json"])
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.full((2, 3), np.nan, dtype=np.float32), allow_pickle=False)
    members["net/weights/0.npy"] = buffer.getvalue()
    header["arrays"]["net/weights/0"]["sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
    write(path, members, json.dumps(header))


def main():
    members, header = model_members()
    model = HERE / "model"
    write(model / "hostile-header-number-1e999", members, with_placeholder(header, "1e999"))
    write(model / "hostile-header-nan-token", members, with_placeholder(header, "NaN"))
    write(model / "hostile-header-nested-5000-deep", members, with_placeholder(header, "[" * 5000 + "]" * 5000))
    poisoned = dict(members)
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.full((3, 4), np.nan, dtype=np.float32), allow_pickle=False)
    poisoned["weights/0.npy"] = buffer.getvalue()
    fixed = json.loads(json.dumps(header))
    fixed["arrays"]["weights/0"]["sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
    write(model / "hostile-nan-weights-checksum-fixed", poisoned, json.dumps(fixed))

    metadata = HERE / "model-metadata"
    for name, change in {
        "class-names-wrong-length": {"class_names": ["a", "b"]},
        "class-names-not-strings": {"class_names": [0, 1, 2]},
        "class-names-a-string": {"class_names": "abc"},
        "image-shape-huge": {"image_shape": [1_000_000_000, 1_000_000_000]},
        "image-shape-wrong-product": {"image_shape": [2, 3]},
        "value-range-a-list": {"value_range": [0, 255]},
        "value-range-zero": {"value_range": 0},
        "preprocessing-wrong-width": {
            "preprocessing": {"kind": "scale", "n_features": 9, "shift": [0.0] * 9, "scale": [1.0] * 9}
        },
        "training-seed-a-list": {"training": {"seed": [1]}},
        "training-a-list": {"training": ["seed", 0]},
    }.items():
        changed = json.loads(json.dumps(header))
        changed["metadata"].update(change)
        write(metadata / f"hostile-{name}", members, json.dumps(changed))

    history = HERE / "history"
    history.mkdir(parents=True, exist_ok=True)
    (history / "hostile-nested-5000-deep.json").write_text("[" * 5000 + "]" * 5000)
    (history / "hostile-number-1e999.json").write_text('{"train_cost": [1e999]}')
    (history / "hostile-lists-of-different-lengths.json").write_text('{"train_cost": [1], "epoch_seconds": [1, 2]}')
    (history / "hostile-cost-a-string.json").write_text('{"train_cost": "0.5"}')
    (history / "hostile-utf16-bom.json").write_bytes('{"train_cost": []}'.encode("utf-16"))

    checkpoint_with_nan_weights(HERE / "checkpoint" / "hostile-nan-weights-at-an-epoch-end-checksum-fixed")

    settings = HERE / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "hostile-nested-5000-deep.json").write_text("{" + '"a":[' * 5000 + "]" * 5000 + "}")
    (settings / "hostile-nan-token.json").write_text('{"lr": NaN}')
    (settings / "hostile-not-utf8.json").write_bytes(b'{"data": "\xff"}')


if __name__ == "__main__":
    main()
