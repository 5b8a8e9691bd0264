"""``bprop train --checkpoint-every`` / ``--resume`` / Ctrl-C, in process (fast; the subprocess kills are elsewhere).

Ctrl-C is a real SIGINT sent to this process from inside a batch (through a
stand-in for the diagnostics callback), so the command's own signal handler
runs: it must stop after that batch, save, print one line naming the command
that continues, and exit 130; --resume must then reach the weights of the
run never interrupted.
"""

from __future__ import annotations

import json
import os
import signal

import pytest

import bprop as bp
from bprop.cli import training_run
from bprop.training import checkpoints
from cli_helpers import isolated, run  # noqa: F401 (isolated: an autouse fixture)

from .reliability_helpers import TALLY, assert_readable_run_folder, run_folders, same_parameters

RUN = [
    "train",
    "--data",
    "xor",
    "--n",
    "200",
    "--epochs",
    "6",
    "--batch-size",
    "5",
    "--dtype",
    "float64",
    "--optimizer",
    "adam",
    "--lr",
    "0.01",
    "--seed",
    "5",
    "--quiet",
]
RUN_FILES = ("model.bprop", "history.json", "curves.png", "settings.json", "results.json")


@pytest.fixture
def uninterrupted(tmp_path, capsys):
    status, _, err = run(capsys, *RUN, "--out", tmp_path / "reference")
    assert status == 0, err
    (folder,) = run_folders(tmp_path / "reference")
    return folder


def interrupt_at(monkeypatch, epoch, batch, signum=signal.SIGINT):
    """Replace the diagnostics callback by one that sends ``signum`` to this process in that batch."""

    class SendSignal:
        def __init__(self, report, every):
            pass

        def on_batch_end(self, state):
            if (state.epoch, state.batch) == (epoch, batch):
                os.kill(os.getpid(), signum)

    monkeypatch.setattr(training_run, "Diagnostics", SendSignal)


@pytest.mark.slow  # 9 interrupted and resumed runs
@pytest.mark.parametrize("every", [None, "1", "7b"])
@pytest.mark.parametrize("where", [(1, 3), (2, 27), (4, 1)])
def test_ctrl_c_saves_and_resume_reaches_the_same_weights(tmp_path, capsys, monkeypatch, uninterrupted, every, where):
    interrupt_at(monkeypatch, *where)
    flags = ["--checkpoint-every", every] if every else []
    status, out, err = run(capsys, *RUN, *flags, "--out", tmp_path / "runs")
    (folder,) = run_folders(tmp_path / "runs")
    assert status == 130 and out == ""
    assert err.strip() == (
        f"bprop: training was interrupted in epoch {where[0]} of 6, after batch {where[1]} of 27; "
        f"the checkpoint {folder / checkpoints.FILENAME} holds the run there. "
        f"Continue with: bprop train --resume {folder}"
    )
    assert assert_readable_run_folder(folder) == "checkpoint"
    monkeypatch.undo()
    os.chdir(tmp_path)
    status, _, err = run(capsys, "train", "--resume", folder, "--quiet")
    assert status == 0, err
    assert same_parameters(bp.load(folder / "model.bprop"), bp.load(uninterrupted / "model.bprop"))
    assert not (folder / checkpoints.FILENAME).exists()
    assert all((folder / name).is_file() for name in RUN_FILES)
    TALLY["CLI: in-process Ctrl-C runs resumed bit-identically"] += 1


def test_a_second_ctrl_c_stops_at_once(tmp_path, capsys, monkeypatch):
    class SendTwice:
        def __init__(self, report, every):
            pass

        def on_batch_end(self, state):
            if state.batch == 2:
                os.kill(os.getpid(), signal.SIGINT)
                os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(training_run, "Diagnostics", SendTwice)
    status, _, err = run(capsys, *RUN, "--out", tmp_path / "runs")
    assert status == 130 and "interrupted" in err and "Traceback" not in err


def test_checkpoint_every_leaves_a_complete_folder_without_checkpoint(tmp_path, capsys, uninterrupted):
    status, _, err = run(capsys, *RUN, "--checkpoint-every", "3b", "--out", tmp_path / "runs")
    assert status == 0, err
    (folder,) = run_folders(tmp_path / "runs")
    assert sorted(p.name for p in folder.iterdir()) == sorted(RUN_FILES)
    assert same_parameters(bp.load(folder / "model.bprop"), bp.load(uninterrupted / "model.bprop"))
    assert json.loads((folder / "settings.json").read_text())["checkpoint_every"] == "3b"


def test_resume_of_a_folder_without_checkpoint_starts_the_run_again(tmp_path, capsys, uninterrupted):
    folder = tmp_path / "runs" / "started"
    training_run.create_run_folder(
        folder, training_run.TrainSettings(**json.loads((uninterrupted / "settings.json").read_text()) | {"lr": 0.01})
    )
    (folder / ".model.bprop.0123456789ab.tmp").write_bytes(b"half a file")  # a killed writer's leftover
    status, _, err = run(capsys, "train", "--resume", folder, "--quiet")
    assert status == 0, err
    assert same_parameters(bp.load(folder / "model.bprop"), bp.load(uninterrupted / "model.bprop"))
    assert not any(p.name.endswith(".tmp") for p in folder.iterdir())


