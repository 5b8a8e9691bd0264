"""Epoch time of data-parallel training (bprop.training.distributed) for K = 1 and 2 processes on this machine.

    python benchmarks/distributed.py                # all cases, a few minutes
    python benchmarks/distributed.py --quick        # digits only, seconds

For each case it runs ``mpiexec -n K python benchmarks/distributed.py
--worker CASE`` with OPENBLAS_NUM_THREADS set per process: K = 1 with 1 and
with 2 BLAS threads, K = 2 with 1 thread each (2 × 2 threads would
oversubscribe a 2-core machine). Each run trains 2 epochs, float32, SGD, no
shuffling, and reports the faster epoch. It also measures, in one process,
the time of one Allreduce of the gradient buffer (P float32 numbers) between
2 ranks and this machine's float32 matrix-product speed (GFLOP/s), the
figures of the communication model in DISTRIBUTED.md. Prints JSON.
"""

import json
import os
import subprocess
import sys
import time

import numpy as np

CASES = {
    "digits-b10": {"data": "digits", "sizes": [64, 30, 10], "batch_size": 10},
    "digits-b128": {"data": "digits", "sizes": [64, 30, 10], "batch_size": 128},
    "fashion-b128": {"data": "fashion-mnist", "sizes": [784, 256, 128, 10], "batch_size": 128},
    "fashion-b1024": {"data": "fashion-mnist", "sizes": [784, 256, 128, 10], "batch_size": 1024},
}
SETUPS = [(1, 1), (1, 2), (2, 1)]  # (processes K, BLAS threads per process)


def worker(case):
    """One rank: load, keep the shard, train 2 epochs; rank 0 prints the faster epoch's seconds."""
    import bprop as bp
    from bprop import datasets
    from bprop.training.distributed import Communicator, shard_rows

    c = CASES[case]
    comm = Communicator()
    data = datasets.load(c["data"])
    X = data.X_train.astype(np.float32) / np.float32(data.X_train.max())
    rows = shard_rows(len(X), c["batch_size"], comm.size, comm.rank)
    net = bp.Network(c["sizes"], activation="relu", output="softmax", cost="log_likelihood", init="he", seed=0)
    history = bp.train(
        net,
        X[rows],
        data.y_train[rows],
        epochs=2,
        batch_size=c["batch_size"],
        optimizer=bp.SGD(lr=0.05),
        shuffle=False,
        distributed=comm,
    )
    if comm.rank == 0:
        print(
            json.dumps(
                {"epoch_seconds": min(history.epoch_seconds), "samples": len(X), "parameters": net.num_parameters}
            )
        )


def allreduce_seconds(parameters, repeats=200):
    """One Allreduce of ``parameters`` float32 numbers between the ranks (run under mpiexec -n 2)."""
    from mpi4py import MPI

    buffer = np.ones(parameters + 4, dtype=np.float32)
    comm = MPI.COMM_WORLD
    comm.Barrier()
    started = time.perf_counter()
    for _ in range(repeats):
        comm.Allreduce(MPI.IN_PLACE, buffer, op=MPI.SUM)
    seconds = (time.perf_counter() - started) / repeats
    if comm.rank == 0:
        print(json.dumps({"allreduce_seconds": seconds}))


def gflops(threads):
    """float32 matrix products of the sizes of a [784,256,128,10] batch of 128, in GFLOP/s."""
    code = (
        "import time, numpy as np; a = np.ones((128, 784), np.float32); w = np.ones((256, 784), np.float32);"
        "t = time.perf_counter(); [a @ w.T for _ in range(300)]; s = time.perf_counter() - t;"
        "print(2 * 128 * 784 * 256 * 300 / s / 1e9)"
    )
    return float(_run(1, threads, ["-c", code], mpi=False))


def _run(k, threads, args, mpi=True):
    env = os.environ | {"OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    command = (["mpiexec", "-n", str(k)] if mpi else []) + [sys.executable, *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1200, check=True)
    return done.stdout.strip().splitlines()[-1]


def main():
    if sys.argv[1:2] == ["--worker"]:
        return worker(sys.argv[2])
    if sys.argv[1:2] == ["--allreduce"]:
        return allreduce_seconds(int(sys.argv[2]))
    quick = "--quick" in sys.argv
    results = {"gflops_float32": {t: round(gflops(t), 1) for t in (1, 2)}, "cases": {}, "allreduce_seconds": {}}
    for case in [c for c in CASES if not quick or c.startswith("digits")]:
        for k, threads in SETUPS:
            figures = json.loads(_run(k, threads, [__file__, "--worker", case]))
            results["cases"].setdefault(case, {})[f"K={k}, {threads} thread(s) each"] = round(
                figures["epoch_seconds"], 4
            )
            print(case, k, threads, figures, file=sys.stderr)
        p = figures["parameters"]
        if p not in results["allreduce_seconds"]:
            results["allreduce_seconds"][p] = json.loads(_run(2, 1, [__file__, "--allreduce", str(p)]))[
                "allreduce_seconds"
            ]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
