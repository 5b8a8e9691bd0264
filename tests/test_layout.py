"""The house's plan: the old flat module paths still work, and imports only flow downward."""

import importlib
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bprop as bp

OLD_TO_NEW = bp.MOVED


@pytest.mark.parametrize("old", sorted(OLD_TO_NEW))
def test_an_old_module_path_is_the_very_module_of_its_new_place(old):
    assert importlib.import_module(f"bprop.{old}") is importlib.import_module(OLD_TO_NEW[old])


def test_old_from_imports_give_the_same_objects():
    from bprop.checkpoint import Checkpointer
    from bprop.explanation.steps import to_html
    from bprop.network import Network
    from bprop.train import History
    from bprop.validation import positive_int

    from bprop.core import arguments
    from bprop.teaching.explanation import steps

    assert Network is bp.Network and History is bp.History and Checkpointer is bp.Checkpointer
    assert positive_int is arguments.positive_int and to_html is steps.to_html


def test_bprop_train_stays_the_function_after_importing_the_old_module_path():
    import bprop.train  # noqa: F401

    assert callable(bp.train) and bp.train.__module__ == "bprop.training.loop"


def test_the_estimators_keep_their_documented_paths():
    from bprop.estimators import BPClassifier
    from bprop.sklearn_api import BPRegressor

    assert bp.BPClassifier is BPClassifier and bp.BPRegressor is BPRegressor


def test_a_network_pickled_under_the_old_module_path_still_loads():
    net = bp.Network([3, 4, 2], seed=0)
    old = pickle.dumps(net, protocol=0).replace(b"bprop.core.network", b"bprop.network")
    assert b"bprop.network\n" in old
    again = pickle.loads(old)
    assert isinstance(again, bp.Network)
    np.testing.assert_array_equal(again.weights[1], net.weights[1])


def test_the_version_has_one_home():
    from bprop.version import __version__

    assert bp.__version__ == __version__
    text = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    assert 'attr = "bprop.version.__version__"' in text and '\nversion = "' not in text


def test_imports_flow_downward_with_no_circles():
    """pyproject's import-linter contracts: the layers, and no circle among any package's modules."""
    root = Path(__file__).parents[1]
    command = [sys.executable, "-c", "from importlinter.cli import lint_imports_command as lint; lint()", "--no-cache"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root / "src")}
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "2 kept, 0 broken" in done.stdout
