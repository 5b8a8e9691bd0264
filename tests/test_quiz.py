"""bprop quiz and its worksheets: answers checked against an independent NumPy pass from the printed numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest
from typer.testing import CliRunner

import bprop as bp
from bprop.cli.app import app
from bprop.teaching.quiz import Tolerance, answer_key, make_questions, parse_answer, worksheet
from bprop.teaching.quiz.mistakes import candidates, hint, likely_mistake
from cli_helpers import isolated, run  # noqa: F401  (isolated: autouse fixture)

# -- an independent forward and backward pass, from the worksheet's printed numbers --------------


def _sigma(name, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z)
    if name == "identity":
        return z
    if name == "softmax":
        e = np.exp(z - z.max())
        return e / e.sum()
    raise ValueError(name)


def _sigma_prime(name, z):
    if name == "sigmoid":
        s = _sigma("sigmoid", z)
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, 0.01)
    if name == "identity":
        return np.ones_like(z)
    raise ValueError(name)


def _reference(ws, bs, x, y, hidden, output, cost, depth):
    """z^l, a^l, δ^l, ∂C/∂w^l by the four equations, written here without bprop (depth: L − 1 weight layers)."""
    a, zs, acts = x, [], [x]
    for i, (w, b) in enumerate(zip(ws, bs)):
        z = w @ a + b
        a = _sigma(output if i == depth - 1 else hidden, z)
        zs.append(z)
        acts.append(a)
    if len(ws) < depth:  # a worksheet question on the forward pass gives only the layers it needs
        return zs, acts, None, None
    if (output, cost) in (("softmax", "log_likelihood"), ("sigmoid", "cross_entropy")):
        delta = a - y  # BP1 with σ′ (or the softmax Jacobian) cancelled by ∇_a C
    else:
        delta = (a - y) * _sigma_prime(output, zs[-1])  # quadratic: ∇_a C = a − y
    deltas = [delta]
    for i in range(len(ws) - 2, -1, -1):
        delta = (ws[i + 1].T @ delta) * _sigma_prime(hidden, zs[i])  # BP2
        deltas.insert(0, delta)
    grads = [np.outer(d, acts[i]) for i, d in enumerate(deltas)]  # BP3
    return zs, acts, deltas, grads


def _vector(text, name):
    found = re.search(re.escape(name) + r" = \(([^)]*)\)", text)
    return np.array([float(v) for v in found.group(1).split(",")])


def _matrix(text, name):
    found = re.search(re.escape(f"{name} = \\begin{{pmatrix}}") + r"(.*?)\\end\{pmatrix\}", text)
    if found is None:
        return None
    return np.array([[float(v) for v in row.split("&")] for row in found.group(1).split(r"\\")])


def _parse_question(section):
    """The printed network, sample, η and what is asked, from one Markdown question."""
    ws, bs = [], []
    for l in range(2, 6):
        w = _matrix(section, f"w^{{{l}}}")
        if w is None:
            break
        ws.append(w)
        bs.append(_matrix(section, f"b^{{{l}}}")[:, 0])  # b^l is printed as a column beside w^l
    x = _vector(section, "x = a^{1}")
    y = _vector(section, "y") if ", y = (" in section or "quad y = (" in section else None
    eta = re.search(r"\\eta = (\d+(?:\.\d+)?)", section)
    asked = re.search(r"Compute \$(.*?)\$", section).group(1)
    return ws, bs, x, y, float(eta.group(1)) if eta else None, asked


def _expected(ws, bs, x, y, eta, asked, hidden, output, cost, depth):
    """What the asked symbol is, by the reference pass."""
    (l, j, *k), kind = _indices(asked)
    if kind in ("z", "a"):  # the forward pass needs no target
        y = np.zeros(ws[-1].shape[0]) if y is None else y
    zs, acts, deltas, grads = _reference(ws, bs, x, y, hidden, output, cost, depth)
    i, j = l - 2, j - 1
    if kind == "z":
        return zs[i][j]
    if kind == "a":
        return acts[i + 1][j]
    if kind in ("delta", "db"):
        return deltas[i][j]
    if kind == "dw":
        return grads[i][j, k[0] - 1]
    return ws[i][j, k[0] - 1] - eta * grads[i][j, k[0] - 1]  # update


def _indices(asked):
    digits = re.findall(r"\^\{(\d)\}_\{(\d+)\}", asked)[0]
    l, jk = int(digits[0]), digits[1]
    indices = [l, int(jk[0])] + ([int(jk[1])] if len(jk) == 2 else [])
    if asked.startswith("w"):
        return indices, "update"
    if "partial w" in asked:
        return indices, "dw"
    if "partial b" in asked:
        return indices, "db"
    return indices, {"z": "z", "a": "a"}.get(asked[0], "delta")


def _sections(markdown):
    return markdown.split("\n## ")[1:]


CONFIGS = [
    ([2, 3, 2], "sigmoid", None, "quadratic"),
    ([2, 2, 3], "tanh", "softmax", "log_likelihood"),
    ([3, 2, 2, 2], "sigmoid", None, "quadratic"),
    ([2, 2], "sigmoid", None, "quadratic"),
    ([2, 3, 2], "relu", "sigmoid", "quadratic"),
    ([3, 2, 2], "tanh", "sigmoid", "cross_entropy"),
    ([2, 3, 2], "leaky_relu", "identity", "quadratic"),
]


@pytest.mark.parametrize(("sizes", "hidden", "output", "cost"), CONFIGS)
def test_every_answer_in_the_key_equals_an_independent_pass_on_the_printed_numbers(sizes, hidden, output, cost):
    questions = make_questions(seed=11, count=14, sizes=sizes, activation=hidden, output=output, cost=cost)
    sheet = worksheet(questions, 11, "md")
    key = answer_key(questions, 11, "md")
    answers = re.findall(r"\*\*Answer:\*\* \$(.*?) = (-?[\d.e+-]+)\$", key)
    assert len(answers) == len(questions) == len(_sections(sheet))
    kinds_seen = set()
    for q, section, (symbol, printed) in zip(questions, _sections(sheet), answers):
        ws, bs, x, y, eta, asked = _parse_question(section)
        assert asked == symbol.strip()
        expected = _expected(ws, bs, x, y, eta, asked, hidden, output or hidden, cost, len(sizes) - 1)
        assert float(printed) == pytest.approx(expected, rel=1e-5, abs=1e-9), (q.kind, asked)
        assert q.answer == pytest.approx(expected, rel=1e-12, abs=1e-14), (q.kind, asked)
        kinds_seen.add(q.kind)
    assert kinds_seen == set(q.kind for q in questions) and len(kinds_seen) >= 6 - (len(sizes) == 2)


def test_a_leaky_relu_question_prints_its_slope():
    q = make_questions(seed=2, count=1, activation="leaky_relu", kind="a")[0]
    assert "α = 0.01" in worksheet([q], 2, "md")


def test_the_printed_parameters_are_exactly_the_ones_the_answers_come_from():
    questions = make_questions(seed=5, count=8, sizes=[2, 3, 2])
    for q, section in zip(questions, _sections(worksheet(questions, 5, "md"))):
        ws, bs, x, y, eta, _ = _parse_question(section)
        shown = len(ws)
        for printed, used in zip(ws + bs, q.net.weights[:shown] + q.net.biases[:shown]):
            assert np.array_equal(printed, used)  # bit for bit: rounded before anything was computed
        assert np.array_equal(x, q.x)
        if y is not None:
            assert np.array_equal(y, q.y)
        if eta is not None:
            assert eta == q.lr


def test_the_answers_are_bprops_own_backprop_and_sgd_step():
    for q in make_questions(seed=2, count=21, sizes=[2, 3, 2]):
        g = q.net.backprop(q.x, q.y)
        i, j = q.layer - 2, q.j - 1
        if q.kind == "dw":
            assert q.answer == g.weights[i][j, q.k - 1]
        elif q.kind == "db":
            assert q.answer == g.biases[i][j]
        elif q.kind in ("delta", "delta_out"):
            assert q.answer == g.deltas[i][0, j]
        elif q.kind == "update":
            twin = q.net.copy()
            bp.SGD(lr=q.lr).step(twin, g)
            assert q.answer == twin.weights[i][j, q.k - 1]


def test_the_tolerance_accepts_the_printed_answer_and_rejects_a_wrong_one():
    questions = make_questions(seed=3, count=21, sizes=[2, 3, 2])
    key = answer_key(questions, 3, "md")
    printed = [float(v) for v in re.findall(r"\*\*Answer:\*\* \$.*? = (-?[\d.e+-]+)\$", key)]
    for q, value in zip(questions, printed):
        assert q.accepts(value) and q.accepts(float(f"{q.answer:.4g}"))  # 4 significant digits pass
        assert not q.accepts(q.answer * 1.05) and not q.accepts(-q.answer)
        if q.kind == "update":  # the old weight is not an answer: the tolerance is of the step
            assert not q.accepts(q.net.weights[q.layer - 2][q.j - 1, q.k - 1])
        if q.kind == "delta_out":  # BP1 without σ′(z^L): the classic mistake
            assert not q.accepts(q.trace.grad_a[q.j - 1])
    strict = Tolerance(relative=0.0, absolute=1e-3)
    assert strict.accepts(1.0009, 1.0, 1.0) and not strict.accepts(1.0011, 1.0, 1.0)
    assert not Tolerance().accepts(float("nan"), 0.0, 0.0)


def test_answers_are_read_as_learners_type_them():
    assert parse_answer("0.123") == 0.123
    assert parse_answer(" -1.2e-3 ") == -1.2e-3
    assert parse_answer("−0.5") == -0.5  # U+2212, as bprop prints it
    assert parse_answer("1/4") == 0.25
    for junk in ("abc", "1/0", "nan", "inf", "0.1.2", "1/2/3"):
        assert parse_answer(junk) is None


def test_the_same_seed_gives_the_same_worksheet_and_another_seed_other_numbers():
    first = worksheet(make_questions(seed=9, count=6, sizes=[2, 3, 2]), 9, "md")
    again = worksheet(make_questions(seed=9, count=6, sizes=[2, 3, 2]), 9, "md")
    other = worksheet(make_questions(seed=10, count=6, sizes=[2, 3, 2]), 10, "md")
    assert first == again
    numbers = lambda text: re.findall(r"-?\d\.\d\d", text)  # noqa: E731
    assert numbers(first) != numbers(other)


# -- the command line ---------------------------------------------------------------------------


def test_worksheets_are_written_in_md_and_html_in_english_and_chinese(capsys, tmp_path):
    for fmt in ("md", "html"):
        for lang in ("en", "zh"):
            status, out, err = run(
                capsys, "quiz", "--worksheet", fmt, "--seed", 4, "--count", 7, "--lang", lang, "-o", "out"
            )
            assert status == 0, err
            suffix = f"{'' if lang == 'en' else '.zh'}.{fmt}"
            sheet = (tmp_path / "out" / f"worksheet-seed4{suffix}").read_text("utf-8")
            key = (tmp_path / "out" / f"answers-seed4{suffix}").read_text("utf-8")
            assert f"worksheet-seed4{suffix}" in out
            answer_word = "答案" if lang == "zh" else "Answer"
            assert answer_word in key and sheet.count("_" * 22) == 7  # one line to write each answer on
            assert "**Answer" not in sheet and "**答案" not in sheet and 'class="answer"' not in sheet  # no answers
            if lang == "zh":
                for term in ("带权输入", "代价函数", "推导过程", "神经网络"):
                    assert term in sheet + key, term
            if fmt == "html":
                for page in (sheet, key):
                    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
                    assert not re.search(r"(https?:)?//|src=|@import|url\(", page)  # offline: nothing fetched
            else:
                assert "\\begin{pmatrix}" in sheet and "$\\delta" in key


def test_a_worksheet_is_not_overwritten_without_force(capsys, tmp_path):
    assert run(capsys, "quiz", "--worksheet", "md", "--seed", 1)[0] == 0
    path = tmp_path / "worksheet-seed1.md"
    path.write_text("my notes")
    status, out, err = run(capsys, "quiz", "--worksheet", "md", "--seed", 1)
    assert status == 1 and "already exists" in err and "--force" in err and "Traceback" not in err
    assert path.read_text() == "my notes"
    assert run(capsys, "quiz", "--worksheet", "md", "--seed", 1, "--force")[0] == 0
    assert path.read_text().startswith("# Backpropagation worksheet · seed 1")


def test_seeds_give_each_student_their_own_worksheet_and_the_teacher_each_key(capsys, tmp_path):
    status, out, err = run(capsys, "quiz", "--worksheet", "md", "--seeds", "1-3,7", "--count", 3, "-o", "class")
    assert status == 0, err
    sheets = sorted(p.name for p in (tmp_path / "class").iterdir())
    assert sheets == [f"{kind}-seed{s}.md" for kind in ("answers", "worksheet") for s in (1, 2, 3, 7)]
    texts = [(tmp_path / "class" / f"worksheet-seed{s}.md").read_text() for s in (1, 2, 3, 7)]
    assert len(set(texts)) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "bogus"], "--kind 'bogus' is not known"),
        (["--count", "0"], "--count 0: give 1 to 500"),
        (["--seed", "-1"], "--seed -1: give a whole number"),
        (["--layers", "2,9,2"], "too wide"),
        (["--layers", "2,2", "--kind", "delta"], "has none"),
        (["--seeds", "1-3"], "add --worksheet"),
        (["--worksheet", "pdf"], "--worksheet 'pdf' is not known"),
        (["--worksheet", "md", "--seeds", "x"], "--seeds 'x'"),
        (["--lang", "fr"], "--lang 'fr'"),
        (["--rel-tol", "-1"], "not a tolerance"),
        (["--cost", "log_likelihood"], "log_likelihood"),
    ],
)
def test_bad_flags_get_one_line_naming_the_fix(capsys, args, message):
    status, out, err = run(capsys, "quiz", *args)
    assert status == 1 and message in err and err.startswith("bprop: error:") and "Traceback" not in err


def _quiz(args, text):
    return CliRunner().invoke(app, ["quiz", *args], input=text)


def test_a_quiz_taken_in_the_terminal_scores_right_answers(tmp_path):
    questions = make_questions(seed=8, count=3, sizes=[2, 2, 2])
    answers = "".join(f"{q.answer:.5g}\n" for q in questions)
    result = _quiz(["--seed", "8", "--count", "3"], answers)
    assert result.exit_code == 0, result.output
    assert result.output.count("✓ right") == 3 and "Score: 3 of 3 right." in result.output
    assert "w^2 = [" in result.output and "Accepted: within 1 %" in result.output


def test_a_quiz_without_a_seed_says_which_seed_asks_it_again():
    first = _quiz([], "q\n").output
    seed = re.search(r"--seed (\d+) asks these again", first).group(1)
    again = _quiz(["--seed", seed], "q\n").output
    assert first == again


@pytest.mark.parametrize(("equation", "kind"), [("BP1", "delta_out"), ("bp2", "delta"), ("BP3", "dw"), ("Bp4", "db")])
def test_a_kind_may_be_named_by_its_equation(equation, kind):
    named = make_questions(seed=3, count=4, sizes=[2, 3, 2], kind=equation)
    assert [q.kind for q in named] == [kind] * 4
    assert [q.answer for q in named] == [q.answer for q in make_questions(seed=3, count=4, sizes=[2, 3, 2], kind=kind)]
    out = _quiz(["--seed", "3", "--count", "1", "--layers", "2,3,2", "--kind", equation], "q\n").output
    assert f"({equation.upper()})" in out.splitlines()[2]  # "Question 1 of 1 · … (BP3)"


def test_a_wrong_answer_shows_the_derivation_leading_to_the_right_number():
    q = make_questions(seed=6, count=1, sizes=[2, 3, 2], kind="delta")[0]
    result = _quiz(["--seed", "6", "--count", "1", "--layers", "2,3,2", "--kind", "delta"], "0.5\n")
    out = result.output
    assert result.exit_code == 0 and "✗ not quite: you wrote 0.5" in out and "Here is how it is obtained:" in out
    right = f"{q.answer:.6g}".replace("-", "−")
    assert f"= {right}" in out
    assert "BP2 · Errors of the hidden layers" in out and "By the chain rule:" in out
    assert "Σ_k δ^3_k · w^3_k" in out  # the notes' derivation line, with this neuron's indices
    assert "Forward pass" in out and "δ^3 = (" in out  # the numbers it needs, from the start
    assert "Score: 0 of 1 right." in out


def _slips(q):
    """What each slip gives for q, worked out here from the network's parameters."""
    ws, bs = q.net.weights, q.net.biases
    hidden, output = q.trace.hidden_activations[0] if len(ws) > 1 else None, q.trace.output
    zs, acts, deltas, grads = _reference(ws, bs, q.x, q.y, hidden, output, q.trace.cost_name, len(ws))
    i, j = q.layer - 2, q.j - 1
    slips = {"mistake.sign": -q.answer}
    if q.kind == "a":
        slips["mistake.no_sigma"] = zs[i][j]
    if q.kind == "delta_out":
        slips["mistake.bp1_no_sigma_prime"] = acts[-1][j] - q.y[j]  # quadratic: ∇_a C = a − y
    if q.kind == "delta":
        slips["mistake.bp2_no_sigma_prime"] = ws[i + 1][:, j] @ deltas[i + 1]
        slips["mistake.bp2_untransposed"] = ws[i + 1][j, :] @ deltas[i + 1] * _sigma_prime(hidden, zs[i][j])
    if q.kind in ("dw", "update"):
        k = q.k - 1
        slips["mistake.bp3_transposed"] = deltas[i][k] * acts[i][j]
    if q.kind == "update":
        w, dw = ws[i][j, q.k - 1], grads[i][j, q.k - 1]
        del slips["mistake.sign"], slips["mistake.bp3_transposed"]
        slips |= {"mistake.update_plus": w + q.lr * dw, "mistake.update_old": w, "mistake.update_step": -q.lr * dw}
    return slips


