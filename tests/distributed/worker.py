"""One rank of a distributed training run, for tests/test_distributed.py (run under mpiexec).

Every rank builds the same small problem, keeps only its shard
(bprop.training.distributed.shard_rows), trains with distributed=True and writes its
final weights and history to OUT/rank<r>.npz. Options (JSON, argv[1]):
sizes, activation (one σ, or one per hidden layer), m, batch_size, epochs, optimizer, l2, l2_divisor, l1,
dropout, shuffle, seed, checkpoint
(every epoch, or every_batches), resume, kill_rank/kill_step (SIGKILL that rank after that
many steps), interrupt_rank/interrupt_step (state.interrupt() there), rank_options ({"1": {...}}: options
that rank alone uses instead, to make the ranks disagree).
"""

import json
import os
import signal
import sys

import numpy as np

import bprop as bp
from bprop.errors import TrainingInterrupted
from bprop.training.checkpoints import Checkpointer
from bprop.training.distributed import Communicator, shard_rows

OPTIMIZERS = {
    "sgd": lambda: bp.SGD(lr=0.5),
    "momentum": lambda: bp.Momentum(lr=0.1, momentum=0.9),
    "adam": lambda: bp.Adam(lr=0.01),
}


def problem(o):
    """The whole data set and the initial network, the same in every process."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(o["m"], o["sizes"][0]))
    y = rng.integers(0, o["sizes"][-1], o["m"])
    net = bp.Network(
        o["sizes"],
        activation=o.get("activation", "tanh"),
        output="softmax",
        cost="log_likelihood",
        init="xavier",
        seed=2,
        dtype="float64",
    )
    return X, y, net


class _Trigger:
    """Kills or interrupts one rank after a given number of steps."""

    def __init__(self, o, rank):
        self.o, self.rank, self.steps = o, rank, 0

    def on_batch_end(self, state):
        self.steps += 1
        if self.rank == self.o.get("kill_rank") and self.steps == self.o.get("kill_step"):
            os.kill(os.getpid(), signal.SIGKILL)
        if self.rank == self.o.get("interrupt_rank") and self.steps == self.o.get("interrupt_step"):
            state.interrupt()


def main():
    o = json.loads(sys.argv[1])
    comm = Communicator()
    o |= o.get("rank_options", {}).get(str(comm.rank), {})
    X, y, net = problem(o)
    rows = shard_rows(len(X), o["batch_size"], comm.size, comm.rank)
    every = o.get("every_batches")
    saver = (
        Checkpointer(o["checkpoint"], every_batches=every, every_epochs=None if every else 1)
        if o.get("checkpoint")
        else None
    )
    outcome = "finished"
    try:
        history = bp.train(
            net,
            X[rows],
            y[rows],
            epochs=o["epochs"],
            batch_size=o["batch_size"],
            optimizer=OPTIMIZERS[o.get("optimizer", "sgd")](),
            l2=o.get("l2", 0.0),
            l2_divisor=o.get("l2_divisor", "training_set"),
            l1=o.get("l1", 0.0),
            dropout=o.get("dropout"),
            shuffle=o.get("shuffle", False),
            seed=o.get("seed", 0),
            distributed=comm,
            callbacks=[_Trigger(o, comm.rank)],
            checkpoint=saver,
            resume=o.get("resume"),
        )
    except TrainingInterrupted as e:
        history, outcome = e.history, "interrupted"
    arrays = {f"w{i}": w for i, w in enumerate(net.weights)} | {f"b{i}": b for i, b in enumerate(net.biases)}
    np.savez(
        os.path.join(o["out"], f"rank{comm.rank}.npz"),
        **arrays,
        train_cost=np.asarray(history.train_cost),
        rows=rows,
        outcome=outcome,
    )


if __name__ == "__main__":
    main()
