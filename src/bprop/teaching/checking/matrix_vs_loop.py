"""The book's exercise: a fully matrix-based backprop against the learner's own per-sample loop.

The matrix version takes X (n_1, m) with the samples as columns and returns
the batch means; the loop calls the per-sample backprop once per column and
averages. Both must give the same numbers (and bprop's); then both are timed
on an MNIST-sized network, interleaved and best of several repeats, since a
single timing on a shared machine says little, with BLAS on one thread: on a
loaded machine a threaded BLAS waits for its sleeping threads and one
matrix product took 100–180 ms instead of 0.3 ms (measured, 2 cores, load 12).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
from threadpoolctl import threadpool_limits

from ...errors import LearnerCodeError
from .adapters import Learner, Returned

TIMING_SIZES = [784, 30, 10]  # the book's MNIST network
TIMING_BATCH = 100
REPEATS = 7


@dataclass
class LoopComparison:
    """The matrix form against the loop: agreement and the measured times (ms, best of ``repeats``)."""

    agrees: bool
    largest_difference: float
    array: str | None = None  # where they differ: 'nabla_b' or 'nabla_w'
    layer: int | None = None
    batched_ms: float | None = None
    loop_ms: float | None = None
    sizes: list | None = None
    m: int = TIMING_BATCH
    repeats: int = REPEATS
    failure: object = None  # the loop's Raised or Malformed answer, if any

    @property
    def speedup(self) -> float | None:
        return None if not self.batched_ms else self.loop_ms / self.batched_ms


def compare_with_loop(learner: Learner, loop_name: str, probes, seed=0) -> LoopComparison:
    """Same numbers on every probe, then the speed-up on ``TIMING_SIZES`` with m = ``TIMING_BATCH``."""
    if learner.is_class and not learner.has(loop_name):
        raise LearnerCodeError(
            f"class {learner.target.name} in {learner.target.path.name} has no method {loop_name}(x, y) "
            "(named by --compare-loop: your per-sample backprop)."
        )
    loop = Learner(learner.target.sibling(loop_name), loop_name) if not learner.is_class else learner
    loop_method = loop_name if learner.is_class else None
    largest = 0.0
    for probe in probes:
        batched = learner.call(probe, probe.X, probe.Y)
        looped = [loop.call(probe, probe.X[:, [i]], probe.Y[:, [i]], method=loop_method) for i in range(probe.m)]
        failure = next((a for a in [batched, *looped] if not isinstance(a, Returned)), None)
        if failure is not None:
            return LoopComparison(False, float("nan"), failure=failure)
        for name in ("nabla_b", "nabla_w"):
            for i, got in enumerate(getattr(batched, name)):
                mean = sum(getattr(a, name)[i] for a in looped) / probe.m
                if got.size != mean.size:
                    return LoopComparison(False, float("inf"), name, i + 2)
                d = float(np.abs(got.reshape(mean.shape) - mean).max() / max(1.0, np.abs(mean).max()))
                largest = max(largest, d)
                if d > 1e-6:
                    return LoopComparison(False, d, name, i + 2)
    result = LoopComparison(True, largest)
    result.batched_ms, result.loop_ms = _timings(learner, loop, loop_method, seed)
    result.sizes = TIMING_SIZES
    return result


def _timings(learner, loop, loop_method, seed):
    """(batched, loop) milliseconds for one mini-batch, best of REPEATS, measured alternately."""
    rng = np.random.default_rng(seed)
    sizes = TIMING_SIZES
    probe = SimpleNamespace(
        sizes=sizes,
        weights=[rng.standard_normal((o, i)) / np.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:])],
        biases=[rng.standard_normal((o, 1)) for o in sizes[1:]],
    )
    X = rng.uniform(0, 1, (sizes[0], TIMING_BATCH))
    Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], TIMING_BATCH)]
    if learner.is_class:  # one instance: the constructor's cost is no part of backprop's
        net = learner.instance(probe)
        batched, single = getattr(net, learner.method), getattr(net, loop_method)
    else:
        W, B = probe.weights, probe.biases
        batched = lambda X, Y: learner.target.obj(W, B, X, Y)  # noqa: E731
        single = lambda x, y: loop.target.obj(W, B, x, y)  # noqa: E731
    columns = [(X[:, [i]], Y[:, [i]]) for i in range(TIMING_BATCH)]
    batched_best = loop_best = float("inf")
    with threadpool_limits(limits=1, user_api="blas"):
        batched_best, loop_best = _best_of(batched, single, X, Y, columns)
    return batched_best * 1e3, loop_best * 1e3


def _best_of(batched, single, X, Y, columns):
    """Seconds of one batched call and of the loop over the columns, each the best of REPEATS, alternately."""
    batched_best = loop_best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        batched(X, Y)
        batched_best = min(batched_best, time.perf_counter() - start)
        start = time.perf_counter()
        for x, y in columns:
            single(x, y)
        loop_best = min(loop_best, time.perf_counter() - start)
    return batched_best, loop_best
