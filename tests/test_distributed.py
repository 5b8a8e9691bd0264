"""Data-parallel training over MPI (bprop.training.distributed), with real mpiexec runs of 2 and 3 ranks.

Each MPI test starts ``mpiexec -n K python tests/distributed/worker.py`` (or
``python -m bprop train --distributed``) with a timeout and compares what the
ranks wrote with one process trained in this test. They are skipped, with the
reason, only when mpiexec cannot start two ranks here.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import bprop as bp
from bprop.errors import InvalidArgument
from bprop.training.distributed import part_sizes, shard_rows

sys.path.insert(0, str(Path(__file__).parent / "distributed"))
import worker  # noqa: E402

WORKER = Path(__file__).parent / "distributed" / "worker.py"
BASE = {"sizes": [5, 4, 3], "m": 50, "batch_size": 8, "epochs": 3}


def _mpiexec_problem():
    """None when mpiexec starts 2 ranks of Python with mpi4py here; else why not."""
    if shutil.which("mpiexec") is None:
        return "no mpiexec on PATH (pip install 'bprop[mpi]' brings MPICH's)"
    try:
        done = subprocess.run(
            ["mpiexec", "-n", "2", sys.executable, "-c", "from mpi4py import MPI; MPI.COMM_WORLD.Barrier()"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        return "mpiexec -n 2 did not finish in 60 s"
    if done.returncode != 0:
        return f"mpiexec -n 2 failed (status {done.returncode}): {(done.stderr or done.stdout).strip()[-300:]}"
    return None


@pytest.fixture(scope="module")
def mpi():
    problem = _mpiexec_problem()
    if problem is not None:
        print(f"skipping the MPI tests: {problem}")
        pytest.skip(problem)


def _mpiexec(k, args, timeout=120):
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        ["mpiexec", "-n", str(k), sys.executable, *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def _run(k, tmp_path, **options):
    """The ranks' results (npz per rank) of one distributed run of tests/distributed/worker.py."""
    out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
    out.mkdir()
    o = BASE | options | {"out": str(out)}
    done = _mpiexec(k, [str(WORKER), json.dumps(o)])
    assert done.returncode == 0, done.stderr[-2000:]
    return [dict(np.load(out / f"rank{r}.npz")) for r in range(k)]


def _one_process(**options):
    o = BASE | options
    X, y, net = worker.problem(o)
    history = bp.train(
        net,
        X,
        y,
        epochs=o["epochs"],
        batch_size=o["batch_size"],
        optimizer=worker.OPTIMIZERS[o.get("optimizer", "sgd")](),
        l2=o.get("l2", 0.0),
        l2_divisor=o.get("l2_divisor", "training_set"),
        shuffle=False,
    )
    return net, history


def _parameters(result):
    return [result[k] for k in sorted(k for k in result if k[0] in "wb" and k[1:].isdigit())]


def _assert_same_weights(ranks, net, history, tol=1e-12):
    expected = [*[f"w{i}" for i in range(len(net.weights))], *[f"b{i}" for i in range(len(net.biases))]]
    mine = dict(zip(expected, [*net.weights, *net.biases]))
    for result in ranks:
        for key, value in mine.items():
            np.testing.assert_allclose(result[key], value, rtol=0, atol=tol)
        np.testing.assert_allclose(result["train_cost"], history.train_cost, rtol=0, atol=tol)
    for result in ranks[1:]:  # every rank holds the very same bits
        for a, b in zip(_parameters(ranks[0]), _parameters(result)):
            assert np.array_equal(a, b)


# -- the shards (no MPI needed) ---------------------------------------------------


