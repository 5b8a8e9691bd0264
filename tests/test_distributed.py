"""Data-parallel training over MPI (bprop.training.distributed), with real mpiexec runs of 2 and 3 ranks.

Each MPI test starts ``mpiexec -n K python tests/distributed/worker.py`` (or
``python -m bprop train --distributed``) with a timeout and compares what the
ranks wrote with one process trained in this test. They are skipped, with the
reason, only when mpiexec cannot start two ranks here.
"""

import contextlib
import copy
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
from bprop.training.distributed import first_difference, launched_ranks, part_sizes, shard_rows

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
        l1=o.get("l1", 0.0),
        dropout=o.get("dropout"),
        shuffle=False,
        seed=o.get("seed", 0),  # the ranks' seed: with dropout, the masks' stream
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


def test_the_first_difference_names_the_rank_the_setting_and_both_values():
    ranks = [{"lr": 0.1, "sizes": [5, 4, 3]}, {"lr": 0.1, "sizes": [5, 4, 3]}, {"lr": 0.5, "sizes": [5, 6, 3]}]
    assert first_difference(ranks[:2]) is None
    assert first_difference(ranks) == "rank 2's lr 0.5 differs from rank 0's 0.1"
    assert first_difference(ranks, name=lambda key: f"--{key}") == "rank 2's --lr 0.5 differs from rank 0's 0.1"
    assert first_difference([{"a": 1}, {"a": 1, "b": 2}]) == "rank 1's b 2 differs from rank 0's (none)"
    digest = "ab" * 32
    assert (
        first_difference([{"d": digest}, {"d": "cd" * 32}])
        == "rank 1's d cdcdcdcdcdcd… differs from rank 0's abababababab…"
    )


def test_the_launcher_s_environment_tells_the_rank_and_size(monkeypatch):
    for name in ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "MV2_COMM_WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    assert launched_ranks() == (0, 1)
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    monkeypatch.setenv("OMPI_COMM_WORLD_RANK", "3")
    assert launched_ranks() == (3, 4)
    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.setenv("PMI_RANK", "1")
    assert launched_ranks() == (1, 2)


