"""A real ``bprop train`` killed at random moments, then resumed: nothing lost, nothing changed.

Each attempt starts ``bprop train`` (the first time) or ``bprop train --resume
RUN_DIR`` in a subprocess and kills it with SIGKILL: once at a random time
during start-up, then each time after a random number of checkpoint writes
plus a random delay of up to 30 ms (a write takes a few ms with its fsyncs,
so kills land inside batches and inside writes), and once just after the
final model file appeared (inside the final writes). After every kill the
run folder must be readable (every file whole; finished, or resumable). The
run is then resumed to the end, and its weights must equal, bit for bit in
float64, those of the same command run once without interruption and
without checkpoints; its per-epoch costs must be equal too.

Ctrl-C (SIGINT) and SIGTERM: the process stops after the current batch,
saves a checkpoint, says how to continue and exits with status 130;
resuming gives the same weights.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest

import bprop as bp
from bprop.training import checkpoints

from .reliability_helpers import (
    TALLY,
    assert_readable_run_folder,
    bprop_command,
    completed,
    run_folders,
    same_parameters,
    subprocess_env,
    temporary_files,
)

pytestmark = pytest.mark.slow  # real bprop train subprocesses, killed and resumed

EVERY = 3  # --checkpoint-every 3b: a checkpoint every 3 batches
BATCHES_PER_EPOCH = 130  # digits: 1,293 training samples in batches of 10


# Dropout (its masks drawn from the training generator), L1 and a σ per hidden layer:
# a run with them must resume to the same bits too.
REGULARIZED = (
    "--layers", "64,30,20,10", "--activation", "relu,tanh", "--output", "softmax", "--cost", "log_likelihood",
    "--dropout", "0.3", "--l1", "0.5",
)  # fmt: skip


def settings(out, epochs, extra=()):
    return [
        "train",
        "--data",
        "digits",
        "--dtype",
        "float64",
        "--optimizer",
        "momentum",
        "--lr",
        "0.2",
        "--epochs",
        epochs,
        "--seed",
        "3",
        "--early-stopping",
        "50",
        "--quiet",
        "--out",
        out,
        *extra,
    ]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The oracle: reference(epochs) is the run folder of the same command, never interrupted, without checkpoints."""
    folders = {}

    def run(epochs, extra=()):
        if (epochs, extra) not in folders:
            where = tmp_path_factory.mktemp(f"reference-{epochs}")
            done = completed(bprop_command(*settings(where / "runs", epochs, extra)), where)
            assert done.returncode == 0, done.stderr
            (folders[epochs, extra],) = run_folders(where / "runs")
        return folders[epochs, extra]

    return run


def assert_same_run(folder, expected):
    assert same_parameters(bp.load(folder / "model.bprop"), bp.load(expected / "model.bprop"))
    costs = [json.loads((f / "history.json").read_text())["train_cost"] for f in (folder, expected)]
    assert costs[0] == costs[1]
    assert not (folder / checkpoints.FILENAME).exists()


