"""Acceptance: scikit-learn's own MLP tests, with BPClassifier/BPRegressor in place of MLP's classes.

At test time the installed scikit-learn's ``sklearn/neural_network/tests/test_mlp.py``
is copied into a temporary folder, its import of MLPClassifier and MLPRegressor is
rewritten to bprop's estimators, scikit-learn's ``global_random_seed`` fixture is
supplied in a conftest.py as scikit-learn defines it, and pytest runs the copy in a
subprocess. Excluded, with the reason, are only the tests that drive scikit-learn's
private internals (``EXCLUDED``).

Run it alone to see the full report:
    PYTHONPATH=src python -m pytest -q tests/test_sklearn_mlp_suite.py -s
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

sklearn = pytest.importorskip("sklearn")

EXCLUDED = {
    "test_fit": "calls MLP's private _forward_pass and reads its private hidden-layer buffers",
    "test_gradient": "calls MLP's private _loss_grad_lbfgs and _unpack with MLP's packed-parameter layout",
}

IMPORT_LINE = "from sklearn.neural_network import MLPClassifier, MLPRegressor"
SWAPPED = "from bprop.estimators import BPClassifier as MLPClassifier, BPRegressor as MLPRegressor"

# scikit-learn's conftest.py: the global_random_seed parametrization (42 unless
# SKLEARN_TESTS_GLOBAL_RANDOM_SEED says otherwise).
CONFTEST = """
from os import environ


def pytest_generate_tests(metafunc):
    random_seed_var = environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED")
    if random_seed_var is None:
        random_seeds = [42]
    elif random_seed_var == "all":
        random_seeds = list(range(100))
    else:
        if "-" in random_seed_var:
            start, stop = random_seed_var.split("-")
            random_seeds = list(range(int(start), int(stop) + 1))
        else:
            random_seeds = [int(random_seed_var)]
    if "global_random_seed" in metafunc.fixturenames:
        metafunc.parametrize("global_random_seed", random_seeds)
"""


def swapped_test_file(tmp_path: Path) -> Path:
    """The installed scikit-learn's test_mlp.py, importing bprop's estimators, in tmp_path."""
    source = Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"
    text = source.read_text()
    assert text.count(IMPORT_LINE) == 1, f"{source} no longer imports MLP's classes on one line"
    target = tmp_path / "test_mlp_swapped.py"
    target.write_text(text.replace(IMPORT_LINE, SWAPPED))
    (tmp_path / "conftest.py").write_text(CONFTEST)
    return target


def run_suite(tmp_path: Path):
    test_file = swapped_test_file(tmp_path)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
    deselect = " and ".join(f"not {name}" for name in EXCLUDED)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfs", "-k", deselect]
    command += ["--rootdir", str(tmp_path), str(test_file)]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800)


def counts(summary: str) -> dict:
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|errors?|deselected|skipped)", summary)}


@pytest.mark.slow
def test_scikit_learns_mlp_tests_pass_with_bprop_estimators(tmp_path):
    result = run_suite(tmp_path)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    print(result.stdout[-6000:], result.stderr[-2000:])
    found = counts(summary)
    assert found.get("deselected", 0) == len(EXCLUDED), summary
    assert found.get("failed", 0) == 0 and found.get("error", 0) + found.get("errors", 0) == 0, summary
    assert found.get("passed", 0) > 0 and result.returncode == 0, summary
    # a skip may only be scikit-learn's own, for an optional library not installed (pandas)
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all("could not import" in line for line in skips), skips
