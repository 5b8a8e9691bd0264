"""``bprop check``: a learner's own backprop, diagnosed equation by equation.

tests/check_corpus/ holds correct learner files: a Nielsen-style network, a
function form, batched and 1-D forms and the chapter exercises (softmax +
log-likelihood, linear neurons, the L2 term, a modified neuron);
tests/check_planted.py plants ONE mistake in a copy of one of them per entry,
and the fixture writes both into one folder. Each broken file must be named
with the right equation, layer and mistake; each correct one must pass with
exit status 0.
"""

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from bprop.cli import main
from bprop.core.costs import accepted_pairs
from bprop.teaching.checking import check, setting_of
from bprop.teaching.checking.mistakes import CORRECT, mistaken_gradients
from bprop.teaching.checking.probes import make_probes
from check_planted import write_corpus

CORPUS = Path(tempfile.mkdtemp(prefix="bprop-check-corpus-"))  # filled by the fixture below


@pytest.fixture(scope="module", autouse=True)
def _corpus():
    """The learner files: the correct ones of tests/check_corpus/ and the planted ones (check_planted)."""
    write_corpus(CORPUS)
    yield
    shutil.rmtree(CORPUS, ignore_errors=True)


SOFTMAX = ("--output", "softmax", "--cost", "log_likelihood")
BATCHED = ("--batched", "--method", "backprop_matrix")


def run(capsys, *args):
    status = main([str(a) for a in args])
    out = capsys.readouterr()
    return status, out.out, out.err


def check_file(name, *flags, **options):
    """check() on a corpus file, with the CLI's flags given as keyword options."""
    return check(str(CORPUS / name), **options)


# file:Name, flags, then (equation, layer l, mistake key) that must be reported.
# The layer is that of the first probe network the learner's code answered: [2, 3, 2]
# (L = 3) unless the mistake only fits square matrices, then [3, 3, 3, 3] (L = 4);
# update_mini_batch is checked on [3, 4, 3, 2] (L = 4).
BROKEN = [
    ("bp1_no_sigma_prime.py:Network", (), ("BP1", 3, "bp1_no_sigma_prime")),
    ("bp1_sigma_prime_of_a.py:Network", (), ("BP1", 3, "bp1_sigma_prime_of_a")),
    ("sigma_prime_of_a.py:Network", (), ("BP1", 3, "sigma_prime_of_a")),
    ("bp1_sign.py:Network", (), ("BP1", 3, "bp1_sign")),
    ("bp2_no_sigma_prime.py:Network", (), ("BP2", 2, "bp2_no_sigma_prime")),
    ("bp2_untransposed.py:Network", (), ("BP2", 3, "bp2_untransposed")),
    ("bp2_off_by_one.py:Network", (), ("BP2", 3, "bp2_weights_of_layer")),
    ("bp2_sigma_prime_of_next.py:Network", (), ("BP2", 3, "bp2_sigma_prime_of_next")),
    ("bp3_a_same_layer.py:Network", (), ("BP3", 3, "bp3_a_same_layer")),
    ("bp3_transposed.py:Network", (), ("BP3", 3, "bp3_transposed")),
    ("bp3_hidden_only.py:Network", (), ("BP3", 2, "bp3_a_same_layer_hidden")),  # and its __main__ block is not run
    ("delta_of_next_layer.py:Network", (), ("BP4", 2, "delta_of_next_layer")),
    ("forward_no_bias.py:Network", (), ("forward", 3, "forward_no_bias")),
    ("update_plus.py:Network", (), ("update", 4, "update_plus")),
    ("update_mean_forgotten.py:Network", (), ("update", 4, "update_mean_forgotten")),
    ("softmax_sigma_prime_again.py:Network", SOFTMAX, ("BP1", 3, "bp1_sigma_prime_again")),
    ("softmax_sigmoid_prime_again.py:Network", SOFTMAX, ("BP1", 3, "bp1_sigmoid_prime_again")),
    ("l2_half.py:Network", ("--l2", 5, "--n", 100), ("update", 4, "l2_half")),
    ("fn_bp2_no_sigma_prime.py:backprop", (), ("BP2", 2, "bp2_no_sigma_prime")),
    ("fn_bp4_next_delta.py:backprop", (), ("BP4", 2, "bp4_delta_of_next_layer")),
    ("batched_mean_forgotten.py:Network", ("--batched", "--method", "backprop_matrix"), ("mean", 3, "mean_forgotten")),
    ("batched_mean_forgotten_weights.py:Network", BATCHED, ("mean", 3, "mean_forgotten_weights")),
    ("batched_bp2_no_sigma_prime.py:Network", BATCHED, ("BP2", 2, "bp2_no_sigma_prime")),
    ("modified_neuron_old_prime.py:Network", ("--neuron", "2,1:tanh"), ("BP2", 2, "modified_neuron_old_prime")),
    ("rows_bp3_transposed.py:Network", (), ("BP3", 3, "bp3_transposed")),  # x (1, n_1), w^l (n_{l−1}, n_l)
    ("batched_bias_axis.py:Network", ("--batched", "--method", "backprop_matrix"), ("BP4", 3, "bias_wrong_axis")),
    # a right network checked with flags that describe another one: the σ its feedforward computes is named
    ("network_ok.py:Network", SOFTMAX, ("forward", 3, "forward_other_sigma")),
    ("network_ok.py:Network", ("--activation", "linear"), ("forward", 3, "forward_other_sigma")),
    ("softmax_ll_ok.py:Network", (), ("forward", 3, "forward_other_sigma")),
    ("network_ok.py:Network", ("--neuron", "2,1:tanh"), ("forward", 3, "forward_neuron_not_modified")),
    ("flat_bp2_no_sigma_prime.py:Network", (), ("BP2", 2, "bp2_no_sigma_prime")),  # 1-D x, b^l
]