def test_a_wrong_answer_from_a_common_slip_is_named():
    seen = set()
    for kind in ("a", "delta_out", "delta", "dw", "update", "db"):
        for q in make_questions(seed=13, count=6, sizes=[2, 2, 2], kind=kind):
            for key, value in _slips(q).items():
                if q.accepts(value):
                    continue  # this slip happens to give the right number here
                found = likely_mistake(q, value)
                assert found is not None, (kind, key)
                assert found == key or q.tolerance.accepts(value, dict(candidates(q))[found], value), (kind, key, found)
                seen.add(found)
            assert likely_mistake(q, 12345.0) is None and likely_mistake(q, q.answer) is None
    assert len(seen) >= 9, seen
    q = make_questions(seed=21, count=1, kind="delta_out")[0]
    slip = float(q.trace.grad_a[q.j - 1])
    assert "BP1 multiplies it by σ′(z^{3}_{1})" in hint(q, slip) or "σ′(z^{3}_{2})" in hint(q, slip)
    assert hint(q, slip, "zh").startswith("提示：这只是 ∂C/∂a^{3}")


def test_a_bp2_hint_names_the_weights_of_the_neuron_asked():
    q = make_questions(seed=5, count=1, sizes=[2, 3, 2], kind="delta")[0]
    w, delta = q.net.weights[q.layer - 1], q.trace.deltas[q.layer - 1]
    no_sigma_prime = float(w[:, q.j - 1] @ delta)  # Σ_k w^{l+1}_kj δ^{l+1}_k for this j
    said = hint(q, no_sigma_prime)
    assert f"Σ_k w^{{{q.layer + 1}}}_{{k{q.j}}} δ^{{{q.layer + 1}}}_{{k}}" in said, said
    assert "_{kj}" not in said


def test_junk_input_is_asked_again_and_end_of_input_stops_with_the_score():
    result = _quiz(["--seed", "1", "--count", "4"], "seven\n")
    out = result.output
    assert result.exit_code == 0
    assert "'seven' is not a number: write it like 0.123" in out
    assert out.count("your answer>") == 2  # asked again, then the input ended
    assert "Score: 0 of 0 right (4 of 4 questions not answered)." in out


def test_q_or_an_empty_line_stops_the_quiz_in_chinese_too():
    for stop in ("q\n", "\n"):
        result = _quiz(["--seed", "1", "--count", "3", "--lang", "zh"], stop)
        assert result.exit_code == 0
        assert "第 1 题（共 3 题）" in result.output and "你的答案>" in result.output
        assert "得分：0 题中答对 0 题（3 题中还有 3 题未作答）。" in result.output


def test_help_tells_a_teacher_how_to_make_a_class_set():
    result = CliRunner().invoke(app, ["quiz", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--seeds" in result.output and "1-30" in result.output and "for s in" in result.output
