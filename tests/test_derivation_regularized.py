"""The derivation and the repeated updates with dropout and L2/L1: the same pass as ``bprop explain``, checked."""

from __future__ import annotations

import numpy as np
import pytest

import bprop as bp
from bprop.core.dropout import draw_masks
from bprop.teaching.explanation import explain, explain_steps
from bprop.teaching.explanation.derivation import derive

SIZES = [3, 5, 4, 2]


def _net():
    return bp.Network(SIZES, activation=["relu", "tanh"], output="sigmoid", seed=5, dtype="float64")


X, Y = np.array([0.6, -0.3, 0.9]), np.array([0.2, 0.7])


def test_the_derivation_with_dropout_uses_the_masks_explain_shows_and_adds_their_factor_to_bp2():
    net = _net()
    d = derive(net, X, Y, layer=3, lr=0.5, dropout=0.5, seed=2)
    trace = explain(net, X, Y, dropout=0.5, seed=2)
    for mask, shown in zip(d.masks, trace.masks):
        np.testing.assert_array_equal(mask, shown)
    for (analytic, measured), delta in zip(d.deltas, trace.deltas):
        np.testing.assert_allclose(analytic, delta, rtol=1e-12, atol=1e-15)  # the same δ as the page
        np.testing.assert_allclose(measured, delta, rtol=1e-6, atol=1e-10)  # and δ = ∂C/∂z, measured
    bp2 = next(e for e in d.equations if e.name == "BP2")
    mask_factor = bp2.terms[0][2]
    assert mask_factor.symbol == f"∂ã^{{3}}_{{{bp2.j}}}/∂a^{{3}}_{{{bp2.j}}}"
    assert mask_factor.analytic == d.masks[1][bp2.j - 1] == 2.0  # the default j is a kept neuron
    assert mask_factor.numeric == pytest.approx(2.0, rel=1e-9)  # measured: nudge a, read ã
    assert d.passed() and d.cost == pytest.approx(trace.cost, rel=1e-12)


def test_a_dropped_neuron_gets_no_error_and_its_mask_factor_is_measured_as_zero():
    net = _net()
    d = derive(net, X, Y, layer=3, dropout=0.5, seed=2)
    dropped = int(np.flatnonzero(d.masks[1] == 0)[0]) + 1
    bp2 = derive(net, X, Y, layer=3, neuron=dropped, dropout=0.5, seed=2).equations[1]
    assert bp2.left.analytic == 0.0 and abs(bp2.left.numeric) < 1e-12
    assert all(term[2].analytic == 0.0 and abs(term[2].numeric) < 1e-12 for term in bp2.terms)


def test_l1_and_l2_terms_join_bp3_and_each_is_measured_alone():
    net = _net()
    l1, l2, n = 0.3, 0.2, 4
    d = derive(net, X, Y, layer=3, neuron=2, input_neuron=3, l1=l1, l2=l2, n=n)
    bp3 = next(e for e in d.equations if e.name == "BP3")
    w = float(net.weights[1][1, 2])
    g = net.backprop(X, Y, l1=l1, l2=l2, n=n)
    assert bp3.left.analytic == pytest.approx(float(g.weights[1][1, 2]), rel=1e-12)
    (delta, a), (l2_term,), (l1_term,) = bp3.terms
    assert l2_term.analytic == pytest.approx(l2 / n * w, rel=1e-15) == pytest.approx(l2_term.numeric, rel=1e-7)
    assert l1_term.analytic == pytest.approx(l1 / n * np.sign(w)) == pytest.approx(l1_term.numeric, rel=1e-7)
    assert bp3.chain_value == pytest.approx(a.analytic * delta.analytic + l2 / n * w + l1 / n * np.sign(w))
    assert d.cost == pytest.approx(g.cost, rel=1e-12) and d.passed()
    # δ does not see the terms: BP1, BP2, BP4 are those of C₀
    plain = derive(net, X, Y, layer=3, neuron=2, input_neuron=3)
    assert [e.left.analytic for e in d.equations if e.name != "BP3"] == [
        e.left.analytic for e in plain.equations if e.name != "BP3"
    ]