CORRECT_FILES = [
    ("network_ok.py:Network", ()),
    ("fn_ok.py:backprop", ()),
    ("batched_ok.py:Network", ("--batched", "--method", "backprop_matrix")),
    ("batched_ok.py:Network", ()),  # its per-sample backprop is the matrix one with m = 1
    ("fn_batched_ok.py:backprop", ("--batched",)),
    ("softmax_ll_ok.py:Network", SOFTMAX),
    ("cross_entropy_ok.py:Network", ("--cost", "cross_entropy")),
    ("linear_ok.py:Network", ("--activation", "linear")),
    ("l2_ok.py:Network", ("--l2", 5, "--n", 100)),
    ("fn_rows_ok.py:backprop", ()),
    ("modified_neuron_ok.py:Network", ("--neuron", "2,1:tanh")),
    ("flat_ok.py:Network", ()),  # b^l (n_l,), so x (n_1,): a column x would broadcast z to (n_l, n_l)
]


@pytest.mark.parametrize(("target", "flags", "named"), BROKEN, ids=[b[0].split(":")[0] for b in BROKEN])
def test_each_planted_mistake_is_named_with_its_equation_and_layer(capsys, target, flags, named):
    status, out, err = run(capsys, "check", CORPUS / target, *flags, "--json")
    assert status == 1, err
    first = json.loads(out)["first"]
    assert (first["equation"], first["layer"], first["mistake"]) == named
    assert first["verdict"] == "mistake"
    assert first["says"] and first["fix"] and first["derivation"]


@pytest.mark.parametrize(
    ("target", "flags"), CORRECT_FILES, ids=[f"{c[0]}{''.join(map(str, c[1]))}" for c in CORRECT_FILES]
)
def test_a_correct_implementation_passes_clean(capsys, target, flags):
    status, out, err = run(capsys, "check", CORPUS / target, *flags)
    assert status == 0, out + err
    assert "All agree." in out
    assert "✗" not in out


def test_the_report_leads_with_the_equation_the_neuron_and_the_derivation_line(capsys):
    status, out, _ = run(capsys, "check", CORPUS / "bp2_no_sigma_prime.py:Network")
    assert status == 1
    assert "✗ BP2 at layer 2 (network [2, 3, 2], neuron j = " in out
    assert "your δ^2 equals (w^3)ᵀδ^3 without the ⊙ σ′(z^2) factor" in out
    assert "Σ_k δ^{l+1}_k · w^{l+1}_kj · σ′(z^l_j)" in out  # the notes' derivation of BP2
    assert "runs " in out and "in this process" in out


