"""bprop lab: every planted bug really breaks the gradients or the training, and is graded right.

The planted networks are checked against bprop itself: with no method
overridden, PlantedNetwork's BP1–BP4 give Network.backprop's numbers exactly;
each lab's class then changes one line, which gradcheck (finite differences,
independent of backprop) must catch at the planted equation's layer.
"""

import inspect

import numpy as np
import pytest

import bprop as bp
from bprop.teaching.labs import EXERCISES, bench, exercise, grade, planted
from bprop.teaching.labs.exercises import EQUATIONS
from bprop.teaching.labs.render import SILENT_GAP, planted_line
from cli_helpers import isolated, run  # noqa: F401  (isolated: autouse fixture)
from conftest import OUTPUT_COST, random_targets

TOLERANCE = 1e-6
QUIET = {2, 9}  # labs whose mistake barely shows in training (the module docstring's measurements)
LABS = [ex.number for ex in EXERCISES]


# -- the planted networks ----------------------------------------------------------------


@pytest.mark.parametrize("output, cost", OUTPUT_COST)
@pytest.mark.parametrize("hidden", ["sigmoid", "relu", "tanh"])
def test_planted_network_without_a_bug_is_bprops_own_backprop(hidden, output, cost):
    rng = np.random.default_rng(1)
    sizes = [3, 5, 4, 3]
    kwargs = {"activation": hidden, "output": output, "cost": cost, "seed": 2, "dtype": "float64"}
    X, Y = rng.normal(size=(6, 3)), random_targets(rng, output, cost, 6, 3)
    g, h = planted.PlantedNetwork(sizes, **kwargs).backprop(X, Y), bp.Network(sizes, **kwargs).backprop(X, Y)
    for mine, theirs in zip(g.weights + g.biases + g.deltas, h.weights + h.biases + h.deltas):
        np.testing.assert_array_equal(mine, theirs)
    assert g.cost == h.cost


def test_copies_keep_the_planted_backprop_and_correct_gives_a_plain_network():
    net = bench.broken_network(exercise(5))
    assert type(net.copy("float64")) is type(net)
    assert type(net.correct()) is bp.Network
    for w, v in zip(net.weights, net.correct().weights):
        np.testing.assert_array_equal(w, v)


def test_a_planted_network_refuses_what_the_labs_do_not_plant_for():
    net = bench.broken_network(exercise(5))
    with pytest.raises(bp.errors.InvalidArgument, match="train it plainly"):
        net.backprop(np.zeros((2, 2)), [0, 1], l2=0.1)


@pytest.mark.parametrize("number", LABS)
def test_each_lab_changes_exactly_one_line_marked_planted(number):
    ex = exercise(number)
    cls = ex.optimizer or ex.network
    source = inspect.getsource(cls)
    assert source.count("# planted") == 1
    _, method, line = planted_line(ex)
    assert hasattr(planted.PlantedNetwork if ex.optimizer is None else bp.SGD, method)
    assert line in source


# -- every planted bug breaks gradcheck (or, for the update, training) ---------------------


@pytest.mark.parametrize("number", LABS)
def test_gradcheck_fails_at_the_planted_layer_and_passes_on_the_correct_network(number):
    ex = exercise(number)
    report = bench.check_gradients(ex)
    correct = bench.check_gradients(ex, bench.broken_network(ex).correct())
    assert correct.passed(TOLERANCE), correct.format()
    by_layer = {check.layer: check for check in report.layers}
    L = ex.num_layers
    if ex.equation == "update":
        assert report.passed(TOLERANCE)  # the gradients are right; the update is not
        return
    planted_layers = range(2, L + 1) if ex.layer is None else [ex.layer]
    for l in planted_layers:
        check = by_layer[l]
        if ex.equation in ("BP1", "BP2"):  # δ^l is wrong: both gradients of layer l
            assert check.weight_error > TOLERANCE and check.bias_error > TOLERANCE
        elif ex.equation == "BP3":
            assert check.weight_error > TOLERANCE and check.bias_error <= TOLERANCE
        else:
            assert check.bias_error > TOLERANCE and check.weight_error <= TOLERANCE
    if ex.layer is not None:
        for l in range(ex.layer + 1, L + 1):  # above the planted layer, backprop is still right
            assert by_layer[l].error <= TOLERANCE, report.format()
        if ex.equation in ("BP3", "BP4"):  # the other layers too: δ itself is right
            assert all(by_layer[l].error <= TOLERANCE for l in range(2, ex.layer))


