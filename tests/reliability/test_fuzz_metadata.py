"""Property-based fuzzing of what bprop reads back beside the arrays: model metadata, history.json, settings.json.

hypothesis draws values for every metadata field ``bprop train`` writes (valid
ones, near misses and arbitrary JSON), every field of a history, and every
key of a run's settings.json, and writes the file as an attacker would (not
through ``save``, which would refuse). The property: the reader returns, or
raises one of bprop's documented errors, never another exception, within a
time bound; and what it returns works where bprop uses it — a model whose
metadata was accepted predicts (its labels among its class names, its
outputs finite) and a history that was accepted draws its learning curves.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bprop as bp
from bprop import plots
from bprop.cli.plot_command import read_history
from bprop.cli.predict_command import predictions
from bprop.cli.saved_model import class_names
from bprop.cli.settings import resumed
from bprop.storage import modelfile

from .test_fuzz_parsers import FUZZ, JSON, documented, paths_of, replaced

pytestmark = pytest.mark.fuzz

SIZES = [4, 3, 3]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-metadata")


@pytest.fixture(scope="module")
def model_header(folder):
    """(members, header) of a valid [4, 3, 3] model file with the metadata bprop train writes."""
    import zipfile

    meta = {
        "dataset": "iris",
        "class_names": ["setosa", "versicolor", "virginica"],
        "image_shape": [2, 2],
        "value_range": 8.0,
        "preprocessing": {"kind": "standardize", "n_features": 4, "shift": [1.0] * 4, "scale": [2.0] * 4},
        "training": {"data": "iris", "seed": 3, "data_dir": None, "n": None, "noise": None, "label_column": None},
    }
    path = bp.Network(SIZES, seed=0).save(folder / "valid.bprop", metadata=meta)
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    return members, json.loads(members["header.json"])


NEAR_MISSES = {
    "class_names": st.lists(st.text(max_size=3), min_size=0, max_size=5),
    "image_shape": st.lists(st.integers(-2, 5), min_size=0, max_size=3),
    "value_range": st.floats(allow_nan=True, allow_infinity=True) | st.integers(-2, 2),
    "preprocessing": st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["scale", "standardize", "none", "bogus"]),
            "n_features": st.integers(-1, 5),
            "shift": st.lists(st.floats(-5, 5), max_size=5),
            "scale": st.lists(st.floats(-1, 5), max_size=5),
        }
    ),
    "training": st.dictionaries(
        st.sampled_from(["seed", "data_dir", "n", "noise", "label_column"]), JSON | st.integers(-3, 2**65), max_size=5
    ),
    "dataset": st.text(max_size=5) | JSON,
}


@st.composite
def hostile_metadata(draw, valid):
    """``valid`` with 1–4 fields replaced by near misses or any JSON, or deleted, or one nested value replaced."""
    meta = dict(valid)
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from(sorted(NEAR_MISSES)))
        how = draw(st.sampled_from(["near", "near", "json", "delete", "inner"]))
        if how == "near":
            meta[key] = draw(NEAR_MISSES[key])
        elif how == "json":
            meta[key] = draw(JSON)
        elif how == "delete":
            meta.pop(key, None)
        else:
            paths = [path for path in paths_of(meta) if len(path) >= 2]  # a value inside one field
            if paths:
                meta = replaced(meta, paths[draw(st.integers(0, len(paths) - 1))], draw(JSON))
    return meta


def write_model(path, members, header, metadata):
    """The model file with ``metadata`` written as is (NaN kept as the token NaN, as an attacker may)."""
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            if name != "header.json":
                zf.writestr(name, data)
        zf.writestr("header.json", json.dumps(header | {"metadata": metadata}))
    return path


@FUZZ
@given(data=st.data())
def test_metadata_is_accepted_only_when_predict_can_use_it(folder, model_header, data):
    members, header = model_header
    meta = data.draw(hostile_metadata(header["metadata"]))
    path = write_model(folder / "hostile.bprop", members, header, meta if isinstance(meta, dict) else {})
    net = documented(lambda: modelfile.load_trained(path), "model metadata fields")
    if net is None:
        return
    names = class_names(net, net.metadata)
    assert all(isinstance(n, str) for n in names)
    np.savez(folder / "x.npz", X=np.arange(8.0).reshape(2, 4))
    result = documented(lambda: predictions(path, folder / "x.npz"), "model metadata: predict")
    if result is not None:  # refused only for metadata predict cannot use, with a documented error
        assert all(math.isfinite(v) for row in result["outputs"] for v in row)
        assert set(result.get("labels", [])) <= set(names)


# -- history.json --------------------------------------------------------------


VALID_HISTORY = {
    "train_cost": [0.9, 0.5, 0.4],
    "train_accuracy": [0.5, 0.7, 0.8],
    "validation_cost": [1.0, float("nan"), 0.5],
    "validation_accuracy": [None, 0.6, 0.7],
    "epoch_seconds": [0.1, 0.1, 0.2],
    "best_epoch": 3,
    "stopped_early": False,
    "layer_stats": {"layers": [2, 3], "mean_abs_delta": [[0.1, 0.2]] * 3, "mean_abs_grad_w": [[0.1, 0.0]] * 3},
}


@st.composite
def hostile_histories(draw):
    history = json.loads(json.dumps(VALID_HISTORY))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(paths_of(history))
        path = paths[draw(st.integers(0, len(paths) - 1))]
        if path and draw(st.booleans()) and isinstance(history, dict) and len(path) == 1:
            history.pop(path[0], None)
        else:
            history = replaced(history, path, draw(JSON))
    return json.dumps(history)


@FUZZ
@given(text=hostile_histories() | st.text(max_size=40))
def test_a_history_is_accepted_only_when_its_curves_can_be_drawn(folder, text):
    path = folder / "history.json"
    path.write_text(text, encoding="utf-8")
    history = documented(lambda: read_history(path), "history.json")
    if history is None:
        return
    assert len({len(getattr(history, key)) for key in ("train_cost", "validation_cost", "epoch_seconds")}) == 1
    plots.learning_curves(history, folder / "curves.png")


# -- settings.json (--resume) ----------------------------------------------------


@pytest.fixture(scope="module")
def valid_settings(folder):
    from bprop.cli.settings import TrainSettings

    return TrainSettings(data="iris", hidden=[4], epochs=2).to_dict()


@FUZZ
@given(data=st.data())
def test_a_settings_json_is_read_back_or_refused_with_a_documented_error(folder, valid_settings, data):
    settings = dict(valid_settings)
    for _ in range(data.draw(st.integers(1, 3))):
        key = data.draw(st.sampled_from(sorted(settings)))
        settings[key] = data.draw(JSON)
    run = folder / "run"
    run.mkdir(exist_ok=True)
    (run / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    documented(lambda: resumed(run, {}), "settings.json")