def test_the_expected_and_got_numbers_are_bprops_and_the_learners(capsys):
    # bp1_sign: δ^L is exactly −δ^L, so got = −expected at the neuron named.
    _, out, _ = run(capsys, "check", CORPUS / "bp1_sign.py:Network", "--json")
    first = json.loads(out)["first"]
    assert first["got"] == pytest.approx(-first["expected"])
    probe = make_probes(setting_of())[0]
    j = first["neuron"][0] - 1
    assert first["expected"] == pytest.approx(probe.samples[0].deltas[-1][j, 0])


def test_a_mistake_no_hypothesis_explains_is_still_located(capsys):
    # Linear neurons, but the sigmoid's σ′ kept: no known mistake, BP1 at the output layer.
    status, out, _ = run(capsys, "check", CORPUS / "linear_sigmoid_prime_kept.py:Network", "--activation", "linear")
    assert status == 1
    assert "✗ BP1 at layer 3" in out
    assert "None of the common mistakes" in out
    assert "expected ∂C/∂b^3_1 = δ^3_1 = " in out


def test_a_network_of_1d_vectors_is_given_1d_samples_and_told_so(capsys):
    status, out, _ = run(capsys, "check", CORPUS / "flat_ok.py:Network", "--json")
    assert status == 0 and json.loads(out)["layout"] == "flat"
    status, out, _ = run(capsys, "check", CORPUS / "flat_ok.py:Network")
    assert "keeps b^l as 1-D vectors (n_l,)" in out and "update_mini_batch takes the step" in out
    status, out, _ = run(capsys, "check", CORPUS / "network_ok.py:Network", "--json")
    assert json.loads(out)["layout"] == "columns"  # (n_l, 1) biases: columns, as before
    status, out, _ = run(capsys, "check", CORPUS / "flat_bias_column_x.py:Network", "--json")
    assert status == 0 and json.loads(out)["layout"] == "columns"  # 1-D b^l, but it raised on a 1-D x


def test_flags_that_do_not_describe_the_learners_network_say_which_flags_do(capsys):
    status, out, _ = run(capsys, "check", CORPUS / "network_ok.py:Network", *SOFTMAX)
    assert status == 1
    assert "your feedforward computes σ = sigmoid in the hidden layers and sigmoid at the output" in out
    assert "told σ = sigmoid (hidden), softmax (output)" in out
    assert "--activation sigmoid --output sigmoid" in out
    assert "None of the common mistakes" not in out
    status, out, _ = run(capsys, "check", CORPUS / "network_ok.py:Network", *SOFTMAX, "--lang", "zh")
    assert "隐藏层 σ = sigmoid，输出层 σ = sigmoid" in out and "--activation sigmoid --output sigmoid" in out
    status, out, _ = run(capsys, "check", CORPUS / "softmax_ll_ok.py:Network", "--json")
    first = json.loads(out)["first"]
    assert "--activation sigmoid --output softmax" in first["fix"]  # the corpus network: sigmoid hidden, softmax


@pytest.mark.parametrize(
    ("name", "convention"),
    [("convention_reversed", "reversed"), ("convention_swapped", "swapped"), ("convention_flat_bias", "bias_shape")],
)
def test_a_convention_is_named_not_reported_as_wrong_numbers(capsys, name, convention):
    status, out, _ = run(capsys, "check", CORPUS / f"{name}.py:Network", "--json")
    report = json.loads(out)
    assert status == 1
    assert report["first"]["verdict"] == "convention"
    assert report["first"]["conventions"] == [convention]
    assert report["first"]["equation"] is None
    status, text, _ = run(capsys, "check", CORPUS / f"{name}.py:Network")
    assert "the numbers are right; only a convention differs" in text
    assert "✗" not in text


def test_a_mistake_that_only_fits_square_layers_quotes_the_learners_crash(capsys):
    status, out, err = run(capsys, "check", CORPUS / "bp2_untransposed.py:Network")
    assert status == 1 and not err
    assert "it raised" in out
    assert "bp2_untransposed.py line" in out and "self.weights[-l + 1] @ delta" in out  # their own line
    assert "Traceback" not in out + err


