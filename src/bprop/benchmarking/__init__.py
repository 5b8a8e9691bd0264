"""Benchmarks: bprop against PyTorch CPU and scikit-learn on the same work, in one run.

    import bprop.benchmarking as bench
    results = bench.run(["a", "b"], quick=True)     # a JSON-ready dict
    bench.write_report(results, "bench-out")         # bench.md and bench.json

    import bprop.benchmarking.scaling as scaling     # bprop bench --scaling
    scaling.run(quick=True)                          # s/epoch against batch size and width

Modules, one job each: ``cases`` (what is trained, the targets), ``flops``
(the FLOP convention), ``floor`` (the step's matrix products alone: the
product floor), ``machine`` (CPU, BLAS, sgemm peak), one module per
contender (``bprop_contender``, ``torch_contender``, ``sklearn_contender``, and
``estimator_contender``: BPClassifier doing the sklearn contender's work),
``memory`` (peak memory in a subprocess), ``timing`` (interleaved timing),
``runner`` (the cases), ``report`` (Markdown and JSON), ``scaling`` and
``scaling_report`` (the sweeps, their table and plots). torch, scikit-learn
and matplotlib are imported only when a benchmark runs.
"""

from .cases import CASES, Case, Target
from .flops import gemm_flops
from .machine import describe as describe_machine
from .machine import sgemm_peak
from .report import to_markdown
from .report import write as write_report
from .runner import run

__all__ = [
    "CASES",
    "Case",
    "Target",
    "describe_machine",
    "gemm_flops",
    "run",
    "sgemm_peak",
    "to_markdown",
    "write_report",
]
