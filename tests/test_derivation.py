"""The derivation of BP1–BP4: every chain-rule factor, analytic against measured in the network."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import bprop as bp
from bprop.core import activations
from bprop.core.costs import accepted_pairs
from bprop.errors import InvalidArgument
from bprop.teaching.explanation import classic_example
from bprop.teaching.explanation.derivation import Equation, Factor, derive

OUTPUTS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"]
HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
PAIRS = accepted_pairs(OUTPUTS)


def _sample(net, rng):
    """An input and a target that the network's cost accepts."""
    x = rng.uniform(-1.0, 1.0, net.sizes[0])
    output = net.output.name
    if output == "softmax":
        return x, int(rng.integers(0, net.sizes[-1]))
    if output == "sigmoid":
        return x, rng.uniform(0.05, 0.95, net.sizes[-1])
    return x, rng.normal(size=net.sizes[-1])


def test_every_accepted_pair_is_in_the_matrix():
    assert ("softmax", "log_likelihood") in PAIRS and ("sigmoid", "cross_entropy") in PAIRS
    assert len(PAIRS) >= 8


@pytest.mark.parametrize(("output", "cost"), PAIRS)
def test_numeric_factors_agree_with_analytic_ones_for_every_pair(output, cost):
    rng = np.random.default_rng(len(output) * 7 + len(cost))
    hidden = HIDDEN[PAIRS.index((output, cost)) % len(HIDDEN)]
    net = bp.Network([3, 4, 3], activation=hidden, output=output, cost=cost, seed=3, dtype="float64")
    x, y = _sample(net, rng)
    d = derive(net, x, y, output_neuron=2, neuron=3, input_neuron=2)

    assert [e.name for e in d.equations] == ["BP1", "BP2", "BP3", "BP4"]
    for equation in d.equations:
        for factor in equation.factors:
            assert np.isfinite(factor.numeric), (equation.name, factor.symbol)
            assert factor.relative_error < 1e-6, (equation.name, factor.symbol, factor.analytic, factor.numeric)
        assert equation.chain_error < 1e-6, equation.name
    assert max(d.delta_errors) < 1e-6
    assert d.passed()


def test_softmax_bp1_is_the_full_sum_over_the_outputs():
    net = bp.Network([2, 3, 4], activation="tanh", output="softmax", cost="quadratic", seed=1, dtype="float64")
    d = derive(net, np.array([0.3, -0.2]), 1, output_neuron=3)
    bp1 = d.equations[0]
    assert len(bp1.terms) == 4  # Σ_k over the four outputs
    # the off-diagonal Jacobian entries are not zero: the sum matters
    off_diagonal = [term[1].numeric for k, term in enumerate(bp1.terms) if k != 2]
    assert all(abs(v) > 1e-4 for v in off_diagonal)
    assert bp1.chain_error < 1e-6


def test_bp2_sums_over_every_neuron_of_the_next_layer_in_a_deep_network():
    net = bp.Network([2, 5, 3, 2], activation="sigmoid", seed=4, dtype="float64")
    d = derive(net, np.array([0.4, 0.9]), np.array([0.2, 0.7]), layer=2, neuron=5, input_neuron=2)
    bp2 = d.equations[1]
    assert (bp2.layer, bp2.j, len(bp2.terms)) == (2, 5, 3)
    assert d.equations[2].left.symbol == "∂C/∂w^{2}_{52}"
    assert d.passed() and len(d.deltas) == 3


@pytest.mark.parametrize("layer", [2, 3])
def test_a_sigma_per_layer_is_derived_with_each_layers_own_sigma(layer):
    """σ′(z^l) in BP2 is layer l's own σ: tanh's at layer 2, leaky ReLU's at 3 (not one σ for all)."""
    net = bp.Network([3, 4, 5, 2], activation=["tanh", "leaky_relu"], output="sigmoid", seed=1, dtype="float64")
    d = derive(net, np.array([0.1, -0.2, 0.3]), np.array([0.0, 1.0]), layer=layer, neuron=2)
    assert d.activation == "tanh, leaky_relu"
    bp2 = d.equations[1]
    assert all(f.relative_error < 1e-6 for f in bp2.factors)
    assert d.passed() and max(d.delta_errors) < 1e-6


def test_a_network_without_hidden_layers_has_no_bp2():
    net = bp.Network([3, 2], activation="sigmoid", seed=0, dtype="float64")
    d = derive(net, np.array([0.1, 0.2, 0.3]), np.array([0.0, 1.0]))
    assert [e.name for e in d.equations] == ["BP1", "BP3", "BP4"]
    assert d.passed()