@pytest.mark.parametrize("number", LABS)
def test_training_shows_the_bug_except_in_the_quiet_labs(number):
    ex = exercise(number)
    broken, correct = bench.train_both(ex)
    assert correct.final_accuracy >= 0.7  # the correct backprop learns each task
    if number in QUIET:
        assert correct.final_accuracy - broken.final_accuracy < 0.05
    else:
        assert broken.diverged is not None or correct.final_accuracy - broken.final_accuracy >= SILENT_GAP


def test_the_update_lab_climbs_the_cost():
    broken, correct = bench.train_both(exercise(12))
    assert broken.costs[-1] > broken.costs[0] and correct.costs[-1] < correct.costs[0]


@pytest.mark.parametrize("number", LABS)
def test_the_first_difference_from_the_output_back_is_the_planted_equation(number):
    ex = exercise(number)
    rows = bench.compare(ex)
    first = next(row for row in rows if not row.agrees())
    assert first.equation == ex.equation
    assert first.layer == (ex.layer or ex.num_layers)


def test_the_delta_table_changes_from_the_planted_layer_down():
    ex = exercise(4)  # σ′ missing in BP2 at layer 2
    table = {row.layer: row for row in bench.delta_table(ex)}
    assert table[3].ratio == pytest.approx(1.0)
    assert table[2].ratio > 1.05


# -- grading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", LABS)
def test_grading_right_wrong_equation_and_wrong_layer(number):
    ex = exercise(number)
    assert grade(ex, ex.equation, ex.layer).right
    for other in EQUATIONS:
        if other != ex.equation:
            g = grade(ex, other, ex.layer)
            assert g.verdict == "wrong_equation" and g.hint[0] and g.hint[1]
    wrong = next(l for l in range(2, ex.num_layers + 1) if l != ex.layer)
    assert grade(ex, ex.equation, wrong).verdict == "wrong_layer"


def test_bp1_needs_no_layer_and_every_layer_needs_all():
    assert grade(exercise(1), "BP1", None).right
    assert grade(exercise(11), "BP3", None).right
    assert grade(exercise(5), "BP2", None).verdict == "wrong_layer"


# -- the command line -------------------------------------------------------------------------


def test_list_shows_the_labs_and_the_solutions_only_when_asked(capsys):
    status, out, _ = run(capsys, "lab", "list")
    assert status == 0 and all(f"{n:>3}  " in out for n in LABS)
    assert "# planted" not in out and "BP2 at layer" not in out
    status, out, _ = run(capsys, "lab", "list", "--solutions")
    assert status == 0
    for ex in EXERCISES:
        assert planted_line(ex)[2] in out and ex.wrote in out
    assert "BP2 at layer 2" in out and "BP3 in every layer" in out


def test_start_trains_both_networks_and_names_the_tools(capsys):
    status, out, _ = run(capsys, "lab", "start", 1)
    assert status == 0
    for tool in ("--gradcheck", "--deltas", "--explain"):
        assert f"bprop lab probe 1 {tool}" in out
    assert "bprop lab answer 1 --equation" in out and "bprop's correct backprop reaches" in out


def test_probe_tools(capsys, tmp_path):
    status, out, _ = run(capsys, "lab", "probe", 8, "--gradcheck", "--deltas", "--explain")
    assert status == 0
    assert "✗" in out and "∂C/∂w^3" in out and "broken/correct" in out
    status, out, _ = run(capsys, "lab", "probe", 8, "--deltas", "--plot", tmp_path / "deltas.png")
    assert status == 0 and (tmp_path / "deltas.png").read_bytes()[:4] == b"\x89PNG"


