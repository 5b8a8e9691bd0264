"""The hot loop of training: one stretch of an epoch's batches, and divergence found in it.

``BatchRuns`` is the part of ``loop._Loop`` that runs batches
progress.done + 1 … until of an epoch: per batch, gather its rows, run BP1–BP4
(``plan.gradients``), check the cost, take the optimizer's step and call the
callbacks. It has three forms of that loop, chosen once per ``train`` call:

    run_batches            batch by batch, each cost read as it ends (MPI, sample weights, L1/L2,
                           or a callback with on_batch_end)
    run_batches_deferred   NumPy on one process: costs and correct counts found once, after the run
    run_batches_on_device  a GPU: costs stay on the device and are read once, after the run

``account_run`` is what the last two share: divergence, then the epoch's
running sums. The mixin reads what ``_Loop.__init__`` sets: state, data,
plan, l2_n, callbacks, total_weight, costs_on_device, costs_deferred,
dropout and draw_masks.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.backend import to_numpy, total
from ..core.fast import count_equal
from ..errors import TrainingDiverged
from .state import restore

EXPLOSION_FACTOR = 1e6
"""A batch cost above this many times the first epoch's mean training cost counts as divergence."""

GATHERED_ONCE = 1 << 24
"""run_batches_deferred gathers a training set of up to this many bytes (16 MB) in its epoch's order once,
and slices its batches from that copy: at digits' batch 10 two row gathers per batch were ~5% of a step.
A larger set is gathered batch by batch, so that no shuffled copy of it is made."""