def test_the_regularized_dropout_gradient_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    net = _net()
    l1, l2, n = 0.1, 0.05, 3
    d = derive(net, X, Y, layer=2, neuron=4, input_neuron=2, l1=l1, l2=l2, n=n, dropout=0.4, seed=7)
    w = [torch.tensor(np.asarray(m), requires_grad=True) for m in net.weights]
    b = [torch.tensor(np.asarray(v)) for v in net.biases]
    masks = [torch.tensor(m) for m in d.masks]
    z2 = w[0] @ torch.tensor(X) + b[0]
    a2 = torch.relu(z2) * masks[0]  # ã^2 = a^2 ⊙ m^2/(1 − p)
    z3 = w[1] @ a2 + b[1]
    a3 = torch.tanh(z3) * masks[1]
    a4 = torch.sigmoid(w[2] @ a3 + b[2])
    cost = 0.5 * ((torch.tensor(Y) - a4) ** 2).sum()
    cost = cost + l2 / (2 * n) * sum((m**2).sum() for m in w) + l1 / n * sum(m.abs().sum() for m in w)
    cost.backward()
    bp3 = next(e for e in d.equations if e.name == "BP3")
    assert bp3.left.analytic == pytest.approx(w[0].grad[3, 1].item(), rel=1e-12)
    assert bp3.left.numeric == pytest.approx(w[0].grad[3, 1].item(), rel=1e-7)
    assert d.cost == pytest.approx(cost.item(), rel=1e-12)
    row = {f.symbol: f for f in d.weight_row}  # BP3 for every input k of the neuron
    for k in range(SIZES[0]):
        assert row[f"∂C/∂w^{{2}}_{{4{k + 1}}}"].analytic == pytest.approx(w[0].grad[3, k].item(), rel=1e-12)


def test_repeated_updates_carry_dropout_and_l1_as_the_core_trains():
    net = _net()
    options = {"l1": 0.2, "l2": 0.1, "n": 2, "dropout": 0.3, "seed": 4}
    costs = explain_steps(net, X, Y, 0.5, 6, **options)
    plain = explain_steps(net, X, Y, 0.5, 6, **options, masked=False)
    assert costs[0] == pytest.approx(explain(net, X, Y, **options).cost, rel=1e-12)  # the page's C

    twin, rng, optimizer = net.copy(), np.random.default_rng(4), bp.SGD(0.5)  # the same steps by hand
    expected, expected_plain = [], []
    for t in range(7):
        masks = draw_masks((0.3, 0.3), SIZES, 1, rng, np.float64)
        g = twin.backprop(X, Y, l1=0.2, l2=0.1, n=2, masks=masks)
        expected.append(g.cost)
        expected_plain.append(twin.backprop(X, Y, l1=0.2, l2=0.1, n=2).cost)
        if t < 6:
            optimizer.step(twin, g)
    np.testing.assert_allclose(costs, expected, rtol=1e-12)
    np.testing.assert_allclose(plain, expected_plain, rtol=1e-12)
    assert plain[-1] < plain[0]


@pytest.fixture()
def cli():
    from typer.testing import CliRunner

    from bprop.cli.app import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["explain", *map(str, args)])


@pytest.mark.parametrize(
    ("lang", "plain_header", "mask_note"),
    [("en", "C without dropout", "new masks"), ("zh", "不加随机失活的 C", "重新抽取")],
)
def test_cli_steps_show_the_mask_and_the_l1_term_with_their_numbers(cli, lang, plain_header, mask_note):
    from bprop.teaching.explanation import classic_example
    from bprop.teaching.explanation.markup import number

    args = ["--dropout", 0.5, "--l1", 0.1, "--lang", lang]
    with_steps = cli(*args, "--steps", 5)
    assert with_steps.exit_code == 0, with_steps.output
    page = with_steps.output
    assert "δ^2_1 = (w^3_11 δ^3_1 + w^3_21 δ^3_2) · m^2_1/(1 − p) · σ′(z^2_1)" in page  # BP2 with the mask
    assert "(λ_1/n) sgn(w^3_11)" in page and "(0.1/1) · 1" in page  # BP3 with the L1 term and its numbers
    net, x, y = classic_example()
    trace = explain(net, x, y, dropout=0.5, l1=0.1, seed=0)
    rows = [line.split() for line in page.splitlines() if line.strip().startswith("0   ")]
    assert rows and rows[0][1] == number(trace.cost, 4)  # update 0: the page's C, with the mask and λ₁
    assert plain_header in page and mask_note in page
    assert cli(*args).output.split("━━ ")[1:9] == page.split("━━ ")[1:9]  # the same pass with or without --steps


def test_cli_derive_with_dropout_and_l1(cli):
    result = cli("--derive", "--layers", "3,4,4,2", "--activation", "relu,tanh", "--dropout", 0.3, "--l1", 0.1)
    assert result.exit_code == 0, result.output
    assert "∂ã^3_" in result.output and "m^3_" in result.output  # BP2's mask factor
    assert "∂((λ_1/n) Σ |w|)/∂w^3_" in result.output  # BP3's L1 term
    assert "Every factor agrees" in result.output