def test_under_mpiexec_without_mpi4py_the_command_line_says_what_to_install(monkeypatch, capsys):
    from bprop.cli.app import main

    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.setenv("PMI_RANK", "1")
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py → ImportError
    assert main(["train", "--distributed", "--data", "xor"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("bprop: error: distributed training needs mpi4py")
    assert "pip install 'bprop[mpi]'" in err


def test_the_verdict_quotes_a_failed_rank_or_the_first_difference():
    from bprop.cli.mpi_job import _verdict

    facts = {"lr": 3.0, "seed": 0}
    assert _verdict([{"facts": facts}, {"facts": dict(facts)}]) is None
    assert _verdict([{"facts": facts}, {"facts": facts | {"seed": 3}}]) == (
        "the 2 ranks disagree: rank 1's --seed 3 differs from rank 0's 0; start every rank with the same settings "
        "and data."
    )
    assert _verdict([{"facts": facts}, {"error": "no such file"}]) == "rank 1: no such file. Every rank stopped."
    assert _verdict([{"error": "bad"}, {"error": "bad"}]) == "bad (on every rank)."
    assert _verdict([{"error": "bad"}, {"error": "worse"}, {"error": "bad"}]) == (
        "ranks 0, 2: bad; rank 1: worse. Every rank stopped."
    )


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
@pytest.mark.parametrize("k", [2, 3])
def test_k_ranks_with_dropout_train_the_weights_of_one_process_with_dropout(mpi, tmp_path, k):
    """Every rank draws the global batch's masks from the shared generator and applies its part's rows."""
    options = {"dropout": 0.5, "seed": 4}
    net, history = _one_process(**options)
    _assert_same_weights(_run(k, tmp_path, **options), net, history)
    undropped, _ = _one_process(seed=4)
    assert not np.allclose(net.weights[0], undropped.weights[0], rtol=0, atol=1e-3)  # the masks did act


@pytest.mark.mpi
@pytest.mark.parametrize(
    "options",
    [
        # a σ per layer, one p per hidden layer, L1 and L2 on rank 0 only, Adam; B = 7 not divisible by K
        {"sizes": [5, 6, 4, 3], "activation": ["relu", "tanh"], "dropout": [0.3, 0.5], "l1": 0.2, "l2": 0.1,
         "optimizer": "adam", "batch_size": 7, "seed": 8},
        {"dropout": [0.4], "batch_size": 3, "m": 10, "epochs": 4, "seed": 2},  # a last batch of 1 row: empty parts
    ],
)  # fmt: skip
def test_dropout_equivalence_holds_with_a_sigma_per_layer_l1_and_uneven_parts(mpi, tmp_path, options):
    net, history = _one_process(**options)
    _assert_same_weights(_run(3, tmp_path, **options), net, history)


@pytest.mark.mpi
@pytest.mark.parametrize("dropout", [None, 0.5])
def test_shuffled_ranks_equal_one_process_on_the_global_order(mpi, tmp_path, dropout):
    """With shuffle, batch j is rank 0's part of its permuted shard, then rank 1's, …

    Epoch e's permutations come from a key read off the shared generator at the
    epoch's start (bprop.training.distributed.DataParallel.order); the epoch's
    dropout masks are then drawn from that generator, as one process continuing
    it through the epochs draws them. Without dropout it never moves: one key.
    """
    k, o = 2, BASE | {"seed": 5, "dropout": dropout}
    ranks = _run(k, tmp_path, shuffle=True, seed=5, dropout=dropout)
    X, y, net = worker.problem(o)
    optimizer, rng = worker.OPTIMIZERS["sgd"](), np.random.default_rng(5)  # one generator through the epochs
    shards = [shard_rows(o["m"], o["batch_size"], k, r) for r in range(k)]
    bounds = [np.concatenate(([0], np.cumsum(part_sizes(o["m"], o["batch_size"], k, r)))) for r in range(k)]
    for epoch in range(1, o["epochs"] + 1):
        key = int(copy.deepcopy(rng).integers(2**63))  # read, not drawn: the masks start where the key did
        orders = [shards[r][np.random.default_rng([key, epoch, r]).permutation(len(shards[r]))] for r in range(k)]
        rows = np.concatenate(
            [orders[r][bounds[r][j] : bounds[r][j + 1]] for j in range(len(bounds[0]) - 1) for r in range(k)]
        )
        bp.train(
            net, X[rows], y[rows], epochs=1, batch_size=o["batch_size"], optimizer=optimizer, shuffle=False,
            dropout=dropout, seed=rng,
        )  # fmt: skip
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
@pytest.mark.parametrize("shuffle, dropout", [(False, None), (True, None), (False, 0.5), (True, 0.5)])
def test_a_run_killed_mid_epoch_resumes_to_the_uninterrupted_weights(mpi, tmp_path, shuffle, dropout):
    options = {"shuffle": shuffle, "seed": 3, "optimizer": "adam", "epochs": 4, "dropout": dropout}
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
def test_the_command_line_with_dropout_on_two_ranks_trains_the_model_of_one_process(mpi, tmp_path):
    flags = "--data spiral --hidden 16,8 --activation relu,tanh --dropout 0.3 --l1 0.01 --dtype float64"
    flags += " --no-shuffle --epochs 2 --batch-size 16 --seed 7 --quiet"
    done = _mpiexec(2, ["-m", "bprop", "train", "--distributed", *flags.split(), "--out", str(tmp_path / "k2")])
    assert done.returncode == 0, done.stderr[-2000:]
    alone = subprocess.run(
        [sys.executable, "-m", "bprop", "train", *flags.split(), "--out", str(tmp_path / "k1")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert alone.returncode == 0, alone.stderr[-2000:]
    (ranks,), (one,) = (list((tmp_path / k).glob("*/model.bprop")) for k in ("k2", "k1"))
    ranks, one = bp.load(ranks), bp.load(one)  # ranks that ignored --dropout would differ by far more
    for a, b in zip([*ranks.weights, *ranks.biases], [*one.weights, *one.biases]):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)  # the Allreduce adds in another order: round-off only


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


# -- ranks that disagree or fail: every rank stops, one message, within seconds -------------

TRAIN = ["-m", "bprop", "train", "--distributed", "--hidden", "4", "--epochs", "2", "--batch-size", "8", "--quiet"]


def _mpmd(tmp_path, rank0, rank1, timeout=60):
    """mpiexec -n 1 python RANK0 : -n 1 python RANK1 (run in tmp_path); (result, seconds). A hang fails the test."""
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    command = ["mpiexec", "-n", "1", sys.executable, *rank0, ":", "-n", "1", sys.executable, *rank1]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp_path)
    return done, time.perf_counter() - started


def _assert_one_message(done, seconds, *phrases):
    """Exit non-zero, one ``bprop: error:`` line and nothing else (no traceback, no MPICH dump), in < 20 s."""
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert seconds < 20, f"the ranks took {seconds:.1f} s to stop"
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("bprop: error: "), output
    for phrase in phrases:
        assert phrase in lines[0]
    return lines[0]


def _csv(path, seed=0, classes=3, bump=0.0):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(60, 3)), rng.integers(0, classes, 60)
    X[0, 0] += bump
    rows = "\n".join(",".join(f"{v:.6f}" for v in row) + f",{label}" for row, label in zip(X, y))
    path.write_text("f1,f2,f3,label\n" + rows + "\n")
    return str(path)


@pytest.mark.mpi
@pytest.mark.parametrize(
    "rank1, phrase",
    [
        (["--seed", "3"], "rank 1's --seed 3 differs from rank 0's 0"),
        (["--lr", "0.5"], "rank 1's --lr 0.5 differs from rank 0's 3.0"),
        (["--epochs", "4"], "rank 1's --epochs 4 differs from rank 0's 2"),
        (["--batch-size", "9"], "rank 1's --batch-size 9 differs from rank 0's 8"),
        (["--hidden", "5"], "rank 1's --hidden 5 differs from rank 0's 4"),
        (["--dtype", "float64"], "rank 1's --dtype float64 differs from rank 0's float32"),
        (["--no-shuffle"], "rank 1's shuffling (--no-shuffle) False differs from rank 0's True"),
        (["--dropout", "0.2"], "rank 1's --dropout 0.2 differs from rank 0's 0.0"),
    ],
)
def test_ranks_with_different_settings_stop_naming_the_difference(mpi, tmp_path, rank1, phrase):
    base = [*TRAIN, "--data", "xor", "--out", "runs"]
    done, seconds = _mpmd(tmp_path, base, [*base, *rank1])
    _assert_one_message(done, seconds, "the 2 ranks disagree", phrase)
    assert not (tmp_path / "runs").exists()  # stopped before the run folder


@pytest.mark.mpi
@pytest.mark.parametrize(
    "other, phrase",
    [
        ({"classes": 2}, "rank 1's class count 2 differs from rank 0's 3"),
        ({"bump": 1.0}, "rank 1's data's SHA-256"),  # same shape, same class count, one value differs
    ],
)
def test_ranks_with_different_data_stop(mpi, tmp_path, other, phrase):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    first, second = _csv(tmp_path / "a" / "data.csv"), _csv(tmp_path / "b" / "data.csv", **other)
    done, seconds = _mpmd(tmp_path, [*TRAIN, "--data", first], [*TRAIN, "--data", second])
    _assert_one_message(done, seconds, phrase)


@pytest.mark.mpi
@pytest.mark.parametrize(
    "rank1, phrases",
    [
        (["--bogus"], ["rank 1: No such option: --bogus", "Every rank stopped"]),
        (["--config", "missing.toml"], ["rank 1: --config missing.toml", "no such file"]),
        (["--data", "no-such-data"], ["rank 1:", "no-such-data"]),
        (["--batch-size", "1"], ["rank 1: batch_size=1 is smaller than the 2 processes"]),
    ],
)
def test_an_error_on_one_rank_stops_every_rank_with_its_message(mpi, tmp_path, rank1, phrases):
    base = [*TRAIN, "--data", "xor", "--out", "runs"]
    done, seconds = _mpmd(tmp_path, base, [*base, *rank1])
    _assert_one_message(done, seconds, *phrases)


@pytest.mark.mpi
def test_a_rank_without_distributed_is_refused_not_trained_alone(mpi, tmp_path):
    alone = ["-m", "bprop", "train", "--data", "xor", "--epochs", "2", "--out", "runs", "--quiet"]
    done, seconds = _mpmd(tmp_path, [*TRAIN, "--data", "xor", "--out", "runs"], alone)
    _assert_one_message(done, seconds, "rank 1: this process is one of 2 started by mpiexec", "--distributed")
    assert not (tmp_path / "runs").exists()
    done, seconds = _mpmd(tmp_path, alone, alone)  # no rank distributed: every rank refuses, one message
    _assert_one_message(done, seconds, "--distributed was not given", "(on every rank)")


@pytest.mark.mpi
def test_another_command_on_one_rank_stops_the_job(mpi, tmp_path):
    done, seconds = _mpmd(tmp_path, [*TRAIN, "--data", "xor"], ["-m", "bprop", "evaluate", "model.bprop"])
    _assert_one_message(done, seconds, "rank 1: bprop evaluate was started under mpiexec -n 2")


@pytest.mark.mpi
def test_python_ranks_that_build_different_networks_stop_before_any_allreduce(mpi, tmp_path):
    options = BASE | {"out": str(tmp_path), "rank_options": {"1": {"sizes": [5, 6, 3], "epochs": 4}}}
    started = time.perf_counter()
    done = _mpiexec(2, [str(WORKER), json.dumps(options)], timeout=60)
    assert done.returncode != 0 and time.perf_counter() - started < 20
    assert "rank 1's sizes 5,6,3 differs from rank 0's 5,4,3" in done.stderr
    assert "Message truncated" not in done.stderr
    assert not list(tmp_path.glob("rank*.npz"))


@pytest.mark.mpi
def test_python_ranks_with_different_dropout_stop_before_any_allreduce(mpi, tmp_path):
    options = BASE | {"out": str(tmp_path), "dropout": 0.5, "rank_options": {"1": {"dropout": 0.3}}}
    done = _mpiexec(2, [str(WORKER), json.dumps(options)], timeout=60)
    assert done.returncode != 0
    assert "rank 1's dropout 0.3 differs from rank 0's 0.5" in done.stderr
    assert not list(tmp_path.glob("rank*.npz"))


CLI_RANK = str(Path(__file__).parent / "distributed" / "cli_rank.py")


@pytest.mark.mpi
def test_a_failed_rank_waits_for_the_others_only_so_long(mpi, tmp_path):
    base = [*TRAIN[2:], "--data", "xor", "--out", "runs"]
    done, seconds = _mpmd(tmp_path, [CLI_RANK, "0", "3", *base, "--bogus"], [CLI_RANK, "60", "3", *base])
    output = done.stdout + done.stderr
    assert done.returncode != 0 and seconds < 20, output
    assert "bprop: error: rank 0 of 2: No such option: --bogus" in output
    assert "the other ranks did not reach training within 3 s: ending every rank" in output
    assert "Traceback" not in output


@pytest.mark.mpi
def test_sigterm_while_waiting_for_a_slower_rank_stops_every_rank(mpi, tmp_path):
    import signal

    base = [*TRAIN[2:], "--data", "xor", "--out", "runs"]
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    ranks = [[CLI_RANK, "0", "30", *base], [CLI_RANK, "10", "30", *base]]
    command = ["mpiexec", "-n", "1", sys.executable, *ranks[0], ":", "-n", "1", sys.executable, *ranks[1]]
    job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "waiting-rank0").exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # rank 0 waits at the meeting (not still importing), rank 1 still "loads its data"
        assert not (tmp_path / "waiting-rank1").exists(), "rank 1 was not slower: the test is not what it says"
        rank0 = min(_children_named(job.pid, "cli_rank.py"))
        os.kill(rank0, signal.SIGTERM)
        stdout, stderr = job.communicate(timeout=30)
    finally:
        job.kill()
    lines = [line for line in (stdout + stderr).splitlines() if line.strip()]
    assert job.returncode != 0
    assert lines == ["bprop: error: rank 0: interrupted (SIGTERM) before training. Every rank stopped."]
    assert not (tmp_path / "runs").exists()