def test_resume_of_a_finished_run_says_so(capsys, uninterrupted):
    status, out, _ = run(capsys, "train", "--resume", uninterrupted)
    assert status == 0 and "already finished" in out


@pytest.mark.parametrize(
    "flags, fragments",
    [
        (["--checkpoint-every", "0"], ["--checkpoint-every", "'0'"]),
        (["--checkpoint-every", "5x"], ["--checkpoint-every", "Nb"]),
        (["--checkpoint-every", "b"], ["--checkpoint-every"]),
        (["--name", "a/b"], ["--name", "'a/b'"]),
        (["--resume", "nowhere"], ["--resume nowhere", "settings.json"]),
    ],
)
def test_bad_checkpoint_flags_are_one_line_errors(tmp_path, capsys, flags, fragments):
    status, out, err = run(capsys, "train", "--quiet", "--epochs", "1", "--out", tmp_path / "runs", *flags)
    assert status == 1 and out == "" and "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert line.startswith("bprop: error: ") and all(f in line for f in fragments), line
    assert not (tmp_path / "runs").exists()


def test_resume_refuses_training_flags(capsys, uninterrupted):
    status, _, err = run(capsys, "train", "--resume", uninterrupted, "--epochs", "9", "--seed", "1")
    assert status == 1 and "drop --epochs, --seed" in err
    status, _, err = run(capsys, "train", "--resume", uninterrupted, "--no-shuffle")
    assert status == 1 and "drop --no-shuffle" in err, err


def test_resume_keeps_the_l2_divisor_and_refuses_another(tmp_path, capsys, monkeypatch):
    """--l2-divisor is part of the run: settings.json carries it to --resume, and --resume refuses the flag."""
    flags = ["--l2", "0.5", "--l2-divisor", "batch"]
    status, _, err = run(capsys, *RUN, *flags, "--out", tmp_path / "reference")
    assert status == 0, err
    (reference,) = run_folders(tmp_path / "reference")
    interrupt_at(monkeypatch, 3, 12)
    status, _, _ = run(capsys, *RUN, *flags, "--out", tmp_path / "runs")
    assert status == 130
    (folder,) = run_folders(tmp_path / "runs")
    monkeypatch.undo()
    os.chdir(tmp_path)
    for other in ("training_set", "batch"):  # not even the same value: the run goes on as it started
        status, _, err = run(capsys, "train", "--resume", folder, "--l2-divisor", other)
        assert status == 1 and "drop --l2-divisor" in err, err
    assert (folder / checkpoints.FILENAME).is_file()
    # a settings.json edited to another divisor does not match the checkpoint, which is refused
    settings = json.loads((folder / "settings.json").read_text())
    (folder / "settings.json").write_text(json.dumps(settings | {"l2_divisor": "training_set"}))
    status, _, err = run(capsys, "train", "--resume", folder, "--quiet")
    assert status == 1 and "l2_divisor" in err, err
    (folder / "settings.json").write_text(json.dumps(settings))
    status, _, err = run(capsys, "train", "--resume", folder, "--quiet")
    assert status == 0, err
    assert same_parameters(bp.load(folder / "model.bprop"), bp.load(reference / "model.bprop"))
    assert json.loads((folder / "settings.json").read_text())["l2_divisor"] == "batch"


def test_a_settings_json_from_before_l2_divisor_resumes_with_the_training_set_divisor(tmp_path):
    """Run folders written before the flag existed were trained with n = the training-set size."""
    from bprop.cli.settings import TrainSettings, resumed

    stored = TrainSettings().to_dict()
    del stored["l2_divisor"]
    (tmp_path / "settings.json").write_text(json.dumps(stored))
    assert resumed(tmp_path, {}).l2_divisor == "training_set"


def test_a_user_error_found_by_train_leaves_no_run_folder(tmp_path, capsys):
    status, _, err = run(
        capsys, "train", "--quiet", "--data", "xor", "--early-stopping", "0", "--out", tmp_path / "runs"
    )
    assert status == 1 and "early_stopping" in err
    assert run_folders(tmp_path / "runs") == []


def test_resume_may_change_the_device(tmp_path, capsys, monkeypatch, uninterrupted):
    """--device is where the arithmetic runs, not part of the run: a run may go on elsewhere."""
    diagnostics = training_run.Diagnostics
    interrupt_at(monkeypatch, 2, 10)
    status, _, _ = run(capsys, *RUN, "--out", tmp_path / "runs")
    assert status == 130
    (folder,) = run_folders(tmp_path / "runs")
    monkeypatch.setattr(training_run, "Diagnostics", diagnostics)
    status, _, err = run(capsys, "train", "--resume", folder, "--device", "gpu")
    assert status == 1 and "device must be 'cpu', 'cuda' or 'cuda:N'" in err
    status, _, err = run(capsys, "train", "--resume", folder, "--device", "cpu", "--quiet")
    assert status == 0, err
    assert same_parameters(bp.load(folder / "model.bprop"), bp.load(uninterrupted / "model.bprop"))
