"""The benchmark harness in smoke mode: it runs end to end, counts FLOPs right, describes the machine.

Timings in smoke mode mean nothing (tiny subsets, a shared machine); these
tests check the shape and sanity of what is measured and written, not speed.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import bprop.benchmarking as bench
from bprop.benchmarking.machine import BLAS_KEYS
from bprop.cli.bench_command import bench as bench_command
from bprop.errors import InvalidArgument

ROOT = Path(__file__).resolve().parents[1]
FASHION = Path("/usr/share/datasets/fashion-mnist")
CONTENDERS = {"bprop", "torch", "sklearn", "estimator"}


def cli():
    """A local app holding only the bench command (the lead registers it on bprop's app)."""
    app = typer.Typer(add_completion=False)
    app.callback()(lambda: None)  # a group, so that "bench" stays a subcommand
    app.command()(bench_command)
    return app


def check_run(entry, run_):
    assert set(run_["contenders"]) == CONTENDERS
    for name, f in run_["contenders"].items():
        assert len(f["seconds"]) == 1 and all(math.isfinite(s) and s > 0 for s in f["seconds"]), name
        assert f["median_seconds"] > 0 and f["gflops"] > 0 and f["peak_fraction"] > 0
        assert 0.0 <= f["accuracy"] <= 1.0
    assert set(run_["ratios"]) == {"torch", "sklearn", "estimator"}
    assert set(run_["estimator_ratios"]) == {"bprop", "torch", "sklearn"}
    assert all(r["median_ratio"] > 0 for r in run_["ratios"].values())


def test_gemm_flops_counted_by_hand():
    # sizes [3, 4, 2], m = 5:
    #   layer 3→4 (first):  forward 2·5·3·4 = 120, BP3 120, no BP2       → 240
    #   layer 4→2:          forward 2·5·4·2 = 80, BP2 80, BP3 80         → 240
    assert bench.gemm_flops([3, 4, 2], 5) == 480
    # digits [64, 30, 10], one sample: 2·(2·64·30) + 3·(2·30·10) = 7680 + 1800
    assert bench.gemm_flops([64, 30, 10], 1) == 9480
    assert bench.gemm_flops([64, 30, 10], 1437) == 1437 * 9480


def test_machine_description_names_the_blas():
    machine = bench.describe_machine()
    assert set(BLAS_KEYS) <= set(machine["blas"])
    assert machine["blas"]["internal_api"] and machine["blas"]["num_threads"] >= 1
    assert {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"} <= set(machine["environment"])
    assert machine["cpu_model"] and machine["versions"]["numpy"]
    assert any(p.get("user_api") == "blas" for p in machine["threadpools"])


@pytest.mark.slow  # a benchmark subprocess
def test_the_command_runs_digits_in_smoke_mode_with_memory(tmp_path):
    result = CliRunner().invoke(cli(), ["bench", "--quick", "--cases", "a", "--memory", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "| case |" in result.output and "wrote" in result.output
    results = json.loads((tmp_path / "bench.json").read_text())
    md = (tmp_path / "bench.md").read_text()
    assert "not identical: sklearn has no quadratic cost" in md and "sgemm peak" in md
    (entry,) = results["cases"]
    (run_,) = entry["runs"]
    check_run(entry, run_)
    for name, f in run_["contenders"].items():
        assert f["accuracy"] > 0.3, name  # 10 classes: chance is 0.1
        assert f["memory"]["peak_mb"] > 0 and f["memory"]["delta_mb"] >= 0, f["memory"]
    assert {t["metric"] for t in run_["targets"]} == {"time_ratio", "memory_ratio"}
    assert all(t["met"] in (True, False) for t in run_["targets"])
    (estimator,) = [t for t in run_["targets"] if t["subject"] == "estimator"]
    assert estimator["value"] == run_["estimator_ratios"]["sklearn"]["median_ratio"]
    assert "this ÷ sklearn" in md and "estimator ≤ 0.6× sklearn" in estimator["description"]


@pytest.mark.slow  # every benchmark case
@pytest.mark.skipif(not FASHION.is_dir(), reason="Fashion-MNIST is missing: apt-get install dataset-fashion-mnist")
def test_every_case_runs_in_smoke_mode(tmp_path):
    lines = []
    results = bench.run(quick=True, progress=lines.append)
    assert [e["key"] for e in results["cases"]] == ["a", "b", "c", "d"]
    for entry in results["cases"]:
        assert len(entry["runs"]) == 1
        check_run(entry, entry["runs"][0])
        for target in entry["runs"][0]["targets"]:  # memory is off in smoke mode: not checked
            assert target["met"] is None if target["metric"] == "memory_ratio" else target["met"] in (True, False)
    assert results["sgemm_peak"]["gflops"] > 0 and any("case c" in line for line in lines)
    md, js = bench.write_report(results, tmp_path / "out")
    assert json.loads(js.read_text())["settings"]["quick"] is True
    assert md.read_text().count("scikit-learn") >= 4


def test_the_estimator_contender_does_the_sklearn_contenders_work_step_for_step():
    from bprop.benchmarking import estimator_contender, sklearn_contender
    from bprop.benchmarking.cases import CASES, load_data

    for key in ("a", "d"):  # SGD (with MLP's stand-in for the quadratic cost) and Adam
        case = CASES[key]
        data = load_data("digits", quick=True, seed=0)
        sizes = (64, *case.sizes[1:-1], 10)
        case = type(case)(**{**case.__dict__, "sizes": sizes, "dataset": "digits"})
        built = [
            m.build(case, data.X_train, data.y_train, 64, None, 3, 1) for m in (estimator_contender, sklearn_contender)
        ]
        for contender in built:
            contender.epoch()
            contender.epoch()
        ours, theirs = (c.model for c in built)
        for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
            assert a.dtype == b.dtype == "float32"
            np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


def test_unknown_cases_are_refused():
    with pytest.raises(InvalidArgument, match="a, b, c, d"):
        bench.run(["a", "e"], quick=True)
    result = CliRunner().invoke(cli(), ["bench", "--quick", "--cases", "x"])
    assert result.exit_code == 2 and "cases" in result.output


def test_the_script_shows_its_options():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout and "--no-memory" in done.stdout