def test_the_classic_example_numbers():
    net, x, y = classic_example()
    d = derive(net, x, y)
    bp1 = d.equations[0]
    # δ^3_1 = (a − y) σ′(z) for the classic 2-2-2 example: 0.7514 − 0.01 times 0.1868
    assert bp1.left.analytic == pytest.approx(0.138498562, rel=1e-8)
    assert bp1.terms[0][0].numeric == pytest.approx(0.741365069, rel=1e-8)
    assert d.passed()


def test_analytic_factors_match_torch_autograd():
    torch = pytest.importorskip("torch")
    net = bp.Network([3, 4, 2], activation="tanh", output="sigmoid", cost="cross_entropy", seed=2, dtype="float64")
    x, y = np.array([0.5, -0.1, 0.8]), np.array([0.3, 0.9])
    d = derive(net, x, y, output_neuron=2, neuron=4, input_neuron=3)
    w = [torch.tensor(np.asarray(m), requires_grad=True) for m in net.weights]
    b = [torch.tensor(np.asarray(v), requires_grad=True) for v in net.biases]
    a = torch.tensor(x)
    z2 = w[0] @ a + b[0]
    a2 = torch.tanh(z2)
    z3 = w[1] @ a2 + b[1]
    z2.retain_grad(), z3.retain_grad()
    a3 = torch.sigmoid(z3)
    t = torch.tensor(y)
    cost = -(t * torch.log(a3) + (1 - t) * torch.log(1 - a3)).sum()
    cost.backward()
    bp1, bp2, bp3, bp4 = d.equations
    assert bp1.left.analytic == pytest.approx(z3.grad[1].item(), rel=1e-12)
    assert bp2.left.analytic == pytest.approx(z2.grad[3].item(), rel=1e-12)
    assert bp3.left.analytic == pytest.approx(w[0].grad[3, 2].item(), rel=1e-12)
    assert bp4.left.analytic == pytest.approx(b[0].grad[3].item(), rel=1e-12)


class _WrongSigmoid(activations.Sigmoid):
    """A user activation whose σ′ is off by a factor of 2: the derivation must catch it."""

    name = "wrong_sigmoid"

    def derivative(self, z, a):
        return 2.0 * a * (1.0 - a)


class _SharpSoftmax(activations.Softmax):
    """softmax(2z): an output σ of the user's own that is not elementwise, with its own Jacobian."""

    name = "sharp_softmax"

    def value(self, z):
        return super().value(2.0 * z)

    def jacobian_product(self, z, a, g):
        return 2.0 * super().jacobian_product(z, a, g)  # ∂a/∂z of softmax(2z) is 2 × softmax's


def test_bp1_of_a_users_non_elementwise_output_uses_its_own_jacobian():
    net = bp.Network([2, 3, 3], activation="tanh", output=_SharpSoftmax(), cost="quadratic", seed=2, dtype="float64")
    d = derive(net, np.array([0.3, -0.2]), 1, output_neuron=2)
    bp1 = d.equations[0]
    assert len(bp1.terms) == 3
    assert all(term[1].formula.startswith("∂a") for term in bp1.terms)  # not softmax's a_k(1[k = j] − a_j)
    assert max(term[1].relative_error for term in bp1.terms) < 1e-6  # the analytic column is the measured one
    assert bp1.chain_error < 1e-6


def test_a_wrong_analytic_derivative_is_flagged():
    net = bp.Network([2, 3, 2], activation=_WrongSigmoid(), output="sigmoid", seed=0, dtype="float64")
    d = derive(net, np.array([0.2, 0.6]), np.array([0.1, 0.8]))
    bp2 = d.equations[1]
    sigma_prime = bp2.terms[0][2]
    assert sigma_prime.formula.startswith("σ′")
    assert sigma_prime.relative_error == pytest.approx(0.5, rel=1e-6)  # |2s − s| / 2s
    assert not d.passed()


def test_a_tampered_factor_is_flagged():
    net, x, y = classic_example()
    bp4 = derive(net, x, y).equations[-1]
    one = bp4.terms[0][1]
    tampered = dataclasses.replace(one, analytic=1.001)
    assert tampered.relative_error > 1e-4
    wrong = Equation(bp4.name, bp4.layer, bp4.j, bp4.k, bp4.left, [[bp4.terms[0][0], tampered]])
    assert wrong.chain_error > 1e-4 and wrong.max_error > 1e-4