@pytest.mark.parametrize("m, batch_size, k", [(50, 8, 2), (50, 7, 3), (10, 3, 3), (9, 4, 2), (12, 12, 5)])
def test_the_shards_split_every_batch_in_rank_order(m, batch_size, k):
    shards = [shard_rows(m, batch_size, k, r) for r in range(k)]
    for j, start in enumerate(range(0, m, batch_size)):
        parts = [rows[(rows >= start) & (rows < start + batch_size)] for rows in shards]
        # global batch j is rows [jB, (j+1)B), rank 0's part first, each part s//K or s//K + 1 rows
        assert np.array_equal(np.concatenate(parts), np.arange(start, min(start + batch_size, m)))
        sizes = [len(p) for p in parts]
        s = sum(sizes)
        assert sizes == [s // k + (r < s % k) for r in range(k)]
        assert [part_sizes(m, batch_size, k, r)[j] for r in range(k)] == sizes


def test_a_batch_smaller_than_the_processes_is_refused():
    with pytest.raises(InvalidArgument, match="batch_size=2 is smaller than the 3 processes"):
        shard_rows(10, 2, 3, 0)


def test_without_mpi4py_distributed_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py → ImportError
    X, y, net = worker.problem(BASE)
    with pytest.raises(InvalidArgument, match=r"pip install 'bprop\[mpi\]'"):
        bp.train(net, X, y, epochs=1, distributed=True)


# -- equivalence with one process --------------------------------------------------


@pytest.mark.mpi
@pytest.mark.parametrize("k", [2, 3])
def test_k_ranks_train_the_weights_of_one_process(mpi, tmp_path, k):
    net, history = _one_process()
    _assert_same_weights(_run(k, tmp_path), net, history)


@pytest.mark.mpi
@pytest.mark.parametrize(
    "options",
    [
        {"optimizer": "adam", "l2": 0.5},  # L2 counted once, Adam's moments
        {"l2": 0.5, "l2_divisor": "batch", "batch_size": 7},  # (λ/m_b) w with the GLOBAL batch's m_b
        {"optimizer": "momentum", "batch_size": 7},  # B not divisible by K; last batch of 1 row
        {"batch_size": 3, "m": 10, "epochs": 4},  # a last batch smaller than K: an empty part
    ],
)
def test_equivalence_holds_with_l2_optimizers_and_uneven_batches(mpi, tmp_path, options):
    net, history = _one_process(**options)
    _assert_same_weights(_run(3, tmp_path, **options), net, history)


@pytest.mark.mpi
def test_shuffled_ranks_equal_one_process_on_the_global_order(mpi, tmp_path):
    """With shuffle, batch j is rank 0's part of its permuted shard, then rank 1's, …"""
    k, o = 2, BASE | {"seed": 5}
    ranks = _run(k, tmp_path, shuffle=True, seed=5)
    X, y, net = worker.problem(o)
    optimizer = worker.OPTIMIZERS["sgd"]()
    base_seed = int(np.random.default_rng(5).integers(2**63))  # as bprop.training.distributed.DataParallel.order
    shards = [shard_rows(o["m"], o["batch_size"], k, r) for r in range(k)]
    bounds = [np.concatenate(([0], np.cumsum(part_sizes(o["m"], o["batch_size"], k, r)))) for r in range(k)]
    for epoch in range(1, o["epochs"] + 1):
        orders = [shards[r][np.random.default_rng([base_seed, epoch, r]).permutation(len(shards[r]))] for r in range(k)]
        rows = np.concatenate(
            [orders[r][bounds[r][j] : bounds[r][j + 1]] for j in range(len(bounds[0]) - 1) for r in range(k)]
        )
        bp.train(net, X[rows], y[rows], epochs=1, batch_size=o["batch_size"], optimizer=optimizer, shuffle=False)
    for result in ranks:
        for i, w in enumerate(net.weights):
            np.testing.assert_allclose(result[f"w{i}"], w, rtol=0, atol=1e-12)


# -- failure and resume ------------------------------------------------------------


@pytest.mark.mpi
def test_a_killed_rank_ends_the_run_within_seconds(mpi, tmp_path):
    started = time.perf_counter()
    done = _mpiexec(
        3,
        [str(WORKER), json.dumps(BASE | {"epochs": 10**6, "out": str(tmp_path), "kill_rank": 1, "kill_step": 5})],
        timeout=60,
    )
    seconds = time.perf_counter() - started
    assert done.returncode != 0
    assert "signal 9" in done.stdout + done.stderr or "Killed" in done.stdout + done.stderr
    assert seconds < 30, f"the other ranks took {seconds:.1f} s to stop"
    assert not list(tmp_path.glob("rank*.npz"))


@pytest.mark.mpi
@pytest.mark.parametrize("shuffle", [False, True])
def test_a_run_killed_mid_epoch_resumes_to_the_uninterrupted_weights(mpi, tmp_path, shuffle):
    options = {"shuffle": shuffle, "seed": 3, "optimizer": "adam", "epochs": 4}
    reference = _run(2, tmp_path, **options)
    checkpoint = str(tmp_path / "run.ckpt")
    killed = _mpiexec(
        2,
        [
            str(WORKER),
            json.dumps(
                BASE
                | options
                | {"out": str(tmp_path), "checkpoint": checkpoint, "every_batches": 4, "kill_rank": 1, "kill_step": 11}
            ),
        ],
    )
    assert killed.returncode != 0 and Path(checkpoint).is_file()  # the checkpoint of step 8, in epoch 2
    resumed = _run(2, tmp_path, **options, checkpoint=checkpoint, every_batches=4, resume=checkpoint)
    for a, b in zip(_parameters(reference[0]), _parameters(resumed[0])):
        assert np.array_equal(a, b)
    assert np.array_equal(reference[0]["train_cost"], resumed[0]["train_cost"])


@pytest.mark.mpi
def test_an_interrupt_on_one_rank_stops_every_rank_at_the_same_batch(mpi, tmp_path):
    checkpoint = str(tmp_path / "run.ckpt")
    ranks = _run(3, tmp_path, checkpoint=checkpoint, interrupt_rank=2, interrupt_step=5)
    assert [str(r["outcome"]) for r in ranks] == ["interrupted"] * 3
    for result in ranks[1:]:
        for a, b in zip(_parameters(ranks[0]), _parameters(result)):
            assert np.array_equal(a, b)
    resumed = _run(3, tmp_path, checkpoint=checkpoint, resume=checkpoint)
    net, history = _one_process()
    _assert_same_weights(resumed, net, history)


@pytest.mark.mpi
def test_a_checkpoint_resumes_only_on_as_many_processes(mpi, tmp_path):
    checkpoint = str(tmp_path / "run.ckpt")
    _run(2, tmp_path, checkpoint=checkpoint, epochs=1)
    done = _mpiexec(3, [str(WORKER), json.dumps(BASE | {"out": str(tmp_path), "resume": checkpoint})])
    assert done.returncode != 0
    assert "saved by a run on 2 process(es); this one has 3" in done.stderr


# -- the command line --------------------------------------------------------------


@pytest.mark.mpi
def test_the_command_line_trains_on_two_ranks_and_rank_0_alone_writes(mpi, tmp_path):
    args = [
        "-m",
        "bprop",
        "train",
        "--distributed",
        "--data",
        "xor",
        "--hidden",
        "4",
        "--epochs",
        "3",
        "--batch-size",
        "8",
        "--out",
        str(tmp_path / "runs"),
        "--json",
    ]
    done = _mpiexec(2, args)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)  # one JSON document: rank 0 alone prints
    folders = list((tmp_path / "runs").iterdir())
    assert [str(f) for f in folders] == [summary["run_folder"]]
    assert {p.name for p in folders[0].iterdir()} >= {"model.bprop", "history.json", "results.json", "settings.json"}
    assert summary["epochs_run"] == 3


