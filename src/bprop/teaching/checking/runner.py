"""``check``: the learner's code against bprop on every probe network, in the order the equations run.

1. the forward pass, if the class has ``feedforward(a)``;
2. backprop, per sample or batched: BP1, BP2, BP3, BP4 (and the batch mean);
3. the update, if the class has ``update_mini_batch(mini_batch, eta[, lmbda, n])``;
4. with ``compare_loop``: the matrix form against the learner's per-sample loop, and its speed-up.

The report's ``first`` is the first of these that breaks.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from dataclasses import dataclass

from ...core.arguments import non_negative_float, positive_int
from ...errors import InvalidArgument
from .adapters import Learner, Returned
from .diagnosis import Finding, diagnose
from .forward_and_update import check_feedforward, check_update
from .loading import load_target
from .matrix_vs_loop import LoopComparison, compare_with_loop
from .modified_neuron import parse_neuron
from .probes import PROBE_SIZES, Setting, make_probes

ALIASES = {"linear": "identity"}  # the book's "linear neurons"


@dataclass
class CheckReport:
    """Everything ``bprop check`` found; ``first`` is the first step that breaks (None: all agree)."""

    spec: str
    path: str
    form: str  # 'class' or 'function'
    method: str
    batched: bool
    setting: Setting
    probes: list  # labels, e.g. '[2, 3, 2]'
    fd_error: float
    backprop: Finding
    feedforward: Finding | None = None
    feedforward_checked: bool = False
    update: Finding | None = None
    update_checked: bool = False
    loop: LoopComparison | None = None
    m: int = 1
    rows: bool = False  # the learner's code takes samples as rows and stores w^l as (n_{l−1}, n_l)
    flat: bool = False  # the learner's code takes one sample as a 1-D x (n_1,), its b^l as (n_l,)

    @property
    def steps(self) -> list:
        """(step name, Finding or None) in the order the equations run; None: that step agrees."""
        steps = []
        if self.feedforward_checked:
            steps.append(("feedforward", self.feedforward))
        steps.append(("backprop", None if self.backprop.passed else self.backprop))
        if self.update_checked:
            steps.append(("update", self.update))
        return steps

    @property
    def first(self) -> Finding | None:
        return next((f for _, f in self.steps if f is not None), None)

    @property
    def passed(self) -> bool:
        return self.first is None and (self.loop is None or self.loop.agrees)


def _answers(learner, probes, batched) -> list:
    """The learner's answer on each probe: its batch (``batched``), or its first sample."""
    return [learner.call(p, p.X, p.Y) if batched else learner.call(p, p.X[:, [0]], p.Y[:, [0]]) for p in probes]


def setting_of(
    activation="sigmoid", output=None, cost="quadratic", l2=0.0, n=None, eta=0.5, seed=0, neuron=None
) -> Setting:
    """The learner's declared σ, output σ and cost (names bprop's core accepts), checked here at the edge."""
    activation = ALIASES.get(activation, activation)
    output = ALIASES.get(output, output) if output else activation
    l2 = non_negative_float(l2, "--l2")
    if l2 and n is None:
        raise InvalidArgument("--l2 needs --n, the size of the whole training set in (λ/2n) Σ w² (e.g. --n 50000).")
    n = positive_int(n, "--n") if n is not None else 1000
    neuron = parse_neuron(neuron) if neuron else None
    setting = Setting(activation, output, cost, l2, n, float(eta), int(seed), neuron)
    # refuses an unknown σ or cost, a pairing that makes no sense, a --neuron that no probe has
    make_probes(setting, batch=1)
    return setting


def check(spec, *, method="backprop", batched=False, compare_loop=None, setting=None) -> CheckReport:
    """Run the learner's ``PATH.py:Name`` on the probe networks and diagnose it (see the module docstring).

    While the learner's code runs, what it prints goes to stderr (stdout stays the
    report's, e.g. JSON), and its warnings are shown, never raised as errors.
    """
    with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings():
        warnings.simplefilter("default")
        return _check(spec, method, batched, compare_loop, setting)


def _check(spec, method, batched, compare_loop, setting) -> CheckReport:
    setting = setting or Setting()
    if compare_loop and not batched:
        raise InvalidArgument(
            "--compare-loop NAME compares your batched backprop with its per-sample loop: add --batched."
        )
    target = load_target(spec)
    learner = Learner(target, method)
    probes = make_probes(setting, PROBE_SIZES)  # those that have the --neuron, if one is modified
    report = CheckReport(
        spec=str(spec),
        path=str(target.path),
        form=learner.form,
        method=method if learner.is_class else target.name,
        batched=batched,
        setting=setting,
        probes=[p.label for p in probes],
        fd_error=max(p.fd_error for p in probes),
        backprop=Finding("pass"),
        m=probes[0].m if batched else 1,
    )
    if learner.has("feedforward"):
        report.feedforward_checked = True
        report.feedforward = check_feedforward(learner, probes[0])
    answers = _answers(learner, probes, batched)
    if learner.flat and not batched and not any(isinstance(a, Returned) for a in answers):
        learner.flat_allowed = False  # 1-D b^l, yet every call raised on 1-D samples: try columns
        as_columns = _answers(learner, probes, batched)
        if any(isinstance(a, Returned) for a in as_columns):
            answers = as_columns
            if report.feedforward_checked:
                report.feedforward = check_feedforward(learner, probes[0])  # on columns too
        else:
            learner.flat_allowed = True
            learner.flat = True
    if not learner.layout_known and not any(isinstance(a, Returned) for a in answers):
        learner.rows = True  # every call raised on columns: try samples as rows, w^l as (n_{l−1}, n_l)
        by_rows = _answers(learner, probes, batched)
        if any(isinstance(a, Returned) for a in by_rows):
            answers = by_rows
        else:
            learner.rows = False
    report.rows = learner.rows
    report.flat = learner.flat and not batched and not learner.rows
    report.backprop = diagnose(probes, answers, batched)
    if learner.has("update_mini_batch") and report.backprop.passed:
        report.update_checked = True
        report.update = check_update(learner, probes[1], setting)
    if compare_loop and report.backprop.passed:
        report.loop = compare_with_loop(learner, compare_loop, probes, setting.seed)
    return report