def test_the_matrix_form_is_compared_with_the_loop_and_timed(capsys):
    status, out, _ = run(
        capsys, "check", CORPUS / "batched_ok.py:Network", "--batched", "--method", "backprop_matrix",
        "--compare-loop", "backprop", "--json",
    )  # fmt: skip
    loop = json.loads(out)["loop"]
    assert status == 0
    assert loop["agrees"] and loop["largest_difference"] < 1e-12
    assert loop["batched_ms"] > 0 and loop["loop_ms"] > 0
    assert loop["speedup"] == pytest.approx(loop["loop_ms"] / loop["batched_ms"])
    status, out, _ = run(
        capsys, "check", CORPUS / "fn_batched_ok.py:backprop", "--batched", "--compare-loop", "backprop_one"
    )
    assert status == 0
    assert "batched and per-sample loop agree" in out and "BLAS on one thread" in out


def test_compare_loop_needs_batched_and_an_existing_name(capsys):
    status, _, err = run(capsys, "check", CORPUS / "batched_ok.py:Network", "--compare-loop", "backprop")
    assert status == 1 and "add --batched" in err
    status, _, err = run(capsys, "check", CORPUS / "fn_batched_ok.py:backprop", "--batched", "--compare-loop", "nope")
    assert status == 1 and "defines no 'nope'" in err
    status, _, err = run(capsys, "check", CORPUS / "batched_ok.py:Network", *BATCHED, "--compare-loop", "nope")
    assert status == 1 and "has no method nope(x, y)" in err and "Traceback" not in err


def test_zh_uses_the_notes_wording(capsys):
    status, out, _ = run(capsys, "check", CORPUS / "bp2_no_sigma_prime.py:Network", "--lang", "zh")
    assert status == 1
    assert "第 2 层的公式2（BP2）" in out
    assert "误差 δ^2" in out and "推导过程" in out and "改法" in out
    status, out, _ = run(capsys, "check", CORPUS / "network_ok.py:Network", "--lang", "zh")
    assert status == 0 and "全部一致。" in out and "前向传播" in out


def test_json_is_the_whole_report(capsys):
    status, out, _ = run(capsys, "check", CORPUS / "network_ok.py:Network", "--json")
    report = json.loads(out)
    assert status == 0 and report["passed"] is True and report["first"] is None
    assert report["probes"] == ["[2, 3, 2]", "[3, 4, 3, 2]", "[2, 5, 4, 3, 2]", "[3, 3, 3, 3]"]
    assert [s["step"] for s in report["steps"]] == ["feedforward", "backprop", "update"]
    assert report["finite_difference_error"] < 1e-6
    _, out, _ = run(capsys, "check", CORPUS / "bp2_no_sigma_prime.py:Network", "--json", "--lang", "zh")
    first = json.loads(out)["first"]
    assert "σ′(z^2)" in first["says"] and "误差" in first["says"]


