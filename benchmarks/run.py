"""Benchmark bprop against PyTorch CPU and scikit-learn: the same as ``bprop bench``.

    python benchmarks/run.py --quick --out /tmp/bench      # smoke mode, seconds
    python benchmarks/run.py --cases b,c --repeats 5       # the real thing, minutes

Everything lives in ``bprop.benchmarking``; see ``--help`` for the options.
"""

import typer

from bprop.cli.bench_command import bench

if __name__ == "__main__":
    typer.run(bench)