def test_the_delta_picture_draws_the_correct_network_dashed_beside_the_broken_one(monkeypatch, tmp_path):
    from bprop import plots

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig) or path)
    bench.plot_deltas(exercise(5), tmp_path / "d.png")
    for ax in figures[0].axes:
        solid = [line for line in ax.lines if line.get_linestyle() == "-"]
        dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
        assert len(solid) == len(dashed) == 2  # layers 2 and 3 of lab 5's 2-8-2, broken and correct
        assert all(line.get_label().endswith(", broken") for line in solid)
        assert all(line.get_label().endswith(", correct") for line in dashed)
        assert not np.allclose(solid[0].get_ydata(), dashed[0].get_ydata())  # layer 2, where lab 5 plants BP2


def test_the_delta_picture_of_a_zh_probe_speaks_the_notes_chinese(capsys, monkeypatch, tmp_path):
    from bprop import plots

    figures, save = [], plots._save
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig) or save(fig, path))
    status, out, _ = run(capsys, "lab", "probe", 5, "--deltas", "--plot", tmp_path / "d.png", "--lang", "zh")
    assert status == 0 and f"已写入 {tmp_path / 'd.png'}" in out
    assert (tmp_path / "d.png").read_bytes()[:4] == b"\x89PNG"
    fig = figures[0]
    assert fig._suptitle.get_text().startswith("练习 5：有错的神经网络")
    assert [ax.get_xlabel() for ax in fig.axes] == ["训练轮次 (epoch)"] * 2
    assert "误差" in fig.axes[0].get_ylabel() and "权重梯度" in fig.axes[1].get_ylabel()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0].startswith("第 2 层") and legend[0].endswith("有错的") and legend[-1].endswith("正确的")
    status, out, _ = run(capsys, "lab", "probe", 5, "--deltas", "--plot", tmp_path / "e.png")
    assert figures[1]._suptitle.get_text().startswith("lab 5: the broken network (solid)")
    assert [ax.get_xlabel() for ax in figures[1].axes] == ["epoch"] * 2


def test_answers_exit_0_when_right_and_1_when_wrong(capsys):
    status, out, _ = run(capsys, "lab", "answer", 5, "--equation", "BP3", "--layer", 2)
    assert status == 1 and "Hint:" in out and "give-up" in out
    status, out, _ = run(capsys, "lab", "answer", 5, "--equation", "bp2", "--layer", 3)
    assert status == 1 and "not layer 3" in out
    assert "comes from BP1" in out  # layer 3 is lab 5's output layer: BP2 has no δ there
    status, out, _ = run(capsys, "lab", "answer", 5, "--equation", "BP2", "--layer", 2)
    assert status == 0 and "Right" in out and planted_line(exercise(5))[2] in out
    assert exercise(5).derivation in out
    status, out, _ = run(capsys, "lab", "answer", 12, "--give-up")
    assert status == 0 and "w ← w + η ∂C/∂w" in out


def test_a_solution_translates_bprops_row_form_back_to_the_notes(capsys):
    # Lab 6's planted line has `.T` and the right one none: without the row form said, that reads backwards.
    status, out, _ = run(capsys, "lab", "answer", 6, "--give-up")
    assert status == 0 and "(w^{l+1})ᵀ δ^{l+1} is written delta[l + 1] @ self.w(l + 1)" in out
    status, out, _ = run(capsys, "lab", "answer", 6, "--give-up", "--lang", "zh")
    assert "按行存放" in out and "delta[l + 1] @ self.w(l + 1)" in out
    status, out, _ = run(capsys, "lab", "answer", 12, "--give-up")  # the update has no δ: nothing to translate
    assert status == 0 and "one sample per row" not in out
    # What the sentence claims, on a lab's own network: row i of Δ^{l+1} W^{l+1} is (w^{l+1})ᵀ δ^{l+1} of
    # sample i, and Δ^lᵀ A^{l−1} is Σ_i δ^l_i (a^{l−1}_i)ᵀ.
    net = bench.broken_network(exercise(6)).correct()
    X, Y = np.random.default_rng(0).uniform(size=(5, 2)), np.eye(2)[[0, 1, 1, 0, 1]]
    grads = net.backprop(X, Y)
    deltas, w3 = grads.deltas, net.weights[1]
    for i in range(5):
        np.testing.assert_allclose((deltas[1] @ w3)[i], w3.T @ deltas[1][i])
    outer = sum(np.outer(deltas[0][i], X[i]) for i in range(5))
    np.testing.assert_allclose(deltas[0].T @ X, outer)
    np.testing.assert_allclose(grads.weights[0] * 5, outer, rtol=1e-5)  # BP3 of the batch, times m


