"""Tests of ``bprop.teaching.explanation`` and the ``bprop explain`` command.

The numbers of a trace must be the very arrays ``backprop`` returns, the
update must be w − η ∂C/∂w, and the classic 2-2-2 example must give the
numbers of the single step worked by hand below. The renderers are checked
for what a reader relies on: the substituted lines, both languages' labels,
LaTeX in Markdown, a standalone well-formed HTML page, summaries for wide
networks. The command runs in-process on a local Typer app (it is not yet
registered on ``bprop.cli.app.app``).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import bprop as bp
from bprop.cli.explain_command import explain as explain_command
from bprop.errors import InvalidArgument
from bprop.teaching.explanation import Trace, classic_example, explain, explain_steps
from bprop.teaching.explanation.markup import number, to_latex, to_text
from conftest import random_targets

PAIRS = [  # (hidden σ, output σ, cost)
    ("sigmoid", "sigmoid", "quadratic"),
    ("sigmoid", "sigmoid", "cross_entropy"),  # BP1 shortcut δ^L = a − y
    ("relu", "softmax", "log_likelihood"),  # BP1 shortcut δ^L = a − y
    ("tanh", "softmax", "quadratic"),  # BP1 through the softmax Jacobian
    ("leaky_relu", "identity", "quadratic"),
    ("tanh", "tanh", "quadratic"),
]


def random_case(hidden, output, cost, seed=0, sizes=(3, 4, 5, 3)):
    rng = np.random.default_rng(seed)
    net = bp.Network(
        list(sizes), activation=hidden, output=output, cost=cost, init="scaled_normal", seed=seed, dtype="float64"
    )
    x = rng.normal(size=sizes[0])
    y = random_targets(rng, output, cost, 1, sizes[-1])[0]
    return net, x, y


# ---------------------------------------------------------------- the numbers


@pytest.mark.parametrize("hidden, output, cost", PAIRS)
def test_trace_holds_the_arrays_backprop_returns(hidden, output, cost):
    net, x, y = random_case(hidden, output, cost)
    before = [w.copy() for w in net.weights]
    t = explain(net, x, y, lr=0.3)
    g = net.backprop(x, y)  # an independent second call: same arrays

    assert isinstance(t, Trace) and t.sizes == net.sizes
    assert (t.activation, t.output, t.cost_name) == (hidden, output, cost)
    assert t.cost == g.cost
    for i in range(len(net.weights)):
        np.testing.assert_array_equal(t.zs[i], g.zs[i][0])
        np.testing.assert_array_equal(t.deltas[i], g.deltas[i][0])
        np.testing.assert_array_equal(t.grad_w[i], g.weights[i])
        np.testing.assert_array_equal(t.grad_b[i], g.biases[i])
        np.testing.assert_array_equal(t.weights_before[i], net.weights[i])
        np.testing.assert_array_equal(t.biases_before[i], net.biases[i])
    for k, a in enumerate(g.activations):
        np.testing.assert_array_equal(t.activations[k], a[0])
    np.testing.assert_array_equal(t.x, x)
    np.testing.assert_array_equal(t.y, y)
    np.testing.assert_array_equal(t.grad_a, net.cost.gradient(g.activations[-1], y[None, :])[0])
    for i in range(len(net.weights) - 1):  # σ′ of the hidden layers, as BP2 uses it
        np.testing.assert_array_equal(t.sigma_primes[i], net.activation.derivative(g.zs[i], g.activations[i + 1])[0])
    if output == "softmax":
        assert t.sigma_primes[-1] is None  # its Jacobian is used instead
    else:
        np.testing.assert_array_equal(t.sigma_primes[-1], net.output.derivative(g.zs[-1], g.activations[-1])[0])
    assert t.shortcut == ((output, cost) in {("sigmoid", "cross_entropy"), ("softmax", "log_likelihood")})
    for w, w0 in zip(net.weights, before):  # explain leaves the network alone
        np.testing.assert_array_equal(w, w0)


@pytest.mark.parametrize("hidden, output, cost", PAIRS)
def test_update_is_w_minus_eta_gradient(hidden, output, cost):
    net, x, y = random_case(hidden, output, cost, seed=1)
    eta = 0.7
    t = explain(net, x, y, lr=eta)
    g = net.backprop(x, y)
    for i in range(len(net.weights)):
        np.testing.assert_allclose(t.weights_after[i], net.weights[i] - eta * g.weights[i], rtol=0, atol=1e-15)
        np.testing.assert_allclose(t.biases_after[i], net.biases[i] - eta * g.biases[i], rtol=0, atol=1e-15)


def test_label_target_becomes_one_hot():
    net, x, _ = random_case("relu", "softmax", "log_likelihood")
    t = explain(net, x, 2)
    np.testing.assert_array_equal(t.y, [0.0, 0.0, 1.0])
    assert t.cost == net.backprop(x, 2).cost


def test_classic_example_matches_the_step_worked_by_hand():
    # The 2-2-2 sigmoid network, quadratic cost, η = 0.5, one sample:
    #   w^2 = [[.15, .20], [.25, .30]], b^2 = (.35, .35); w^3 = [[.40, .45], [.50, .55]], b^3 = (.60, .60)
    #   x = (.05, .10), y = (.01, .99)
    # Forward:
    #   z^2_1 = .15·.05 + .20·.10 + .35 = .0075 + .02 + .35 = .3775    a^2_1 = σ(.3775) = .593269992
    #   z^2_2 = .25·.05 + .30·.10 + .35 = .0125 + .03 + .35 = .3925    a^2_2 = σ(.3925) = .596884378
    #   z^3_1 = .40·.593269992 + .45·.596884378 + .60 = .237307997 + .268597970 + .60 = 1.105905967
    #           a^3_1 = σ(1.105905967) = .751365070
    #   z^3_2 = .50·.593269992 + .55·.596884378 + .60 = .296634996 + .328286408 + .60 = 1.224921404
    #           a^3_2 = σ(1.224921404) = .772928465
    # Cost: C = ½[(.01 − .751365070)² + (.99 − .772928465)²] = ½[.549622183 + .047120035] = .298371109
    # BP1: δ^3_j = (a_j − y_j) a_j (1 − a_j)
    #   δ^3_1 = .741365070 · .751365070 · .248634930 = .741365070 · .186815602 = .138498562
    #   δ^3_2 = (−.217071535) · .772928465 · .227071535 = (−.217071535) · .175510053 = −.038098236
    # BP2: δ^2_1 = (w^3_11 δ^3_1 + w^3_21 δ^3_2) σ′(z^2_1)
    #          = (.40 · .138498562 + .50 · (−.038098236)) · .593269992 · .406730008
    #          = (.055399425 − .019049118) · .241300709 = .036350307 · .241300709 = .008771354
    # BP3 and the update:
    #   w^3_11 ← .40 − .5 · a^2_1 δ^3_1 = .40 − .5 · .593269992 · .138498562 = .40 − .5 · .082167041 = .358916480
    #   w^2_11 ← .15 − .5 · a^1_1 δ^2_1 = .15 − .5 · .05 · .008771354 = .15 − .000219284 = .149780716
    net, x, y = classic_example()
    t = explain(net, x, y, lr=0.5)
    assert t.cost == pytest.approx(0.298371109, abs=1e-9)
    np.testing.assert_allclose(t.activations[1], [0.593269992, 0.596884378], atol=1e-9)
    np.testing.assert_allclose(t.activations[2], [0.751365070, 0.772928465], atol=1e-9)
    np.testing.assert_allclose(t.deltas[1], [0.138498562, -0.038098236], atol=1e-9)
    assert t.deltas[0][0] == pytest.approx(0.008771354, abs=1e-9)
    assert t.weights_after[1][0, 0] == pytest.approx(0.35891648, abs=1e-8)
    assert t.weights_after[0][0, 0] == pytest.approx(0.149780716, abs=1e-9)
    assert not t.shortcut


def test_explain_steps_cost_falls_and_network_unchanged():
    net, x, y = classic_example()
    w = [a.copy() for a in net.weights]
    costs = explain_steps(net, x, y, 0.5, 20)
    assert len(costs) == 21
    assert costs[0] == explain(net, x, y).cost
    assert all(b < a for a, b in zip(costs, costs[1:]))
    for a, b in zip(net.weights, w):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda net, x, y: explain(net, np.stack([x, x]), y), "one sample"),
        (lambda net, x, y: explain(net, x, y, lang="fr"), "lang"),
        (lambda net, x, y: explain(net, x, y, lr=-1), "lr"),
        (lambda net, x, y: explain(net, x[:1], y), "n_1 = 2"),
        (lambda net, x, y: explain(net, x, y).render("pdf"), "format"),
        (lambda net, x, y: explain(net, x, y).render(precision=0), "precision"),
        (lambda net, x, y: explain_steps(net, x, y, 0.5, 0), "steps"),
    ],
)
def test_bad_arguments_are_refused_with_a_message(call, fragment):
    net, x, y = classic_example()
    with pytest.raises(InvalidArgument, match=fragment):
        call(net, x, y)


# ---------------------------------------------------------------- formatting


def test_numbers_and_markup():
    assert number(-0.0380982, 4) == "−0.0381"
    assert number(0.008771354, 4) == "0.008771"  # small numbers keep 4 significant digits
    assert number(0.0, 4) == "0.0000"
    assert to_text("δ^{2}_{1} = a^{l−1}_{k}") == "δ^2_1 = a^{l−1}_k"
    assert to_latex("δ^{L} = ∇_{a} C ⊙ σ′(z^{L})") == r"\delta ^{L} = \nabla _{a} C \odot \sigma '(z^{L})"


def test_default_text_shows_the_substituted_bp2_line():
    net, x, y = classic_example()
    text = str(explain(net, x, y))
    assert (
        "δ^2_1 = (w^3_11 δ^3_1 + w^3_21 δ^3_2) · σ′(z^2_1) = (0.4000 · 0.1385 + 0.5000 · (−0.0381)) · 0.2413 = 0.008771"
        in text
    )
    assert "C = ½ ((0.0100 − 0.7514)² + (0.9900 − 0.7729)²) = 0.2984" in text
    assert "w^3_11 ← 0.4000 − 0.5 · 0.0822 = 0.3589" in text
    assert "δ^3 = (0.1385, −0.0381)" in text
    assert "⎡0.1500  0.2000⎤" in text  # whole matrices for a small network
    assert text.index("BP1") < text.index("BP2") < text.index("BP3") < text.index("BP4")


def test_a_layer_of_dead_relus_is_named_with_what_it_means():
    net = bp.Network([3, 4, 2], activation="relu", output="softmax", cost="log_likelihood", seed=0, dtype="float64")
    net.biases[0][:] = -5.0  # every z^2_j = w^2 x + b^2 < 0 for x in [0, 1]³: σ′(z^2) = 0
    x, y = np.array([0.2, 0.5, 0.9]), np.array([0.0, 1.0])
    trace = explain(net, x, y)
    assert not np.any(trace.deltas[0]) and not np.any(net.backprop(x, y).weights[0])
    assert "Every σ′(z^2_j) of layer 2 is 0" in str(trace)
    assert "第 2 层的每个 σ′(z^2_j) 都是 0" in str(explain(net, x, y, lang="zh"))
    net.biases[0][0] = 5.0  # one neuron alive: no note
    assert "Every σ′" not in str(explain(net, x, y))
    net.biases[0][0] = -5.0  # with an L2 term ∂C/∂w = (λ/n) w is not 0: no note
    assert "Every σ′" not in str(explain(net, x, y, l2=0.1))
    cn, cx, cy = classic_example()
    assert "Every σ′" not in str(explain(cn, cx, cy))


def test_a_note_with_the_layer_filled_in_keeps_its_superscripts_in_html():
    net = bp.Network([2, 3, 2], seed=0, dtype="float64")
    page = explain(net, np.array([0.2, 0.7]), np.array([0.1, 0.9]), dropout=0.5, seed=1).render("html")
    notes = " ".join(re.findall(r'<p class="note">(.*?)</p>', page))
    assert "m<sup>2</sup>" in notes and "a<sup>2</sup>" in notes
    assert "^" not in notes  # a^{l} filled in as a^{2}, not the raw a^2


def test_precision_changes_the_digits():
    net, x, y = classic_example()
    text = explain(net, x, y).render(precision=6)
    assert "(0.400000 · 0.138499 + 0.500000 · (−0.038098)) · 0.241301 = 0.008771" in text


EN_LABELS = ["BP1", "BP2", "BP3", "BP4", "update", "learning rate", "Hadamard"]
ZH_LABELS = [
    "BP1",
    "BP2",
    "BP3",
    "BP4",
    "更新",
    "公式1：计算最后一层神经网络产生的误差",
    "公式2：由后向前，计算每一层神经网络产生的误差",
    "公式3：计算权重的梯度",
    "公式4：计算偏置的梯度",
    "更新权重和偏置",
    "学习率",
    "Hadamard",
    "带权输入",
    "激活值",
    "误差",
    "权重",
    "偏置",
    "代价函数",
]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
@pytest.mark.parametrize("lang, labels", [("en", EN_LABELS), ("zh", ZH_LABELS)])
def test_both_languages_render_every_label(fmt, lang, labels):
    net, x, y = classic_example()
    page = explain(net, x, y, lang=lang).render(fmt)
    for label in labels:
        assert label in page, label
    if lang == "en":
        assert not re.search(r"[\u4e00-\u9fff]", page)
    assert explain(net, x, y).render(fmt, lang="zh") == explain(net, x, y, lang="zh").render(fmt)


def test_bp1_says_which_form_it_used():
    net, x, y = random_case("sigmoid", "sigmoid", "cross_entropy")
    text = str(explain(net, x, y))
    assert "δ^L = a^L − y" in text and "cancels" in text and "δ^4_1 = a^4_1 − y_1 = " in text
    net, x, y = random_case("relu", "softmax", "log_likelihood")
    text = explain(net, x, y).render(lang="zh")
    assert "δ^{L} = a^{L} − y" not in text and "公式1 化简为 δ^L = a^L − y" in text and "雅可比" in text
    net, x, y = random_case("tanh", "softmax", "quadratic")
    text = str(explain(net, x, y))
    assert "applies its Jacobian" in text and "⟨∇_a C, a^4⟩ = " in text
    assert "δ^4 = (∂a^4/∂z^4)ᵀ ∇_a C" in text


def test_markdown_uses_latex():
    net, x, y = classic_example()
    md = explain(net, x, y).render("markdown")
    assert md.startswith("# ")
    assert "$$" in md and r"\delta ^{3}" in md and r"\begin{pmatrix}" in md
    assert r"(0.4000 \cdot 0.1385 + 0.5000 \cdot (-0.0381)) \cdot 0.2413 = 0.008771" in md
    for section in ("forward", "cost", "bp1", "bp2", "bp3", "bp4", "update"):
        assert f'<a id="{section}"></a>' in md
    assert explain(net, x, y).render("md") == md


class StrictParser(HTMLParser):
    """Fails on tags that do not nest; collects ids and the html element's attributes."""

    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.html_attrs, self.errors = [], set(), {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_attrs = attrs
        if "id" in attrs:
            assert attrs["id"] not in self.ids, f"duplicate id {attrs['id']}"
            self.ids.add(attrs["id"])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_is_one_standalone_well_formed_page(lang):
    net, x, y = classic_example()
    page = explain(net, x, y, lang=lang).render("html", costs=explain_steps(net, x, y, 0.5, 5))
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    assert page.startswith("<!DOCTYPE html>")
    assert parser.html_attrs.get("lang") == lang
    assert '<meta charset="utf-8">' in page
    assert {"forward", "cost", "bp1", "bp2", "bp3", "bp4", "update", "steps"} <= parser.ids
    for outside in ("http://", "https://", "src=", "<script", "@import", "url("):
        assert outside not in page
    assert "<style>" in page
    assert 'δ<span class="ss"><sup>2</sup><sub>1</sub></span>' in page


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_wide_network_is_summarized(fmt):
    net = bp.Network([64, 30, 10], activation="sigmoid", init="scaled_normal", seed=0, dtype="float64")
    x = np.random.default_rng(0).uniform(size=64)
    page = explain(net, x, 3).render(fmt)
    assert "30×64" in page and "10×30" in page and "‖" in page
    marker = {"text": None, "markdown": '<a id="derivation">', "html": '<section id="derivation"'}[fmt]
    worked, _, derivation = page.partition(marker) if marker else (page, "", "")  # the derivation comes last
    assert (derivation != "") == (fmt != "text")
    for part in (worked, derivation):
        numbers = re.findall(r"\d\.\d{3,}", part)
        assert len(numbers) < 200, len(numbers)  # not the 1,920 + 300 weights, nor BP2's 10 terms in full
    assert "…" in page


def test_cost_table_in_every_format():
    net, x, y = classic_example()
    costs = explain_steps(net, x, y, 0.5, 40)
    t = explain(net, x, y)
    text = t.render(costs=costs)
    assert "cost fell from 0.2984 to" in text
    assert text.count("\n") - t.render().count("\n") < 25  # at most a dozen rows
    assert "代价函数从 0.2984 降到" in t.render(lang="zh", costs=costs)
    assert "| 40 |" in t.render("markdown", costs=costs)


# ---------------------------------------------------------------- the command


@pytest.fixture()
def cli():
    app = typer.Typer()
    app.command()(explain_command)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def test_cli_default_is_the_classic_example(cli):
    result = cli()
    assert result.exit_code == 0, result.output
    assert "network (neurons per layer)            2-2-2" in result.output
    assert "(0.4000 · 0.1385 + 0.5000 · (−0.0381)) · 0.2413 = 0.008771" in result.output
    assert "C = ½ ((0.0100 − 0.7514)² + (0.9900 − 0.7729)²) = 0.2984" in result.output


def test_cli_steps_show_the_cost_falling(cli):
    result = cli("--steps", 20)
    assert result.exit_code == 0, result.output
    table = result.output[result.output.index("update t") :]
    costs = [float(c) for c in re.findall(r"^\s+\d+\s+(\d\.\d+)$", table, flags=re.M)]
    assert costs[0] == 0.2984 and len(costs) >= 10
    assert all(b < a for a, b in zip(costs, costs[1:]))
    assert "After 20 updates with η = 0.5 on this one sample the cost fell from 0.2984" in result.output


@pytest.mark.parametrize("fmt, marker", [("md", "$$"), ("html", '<section id="bp2">')])
def test_cli_writes_a_file(cli, tmp_path, fmt, marker):
    path = tmp_path / "out" / f"explain.{fmt}"
    result = cli("--format", fmt, "--output-file", path, "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert f"wrote {path}" in result.output
    page = path.read_text(encoding="utf-8")
    assert marker in page and "公式2" in page
    assert not list(path.parent.glob(".*.tmp"))


def test_cli_weights_file_and_random_layers(cli, tmp_path):
    f = tmp_path / "w.json"
    f.write_text(json.dumps({"weights": [[[0.1, 0.2, 0.3]], [[0.5], [-0.5]]], "biases": [[0.0], [0.1, 0.2]]}))
    result = cli("--weights", f, "--input", "1,2,3", "--target", "0.5,0.5", "--activation", "tanh")
    assert result.exit_code == 0, result.output
    assert "network (neurons per layer)            3-1-2" in result.output
    assert (
        "z^2_1 = w^2_11 a^1_1 + w^2_12 a^1_2 + w^2_13 a^1_3 + b^2_1 = 0.1000 · 1.0000 + 0.2000 · 2.0000 + 0.3000 · 3.0000 + 0.0000 = 1.4000"
        in result.output
    )
    first = cli("--layers", "3,4,2", "--seed", 5)
    again = cli("--layers", "3,4,2", "--seed", 5)
    other = cli("--layers", "3,4,2", "--seed", 6)
    assert first.exit_code == 0 and first.output == again.output != other.output
    softmax = cli("--layers", "3,4,3", "--output", "softmax", "--cost", "log_likelihood", "--target", "2")
    assert softmax.exit_code == 0, softmax.output
    assert "y = (0.0000, 0.0000, 1.0000)" in softmax.output


def test_cli_model_file(cli, tmp_path):
    net = bp.Network([4, 3, 2], activation="relu", output="softmax", cost="log_likelihood", seed=0)
    path = net.save(tmp_path / "m.bprop")
    result = cli("--model", path, "--input", "0.1,0.2,0.3,0.4", "--target", "1")
    assert result.exit_code == 0, result.output
    assert "4-3-2" in result.output and "float64" in result.output
    assert "a^L − y" in result.output


@pytest.mark.parametrize(
    "args, fragment",
    [
        (
            ["--input", "0.05,0.10,0.2"],
            "--input 0.05,0.10,0.2 has 3 number(s) but the network's input layer has 2 neurons",
        ),
        (["--input", "a,b"], "--input takes numbers"),
        (["--layers", "3,4,3", "--output", "softmax", "--cost", "log_likelihood", "--target", "7"], "--target 7"),
        (["--format", "pdf"], "--format 'pdf'"),
        (["--lang", "fr"], "--lang 'fr'"),
        (["--precision", "0"], "--precision 0"),
        (["--steps", "0"], "--steps 0"),
        (["--lr", "-1"], "--lr -1"),
        (["--layers", "2,x"], "--layers"),
        (["--weights", "missing.json"], "--weights missing.json: no such file"),
        (["--model", "missing.bprop"], "--model missing.bprop: no such file"),
    ],
)
def test_cli_bad_options_name_the_option_and_the_fix(cli, args, fragment):
    result = cli(*args)
    assert result.exit_code != 0
    assert isinstance(result.exception, InvalidArgument)
    assert fragment in str(result.exception)
    assert "\n" not in str(result.exception)  # the CLI prints it as one line


# ---------------------------------------------------------------- dropout, L1 and a σ per layer


def regularized_case(seed=4):
    """A 3-4-4-2 network with relu then tanh, softmax output: small enough to be shown in full."""
    net = bp.Network(
        [3, 4, 4, 2],
        activation=["relu", "tanh"],
        output="softmax",
        cost="log_likelihood",
        init="he",
        seed=seed,
        dtype="float64",
    )
    return net, np.array([0.3, -0.2, 0.5]), 1


def test_a_dropout_trace_holds_the_masks_from_the_seed_and_backprops_arrays():
    from bprop.core.dropout import draw_masks

    net, x, y = regularized_case()
    trace = explain(net, x, y, dropout=0.5, l1=0.3, l2=0.2, n=10, seed=7)
    masks = draw_masks((0.5, 0.5), net.sizes, 1, np.random.default_rng(7), np.float64)
    for ours, expected in zip(trace.masks, masks):
        np.testing.assert_array_equal(ours, expected[0])
    g = net.backprop(x.reshape(1, -1), np.array([y]), l1=0.3, l2=0.2, n=10, masks=masks)
    for ours, theirs in zip(trace.deltas + trace.grad_w, [d[0] for d in g.deltas] + g.weights):
        np.testing.assert_array_equal(ours, theirs)
    assert trace.cost == g.cost
    # a^l before the mask is σ(z^l), layer l's own σ; ã^l = a^l ⊙ m^l/(1−p) is what the next layer saw
    np.testing.assert_allclose(trace.undropped[1], np.maximum(trace.zs[0], 0))
    np.testing.assert_allclose(trace.undropped[2], np.tanh(trace.zs[1]))
    np.testing.assert_allclose(trace.activations[2], trace.undropped[2] * trace.masks[1])
    # σ′ of each hidden layer from its own σ and a^l (not ã^l)
    np.testing.assert_allclose(trace.sigma_primes[0], (trace.zs[0] > 0).astype(float))
    np.testing.assert_allclose(trace.sigma_primes[1], 1 - trace.undropped[2] ** 2)
    # C = C₀ + (λ/2n) Σ w² + (λ₁/n) Σ |w|
    weights = net.weights
    penalty = 0.2 / 20 * sum((w**2).sum() for w in weights) + 0.3 / 10 * sum(np.abs(w).sum() for w in weights)
    assert trace.cost == pytest.approx(trace.cost0 + penalty, rel=1e-12)


def test_the_text_shows_the_mask_in_bp2_and_the_l1_term_in_bp3_with_their_numbers():
    net, x, y = regularized_case()
    trace = explain(net, x, y, dropout=0.5, l1=0.3, n=10, seed=7)
    text = trace.render("text")
    m2 = number(trace.masks[0][0], 4)
    sp2 = trace.sigma_primes[0][0]
    bp2 = next(line for line in text.splitlines() if line.strip().startswith("δ^2_1 = ("))
    assert "m^2_1/(1 − p) · σ′(z^2_1)" in bp2 and f"· {m2} · " in bp2
    assert bp2.endswith(f"· {number(sp2, 4)} = {number(trace.deltas[0][0], 4)}")
    assert "δ^3 = ((w^4)ᵀ δ^4) ⊙ m^3/(1 − p) ⊙ σ′(z^3)" in text
    w = trace.weights_before[0][0, 0]
    sign = "1" if w > 0 else "(−1)"
    bp3 = next(line for line in text.splitlines() if line.strip().startswith("∂C/∂w^2_11 ="))
    assert "(λ_1/n) sgn(w^2_11)" in bp3 and f"(0.3/10) · {sign} = {number(trace.grad_w[0][0, 0], 4)}" in bp3
    assert "ã^2_1 = a^2_1 · m^2_1/(1 − p)" in text and "z^3 = w^3 ã^2 + b^3" in text
    assert "activation function σ of layer l = 2: relu" in text and "layer l = 3: tanh" in text


def test_chinese_explains_the_mask_and_the_l1_subgradient():
    net, x, y = regularized_case()
    text = explain(net, x, y, dropout=0.5, l1=0.3, seed=7, lang="zh").render("text")
    for words in ("随机失活", "掩码", "次梯度", "sgn(0) = 0", "第 l = 3 层的激活函数 σ：tanh", "m^2/(1 − p)"):
        assert words in text, words


@pytest.mark.parametrize("fmt", ["markdown", "html"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dropout_and_l1_render_in_every_format(fmt, lang):
    net, x, y = regularized_case()
    page = explain(net, x, y, dropout=0.5, l1=0.3, l2=0.1, seed=7, lang=lang).render(fmt)
    if fmt == "markdown":
        assert r"\tilde{a}^{2}" in page and r"\operatorname{sgn}" in page and r"\lambda" in page
    else:
        assert "ã<sup>2</sup>" in page and "sgn(" in page


def test_explain_without_the_new_options_is_unchanged():
    net, x, y = classic_example()
    trace = explain(net, x, y)
    assert trace.dropout is None and trace.masks == [None] and trace.cost0 == trace.cost
    text = trace.render("text")
    assert "dropout" not in text and "sgn" not in text and "C_0" not in text


def test_cli_explains_dropout_l1_and_a_sigma_per_layer(cli):
    result = cli(
        "--layers", "3,4,3,2", "--activation", "relu,tanh", "--output", "softmax", "--cost", "log_likelihood",
        "--dropout", "0.5", "--l1", "0.1", "--n", "100", "--seed", "2",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "relu,tanh" in result.output and "m^2/(1 − p)" in result.output and "(0.1/100) · " in result.output