@pytest.mark.mpi
def test_a_command_line_error_on_every_rank_ends_the_run(mpi, tmp_path):
    done = _mpiexec(
        3, ["-m", "bprop", "train", "--distributed", "--batch-size", "2", "--out", str(tmp_path)], timeout=60
    )
    assert done.returncode != 0
    assert "batch_size=2 is smaller than the 3 processes" in done.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.mpi
def test_ctrl_c_to_mpiexec_saves_a_checkpoint_and_the_run_resumes(mpi, tmp_path):
    """SIGINT to mpiexec (hydra forwards it to every rank): all stop at one batch, rank 0 saves, resume finishes."""
    import signal

    runs = tmp_path / "runs"
    args = [
        "-m",
        "bprop",
        "train",
        "--distributed",
        "--data",
        "spiral",
        "--n",
        "20000",
        "--hidden",
        "64,64",
        "--activation",
        "relu",
        "--epochs",
        "50",
        "--batch-size",
        "16",
        "--out",
        str(runs),
        "--quiet",
    ]
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    job = subprocess.Popen(
        ["mpiexec", "-n", "2", sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while not list(runs.glob("*/settings.json")) and time.monotonic() < deadline:
        time.sleep(0.2)  # the run folder appears when training begins
    time.sleep(1.0)
    job.send_signal(signal.SIGINT)
    _, stderr = job.communicate(timeout=60)
    assert "training was interrupted" in stderr and "Continue with: bprop train --resume" in stderr
    (folder,) = runs.iterdir()
    assert (folder / "checkpoint.ckpt").is_file() and not (folder / "results.json").exists()
    done = _mpiexec(2, ["-m", "bprop", "train", "--distributed", "--resume", str(folder), "--quiet"], timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (folder / "results.json").is_file() and not (folder / "checkpoint.ckpt").exists()
