"""Interleaved timing: several things that each run an epoch, timed in turn in one process.

Each thing first runs ``warmup`` untimed epochs; then, in each repeat, every
thing runs ``epochs_per_repeat`` epochs in turn, the order rotating from one
repeat to the next, so that a slow spell of a shared machine falls on all of
them. Only ratios within one such run mean much on a loaded machine.
Before each timed stretch the garbage collector runs (so none of its work
falls inside a timing); the objects alive when timing starts are frozen
out of its reach first (``gc.freeze``), so that those collections do not
each walk torch's, scikit-learn's and matplotlib's whole heap (0.7 s each,
measured on a loaded machine).
"""

from __future__ import annotations

import gc
import statistics
import time


def interleaved(epochs: dict, *, repeats: int, epochs_per_repeat: int, warmup: int) -> dict:
    """Seconds per epoch of each repeat, by name: ``epochs`` maps a name to a function running one epoch."""
    names = list(epochs)
    for name in names:
        for _ in range(warmup):
            epochs[name]()
    seconds = {name: [] for name in names}
    gc.collect()
    gc.freeze()
    try:
        _repeat(epochs, names, seconds, repeats, epochs_per_repeat)
    finally:
        gc.unfreeze()
    return seconds


def _repeat(epochs, names, seconds, repeats, epochs_per_repeat):
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            started = time.perf_counter()
            for _ in range(epochs_per_repeat):
                epochs[name]()
            seconds[name].append((time.perf_counter() - started) / epochs_per_repeat)


def figures(seconds: list) -> dict:
    """The per-repeat seconds, their median and their least (other work on the machine only adds time)."""
    return {"seconds": seconds, "median_seconds": statistics.median(seconds), "best_seconds": min(seconds)}
