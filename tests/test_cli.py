"""Tests of the ``bprop`` command line.

Each command runs in-process through ``bprop.cli.main(argv)``; the tests check
the exit status, what reaches stdout/stderr and the files written. Expected
predictions are computed independently: the saved model is loaded with
``bprop.load``, its stored preprocessing applied with ``Preprocessor.from_dict``.
A few real subprocesses check ``python -m bprop`` and the console script.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import http.server
import importlib
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import bprop
from bprop.cli import main
from bprop.datasets import Preprocessor
from bprop.datasets import load as load_data
from bprop.errors import InvalidArgument
from cli_helpers import isolated, run  # noqa: F401 (isolated: an autouse fixture)

PNG_MAGIC = b"\x89PNG"
RUN_FILES = ("model.bprop", "history.json", "curves.png", "settings.json", "results.json")


def assert_user_error(status, err, *fragments):
    """Exit 1 and one line 'bprop: error: ...' on stderr that holds each fragment."""
    assert status == 1, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("bprop: error: ")
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def run_folders(out: Path) -> list[Path]:
    return sorted(p for p in Path(out).iterdir() if p.is_dir())


def only_run_folder(out: Path) -> Path:
    folders = run_folders(out)
    assert len(folders) == 1, folders
    return folders[0]


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def is_png(path: Path) -> bool:
    return Path(path).is_file() and Path(path).read_bytes()[:4] == PNG_MAGIC


def expected_predictions(model_path, X):
    """Labels (as class names) and outputs a^L, computed without the CLI."""
    net = bprop.load(model_path)
    pre = Preprocessor.from_dict(net.metadata["preprocessing"])
    Xp = pre.transform(np.asarray(X, dtype=np.float64))
    names = net.metadata["class_names"]
    return [names[k] for k in net.predict(Xp)], net.feedforward(Xp)


def train_quietly(capsys, out, *flags):
    status, stdout, err = run(capsys, "train", "--quiet", "--out", out, *flags)
    assert (status, stdout, err) == (0, "", "")
    return run_folders(out)[-1]


@pytest.fixture(scope="module")
def digits_model(tmp_path_factory):
    """A digits model from the classic defaults, 2 epochs: (path, test inputs, test labels)."""
    out = tmp_path_factory.mktemp("digits-model")
    assert main(["train", "--epochs", "2", "--quiet", "--out", str(out)]) == 0
    model = only_run_folder(out) / "model.bprop"
    data = load_data("digits")
    return model, data.X_test, data.y_test


@pytest.fixture
def model_copy(digits_model, tmp_path):
    """The module's digits model copied into this test's folder (files written next to it stay here)."""
    path = tmp_path / "models" / "digits.bprop"
    path.parent.mkdir()
    shutil.copy(digits_model[0], path)
    return path


# ---------------------------------------------------------------- train


def test_train_defaults_write_a_complete_run_folder(capsys, tmp_path):
    status, out, err = run(capsys, "train", "--out", tmp_path / "runs", "--epochs", 2, "--quiet")
    assert (status, out, err) == (0, "", "")
    folder = only_run_folder(tmp_path / "runs")
    for name in RUN_FILES:
        assert (folder / name).is_file(), name

    net = bprop.load(folder / "model.bprop")
    assert net.sizes == [64, 30, 10]
    assert (net.activation.name, net.output.name, net.cost.name) == ("sigmoid", "sigmoid", "quadratic")
    assert np.dtype(net.dtype) == np.float32
    assert net.metadata["dataset"] == "digits"
    assert net.metadata["class_names"] == [str(k) for k in range(10)]

    history = read_json(folder / "history.json")
    assert len(history["train_cost"]) == 2 and len(history["validation_accuracy"]) == 2
    assert is_png(folder / "curves.png")

    settings = read_json(folder / "settings.json")
    assert settings["data"] == "digits" and settings["epochs"] == 2
    assert settings["hidden"] == [30] and settings["lr"] == 3.0 and settings["batch_size"] == 10
    assert settings["optimizer"] == "sgd" and settings["seed"] == 0

    results = read_json(folder / "results.json")
    assert set(results["results"]) == {"train", "validation", "test"}
    assert results["epochs_run"] == 2 and results["diverged"] is False


def test_train_json_prints_only_json(capsys, tmp_path):
    status, out, err = run(capsys, "train", "--json", "--epochs", 2, "--out", tmp_path / "runs")
    assert status == 0 and err == ""
    summary = json.loads(out)
    results = summary["results"]
    for split in ("train", "validation", "test"):
        assert 0.0 <= results[split]["accuracy"] <= 1.0
    assert results["test"]["samples"] == 360
    assert results["train"]["samples"] + results["validation"]["samples"] == 1437
    assert Path(summary["run_folder"]).is_dir()
    assert Path(summary["model"]).is_file()
    assert summary["epochs_run"] == 2


def test_train_default_output_shows_results_table_and_run_folder(capsys, tmp_path):
    status, out, err = run(capsys, "train", "--epochs", 1, "--out", tmp_path / "runs")
    assert status == 0 and err == ""
    folder = only_run_folder(tmp_path / "runs")
    assert "digits" in out and "sigmoid" in out
    assert "test" in out and "accuracy" in out and "validation" in out
    # The run folder line keeps the path whole, however long, so that it can be copied.
    assert f"run folder: {folder}" in out


def test_train_honors_every_flag(capsys, tmp_path):
    folder = train_quietly(
        capsys,
        tmp_path / "runs",
        "--layers",
        "64,20,10",
        "--activation",
        "relu",
        "--output",
        "softmax",
        "--cost",
        "log_likelihood",
        "--init",
        "he",
        "--optimizer",
        "adam",
        "--lr",
        "0.01",
        "--l2",
        "0.1",
        "--batch-size",
        "32",
        "--seed",
        "3",
        "--dtype",
        "float64",
        "--early-stopping",
        "2",
        "--epochs",
        "3",
        "--validation-fraction",
        "0.2",
        "--preprocess",
        "standardize",
        "--name",
        "every-flag",
    )
    assert folder.name.endswith("-every-flag")
    net = bprop.load(folder / "model.bprop")
    assert net.sizes == [64, 20, 10]
    assert (net.activation.name, net.output.name, net.cost.name) == ("relu", "softmax", "log_likelihood")
    assert np.dtype(net.dtype) == np.float64
    assert all(w.dtype == np.float64 for w in net.weights)
    assert net.metadata["preprocessing"]["kind"] == "standardize"

    settings = read_json(folder / "settings.json")
    assert (
        settings
        | {
            "layers": [64, 20, 10],
            "activation": "relu",
            "output": "softmax",
            "cost": "log_likelihood",
            "init": "he",
            "optimizer": "adam",
            "lr": 0.01,
            "l2": 0.1,
            "batch_size": 32,
            "seed": 3,
            "dtype": "float64",
            "early_stopping": 2,
            "epochs": 3,
            "validation_fraction": 0.2,
            "preprocess": "standardize",
            "name": "every-flag",
        }
        == settings
    )
    assert len(read_json(folder / "history.json")["train_cost"]) <= 3
    results = read_json(folder / "results.json")["results"]
    assert results["validation"]["samples"] == pytest.approx(0.2 * 1437, abs=1)


def test_each_settings_flag_reaches_the_setting_of_its_name(capsys, monkeypatch):
    """Every TrainSettings field has a flag of `bprop train`, and the flag sets that field (no other)."""
    from bprop.cli import train_command
    from bprop.cli.settings import KEYS, flag_name

    given = {  # flag value → the setting it must become; each differs from the default
        "data": ("xor", "xor"),
        "data_dir": ("somewhere", "somewhere"),
        "layers": ("2,3,2", [2, 3, 2]),
        "hidden": ("7,5", [7, 5]),
        "activation": ("tanh", "tanh"),
        "output": ("softmax", "softmax"),
        "cost": ("log_likelihood", "log_likelihood"),
        "init": ("he", "he"),
        "optimizer": ("momentum", "momentum"),
        "lr": ("0.25", 0.25),
        "momentum": ("0.5", 0.5),
        "lr_decay": ("0.75", 0.75),
        "l2": ("0.125", 0.125),
        "l2_divisor": ("batch", "batch"),
        "l1": ("0.0625", 0.0625),
        "dropout": ("0.25", 0.25),
        "epochs": ("3", 3),
        "batch_size": ("4", 4),
        "shuffle": (None, False),
        "seed": ("5", 5),
        "dtype": ("float64", "float64"),
        "device": ("cuda:1", "cuda:1"),
        "early_stopping": ("6", 6),
        "validation_fraction": ("0.375", 0.375),
        "preprocess": ("standardize", "standardize"),
        "label_column": ("y", "y"),
        "n": ("50", 50),
        "noise": ("0.3", 0.3),
        "out": ("elsewhere", "elsewhere"),
        "name": ("named", "named"),
        "plots": (None, True),
        "checkpoint_every": ("200b", "200b"),
    }
    assert set(given) == KEYS
    seen = []
    monkeypatch.setattr(train_command, "train_and_report", lambda settings, **options: seen.append(settings))
    args = []
    for key, (text, _) in given.items():
        args += [flag_name(key)] + ([] if text is None else [text])
    status, _, err = run(capsys, "train", *args)
    assert status == 0, err
    assert {key: getattr(seen[0], key) for key in KEYS} == {key: value for key, (_, value) in given.items()}


def test_train_same_seed_same_weights_other_optimizer_other_weights(capsys, tmp_path):
    flags = ("--epochs", "1", "--hidden", "8", "--seed", "5")
    a = bprop.load(train_quietly(capsys, tmp_path / "a", *flags) / "model.bprop")
    b = bprop.load(train_quietly(capsys, tmp_path / "b", *flags) / "model.bprop")
    c = bprop.load(train_quietly(capsys, tmp_path / "c", *flags, "--optimizer", "adam") / "model.bprop")
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.weights[0], c.weights[0])


@pytest.mark.parametrize(
    "optimizer, extra, momentum, lr",
    [
        ("momentum", ["--momentum", "0.5"], 0.5, 0.1),
        ("nesterov", [], 0.9, 0.1),
    ],
)
def test_train_momentum_optimizers_run(capsys, tmp_path, optimizer, extra, momentum, lr):
    folder = train_quietly(capsys, tmp_path / "runs", "--optimizer", optimizer, *extra, "--epochs", "1")
    settings = read_json(folder / "settings.json")
    assert (settings["optimizer"], settings["momentum"], settings["lr"]) == (optimizer, momentum, lr)


def test_train_hidden_sets_the_hidden_layers(capsys, tmp_path):
    folder = train_quietly(capsys, tmp_path / "runs", "--hidden", "16,8", "--epochs", "1")
    assert bprop.load(folder / "model.bprop").sizes == [64, 16, 8, 10]


def test_train_toy_set_with_n_and_noise(capsys, tmp_path):
    folder = train_quietly(
        capsys, tmp_path / "runs", "--data", "moons", "--n", "80", "--noise", "0.1", "--hidden", "4", "--epochs", "2"
    )
    net = bprop.load(folder / "model.bprop")
    assert net.sizes == [2, 4, 2] and net.metadata["dataset"] == "moons"
    settings = read_json(folder / "settings.json")
    assert (settings["n"], settings["noise"]) == (80, 0.1)


def test_train_softmax_with_quadratic_cost_is_allowed(capsys, tmp_path):
    folder = train_quietly(capsys, tmp_path / "runs", "--output", "softmax", "--cost", "quadratic", "--epochs", "1")
    net = bprop.load(folder / "model.bprop")
    assert (net.output.name, net.cost.name) == ("softmax", "quadratic")


def test_train_csv_data_file(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    rows = ["a,b,c,label"] + [f"{r[0]},{r[1]},{r[2]},{k}" for r, k in zip(X, y)]
    (tmp_path / "mine.csv").write_text("\n".join(rows) + "\n")
    folder = train_quietly(
        capsys, tmp_path / "runs", "--data", "mine.csv", "--label-column", "label", "--hidden", "4", "--epochs", "2"
    )
    assert bprop.load(folder / "model.bprop").sizes == [3, 4, 2]


def direct_train_weights(l2, l2_divisor, shuffle=True):
    """Weights of a bp.train call that does what `bprop train` does with L2_FLAGS, written without the CLI."""
    from bprop.datasets import fit_preprocessor

    data = load_data("digits")
    X = fit_preprocessor("scale", data.X_train, value_range=data.value_range).transform(data.X_train)
    net = bprop.Network([64, 8, 10], seed=0)
    bprop.train(
        net,
        X,
        data.y_train,
        epochs=2,
        batch_size=16,
        optimizer=bprop.SGD(lr=3.0),
        l2=l2,
        l2_divisor=l2_divisor,
        seed=0,
        shuffle=shuffle,
    )
    return net.weights


# No validation split, so that the direct call sees the same rows; 1437 = 89·16 + 13: a smaller last batch.
L2_FLAGS = ("--epochs", "2", "--hidden", "8", "--batch-size", "16", "--validation-fraction", "0", "--l2", "1")


def test_l2_divisor_reaches_train(capsys, tmp_path):
    by_set = bprop.load(
        train_quietly(capsys, tmp_path / "set", *L2_FLAGS, "--l2-divisor", "training_set") / "model.bprop"
    )
    by_default = bprop.load(train_quietly(capsys, tmp_path / "default", *L2_FLAGS) / "model.bprop")
    folder = train_quietly(capsys, tmp_path / "batch", *L2_FLAGS, "--l2-divisor", "batch")
    by_batch = bprop.load(folder / "model.bprop")
    assert read_json(folder / "settings.json")["l2_divisor"] == "batch"
    assert by_batch.metadata["training"]["l2_divisor"] == "batch"
    for w_set, w_default, w_batch, w_direct_set, w_direct_batch in zip(
        by_set.weights,
        by_default.weights,
        by_batch.weights,
        direct_train_weights(1.0, "training_set"),
        direct_train_weights(1.0, "batch"),
    ):
        np.testing.assert_array_equal(w_set, w_default)
        np.testing.assert_array_equal(w_set, w_direct_set)
        np.testing.assert_array_equal(w_batch, w_direct_batch)
    # λ/m_b = 1/16 against λ/n = 1/1437 per step: the batch divisor shrinks the weights far more.
    assert np.linalg.norm(by_batch.weights[0]) < 0.5 * np.linalg.norm(by_set.weights[0])


def test_no_shuffle_reaches_train(capsys, tmp_path):
    flags = [flag for flag in L2_FLAGS if flag not in ("--l2", "1")]
    shuffled = bprop.load(train_quietly(capsys, tmp_path / "shuffled", *flags) / "model.bprop")
    folder = train_quietly(capsys, tmp_path / "in-order", *flags, "--no-shuffle")
    in_order = bprop.load(folder / "model.bprop")
    assert read_json(folder / "settings.json")["shuffle"] is False
    for w_shuffled, w_in_order, w_direct in zip(
        shuffled.weights, in_order.weights, direct_train_weights(0.0, "training_set", shuffle=False)
    ):
        np.testing.assert_array_equal(w_in_order, w_direct)
        assert not np.array_equal(w_in_order, w_shuffled)
    (tmp_path / "run.toml").write_text("shuffle = false\n")
    folder = train_quietly(capsys, tmp_path / "config", "--config", "run.toml", *flags)
    assert read_json(folder / "settings.json")["shuffle"] is False
    for w_config, w_in_order in zip(bprop.load(folder / "model.bprop").weights, in_order.weights):
        np.testing.assert_array_equal(w_config, w_in_order)


def test_a_bad_l2_divisor_is_a_usage_error_naming_the_flag_the_value_and_the_choices(capsys, tmp_path):
    status, out, err = run(capsys, "train", "--l2-divisor", "samples", "--out", tmp_path / "runs")
    assert status == 2 and out == ""
    assert "Usage:" in err and "Traceback" not in err
    assert "Invalid value for '--l2-divisor': 'samples' is not one of training_set, batch." in err
    assert not (tmp_path / "runs").exists()


# ---------------------------------------------------------------- train --config


def test_config_top_level_keys(capsys, tmp_path):
    (tmp_path / "run.toml").write_text('epochs = 1\nhidden = [12]\nactivation = "tanh"\nbatch-size = 20\n')
    folder = train_quietly(capsys, tmp_path / "runs", "--config", "run.toml")
    net = bprop.load(folder / "model.bprop")
    assert net.sizes == [64, 12, 10] and net.activation.name == "tanh"
    settings = read_json(folder / "settings.json")
    assert (settings["epochs"], settings["batch_size"]) == (1, 20)


def test_config_keys_under_train_table(capsys, tmp_path):
    (tmp_path / "run.toml").write_text('[train]\nepochs = 1\nhidden = "9"\noptimizer = "adam"\n')
    folder = train_quietly(capsys, tmp_path / "runs", "--config", "run.toml")
    assert bprop.load(folder / "model.bprop").sizes == [64, 9, 10]
    settings = read_json(folder / "settings.json")
    assert (settings["optimizer"], settings["lr"]) == ("adam", 0.001)


def test_config_top_level_and_train_table_are_both_read(capsys, tmp_path):
    (tmp_path / "run.toml").write_text("epochs = 1\n[train]\nhidden = [7]\n")
    folder = train_quietly(capsys, tmp_path / "runs", "--config", "run.toml")
    assert bprop.load(folder / "model.bprop").sizes == [64, 7, 10]
    assert read_json(folder / "settings.json")["epochs"] == 1


def test_flags_override_the_config_file(capsys, tmp_path):
    (tmp_path / "run.toml").write_text("epochs = 3\nhidden = [12]\nseed = 4\n")
    folder = train_quietly(capsys, tmp_path / "runs", "--config", "run.toml", "--hidden", "7", "--epochs", "1")
    assert bprop.load(folder / "model.bprop").sizes == [64, 7, 10]
    settings = read_json(folder / "settings.json")
    assert (settings["epochs"], settings["seed"]) == (1, 4)
    assert len(read_json(folder / "history.json")["train_cost"]) == 1


@pytest.mark.parametrize("key", ["l2_divisor", "l2-divisor"])
def test_config_l2_divisor(capsys, tmp_path, key):
    flags = [flag for flag in L2_FLAGS if flag not in ("--l2", "1")]
    (tmp_path / "run.toml").write_text(f'l2 = 1\n{key} = "batch"\n')
    folder = train_quietly(capsys, tmp_path / "runs", "--config", "run.toml", *flags)
    assert read_json(folder / "settings.json")["l2_divisor"] == "batch"
    for w, w_direct in zip(bprop.load(folder / "model.bprop").weights, direct_train_weights(1.0, "batch")):
        np.testing.assert_array_equal(w, w_direct)
    # the flag wins over the file
    folder = train_quietly(capsys, tmp_path / "again", "--config", "run.toml", *flags, "--l2-divisor", "training_set")
    assert read_json(folder / "settings.json")["l2_divisor"] == "training_set"


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("epochs = 1\nbogus_key = 2\n", ["run.toml", "unknown key", "bogus_key"]),
        ("[train]\nepochs = 1\nlearning_rate = 2\n", ["run.toml", "unknown key", "learning_rate"]),
        ("train = 3\n", ["run.toml", "unknown key", "train"]),
        ("epochs = \n", ["run.toml", "not valid TOML"]),
        ("epochs = 1\n[train]\nepochs = 2\n", ["run.toml", "epochs", "both"]),
        ('epochs = "two"\n', ["epochs", "number"]),
        ('l2_divisor = "samples"\n', ["--l2-divisor", "'samples'", "training_set, batch"]),
        ("l2_divisor = 2\n", ["l2_divisor", "string", "2"]),
        ('shuffle = "no"\n', ["shuffle", "true or false", "'no'"]),
    ],
)
def test_bad_config_is_a_one_line_error(capsys, tmp_path, text, fragments):
    (tmp_path / "run.toml").write_text(text)
    status, out, err = run(capsys, "train", "--config", "run.toml", "--quiet", "--out", tmp_path / "runs")
    assert_user_error(status, err, *fragments)
    assert not (tmp_path / "runs").exists()


def test_missing_config_file(capsys, tmp_path):
    status, _, err = run(capsys, "train", "--config", "nope.toml", "--quiet", "--out", tmp_path / "runs")
    assert_user_error(status, err, "nope.toml")


# ---------------------------------------------------------------- user errors


@pytest.mark.parametrize(
    "flags, fragments",
    [
        (["--layers", "10,5"], ["--layers", "64 features"]),
        (["--layers", "64,5"], ["--layers", "10 classes"]),
        (["--lr", "-1"], ["lr", "-1"]),
        (["--activation", "nope"], ["activation", "nope"]),
        (["--output", "nope"], ["output", "nope"]),
        (["--cost", "nope"], ["cost", "nope"]),
        (["--init", "nope"], ["init", "nope"]),
        (["--optimizer", "nope"], ["optimizer", "nope"]),
        (["--dtype", "float16"], ["dtype", "float16"]),
        (["--preprocess", "nope"], ["nope"]),
        (["--data", "nope"], ["nope", "digits"]),
        (["--data", "missing.csv"], ["missing.csv"]),
        (["--cost", "log_likelihood", "--output", "sigmoid"], ["log_likelihood", "softmax"]),
        (["--epochs", "0"], ["epochs", "0"]),
        (["--batch-size", "0"], ["batch_size", "0"]),
        (["--l2", "-1"], ["l2"]),
        (["--hidden", "a,b"], ["--hidden", "a,b"]),
        (["--hidden", "0"], ["--hidden"]),
        (["--validation-fraction", "1.5"], ["--validation-fraction", "1.5"]),
        (["--optimizer", "momentum", "--momentum", "2"], ["momentum", "2"]),
        (["--early-stopping", "0"], ["early_stopping"]),
    ],
)
def test_train_user_errors_are_one_line(capsys, tmp_path, flags, fragments):
    status, out, err = run(capsys, "train", "--quiet", "--epochs", "1", "--out", tmp_path / "runs", *flags)
    assert_user_error(status, err, *fragments)
    assert out == ""


@pytest.mark.parametrize(
    "label_column, fragments",
    [("label", ["'oops'", "not a number", "--label-column"]), ("nope", ["'nope'", "--label-column", "'a', 'b'"])],
)
def test_a_refused_data_file_prints_its_error_alone_not_the_training_line(capsys, tmp_path, label_column, fragments):
    (tmp_path / "bad.csv").write_text("a,b,label\n1,2,x\n3,oops,y\n")
    flags = ["--data", tmp_path / "bad.csv", "--label-column", label_column, "--epochs", "1"]
    status, out, err = run(capsys, "train", "--out", tmp_path / "runs", *flags)  # not --quiet: the progress shows
    assert_user_error(status, err, *fragments)
    assert out == ""  # "training bad.csv with …" waits until training begins


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["train", "--epochs", "abc"], "--epochs"),
        (["train", "--lr", "fast"], "--lr"),
        (["train", "--no-such-flag"], "--no-such-flag"),
        (["no-such-command"], "no-such-command"),
        (["evaluate", "m.bprop", "--split", "both"], "--split"),
        (["predict", "m.bprop"], "INPUTS"),
    ],
)
def test_malformed_command_lines_exit_2_with_usage(capsys, tmp_path, args, fragment):
    status, out, err = run(capsys, *args, "--out", tmp_path) if args[0] == "train" else run(capsys, *args)
    assert status == 2
    assert "Usage:" in err and fragment.lower() in err.lower()
    assert "Traceback" not in err and "bprop: error:" not in err
    assert not any(tmp_path.iterdir()) or args[0] != "train"


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(InvalidArgument, match="lr"):
        main(["--debug", "train", "--lr", "-1", "--quiet", "--out", str(tmp_path / "runs")])
    with pytest.raises(InvalidArgument, match="nope"):
        main(["--debug", "train", "--data", "nope", "--quiet", "--out", str(tmp_path / "runs")])


def test_divergence_keeps_a_loadable_finite_model(capsys, tmp_path):
    threads_before = set(threading.enumerate())
    status, out, err = run(
        capsys,
        "train",
        "--data",
        "digits",
        "--activation",
        "relu",
        "--output",
        "identity",
        "--lr",
        "1000",
        "--epochs",
        "5",
        "--out",
        tmp_path / "runs",
    )
    line = assert_user_error(status, err, "smaller learning rate", "diverged")
    folder = only_run_folder(tmp_path / "runs")
    assert str(folder) in line
    net = bprop.load(folder / "model.bprop")
    assert all(np.isfinite(w).all() for w in net.weights)
    assert all(np.isfinite(b).all() for b in net.biases)
    assert read_json(folder / "results.json")["diverged"] is True
    # The progress bar was stopped although training raised: its refresh thread ends.
    for thread in set(threading.enumerate()) - threads_before:
        thread.join(timeout=5)
    assert set(threading.enumerate()) <= threads_before
    status, out, _ = run(capsys, "data", "list")
    assert status == 0 and "epoch" not in out


# ---------------------------------------------------------------- evaluate


def test_evaluate_prints_report_and_writes_plot_next_to_model(capsys, model_copy):
    status, out, err = run(capsys, "evaluate", model_copy)
    assert status == 0 and err == ""
    assert "accuracy" in out and "360 samples" in " ".join(out.split())
    assert "per class" in out and "precision" in out and "recall" in out
    assert "confusion matrix" in out
    png = model_copy.with_name("digits-confusion.png")
    assert is_png(png)
    assert f"confusion matrix plot: {png}" in out


def test_evaluate_json_accuracy_matches_independent_computation(capsys, digits_model, tmp_path):
    model, X_test, y_test = digits_model
    status, out, err = run(capsys, "evaluate", model, "--json", "--plot", tmp_path / "cm.png")
    assert status == 0 and err == ""
    report = json.loads(out)

    net = bprop.load(model)
    pre = Preprocessor.from_dict(net.metadata["preprocessing"])
    accuracy = float(np.mean(net.predict(pre.transform(X_test)) == y_test))
    assert report["accuracy"] == pytest.approx(accuracy, abs=1e-12)
    assert report["samples"] == len(y_test) == 360
    matrix = np.array(report["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == 360
    assert np.trace(matrix) / 360 == pytest.approx(accuracy)
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(y_test, minlength=10))
    assert [row["support"] for row in report["classes"]] == np.bincount(y_test, minlength=10).tolist()
    assert report["plot"] == str(tmp_path / "cm.png") and is_png(tmp_path / "cm.png")


def test_evaluate_train_split(capsys, digits_model, tmp_path):
    status, out, _ = run(
        capsys, "evaluate", digits_model[0], "--split", "train", "--json", "--plot", tmp_path / "cm.png"
    )
    assert status == 0
    report = json.loads(out)
    assert report["split"] == "train" and report["samples"] == 1437


def test_evaluate_on_data_with_other_feature_count_is_refused(capsys, digits_model, tmp_path):
    status, out, err = run(capsys, "evaluate", digits_model[0], "--data", "moons", "--plot", tmp_path / "cm.png")
    assert_user_error(status, err, "64 features", "moons", "2")
    assert not (tmp_path / "cm.png").exists()


def test_evaluate_model_trained_on_toy_set(capsys, tmp_path):
    folder = train_quietly(capsys, tmp_path / "runs", "--data", "xor", "--hidden", "4", "--epochs", "2")
    status, out, _ = run(capsys, "evaluate", folder / "model.bprop", "--json")
    assert status == 0
    report = json.loads(out)
    assert report["data"] == "xor" and 0 <= report["accuracy"] <= 1
    assert is_png(folder / "model-confusion.png")


# ---------------------------------------------------------------- predict


def _write_csv(path, X, header=False):
    lines = [",".join(f"pixel{j}" for j in range(X.shape[1]))] if header else []
    lines += [",".join(repr(float(v)) for v in row) for row in X]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_predict_npz(capsys, digits_model, tmp_path):
    model, X_test, _ = digits_model
    np.savez(tmp_path / "x.npz", X=X_test[:7])
    status, out, err = run(capsys, "predict", model, tmp_path / "x.npz", "--json")
    assert status == 0 and err == ""
    result = json.loads(out)
    labels, outputs = expected_predictions(model, X_test[:7])
    assert result["labels"] == labels
    np.testing.assert_allclose(result["outputs"], outputs, rtol=1e-6, atol=1e-7)
    assert result["output_names"] == [str(k) for k in range(10)]


@pytest.mark.parametrize("header", [False, True])
def test_predict_csv_with_and_without_header(capsys, digits_model, tmp_path, header):
    model, X_test, _ = digits_model
    path = _write_csv(tmp_path / "x.csv", X_test[:6], header=header)
    status, out, err = run(capsys, "predict", model, path, "--json")
    assert status == 0 and err == ""
    assert json.loads(out)["labels"] == expected_predictions(model, X_test[:6])[0]


def test_predict_table_output(capsys, digits_model, tmp_path):
    model, X_test, _ = digits_model
    np.savez(tmp_path / "x.npz", X=X_test[:3])
    status, out, err = run(capsys, "predict", model, tmp_path / "x.npz")
    assert status == 0 and err == ""
    assert len([line for line in out.splitlines() if line.strip()]) >= 3 + 2  # header and 3 rows at least


def test_predict_output_csv(capsys, digits_model, tmp_path):
    model, X_test, _ = digits_model
    path = _write_csv(tmp_path / "x.csv", X_test[:5])
    status, out, err = run(capsys, "predict", model, path, "--output", tmp_path / "preds.csv")
    assert status == 0 and err == ""
    assert "5 predictions" in out
    with open(tmp_path / "preds.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["label"] + [str(k) for k in range(10)]
    assert len(rows) == 1 + 5
    labels, outputs = expected_predictions(model, X_test[:5])
    assert [r[0] for r in rows[1:]] == labels
    np.testing.assert_allclose(np.array([r[1:] for r in rows[1:]], dtype=float), outputs, rtol=1e-5, atol=1e-6)


def test_predict_png_for_a_digits_model(capsys, digits_model, tmp_path):
    from PIL import Image

    model, X_test, _ = digits_model
    pixels = np.round(X_test[0].reshape(8, 8) / 16.0 * 255.0).astype(np.uint8)
    Image.fromarray(pixels, mode="L").save(tmp_path / "digit.png")
    status, out, err = run(capsys, "predict", model, tmp_path / "digit.png", "--json")
    assert status == 0 and err == ""
    result = json.loads(out)
    # The PNG's grey levels 0..255, mapped back to the digits range 0..16.
    labels, outputs = expected_predictions(model, pixels.reshape(1, 64) * (16.0 / 255.0))
    assert result["labels"] == labels
    np.testing.assert_allclose(result["outputs"], outputs, rtol=1e-5, atol=1e-6)


def test_predict_png_refused_for_a_model_not_trained_on_images(capsys, tmp_path):
    from PIL import Image

    folder = train_quietly(capsys, tmp_path / "runs", "--data", "xor", "--hidden", "3", "--epochs", "1")
    Image.fromarray(np.zeros((8, 8), dtype=np.uint8), mode="L").save(tmp_path / "x.png")
    status, _, err = run(capsys, "predict", folder / "model.bprop", tmp_path / "x.png")
    assert_user_error(status, err, "images")


def test_predict_input_errors_are_one_line(capsys, digits_model, tmp_path):
    model = digits_model[0]
    (tmp_path / "x.txt").write_text("1,2,3\n")
    status, _, err = run(capsys, "predict", model, tmp_path / "x.txt")
    assert_user_error(status, err, "x.txt", ".txt")

    status, _, err = run(capsys, "predict", model, tmp_path / "missing.csv")
    assert_user_error(status, err, "missing.csv")

    (tmp_path / "bad.csv").write_text("1,2,3\n4,oops,6\n")
    status, _, err = run(capsys, "predict", model, tmp_path / "bad.csv")
    assert_user_error(status, err, "bad.csv", "oops")

    (tmp_path / "narrow.csv").write_text("1,2,3\n4,5,6\n")
    status, _, err = run(capsys, "predict", model, tmp_path / "narrow.csv")
    assert_user_error(status, err, "narrow.csv", "3", "64")

    np.savez(tmp_path / "noX.npz", Y=np.zeros((2, 64)))
    status, _, err = run(capsys, "predict", model, tmp_path / "noX.npz")
    assert_user_error(status, err, "noX.npz")


def test_model_file_of_random_bytes_is_a_one_line_error(capsys, tmp_path):
    junk = tmp_path / "junk.bprop"
    junk.write_bytes(np.random.default_rng(0).bytes(1000))
    _write_csv(tmp_path / "x.csv", np.zeros((1, 64)))
    status, _, err = run(capsys, "predict", junk, tmp_path / "x.csv")
    assert_user_error(status, err, "junk.bprop")
    status, _, err = run(capsys, "evaluate", junk)
    assert_user_error(status, err, "junk.bprop")
    status, _, err = run(capsys, "evaluate", tmp_path / "absent.bprop")
    assert_user_error(status, err, "absent.bprop")


# ---------------------------------------------------------------- data


def test_data_list_shows_every_name(capsys):
    from bprop.datasets import NAMES

    status, out, err = run(capsys, "data", "list")
    assert status == 0 and err == ""
    for name in NAMES:
        assert name in out, name
    assert "1437" in out and "360" in out


@pytest.mark.slow  # draws a grid of samples
@pytest.mark.parametrize("name", ["moons", "digits"])
def test_data_show_writes_png(capsys, tmp_path, name):
    status, out, err = run(capsys, "data", "show", name, "--out", tmp_path / f"{name}.png")
    assert status == 0 and err == ""
    assert is_png(tmp_path / f"{name}.png")
    assert str(tmp_path / f"{name}.png") in out


def test_data_show_default_path_is_in_the_working_folder(capsys, tmp_path):
    status, _, _ = run(capsys, "data", "show", "xor")
    assert status == 0 and is_png(tmp_path / "xor-samples.png")


def test_data_show_unknown_name(capsys):
    status, _, err = run(capsys, "data", "show", "nope")
    assert_user_error(status, err, "nope")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def mnist_mirror(tmp_path, monkeypatch):
    """A local HTTP server with four small gzipped IDX files, and their MD5s in the checksum table."""
    served = tmp_path / "mirror"
    served.mkdir()
    rng = np.random.default_rng(3)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (50, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": (np.arange(50) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": (np.arange(20) % 10).astype(np.uint8),
    }
    checksums = {}
    for stem, a in arrays.items():
        body = gzip.compress(
            bytes([0, 0, 0x08, a.ndim]) + np.array(a.shape, dtype=">i4").tobytes() + a.tobytes(), mtime=0
        )
        (served / f"{stem}.gz").write_bytes(body)
        checksums[f"{stem}.gz"] = hashlib.md5(body).hexdigest()
    fetch_module = importlib.import_module("bprop.datasets.fetch")  # the package's `fetch` is the function
    monkeypatch.setitem(fetch_module.CHECKSUMS, "mnist", checksums)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(served)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", arrays
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_data_fetch_from_a_local_mirror_then_train(capsys, tmp_path, mnist_mirror):
    url, arrays = mnist_mirror
    data_dir = tmp_path / "D"
    status, out, err = run(capsys, "data", "fetch", "mnist", "--data-dir", data_dir, "--base-url", url)
    assert status == 0 and err == ""
    folder = data_dir / "mnist"
    assert f"mnist is in {folder}" in out
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{stem}.gz" for stem in arrays)

    runs = tmp_path / "runs"
    run_folder = train_quietly(
        capsys, runs, "--data", "mnist", "--data-dir", data_dir, "--hidden", "8", "--epochs", "1"
    )
    net = bprop.load(run_folder / "model.bprop")
    assert net.sizes == [784, 8, 10] and net.metadata["image_shape"] == [28, 28]


def test_data_fetch_unknown_name_and_bad_url(capsys, tmp_path):
    status, _, err = run(capsys, "data", "fetch", "digits", "--data-dir", tmp_path / "D")
    assert_user_error(status, err, "digits")
    status, _, err = run(capsys, "data", "fetch", "mnist", "--data-dir", tmp_path / "D", "--base-url", "ftp://x/")
    assert_user_error(status, err, "ftp://x/")


# ---------------------------------------------------------------- real processes


def _console_script() -> str:
    beside = Path(sys.executable).with_name("bprop")
    script = str(beside) if beside.is_file() else shutil.which("bprop")
    assert script, "the bprop console script is not installed"
    return script


def _subprocess(args, cwd):
    env = dict(os.environ, BPROP_DATA_DIR=str(Path(cwd) / "bprop-data-root"))
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [[sys.executable, "-m", "bprop"], ["bprop"]], ids=["python -m bprop", "bprop"])
def test_help_in_a_subprocess(tmp_path, command):
    if command == ["bprop"]:
        command = [_console_script()]
    done = _subprocess([*command, "--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("train", "evaluate", "predict", "data"):
        assert name in done.stdout


@pytest.mark.slow  # a whole training run in a subprocess
def test_train_in_a_subprocess(tmp_path):
    done = _subprocess(
        [_console_script(), "train", "--epochs", "1", "--quiet", "--out", str(tmp_path / "runs")], tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    folder = only_run_folder(tmp_path / "runs")
    for name in RUN_FILES:
        assert (folder / name).is_file(), name


def test_user_error_in_a_subprocess_has_no_traceback(tmp_path):
    done = _subprocess(
        [sys.executable, "-m", "bprop", "train", "--data", "nope", "--quiet", "--out", str(tmp_path / "runs")], tmp_path
    )
    assert done.returncode == 1
    assert done.stderr.startswith("bprop: error:") and len(done.stderr.strip().splitlines()) == 1
