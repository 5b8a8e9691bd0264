"""``bprop gradcheck``: every built-in pair passes, a broken σ′ fails with exit status 1."""

import json

import bprop as bp
from bprop.cli import main

BROKEN_MODULE = '''
import numpy as np

class BrokenSigmoid:
    """σ is right, σ′ is 5% too large: exactly the bug gradcheck exists to catch."""
    name = "broken_sigmoid"

    def value(self, z):
        return 0.5 * (1 + np.tanh(z / 2))

    def derivative(self, z, a):
        return 1.05 * a * (1 - a)
'''


def run(capsys, *args):
    status = main([str(a) for a in args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_every_builtin_pair_passes(capsys):
    status, out, _ = run(capsys, "gradcheck", "--json")
    rows = json.loads(out)
    assert status == 0
    assert len(rows) == 5 * 8 and all(r["passed"] for r in rows)
    assert max(r["max_error"] for r in rows) < 1e-8


def test_a_broken_custom_derivative_fails(capsys, tmp_path, monkeypatch):
    (tmp_path / "broken_sigma.py").write_text(BROKEN_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    status, out, _ = run(capsys, "gradcheck", "--activation", "broken_sigma:BrokenSigmoid", "--cost", "quadratic")
    assert status == 1
    assert "FAIL" in out and "0 of 1 networks pass" in out


def test_one_named_pair_and_a_table(capsys):
    status, out, _ = run(
        capsys,
        "gradcheck",
        "--activation",
        "tanh",
        "--output",
        "softmax",
        "--cost",
        "log_likelihood",
        "--layers",
        "3,4,4,2",
    )
    assert status == 0
    assert "tanh → softmax / log_likelihood" in out and "1 of 1 networks pass" in out
    assert out.count("pass") >= 3  # one verdict per layer l = 2, 3, 4


def test_a_saved_model_on_its_data(capsys, tmp_path):
    net = bp.Network([64, 12, 10], seed=0)
    path = net.save(tmp_path / "m.bprop", metadata={"dataset": "digits"})
    status, out, _ = run(capsys, "gradcheck", "--model", path, "--samples", "5", "--json")
    (row,) = json.loads(out)
    assert status == 0 and row["passed"]
    assert [layer["layer"] for layer in row["layers"]] == [2, 3]


def test_an_unknown_module_is_a_one_line_error(capsys):
    status, _, err = run(capsys, "gradcheck", "--activation", "no_such_module_here:Thing")
    assert status == 1 and err.startswith("bprop: error: cannot import")


def test_running_out_of_memory_is_one_line(capsys, monkeypatch):
    import bprop.cli.gradcheck_command as gc

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(gc, "check_random", exhausted)
    status, _, err = run(capsys, "gradcheck")
    assert status == 1 and err.startswith("bprop: error: out of memory") and len(err.strip().splitlines()) == 1


def test_the_command_checks_every_pair_bprop_accepts():
    """Its lists are derived from bprop's tables; they must equal the suite's own list of accepted pairs."""
    from bprop.cli import gradcheck_command
    from conftest import HIDDEN, OUTPUT_COST

    assert set(gradcheck_command.HIDDEN) == set(HIDDEN)
    assert set(gradcheck_command.OUTPUT_COST) == set(OUTPUT_COST)


def test_a_sigma_per_layer_l1_l2_and_dropout_are_checked(capsys):
    status, out, _ = run(
        capsys,
        "gradcheck",
        "--activation",
        "relu,tanh",
        "--layers",
        "4,6,5,3",
        "--l1",
        "0.3",
        "--l2",
        "0.2",
        "--dropout",
        "0.5",
        "--json",
    )
    rows = json.loads(out)
    assert status == 0 and len(rows) == 1 and rows[0]["passed"]
    assert rows[0]["network"].startswith("relu,tanh → ")
    assert "L1 0.3" in rows[0]["network"] and "dropout 0.5" in rows[0]["network"]
    assert [layer["layer"] for layer in rows[0]["layers"]] == [2, 3, 4]


def test_every_builtin_pair_passes_with_l1_and_dropout(capsys):
    status, out, _ = run(capsys, "gradcheck", "--layers", "4,5,5,3", "--l1", "0.2", "--dropout", "0.3", "--json")
    rows = json.loads(out)
    assert status == 0 and len(rows) == 5 * 8 and all(r["passed"] for r in rows)


def test_a_broken_derivative_behind_a_dropout_mask_still_fails(capsys, tmp_path, monkeypatch):
    (tmp_path / "broken_sigma.py").write_text(BROKEN_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    status, out, _ = run(
        capsys, "gradcheck", "--activation", "broken_sigma:BrokenSigmoid", "--layers", "4,6,3", "--dropout", "0.3"
    )
    assert status == 1 and "FAIL" in out


def test_a_dropout_rate_of_one_is_a_one_line_error(capsys):
    status, _, err = run(capsys, "gradcheck", "--dropout", "1")
    assert status == 1 and err.startswith("bprop: error: dropout=1.0") and err.count("\n") == 1