def test_chinese_output_uses_the_notes_terms(capsys):
    status, out, _ = run(capsys, "lab", "answer", 5, "--equation", "BP2", "--layer", 2, "--lang", "zh")
    assert status == 0 and "答对了" in out and "推导过程" in out and "带权输入" in out
    status, out, _ = run(capsys, "lab", "start", 5, "--lang", "zh")
    assert status == 0 and "学习率" in out and "代价函数" in out
    status, out, _ = run(capsys, "lab", "probe", 5, "--gradcheck", "--lang", "zh")
    assert "公式2" in out and "误差" in out
    status, out, _ = run(capsys, "lab", "list", "--solutions", "--lang", "zh")
    assert status == 0 and "答案" in out and "第 2 层的公式2（BP2）" in out
    status, out, _ = run(capsys, "lab", "probe", 12, "--explain", "--lang", "zh")
    assert status == 0 and "更新后 w^3" in out and "after" not in out
    status, out, _ = run(capsys, "lab", "probe", 12, "--explain")
    assert "w^3 after" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["lab", "start", 99], "there is no lab 99; the labs are 1 to 12"),
        (["lab", "answer", 5, "--equation", "BP7"], "--equation 'BP7' is not an equation"),
        (["lab", "answer", 5, "--equation", "BP2", "--layer", 9], "--layer 9 is not a layer"),
        (["lab", "answer", 5], "give your answer"),
        (["lab", "probe", 5], "choose a tool"),
        (["lab", "list", "--lang", "fr"], "--lang 'fr' is not supported"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(capsys, args, message):
    status, out, err = run(capsys, *args)
    assert status == 1 and message in err and err.count("\n") == 1 and err.startswith("bprop: error:")


def test_a_malformed_command_line_exits_2(capsys):
    status, _, _ = run(capsys, "lab", "start", "three")
    assert status == 2


def test_page_is_bprop_explain_of_the_broken_network(capsys):
    ex = exercise(5)  # σ′(a^2) in BP2: the page shows the broken δ^2 beside the right σ′(z^2)
    X, y = bench.first_batch(ex)
    broken = bench.broken_network(ex).backprop(X[:1], y[:1]).deltas[0][0, 0]
    right = bench.broken_network(ex).correct().backprop(X[:1], y[:1]).deltas[0][0, 0]
    status, out, _ = run(capsys, "lab", "probe", 5, "--page")
    assert status == 0 and "BP2" in out
    assert f"{broken:.4g}".replace("-", "−") in out and f"{right:.4g}".replace("-", "−") not in out


def test_progress_is_remembered_and_a_broken_file_counts_as_none(capsys, tmp_path):
    run(capsys, "lab", "answer", 4, "--equation", "BP3", "--layer", 2)
    run(capsys, "lab", "answer", 5, "--equation", "BP2", "--layer", 2)
    run(capsys, "lab", "answer", 6, "--give-up")
    _, out, _ = run(capsys, "lab", "list")
    lines = {int(line.split()[0]): line for line in out.splitlines() if line[:3].strip().isdigit()}
    assert "1 wrong answer" in lines[4] and "✓ solved" in lines[5] and "solution seen" in lines[6]
    assert "solved" not in lines[7]
    saved = tmp_path / "bprop-data-root" / "labs.json"
    assert saved.is_file()
    saved.write_text('{"solved": [5, 99, "x"], "tries": {"4": -1, "zz": 2}}')
    _, out, _ = run(capsys, "lab", "list")
    assert out.count("✓ solved") == 1 and "wrong answer" not in out
    saved.write_text("[" * 5000)
    status, out, err = run(capsys, "lab", "list")
    assert status == 0 and "✓" not in out and not err