def test_small_factors_are_judged_against_a_floor():
    assert Factor("s", "f", 0.0, 0.0).relative_error == 0.0
    assert Factor("s", "f", 0.0, 1e-12).relative_error < 1e-7


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"layer": 1}, "layer=1"),
        ({"neuron": 0}, "neuron=0"),
        ({"output_neuron": 3}, "output_neuron=3"),
        ({"input_neuron": 9}, "input_neuron=9"),
    ],
)
def test_bad_choices_are_refused(options, fragment):
    net, x, y = classic_example()
    with pytest.raises(InvalidArgument, match=fragment):
        derive(net, x, y, **options)


# ---------------------------------------------------------------- the page and the command


def test_the_text_page_shows_every_factor_with_both_numbers():
    from bprop.teaching.explanation.derivation_page import render_text
    from bprop.teaching.explanation.markup import significant

    net, x, y = classic_example()
    d = derive(net, x, y)
    text = render_text(d, "en")
    for equation in d.equations:
        assert f"{equation.name} · " in text
        for factor in equation.factors:
            assert significant(factor.analytic) in text and significant(factor.numeric) in text
    assert "δ^2_1 = Σ_k δ^3_k · ∂(w^3_k1 a^2_1 + b^3_k)/∂a^2_1 · σ′(z^2_1)".split(" = ")[1] in text
    assert "Every factor agrees" in text and "✗" not in text


def test_the_chinese_page_uses_the_notes_words():
    from bprop.teaching.explanation.derivation_page import render_text

    net, x, y = classic_example()
    text = render_text(derive(net, x, y), "zh")
    for words in (
        "推导过程",
        "公式1：计算最后一层神经网络产生的误差",
        "公式2：由后向前",
        "公式3：计算权重的梯度",
        "公式4：计算偏置的梯度",
        "解析值",
        "相对误差",
        "每个因子都一致",
    ):
        assert words in text, words


def test_a_wrong_factor_is_marked_on_the_page():
    from bprop.teaching.explanation.derivation_page import render_text

    net = bp.Network([2, 3, 2], activation=_WrongSigmoid(), output="sigmoid", seed=0, dtype="float64")
    d = derive(net, np.array([0.2, 0.6]), np.array([0.1, 0.8]))
    text = render_text(d, "en")
    assert "DISAGREEMENT" in text
    marked = [line for line in text.splitlines() if line.endswith("✗")]
    assert any("σ′(z^2_1)" in line for line in marked)
    assert "不一致" in render_text(d, "zh")


@pytest.fixture()
def cli():
    from typer.testing import CliRunner

    from bprop.cli.app import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["explain", *map(str, args)])


@pytest.mark.parametrize(("lang", "heading"), [("en", "By the chain rule:"), ("zh", "推导过程：")])
def test_cli_explain_derive_prints_the_derivation(cli, lang, heading):
    from bprop.teaching.explanation.markup import significant

    result = cli("--derive", "--lang", lang)
    assert result.exit_code == 0, result.output
    assert [line.strip() for line in result.output.splitlines()].count(heading) == 4  # BP1 … BP4
    net, x, y = classic_example()
    d = derive(net, x, y)
    assert significant(d.equations[1].left.numeric) in result.output
    assert "w^3_21" in result.output
    updated = derive(net, x, y, lr=0.25).update
    with_lr = cli("--derive", "--lang", lang, "--lr", 0.25).output
    assert {"en": "one step of gradient descent", "zh": "梯度下降的一步"}[lang] in with_lr
    assert f"= {significant(updated.new_weight)}" in with_lr and f"= {significant(updated.new_bias)}" in with_lr
    plain = cli("--lang", lang)
    lines = [line.strip() for line in plain.output.splitlines()]
    assert heading not in lines  # without --derive, the worked page as before …
    assert lines[-1].startswith("→ ") and "bprop explain --derive" in lines[-1]  # … ending with a pointer to it


def test_cli_explain_derive_other_formats_and_networks(cli, tmp_path):
    md = cli("--derive", "--format", "md", "--layers", "3,4,3", "--output", "softmax", "--cost", "log_likelihood")
    assert md.exit_code == 0, md.output
    assert "| factor | equals | analytic | numeric | rel. error |" in md.output
    assert sum(line.startswith("## BP") for line in md.output.splitlines()) == 4
    assert "### BP3 for every input k" in md.output
    page = tmp_path / "derivation.html"
    result = cli("--derive", "--format", "html", "--lang", "zh", "-o", page)
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert (
        text.startswith("<!DOCTYPE html>") and "推导过程" in text and text.count("<table>") == 6
    )  # BP1 … BP4, BP3 for every k, δ