def _children_named(pid, word):
    """The descendants of ``pid`` whose command line holds ``word``."""
    found, parents = [], [pid]
    while parents:
        for child in _children(parents.pop()):
            parents.append(child)
            with contextlib.suppress(OSError):
                if word in Path(f"/proc/{child}/cmdline").read_text():
                    found.append(child)
    return found


def _children(pid):
    """The process ids whose parent is ``pid`` (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _start_long_run(runs):
    """mpiexec -n 2 bprop train --distributed (a minute's work), once training has begun: (job, its ranks)."""
    args = [*TRAIN[:4], "--data", "spiral", "--n", "20000", "--hidden", "64,64", "--activation", "relu"]
    args += ["--epochs", "50", "--batch-size", "16", "--out", str(runs), "--quiet"]
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    job = subprocess.Popen(
        ["mpiexec", "-n", "2", sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not list(runs.glob("*/settings.json")) and time.monotonic() < deadline:
        time.sleep(0.1)  # the run folder appears when training begins
    (proxy,) = _children(job.pid)
    ranks = _children(proxy)
    assert len(ranks) == 2
    return job, proxy, ranks


@pytest.mark.mpi
@pytest.mark.parametrize("victim", ["mpiexec", "proxy"])
def test_ranks_end_when_mpiexec_or_its_proxy_is_killed(mpi, tmp_path, victim):
    import signal

    if not Path("/proc/self/stat").is_file():
        pytest.skip("finding mpiexec's proxy and ranks reads /proc (Linux)")
    job, proxy, ranks = _start_long_run(tmp_path / "runs")
    try:
        os.kill(job.pid if victim == "mpiexec" else proxy, signal.SIGKILL)
        started = time.monotonic()
        while any(_alive(r) for r in ranks) and time.monotonic() - started < 10:
            time.sleep(0.02)
        seconds = time.monotonic() - started
        assert not [r for r in ranks if _alive(r)], f"ranks still running {seconds:.1f} s after {victim} was killed"
        assert seconds < 3
    finally:
        for pid in [job.pid, proxy, *ranks]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        job.communicate(timeout=30)


@pytest.mark.mpi
def test_sigterm_to_one_rank_stops_every_rank_and_rank_0_saves(mpi, tmp_path):
    import signal

    runs = tmp_path / "runs"
    job, _, ranks = _start_long_run(runs)
    time.sleep(0.5)
    started = time.monotonic()
    os.kill(max(ranks), signal.SIGTERM)  # one rank (the later started): not mpiexec
    _, stderr = job.communicate(timeout=60)
    assert time.monotonic() - started < 10
    assert job.returncode == 130
    assert "training was interrupted" in stderr and "Continue with: bprop train --resume" in stderr
    (folder,) = runs.iterdir()
    assert (folder / "checkpoint.ckpt").is_file()
