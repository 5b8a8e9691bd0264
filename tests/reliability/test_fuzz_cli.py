"""Property-based fuzzing of the command line: any arguments, any config file, any settings.json.

The property, for ``bprop train`` run in-process through ``bprop.cli.main``
with random flags and values (valid, absurd and malformed), a random TOML
config, or a random settings.json behind --resume: main returns 0 (a complete
run folder), 1 (one line ``bprop: error: …`` on stderr, no traceback) or 2 (a
malformed command line, with usage); no other exception escapes, no warning
is raised, and each call takes bounded time. The settings layer alone
(``merged``, ``resumed``, ``checkpoint_schedule``) raises only InvalidArgument.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bprop.cli import main, training_run
from bprop.cli.settings import KEYS, checkpoint_schedule, merged, resumed
from bprop.errors import InvalidArgument

from .reliability_helpers import TALLY

pytestmark = pytest.mark.fuzz  # hypothesis throws generated command lines and settings

EXAMPLES = int(os.environ.get("BPROP_FUZZ_EXAMPLES", "120"))
CLI = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TIME_LIMIT = 20.0

VALUES = {
    "--data": [
        "xor",
        "circles",
        "spiral",
        "digits",
        "nope",
        "missing.csv",
        "bad.csv",
        "good.csv",
        "",
        "good.npz",
        "../x.npz",
        "data.txt",
    ],
    "--data-dir": ["/nonexistent", ".", ""],
    "--layers": ["2,3,2", "2,2", "64,10", "a,b", "0", "-1,2", "2,1000000000,2", ",", "2,,2", "2, 3 ,2"],
    "--hidden": ["3", "0", "1,1", "x", "1000000000", "-5", ""],
    "--activation": ["sigmoid", "relu", "tanh", "leaky_relu", "identity", "softmax", "nope", ""],
    "--output": ["sigmoid", "softmax", "identity", "nope"],
    "--cost": ["quadratic", "cross_entropy", "log_likelihood", "nope"],
    "--init": ["normal", "he", "xavier", "scaled_normal", "zeros"],
    "--optimizer": ["sgd", "momentum", "nesterov", "adam", "lbfgs"],
    "--lr": ["0.1", "-1", "nan", "inf", "0", "1e308", "abc", "3"],
    "--momentum": ["0.5", "1", "-0.1", "nan"],
    "--l2": ["0", "-1", "inf", "nan", "1e3"],
    "--l2-divisor": ["training_set", "batch", "samples", "", "Batch"],
    "--epochs": ["1", "0", "-1", "2", "abc", "1.5"],
    "--batch-size": ["1", "0", "7", "100000", "-3"],
    "--seed": ["0", "-1", "4294967296", "abc", "2"],
    "--dtype": ["float32", "float64", "float16", "int8"],
    "--early-stopping": ["1", "0", "-1"],
    "--validation-fraction": ["0", "0.5", "1", "-0.1", "nan", "0.99"],
    "--preprocess": ["scale", "standardize", "none", "nope"],
    "--label-column": ["label", "nope", ""],
    "--n": ["20", "0", "3", "-1", "100000000000", "30"],
    "--noise": ["0", "-1", "nan", "1e308", "0.1"],
    "--name": ["x", "../up", "a/b", "", "ok"],
    "--checkpoint-every": ["1", "2b", "0", "b", "-1", "1x", "1.5", " 3", "1B"],
    "--resume": ["nope", "finished-run", "settings-only-run", "good.csv"],
    "--config": ["good.toml", "bad.toml", "missing.toml", "unknown-key.toml"],
}
FLAGS_WITHOUT_VALUE = ["--quiet", "--json", "--plots", "--no-shuffle", "--no-such-flag", "extra-argument", "--help"]


@pytest.fixture(scope="module")
def workshop(tmp_path_factory):
    """A folder with data files, config files and run folders to point the flags at."""
    root = tmp_path_factory.mktemp("cli-fuzz")
    rows = ["a,b,label"] + [f"{i % 7},{(i * 3) % 5},{'yes' if i % 2 else 'no'}" for i in range(30)]
    (root / "good.csv").write_text("\n".join(rows) + "\n")
    (root / "bad.csv").write_text("a,b,label\n1,x,yes\n2,3,no\n")
    (root / "data.txt").write_text("1,2\n")
    import numpy as np

    np.savez(root / "good.npz", X=np.arange(60.0).reshape(30, 2), y=np.arange(30) % 2)
    (root / "good.toml").write_text('data = "xor"\nn = 24\nepochs = 1\n')
    (root / "bad.toml").write_text("data = \n")
    (root / "unknown-key.toml").write_text("colour = 3\n")
    status = main(["train", "--data", "xor", "--n", "24", "--epochs", "1", "--quiet", "--out", str(root / "made")])
    assert status == 0
    (made,) = (root / "made").iterdir()
    shutil.copytree(made, root / "finished-run")
    (root / "settings-only-run").mkdir()
    shutil.copy(made / "settings.json", root / "settings-only-run" / "settings.json")
    return root


@pytest.fixture
def fast_pictures(monkeypatch):
    """curves.png is not what is fuzzed here: write a stub instead of drawing (the CLI's own tests draw)."""

    def stub(history, path, title=None):
        Path(path).write_bytes(b"\x89PNG stub")
        return path

    monkeypatch.setattr(training_run.plots, "learning_curves", stub)
    monkeypatch.setattr(training_run, "write_run_plots", lambda folder, *a, **k: [])


def check_outcome(status, out, err, where):
    assert status in (0, 1, 2), (status, err)
    assert "Traceback" not in err, err
    if status == 1:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("bprop: error: "), err
    if status == 2:
        assert "Usage:" in err or "Error" in err, err
    if status == 0 and "--help" not in out:
        folders = [p for p in Path(where).rglob("results.json")]
        assert folders, (out, err)


@CLI
@given(
    choices=st.lists(
        st.one_of(
            st.sampled_from(sorted(VALUES)).flatmap(
                lambda flag: st.tuples(st.just(flag), st.sampled_from(VALUES[flag]))
            ),
            st.sampled_from(FLAGS_WITHOUT_VALUE).map(lambda flag: (flag,)),
        ),
        max_size=6,
    )
)
def test_train_with_random_flags_exits_0_1_or_2_with_one_line_errors(workshop, fast_pictures, capsys, choices):
    where = Path(tempfile.mkdtemp(dir=workshop))
    for name in ("finished-run", "settings-only-run"):
        shutil.copytree(workshop / name, where / name)
    args = ["train", "--out", str(where / "runs")]
    safe = {"--n": "24", "--epochs": "1"}  # keep successful runs small
    given_flags = {c[0] for c in choices}
    for flag, value in safe.items():
        if flag not in given_flags:
            args += [flag, value]
    for choice in choices:
        args += list(choice)
    if "--data" not in given_flags:
        args += ["--data", "xor"]
    previous = os.getcwd()
    os.chdir(where)
    try:
        for name in ("good.csv", "bad.csv", "data.txt", "good.npz", "good.toml", "bad.toml", "unknown-key.toml"):
            shutil.copy(workshop / name, where / name)
        started = time.perf_counter()
        status = main(args)
        seconds = time.perf_counter() - started
    finally:
        os.chdir(previous)
    captured = capsys.readouterr()
    check_outcome(status, captured.out, captured.err, where)
    assert seconds < TIME_LIMIT, args
    TALLY[f"fuzz: CLI train command lines (exit {status})"] += 1
    shutil.rmtree(where, ignore_errors=True)


TOML_VALUES = st.one_of(
    st.integers(-3, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda f: "nan" if f != f else ("inf" if f == float("inf") else "-inf" if f == -float("inf") else repr(f))
    ),
    st.sampled_from(
        [
            '"xor"',
            '"digits"',
            '"relu"',
            '"2b"',
            '"batch"',
            '"training_set"',
            '"nope"',
            "true",
            "false",
            "[2, 3]",
            '["a"]',
            "[]",
            '"/"',
            '"a/b"',
            "{ x = 1 }",
            '""',
        ]
    ),
)


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(entries=st.dictionaries(st.sampled_from(sorted(KEYS) + ["colour", "train"]), TOML_VALUES, max_size=6))
def test_any_config_file_gives_settings_or_invalid_argument(tmp_path_factory, entries):
    path = tmp_path_factory.mktemp("toml") / "run.toml"
    path.write_text("".join(f"{key} = {value}\n" for key, value in entries.items()))
    TALLY["fuzz: TOML config files"] += 1
    try:
        s = merged(path, {})
    except InvalidArgument:
        return
    assert isinstance(s.epochs, int) and isinstance(s.data, str) and isinstance(s.hidden, list)
    assert s.checkpoint_every is None or checkpoint_schedule(s.checkpoint_every)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
    max_leaves=6,
)


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(
    edit=st.dictionaries(st.sampled_from(sorted(KEYS) + ["colour"]), JSON, max_size=4),
    raw=st.one_of(st.none(), st.binary(max_size=40)),
)
@example(edit={"dropout": -(2**63) - 1}, raw=None)  # found in a clean CI run: a TypeError from np.isfinite
def test_any_settings_json_behind_resume_gives_settings_or_invalid_argument(tmp_path_factory, edit, raw):
    folder = tmp_path_factory.mktemp("run")
    from bprop.cli.settings import TrainSettings

    stored = TrainSettings().to_dict() | edit
    (folder / "settings.json").write_bytes(raw if raw is not None else json.dumps(stored).encode())
    TALLY["fuzz: settings.json files behind --resume"] += 1
    try:
        resumed(folder, {})
    except InvalidArgument:
        pass


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(st.one_of(st.text(max_size=6), st.integers(-5, 10**9), st.booleans(), st.floats()))
def test_checkpoint_every_is_n_or_nb(value):
    TALLY["fuzz: --checkpoint-every values"] += 1
    try:
        every, unit = checkpoint_schedule(value)
    except InvalidArgument:
        return
    text = str(value).strip().lower()
    assert every >= 1 and text in (str(every), f"{every}b") and unit == ("batches" if text.endswith("b") else "epochs")


def test_resume_refuses_other_flags_and_needs_a_run_folder(workshop, capsys):
    status = main(["train", "--resume", str(workshop / "finished-run"), "--lr", "3"])
    assert status == 1 and "drop --lr" in capsys.readouterr().err
    status = main(["train", "--resume", str(workshop)])
    assert status == 1 and "not a run folder" in capsys.readouterr().err