def test_cli_explain_derive_refuses_steps(capsys):
    from bprop.cli.app import main

    assert main(["explain", "--derive", "--steps", "3"]) == 1
    assert (
        capsys.readouterr().err == "bprop: error: --derive shows the derivation of one backward pass; drop --steps.\n"
    )


def test_cli_neuron_chooses_where_the_derivation_is_taken(cli, capsys):
    from bprop.cli.app import main

    result = cli("--derive", "--layers", "2,3,2", "--neuron", "2,3,2")
    assert result.exit_code == 0, result.output
    assert "∂C/∂w^2_32 = ∂C/∂z^2_3 · ∂z^2_3/∂w^2_32" in result.output
    assert "δ^2_3 = ∂C/∂z^2_3 = Σ_k ∂C/∂z^3_k" in result.output
    output_layer = cli("--derive", "--neuron", "3,2")
    assert "δ^3_2 = ∂C/∂z^3_2 = ∂C/∂a^3_2" in output_layer.output  # BP1 at the chosen output neuron
    assert "BP2 · " not in output_layer.output  # l = L has no BP2
    assert main(["explain", "--derive", "--neuron", "2,5"]) == 1
    assert "--neuron 2,5: neuron=5 is not a neuron of layer 2" in capsys.readouterr().err
    assert main(["explain", "--neuron", "2,1"]) == 1
    assert "add --derive" in capsys.readouterr().err


def test_a_float32_network_is_derived_in_float64_and_left_unchanged():
    net = bp.Network([3, 4, 2], activation="relu", output="sigmoid", cost="cross_entropy", seed=6)
    before = [w.copy() for w in net.weights]
    d = derive(net, np.array([0.9, 0.1, 0.5]), np.array([1.0, 0.0]))
    assert d.passed()
    assert all(np.array_equal(w, b) and w.dtype == np.float32 for w, b in zip(net.weights, before))


def test_the_html_page_is_well_formed():
    from html.parser import HTMLParser

    from bprop.teaching.explanation.derivation_page import render

    class Balance(HTMLParser):
        def __init__(self):
            super().__init__()
            self.open, self.mismatched = [], []

        def handle_starttag(self, tag, attrs):
            if tag != "meta":
                self.open.append(tag)

        def handle_endtag(self, tag):
            if not self.open or self.open.pop() != tag:
                self.mismatched.append(tag)

    net, x, y = classic_example(output="softmax", cost="log_likelihood")
    parser = Balance()
    parser.feed(render(derive(net, x, 1), "html", lang="zh"))
    assert parser.open == [] and parser.mismatched == []


@pytest.mark.parametrize(("output", "cost"), [("sigmoid", "cross_entropy"), ("softmax", "log_likelihood")])
def test_the_shortcut_pairs_show_bp1_simplified_to_a_minus_y(output, cost):
    from bprop.teaching.explanation.derivation_page import render_text
    from bprop.teaching.explanation.markup import significant

    net = bp.Network([2, 3, 3], activation="tanh", output=output, cost=cost, seed=8, dtype="float64")
    d = derive(net, np.array([0.4, -0.7]), 2 if output == "softmax" else np.array([0.2, 0.5, 0.9]))
    assert d.shortcut
    a, y = d.output_activation[0], d.y[0]
    text = render_text(d, "en")
    assert f"δ^3_1 = a^3_1 − y_1 = {significant(a)} − {significant(y)} = {significant(a - y)}" in text
    assert d.equations[0].left.numeric == pytest.approx(a - y, rel=1e-8)  # measured, not assumed


def test_the_update_is_w_minus_eta_times_the_gradient_and_its_change_of_c_is_first_order():
    net = bp.Network([2, 3, 2], activation="tanh", seed=2, dtype="float64")
    x, y = np.array([0.4, -0.7]), np.array([0.1, 0.9])
    gaps = []
    for lr in (1.0, 0.01):
        u = derive(net, x, y, layer=2, neuron=3, input_neuron=2, lr=lr).update
        g = net.backprop(x, y)
        assert (u.layer, u.j, u.k) == (2, 3, 2)
        assert u.grad_w == pytest.approx(float(g.weights[0][2, 1]), rel=1e-12)
        assert u.new_weight == pytest.approx(float(net.weights[0][2, 1]) - lr * u.grad_w, rel=1e-12)
        assert u.new_bias == pytest.approx(float(net.biases[0][2]) - lr * u.grad_b, rel=1e-12)
        moved = bp.Network([2, 3, 2], activation="tanh", seed=2, dtype="float64")
        moved.weights[0][2, 1] = u.new_weight
        assert u.cost_after_w == pytest.approx(float(moved.batch_cost(moved.feedforward(x[None]), y[None])), rel=1e-9)
        gaps.append(abs((u.cost_after_w - u.cost) - u.predicted_w) / abs(u.predicted_w))
    assert gaps[1] < gaps[0] / 10  # the estimate −η (∂C/∂w)² is first order: better as η shrinks
    assert derive(net, x, y).update is None  # no η, no update section


