"""The one slow test: a real data set, a real network, the accuracy the issue asks for."""

from pathlib import Path

import numpy as np
import pytest

import bprop as bp
from bprop import datasets

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.slow
@pytest.mark.skipif(
    not DEBIAN_DIR.is_dir(), reason="Fashion-MNIST is missing: apt-get install dataset-fashion-mnist (./run test does)"
)
def test_fashion_mnist_reaches_88_percent_in_10_epochs():
    data = datasets.load("fashion-mnist")
    pre = datasets.fit_preprocessor("scale", data.X_train, value_range=data.value_range)
    net = bp.Network([784, 256, 128, 10], activation="relu", output="softmax", cost="log_likelihood", init="he", seed=0)
    history = bp.train(
        net, pre.transform(data.X_train), data.y_train, epochs=10, batch_size=128, optimizer=bp.Adam(lr=1e-3), seed=0
    )
    accuracy = np.mean(net.predict(pre.transform(data.X_test)) == data.y_test)
    assert len(history) == 10
    assert accuracy >= 0.88, accuracy


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "fashion-mnist.toml"


@pytest.mark.slow
@pytest.mark.skipif(
    not DEBIAN_DIR.is_dir(), reason="Fashion-MNIST is missing: apt-get install dataset-fashion-mnist (./run test does)"
)
def test_the_documented_recipe_shortened_to_15_epochs_stays_above_89_percent(tmp_path, monkeypatch):
    """examples/fashion-mnist.toml, the README's recipe for ≥ 0.90, run through `bprop train` for its first 15 epochs."""
    import json

    from bprop.cli import main

    monkeypatch.chdir(tmp_path)
    status = main(["train", "--config", str(EXAMPLE), "--epochs", "15", "--quiet", "--json", "--out", "runs"])
    assert status == 0
    (folder,) = (tmp_path / "runs").iterdir()
    results = json.loads((folder / "results.json").read_text())["results"]
    assert results["test"]["samples"] == 10_000
    assert results["test"]["accuracy"] >= 0.89, results