def start(tmp_path, folder, epochs, extra=()):
    args = (
        ["train", "--resume", folder, "--quiet"]
        if folder
        else [*settings(tmp_path / "runs", epochs, extra), "--checkpoint-every", f"{EVERY}b"]
    )
    return subprocess.Popen(
        bprop_command(*args),
        cwd=tmp_path,
        env=subprocess_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, process, timeout=60.0):
    """Poll every millisecond until condition() or the process ends; True if the condition came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.001)
    raise TimeoutError("the training subprocess made no progress")


def checkpoint_id(tmp_path):
    """The inode of the current checkpoint (each atomic write makes a new file), or None."""
    for folder in run_folders(tmp_path / "runs"):
        try:
            return os.stat(folder / checkpoints.FILENAME).st_ino
        except FileNotFoundError:
            return None
    return None


def kill_and_resume(tmp_path, reference, kills, seed, extra=()):
    rng = random.Random(seed)
    epochs = math.ceil(kills * 20 * EVERY / BATCHES_PER_EPOCH) + 2  # room for up to 20 writes an attempt
    expected = reference(epochs, extra)
    folder, outcomes = None, []
    for attempt in range(kills):
        process = start(tmp_path, folder, epochs, extra)
        if attempt == 0:  # during start-up or the first batches
            time.sleep(rng.uniform(0.05, 1.5))
        elif attempt == kills - 1:  # inside the final writes
            wait_for(lambda: folder and (folder / "model.bprop").exists(), process, timeout=120)
            time.sleep(rng.uniform(0, 0.05))
        else:  # inside batches and checkpoint writes
            for _ in range(rng.randint(1, 12)):
                seen = checkpoint_id(tmp_path)
                if not wait_for(lambda: checkpoint_id(tmp_path) != seen, process):
                    break
            time.sleep(rng.uniform(0, 0.03))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stderr.close()
        folders = run_folders(tmp_path / "runs")
        assert len(folders) <= 1, folders
        if not folders:
            outcomes.append("before the run folder existed")
            continue
        folder = folders[0]
        state = assert_readable_run_folder(folder)
        if temporary_files(folder):
            outcomes.append("inside a write (temporary file left)")
        elif state != "finished" and (folder / "model.bprop").exists():
            outcomes.append("inside the final writes")
        elif state == "checkpoint":
            outcomes.append("between writes (inside a batch)")
        else:
            outcomes.append(f"with the folder {state}")
    assert folder is not None, "no kill came after training began"
    done = completed(bprop_command("train", "--resume", folder, "--quiet"), tmp_path)
    assert done.returncode == 0, done.stderr
    assert assert_readable_run_folder(folder) == "finished" and not temporary_files(folder)
    assert_same_run(folder, expected)
    TALLY["kill -9: kills survived"] += len(outcomes)
    for outcome in outcomes:
        TALLY[f"kill -9: killed {outcome}"] += 1
    TALLY["kill -9: runs resumed bit-identically"] += 1
    return outcomes


def test_sigkill_at_random_moments_then_resume_gives_the_uninterrupted_weights(tmp_path, reference):
    outcomes = kill_and_resume(tmp_path, reference, kills=6, seed=int.from_bytes(os.urandom(4), "little"))
    assert len(outcomes) == 6


def test_sigkill_with_dropout_l1_and_a_sigma_per_layer_then_resume_gives_the_uninterrupted_weights(tmp_path, reference):
    outcomes = kill_and_resume(
        tmp_path, reference, kills=6, seed=int.from_bytes(os.urandom(4), "little"), extra=REGULARIZED
    )
    assert len(outcomes) == 6
    TALLY["kill -9: runs with dropout resumed bit-identically"] += 1


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_many_sigkills(tmp_path, reference, seed):
    outcomes = kill_and_resume(tmp_path, reference, kills=25, seed=seed)
    assert len(outcomes) == 25


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_stops_after_the_batch_saves_and_resume_continues(tmp_path, reference, signum):
    expected = reference(5)
    process = start(tmp_path, None, 5)
    for _ in range(random.randint(1, 10)):
        seen = checkpoint_id(tmp_path)
        assert wait_for(lambda: checkpoint_id(tmp_path) != seen, process)
    time.sleep(random.uniform(0, 0.02))
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    (folder,) = run_folders(tmp_path / "runs")
    line = err.strip().splitlines()[-1]
    assert line.startswith("bprop: training was interrupted") and f"bprop train --resume {folder}" in line
    assert "Traceback" not in err
    assert assert_readable_run_folder(folder) == "checkpoint" and not temporary_files(folder)
    saved = checkpoints.load(folder / checkpoints.FILENAME)
    assert saved.epoch is not None or saved.epochs_done >= 1
    done = completed(bprop_command("train", "--resume", folder, "--quiet"), tmp_path)
    assert done.returncode == 0, done.stderr
    assert_same_run(folder, expected)
    TALLY[f"{signal.Signals(signum).name}: runs stopped, saved and resumed bit-identically"] += 1


def test_resuming_a_finished_run_changes_nothing(tmp_path, reference):
    folder = tmp_path / "finished"
    shutil.copytree(reference(5), folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    done = completed(bprop_command("train", "--resume", folder, "--json"), tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["already_finished"] is True
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert np.isfinite(json.loads(done.stdout)["results"]["test"]["cost"])