# ---------------------------------------------------------------- the section in explain's pages, and the numbers


@pytest.mark.parametrize(
    ("lang", "title", "headers"),
    [
        ("en", "The derivation of BP1–BP4", ["factor", "equals", "analytic", "numeric", "rel. error"]),
        ("zh", "推导过程", ["因子", "等于", "解析值", "测量值", "相对误差"]),
    ],
)
def test_explain_markdown_and_html_end_with_the_derivation(lang, title, headers):
    from bprop.teaching.explanation import explain

    net, x, y = classic_example()
    trace = explain(net, x, y, lang=lang)
    md = trace.render("markdown")
    worked, marker, derivation = md.partition('<a id="derivation"></a>')
    assert marker and "## BP1 · " in worked and title in derivation
    assert "| " + " | ".join(headers) + " |" in derivation
    assert sum(line.startswith("### BP") for line in derivation.splitlines()) == 4  # one level below the page's ##
    page = trace.render("html")
    assert page.index('<section id="bp4">') < page.index('<section id="derivation"') < page.index("</main>")
    assert "".join(f"<th>{h}</th>" for h in headers) in page
    # each zh header is a word of its own: 公式 names the notes' equations (公式1 … 公式4), not a column
    assert len(set(headers)) == 5 and "公式" not in headers
    d = derive(net, x, y, lr=0.5)
    assert trace.derivation.max_error == pytest.approx(d.max_error, rel=1e-6)
    assert "bprop explain --derive" in trace.render("text").splitlines()[-1]


def test_the_derivation_in_explain_follows_its_dropout_and_l1():
    from bprop.teaching.explanation import explain

    net, x, y = classic_example()
    trace = explain(net, x, y, dropout=0.5, l1=0.1, seed=3)
    d = trace.derivation
    np.testing.assert_array_equal(d.masks[0], trace.masks[0])
    assert d.l1 == 0.1 and d.cost == pytest.approx(trace.cost, rel=1e-12) and d.dropout == trace.dropout
    derivation = trace.render("markdown").partition('<a id="derivation"></a>')[2]
    j = next(e for e in d.equations if e.name == "BP2").j
    assert f"\\partial \\tilde{{a}}^{{2}}_{{{j}}}/\\partial a^{{2}}_{{{j}}}" in derivation  # BP2's mask factor
    assert "\\operatorname{sgn}(w^{2}_{" in derivation  # BP3's L1 term
    assert "Dropout p = 0.5: this is a training pass" in derivation


def test_significant_digits_and_two_digit_errors():
    from bprop.teaching.explanation.markup import scientific, significant

    assert significant(0.138498562) == "0.13850"
    assert significant(0.000438568) == "0.00043857"
    assert significant(-0.0380982) == "−0.038098"
    assert significant(4.2e-7) == "4.2000e−7"
    assert significant(0.0) == "0" and significant(1.0) == "1.0000"
    assert scientific(3.14e-11) == "3.1e−11" and scientific(1.0) == "1.0" and scientific(0) == "0"


def test_the_text_tables_line_up_and_no_value_has_more_than_five_significant_digits():
    import re

    from bprop.teaching.explanation.derivation_page import render_text

    net = bp.Network([3, 4, 3], activation="tanh", output="softmax", cost="log_likelihood", seed=1, dtype="float64")
    text = render_text(derive(net, np.array([0.2, -0.4, 0.9]), 1, lr=0.5), "en")
    for value in re.findall(r"−?\d+\.\d+(?:e−?\d+)?", text):
        digits = value.replace("−", "").split("e")[0].replace(".", "").lstrip("0")
        assert len(digits) <= 5, value
    for error in re.findall(r"  (\S+e−\d+)$", text, flags=re.M):
        assert re.fullmatch(r"\d\.\de−\d+", error), error  # relative errors: two significant digits
    tables = [block for block in text.split("\n\n") if "──" in block]
    assert len(tables) >= 6
    for block in tables:
        lines = [line for line in block.splitlines() if line.strip()]
        starts = [m.start() for m in re.finditer("─+", lines[1])]
        for c in (2, 3):  # analytic and numeric: every decimal point in one column
            cells = [line[starts[c] : starts[c + 1]] for line in lines[2:] if "…" not in line]
            assert len({cell.find(".") for cell in cells if "." in cell}) == 1, block