class BatchRuns:
    """Runs of an epoch's batches (see the module docstring); a base of ``loop._Loop``, which sets these:"""

    state: object  # the TrainingState: net, optimizer, n, masks, stop, and the last batch's figures
    data: object  # batch_plans.PlacedData: X, targets, labels, weights, gather
    plan: object  # batch_plans.OneProcess or distributed.DataParallel: bounds, gradients, samples
    l2_n: list  # l2_n[j-1]: the n of batch j's L2 (and L1) term
    callbacks: list  # objects with on_batch_end and the other events
    total_weight: float | None  # Σ s over the training set with sample weights, else None
    costs_on_device: bool  # run_batches_on_device: a GPU network, no callback reading each batch
    costs_deferred: bool  # run_batches_deferred: NumPy on one process, plain means, no such callback
    dropout: tuple | None  # the dropout rates, or None; draw_masks(batch) draws a batch's masks

    def run_batches(self, progress, until, limit):
        """Batches progress.done + 1 … until of the epoch, in progress.order (None: as stored).

        Batch j is rows plan.bounds[j-1]:plan.bounds[j] of the order; plan.gradients
        runs BP1–BP4 on them with L2 divisor state.n = l2_n[j-1] (and, under MPI,
        combines the ranks' parts). A batch cost |C| > ``limit`` (or NaN) is
        divergence. Adds to the epoch's running sums of cost and correct
        labels. Each batch gathers its own rows, X[order[start:stop]]: no
        shuffled copy of the whole training set is made (run_batches_deferred
        makes one of a set under GATHERED_ONCE bytes). This is the hot
        loop: per batch, backprop, one comparison, the step and the callbacks.
        """
        if self.costs_on_device:
            self.run_batches_on_device(progress, until, limit)
            return
        if self.costs_deferred:
            self.run_batches_deferred(progress, until, limit)
            return
        state, data, plan, l2_n, callbacks = self.state, self.data, self.plan, self.l2_n, self.callbacks
        net, optimizer, gradients = state.net, state.optimizer, plan.gradients
        X, targets, labels, gather = data.X, data.targets, data.labels, data.gather
        order, bounds, done = progress.placed_order, plan.bounds, progress.done
        cost_sum, correct, seen, batch = progress.cost_sum, progress.correct, progress.seen, done
        batches = zip(range(done + 1, until + 1), bounds[done:until], bounds[done + 1 : until + 1], l2_n[done:until])
        weights = data.weights
        for batch, start, stop, n in batches:
            rows = slice(start, stop) if order is None else order[start:stop]
            batch_targets = gather(targets, rows)
            state.n = n
            if self.dropout is not None:
                state.masks = self.draw_masks(batch)
            if weights is None:
                grads, count, right = gradients(
                    state, gather(X, rows), batch_targets, None if labels is None else gather(labels, rows), batch
                )
                share = count
            else:
                grads, count, right, share = self.weighted_gradients(rows, batch_targets, batch)
            if not abs(grads.cost) <= limit:  # NaN, ±inf, or exploded
                restore(net, progress.start)
                raise diverged(state, batch, grads.cost)
            optimizer.step(net, grads)
            seen += count
            cost_sum += grads.cost * share
            correct += right
            state.batch, state.batch_cost, state.grads, state.batch_targets = batch, grads.cost, grads, batch_targets
            call_back(callbacks, "on_batch_end", state)
            if state.stop:
                break
        progress.done, progress.cost_sum, progress.correct, progress.seen = batch, cost_sum, correct, seen

    def weighted_gradients(self, rows, batch_targets, batch):
        """run_batches' step with sample weights s: (grads, count, correct, share).

        state.n becomes Σ s of the batch (l2_divisor "batch") or of the set;
        share = m Σ_batch s / Σ_set s is the batch's part of the epoch's cost
        sum, so that the epoch's cost_sum / m is the weighted mean over the set.
        """
        state, data = self.state, self.data
        weights, gather = data.weights, data.gather
        s = gather(weights, rows)
        batch_weight = float(total(s))
        if data.l2_by_batch:
            state.n = batch_weight
        labels = None if data.labels is None else gather(data.labels, rows)
        grads, count, right = self.plan.gradients(
            state, gather(data.X, rows), batch_targets, labels, batch, sample_weight=s
        )
        return grads, count, right, self.plan.samples * batch_weight / self.total_weight

    def run_batches_deferred(self, progress, until, limit):
        """run_batches when nothing reads a batch's cost as it ends: the costs and correct labels once, after the run.

        The same batches and steps as run_batches, with each batch's outputs
        a^L kept; after the last one,
        ``net.batch_costs`` finds every batch's cost in one pass over them all
        (the very numbers batch_cost gives, bit for bit) and one comparison
        counts the correct labels. At digits' batch 10 the per-batch cost and
        count were about a sixth of a step. The run's targets are gathered in
        one call (its inputs too, for a set of up to GATHERED_ONCE bytes). Divergence is then found at the
        first batch whose cost was NaN, infinite or above ``limit``, and handled
        as run_batches does (the weights from the epoch's start are restored;
        the optimizer's state is that of the last batch run). Used for a NumPy
        network on one process, without sample weights, L2 or L1, when no
        callback has on_batch_end.
        """
        state, data, plan = self.state, self.data, self.plan
        net, optimizer = state.net, state.optimizer
        X, targets, labels, gather = data.X, data.targets, data.labels, data.gather
        order, bounds, done = progress.placed_order, plan.bounds, progress.done
        first = bounds[done]
        run = slice(first, bounds[until]) if order is None else order[first : bounds[until]]
        run_targets = gather(targets, run)  # the run's targets in batch order, gathered once
        run_X = gather(X, run) if X.nbytes <= GATHERED_ONCE else None  # a small set's rows, too
        outputs, counts = [], []
        batches = zip(
            range(done + 1, until + 1), bounds[done:until], bounds[done + 1 : until + 1], self.l2_n[done:until]
        )
        for batch, start, stop, n in batches:
            here = slice(start - first, stop - first)  # the batch's rows within the run
            if run_X is not None:
                batch_X = run_X[here]
            else:
                batch_X = gather(X, slice(start, stop) if order is None else order[start:stop])
            state.n = n
            if self.dropout is not None:
                state.masks = self.draw_masks(batch)
            grads = plan.gradients_without_cost(state, batch_X, run_targets[here])
            optimizer.step(net, grads)
            A = grads.activations[-1]
            outputs.append(A)
            counts.append(stop - start)
            if state.stop:
                break
        if not counts:
            return
        A, covered = np.concatenate(outputs), sum(counts)
        costs = net.batch_costs(A, run_targets[:covered], counts)
        correct = 0 if labels is None else count_equal(net.labels_from_outputs(A), gather(labels, run)[:covered])
        self.account_run(progress, costs, counts, counts, correct, limit)
        grads.cost = costs[-1]  # the last batch's Gradients, complete, as run_batches leaves them
        state.batch, state.batch_cost, state.grads = progress.done, costs[-1], grads
        state.batch_targets = run_targets[covered - counts[-1] : covered]

    def run_batches_on_device(self, progress, until, limit):
        """run_batches on a GPU: the same batches and steps, with no wait for the GPU between them.

        Reading a batch's cost as a number makes the host wait until the GPU
        has finished that batch, so here the costs and correct counts stay on
        the device and are read together after the last batch: the host keeps
        queuing work while the GPU computes. Divergence is then found after the
        run of batches, at the first batch whose cost was NaN, infinite or
        above ``limit``, and handled as run_batches does (the weights from the
        epoch's start are restored; the optimizer's state is that of the last
        batch run). Used only when no callback has on_batch_end.
        """
        state, data, plan, l2_n = self.state, self.data, self.plan, self.l2_n
        net, optimizer, xp = state.net, state.optimizer, state.net.backend.xp
        X, targets, labels, gather = data.X, data.targets, data.labels, data.gather
        order, bounds, done = progress.placed_order, plan.bounds, progress.done
        costs, rights, counts, shares = [], [], [], []
        batches = zip(range(done + 1, until + 1), bounds[done:until], bounds[done + 1 : until + 1], l2_n[done:until])
        for batch, start, stop, n in batches:
            rows = slice(start, stop) if order is None else order[start:stop]
            state.n = n
            if self.dropout is not None:
                state.masks = self.draw_masks(batch)
            batch_targets = gather(targets, rows)
            s = None if data.weights is None else gather(data.weights, rows)
            if s is not None and data.l2_by_batch:
                state.n = xp.sum(s)
            grads, count, right = plan.gradients_on_device(
                state, gather(X, rows), batch_targets, None if labels is None else gather(labels, rows), s
            )
            optimizer.step(net, grads)
            costs.append(grads.cost)
            rights.append(right)
            counts.append(count)
            shares.append(count if s is None else xp.sum(s) * (plan.samples / self.total_weight))
            if state.stop:
                break
        if not costs:
            return
        host_costs = to_numpy(xp.stack(costs)).tolist()  # the one wait for the GPU
        host_shares = counts if data.weights is None else to_numpy(xp.stack(shares)).tolist()
        correct = 0 if labels is None else int(to_numpy(xp.sum(xp.stack(rights))))
        self.account_run(progress, host_costs, counts, host_shares, correct, limit)
        state.batch, state.batch_cost, state.grads = progress.done, host_costs[-1], grads
        state.batch_targets = batch_targets

    def account_run(self, progress, costs, counts, shares, correct, limit):
        """After a run of batches whose costs were read at its end: divergence, then the epoch's running sums.

        costs : each batch's cost C (floats), in batch order; counts : its
        samples; shares : its weight in the epoch's cost sum (its count, or
        its part of the sample weights); correct : the run's correct labels.
        The first cost that is NaN, infinite or above ``limit`` is divergence,
        handled as run_batches does (the weights from the epoch's start are
        restored; the optimizer's state is that of the last batch run).
        """
        done = progress.done
        for k, cost in enumerate(costs):
            if not abs(cost) <= limit:  # NaN, ±inf, or exploded
                restore(self.state.net, progress.start)
                raise diverged(self.state, done + 1 + k, cost)
        cost_sum = progress.cost_sum
        for cost, share in zip(costs, shares):
            cost_sum += cost * share  # in run_batches' order: the same sum, bit for bit
        progress.cost_sum = cost_sum
        progress.correct += correct
        progress.seen += sum(counts)
        progress.done = done + len(counts)


def diverged(state, batch, cost) -> TrainingDiverged:
    if math.isfinite(cost):
        first = state.history.train_cost[0]
        what = (
            f"the cost rose to {cost:.4g} in epoch {state.epoch}, batch {batch}, more than "
            f"{EXPLOSION_FACTOR:g} times the first epoch's mean cost ({first:.4g})"
        )
    else:
        what = f"the cost became {cost} in epoch {state.epoch}, batch {batch}"
    return TrainingDiverged(
        f"{what}: training diverged. The weights from the start of epoch {state.epoch} were "
        f"kept. {advice(state.optimizer)}",
        history=state.history,
    )


def advice(optimizer) -> str:
    return f"Try a smaller learning rate (now {getattr(optimizer, 'lr', '?')}) or scaled inputs."


def call_back(callbacks, event, state):
    """Call ``event`` (on_batch_end, …) of every callback that has it."""
    for callback in callbacks:
        method = getattr(callback, event, None)
        if method is not None:
            method(state)
