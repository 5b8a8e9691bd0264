"""Two versions of bprop timed against each other: ``train`` epochs in alternating processes.

    git worktree add /tmp/bprop-old <revision>
    python benchmarks/old_vs_new.py --old /tmp/bprop-old/src --new src --case b --batch 128

Each round runs one process with the old source tree on ``PYTHONPATH`` and then
one with the new, each training ``bprop.train(..., epochs=1)`` (one call per
epoch, as ``bprop bench`` does) on a benchmark case's network and data and
printing the median of ``--repeats`` epochs after a warm-up; the line of a
round gives new ÷ old. Alternating the two in separate processes keeps the
machine's slow spells from favouring either. README's "old against new" figures
for the step changes of 2026-12-04 were measured this way (3 rounds, 5 repeats).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def child(case_key: str, batch: int, repeats: int) -> None:
    """In the child process: the median seconds of ``repeats`` one-epoch ``train`` calls, printed."""
    import numpy as np

    from bprop.benchmarking.cases import load_data, selected
    from bprop.training.loop import train

    case = next(iter(selected(case_key)))
    data = load_data(case.dataset, quick=False, seed=0)
    net, optimizer = case.network(seed=0), case.bprop_optimizer()
    rng = np.random.default_rng(0)
    seconds = []
    for epoch in range(repeats + 1):
        start = time.perf_counter()
        train(net, data.X_train, data.y_train, epochs=1, batch_size=batch, optimizer=optimizer, seed=rng)
        if epoch:  # the first warms up
            seconds.append(time.perf_counter() - start)
    print(statistics.median(seconds))


def timed(source: str, args) -> float:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(source))
    command = [sys.executable, __file__, "--child", args.case, str(args.batch), str(args.repeats)]
    return float(subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="the old version's src folder")
    parser.add_argument("--new", required=True, help="the new version's src folder")
    parser.add_argument("--case", default="b", help="a benchmark case: a, b, c or d (bprop bench --help)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for _ in range(args.rounds):
        old, new = timed(args.old, args), timed(args.new, args)
        print(
            f"case {args.case} batch {args.batch}: old {old:.4f} s, new {new:.4f} s per epoch, new/old {new / old:.3f}"
        )


if __name__ == "__main__":
    main()