BAD_FILES = {
    "syntax.py": ("def backprop(:\n", "failed to import: SyntaxError"),
    "raises_on_import.py": (
        "import numpy as np\nx = 1 / 0\n",
        "ZeroDivisionError: division by zero (raises_on_import.py line 2: x = 1 / 0)",
    ),
    "no_name.py": ("def other():\n    pass\n", "defines no 'Network'; it defines other"),
    "returns_none.py": (
        "class Network:\n    def __init__(self, sizes):\n        pass\n    def backprop(self, x, y):\n        pass\n",
        "returned None (is a return statement missing?)",
    ),
    "one_list.py": (
        "def backprop(weights, biases, x, y):\n    return [w * 0 for w in weights]\n",
        "a list of 2 items that are not lists",
    ),
    "raises.py": (
        "class Network:\n    def __init__(self, sizes):\n        pass\n    def backprop(self, x, y):\n"
        "        raise KeyError('oops')\n",
        "your backprop raised on network [2, 3, 2]: KeyError: 'oops' (raises.py line 5: raise KeyError('oops'))",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_learner_code_is_one_clear_line(capsys, tmp_path, name):
    source, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(source)
    status, out, err = run(capsys, "check", f"{path}:{'backprop' if name == 'one_list.py' else 'Network'}")
    assert status == 1
    assert message in out + err
    assert "Traceback" not in out + err
    if err:
        assert err.count("\n") == 1 and err.startswith("bprop: error: ")


def test_a_malformed_target_or_flag_is_a_usage_error(capsys):
    status, _, err = run(capsys, "check", "network.py")
    assert status == 1 and "PATH.py:Name" in err
    status, _, err = run(capsys, "check", CORPUS / "network_ok.py:Network", "--cost", "hinge")
    assert status == 1 and "cost" in err
    status, _, err = run(capsys, "check", CORPUS / "network_ok.py:Network", "--l2", "1")
    assert status == 1 and "--n" in err
    status, _, _ = run(capsys, "check", CORPUS / "network_ok.py:Network", "--bogus")
    assert status == 2


@pytest.mark.parametrize(("output", "cost"), accepted_pairs(["sigmoid", "tanh", "identity", "softmax"]))
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity"])
def test_the_column_form_equations_match_bprops_core_and_finite_differences(activation, output, cost):
    """The hypotheses' backprop, run without a mistake, is bprop's BP1–BP4 (and so, by gradcheck, the derivative)."""
    setting = setting_of(activation, output, cost)
    for probe in make_probes(setting):
        assert probe.fd_error < 1e-6
        nabla_b, nabla_w = mistaken_gradients(probe.net, probe.weights, probe.biases, probe.X, probe.Y, CORRECT, True)
        for got, want in zip(nabla_b + nabla_w, probe.mean_b + probe.mean_w):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_help_says_the_file_is_run_in_this_process(capsys):
    status, out, _ = run(capsys, "check", "--help")
    assert status == 0
    assert "RUNS PATH.py in this process" in out


def test_a_row_layout_is_recognized_and_checked_in_its_own_shapes(capsys):
    status, out, _ = run(capsys, "check", CORPUS / "fn_rows_ok.py:backprop", "--json")
    assert status == 0 and json.loads(out)["layout"] == "rows"
    status, out, _ = run(capsys, "check", CORPUS / "rows_bp3_transposed.py:Network")
    assert "takes samples as rows" in out
    assert "expected ∂C/∂w^3 shaped (3, 2), got (2, 3)" in out  # (n_{l−1}, n_l), as the learner stores w^l


def test_what_the_learners_code_prints_goes_to_stderr_so_json_stays_clean(capsys, tmp_path):
    path = tmp_path / "noisy.py"
    path.write_text(
        (CORPUS / "fn_ok.py").read_text().replace("def backprop(", "print('loading')\n\n\ndef backprop(", 1)
    )
    status, out, err = run(capsys, "check", f"{path}:backprop", "--json")
    assert status == 0 and json.loads(out)["passed"] is True
    assert "loading" in err


@pytest.mark.parametrize("neuron", ["2,1:tanh", "3,2:relu", "3,1:linear"])
def test_a_single_modified_neuron_is_bprops_own_backprop_and_the_finite_differences(neuron):
    """--neuron l,j:f: core backprop with that neuron's σ replaced, confirmed by gradcheck, is the reference."""
    for probe in make_probes(setting_of(neuron=neuron)):
        assert probe.fd_error < 1e-6
        layer, j = (int(k) for k in neuron.split(":")[0].split(","))
        z = probe.samples[0].zs[layer - 2][j - 1, 0]
        a = probe.samples[0].activations[layer - 1][j - 1, 0]
        f = {"tanh": np.tanh, "relu": lambda t: max(t, 0.0), "linear": lambda t: t}[neuron.split(":")[1]]
        assert a == pytest.approx(f(z))


def test_a_modified_neuron_no_probe_has_is_refused(capsys):
    status, _, err = run(capsys, "check", CORPUS / "modified_neuron_ok.py:Network", "--neuron", "2,9:tanh")
    assert status == 1 and "no probe network has neuron j = 9" in err


def test_a_cross_entropy_delta_declared_as_quadratic_gets_a_hint(capsys):
    status, out, _ = run(capsys, "check", CORPUS / "cross_entropy_ok.py:Network")
    assert status == 1
    assert "BP1 at layer 3" in out and "--cost cross_entropy" in out


def test_nan_in_the_learners_gradients_is_a_difference_not_a_crash(capsys, tmp_path):
    source = (CORPUS / "network_ok.py").read_text()
    broken = source.replace(
        "        return grad_b, grad_w\n", "        grad_w[0] = grad_w[0] * np.nan\n        return grad_b, grad_w\n"
    )
    assert broken != source
    path = tmp_path / "nan_network.py"
    path.write_text(broken)
    status, out, err = run(capsys, "check", f"{path}:Network")
    assert status == 1 and "Traceback" not in out + err
    assert "BP3" in out and "nan" in out.lower()
