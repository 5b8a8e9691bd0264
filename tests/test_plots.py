"""Tests of the pictures: every plot function writes a real PNG and a well-formed SVG,
``write_run_plots`` draws what applies to a run, ``plot`` redraws a run folder.

Warnings are errors here (pyproject), so a matplotlib warning fails a test.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import bprop as bp
from bprop import plots
from bprop.cli import main
from bprop.cli.plot_command import plot, read_run_folder, write_run_plots
from bprop.datasets import fit_preprocessor
from bprop.datasets import load as load_data
from bprop.training.monitors import LayerStats

PNG_MAGIC = b"\x89PNG"


def assert_png(path):
    data = Path(path).read_bytes()
    assert data.startswith(PNG_MAGIC), path
    assert len(data) > 5_000, (path, len(data))


def assert_svg(path):
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg"), root.tag


def assert_picture(path):
    (assert_png if Path(path).suffix == ".png" else assert_svg)(path)


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.data[:200] / 16.0, d.target[:200]


@pytest.fixture(scope="module")
def deep_runs(digits):
    """{label: (initial net, trained net, History with layer_stats)} for a deep sigmoid and a relu/he net."""
    X, y = digits
    runs = {}
    for label, kwargs, lr in (
        ("sigmoid", {"init": "scaled_normal"}, 3.0),
        ("relu + he", {"activation": "relu", "output": "softmax", "cost": "log_likelihood", "init": "he"}, 0.1),
    ):
        net = bp.Network([64, 20, 20, 20, 10], seed=0, **kwargs)
        initial = net.copy()
        history = bp.train(net, X, y, epochs=3, optimizer=bp.SGD(lr), seed=0, callbacks=[LayerStats()])
        runs[label] = (initial, net, history)
    return runs


@pytest.fixture(scope="module")
def moons():
    """The moons toy set, its preprocessor and a trained 2-8-2 network with its initial copy and History."""
    data = load_data("moons", seed=0, n=200)
    pre = fit_preprocessor("standardize", data.X_train)
    net = bp.Network([2, 8, 2], activation="tanh", output="softmax", cost="log_likelihood", init="xavier", seed=0)
    initial = net.copy()
    history = bp.train(
        net,
        pre.transform(data.X_train),
        data.y_train,
        epochs=5,
        optimizer=bp.SGD(0.5),
        seed=0,
        callbacks=[LayerStats()],
    )
    return data, pre, initial, net, history


# ---------------------------------------------------------------- the words drawn, en and zh


def _drawn_figure(monkeypatch):
    """Keep each figure plots._save writes (and still write it), to read its text back."""
    figures, save = [], plots._save
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig) or save(fig, path))
    return figures


def _words(fig):
    """Every title, axis label and legend entry of the figure."""
    texts = [fig._suptitle.get_text()] + [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    return [t for t in texts if t]


def _has_cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_layer_gradients_in_english_draws_the_words_it_always_drew(tmp_path, monkeypatch, moons):
    *_, history = moons
    figures = _drawn_figure(monkeypatch)
    assert_png(plots.layer_gradients(history, tmp_path / "en.png", reference=history))
    left, right = figures[0].axes
    assert figures[0]._suptitle.get_text() == "how fast each layer learns"
    assert left.get_xlabel() == right.get_xlabel() == "epoch"
    assert left.get_ylabel() == r"mean $|\delta^l|$  (BP1, BP2)" == plots.DELTA_LABEL
    assert right.get_ylabel() == r"mean $|\partial C/\partial w^l|$  (BP3)" == plots.GRAD_W_LABEL
    legend = [t.get_text() for t in figures[0].legends[0].get_texts()]
    assert legend == [
        "l = 2 (first hidden), broken",
        "l = 3 (output), broken",
        "l = 2 (first hidden), correct",
        "l = 3 (output), correct",
    ]
    assert not any(_has_cjk(t) for t in _words(figures[0]))


def test_layer_gradients_in_chinese_draws_the_notes_words_in_a_cjk_font(tmp_path, monkeypatch, moons):
    *_, history = moons
    figures = _drawn_figure(monkeypatch)
    # warnings are errors here: a glyph missing from the font (a tofu box) would fail the test
    assert_png(plots.layer_gradients(history, tmp_path / "zh.png", reference=history, lang="zh"))
    fig = figures[0]
    words = _words(fig)
    assert len(words) == 1 + 4 + 2 * 3 - 2  # suptitle, 4 legend entries, 2 × (xlabel, ylabel); no axes titles
    assert all(_has_cjk(t) for t in words), words
    left, right = fig.axes
    assert left.get_xlabel() == "训练轮次 (epoch)"
    assert "误差" in left.get_ylabel() and r"$|\delta^l|$" in left.get_ylabel()
    assert "权重梯度" in right.get_ylabel()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0] == "第 2 层（第一个隐藏层）, 有错的" and legend[-1] == "第 3 层（输出层）, 正确的"
    assert plots.words.cjk_font() is not None  # fonts-noto-cjk is part of the environment
    assert left.xaxis.label.get_fontfamily()[0] == plots.words.cjk_font()


def test_without_a_cjk_font_a_chinese_picture_is_still_drawn_with_a_one_line_note(tmp_path, monkeypatch, capsys, moons):
    *_, history = moons
    monkeypatch.setattr(plots.words, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="missing from font"):  # the default font has no 汉字: boxes, no crash
        assert_png(plots.layer_gradients(history, tmp_path / "zh.png", lang="zh"))
    note = capsys.readouterr().err
    assert note.count("\n") == 1 and "fonts-noto-cjk" in note


def test_layer_gradients_refuses_an_unknown_lang(tmp_path, moons):
    *_, history = moons
    with pytest.raises(bp.InvalidArgument, match="'fr'"):
        plots.layer_gradients(history, tmp_path / "x.png", lang="fr")
    assert not (tmp_path / "x.png").exists()


# ---------------------------------------------------------------- each function, PNG and SVG


@pytest.mark.slow  # every picture, twice
@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_every_plot_function_writes_the_format_of_its_suffix(tmp_path, suffix, deep_runs, moons, digits):
    initial, net, history = deep_runs["sigmoid"]
    data, pre, _, net2, _ = moons
    X, y = digits
    written = [
        plots.learning_curves(history, tmp_path / f"curves.{suffix}", title="t"),
        plots.confusion_matrix(np.array([[5, 1], [2, 7]]), ["a", "b"], tmp_path / f"confusion.{suffix}"),
        plots.sample_grid(X[:20], y[:20], tmp_path / f"samples.{suffix}", image_shape=(8, 8)),
        plots.layer_gradients(history, tmp_path / f"layer_gradients.{suffix}"),
        plots.vanishing_gradients({k: h for k, (_, _, h) in deep_runs.items()}, tmp_path / f"vanishing.{suffix}"),
        plots.weight_histograms(initial, net, tmp_path / f"weights.{suffix}"),
        plots.decision_boundary(
            net2,
            data.X_train,
            data.y_train,
            tmp_path / f"boundary.{suffix}",
            preprocessor=pre,
            class_names=list(data.class_names),
        ),
        plots.first_layer_weights(net, (8, 8), tmp_path / f"first.{suffix}"),
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)  # no temporary files left
    for path in written:
        assert path.suffix == f".{suffix}"
        assert_picture(path)


def test_decision_boundary_of_a_single_output_and_of_a_regression_network(tmp_path, moons):
    data = moons[0]
    yes_no = bp.Network([2, 4, 1], seed=0)  # sigmoid output: a ≥ ½ is class 1
    regression = bp.Network([2, 4, 1], activation="tanh", output="identity", seed=0)
    assert_png(plots.decision_boundary(yes_no, data.X_train, data.y_train, tmp_path / "a.png"))
    assert_png(plots.decision_boundary(regression, data.X_train, data.y_train, tmp_path / "b.png"))


def test_plot_functions_refuse_what_they_cannot_draw(tmp_path, digits, moons):
    X, y = digits
    net = bp.Network([64, 10, 10], seed=0)
    with pytest.raises(bp.InvalidArgument, match="LayerStats"):
        plots.layer_gradients(bp.History(train_cost=[1.0]), tmp_path / "x.png")
    with pytest.raises(bp.InvalidArgument, match="2 inputs"):
        plots.decision_boundary(net, X, y, tmp_path / "x.png")
    with pytest.raises(bp.InvalidArgument, match="64 inputs"):
        plots.first_layer_weights(net, (28, 28), tmp_path / "x.png")
    with pytest.raises(bp.InvalidArgument, match="sizes"):
        plots.weight_histograms(net, bp.Network([64, 11, 10]), tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


# ---------------------------------------------------------------- write_run_plots


def names(paths):
    return sorted(Path(p).name for p in paths)


@pytest.mark.slow  # a run's pictures
def test_write_run_plots_for_a_2d_toy_set(tmp_path, moons):
    data, pre, initial, net, history = moons
    paths = write_run_plots(
        tmp_path,
        net,
        history,
        initial_net=initial,
        X=data.X_train,
        y=data.y_train,
        preprocessor=pre,
        formats=("png", "svg"),
    )
    expected = [
        f"{n}.{s}" for n in ("curves", "layer_gradients", "weights", "decision_boundary") for s in ("png", "svg")
    ]
    assert names(paths) == sorted(expected)
    for path in paths:
        assert path.parent == tmp_path
        assert_picture(path)


@pytest.mark.slow  # a run's pictures
def test_write_run_plots_for_digits_images(tmp_path, deep_runs, digits):
    initial, net, history = deep_runs["relu + he"]
    X, y = digits
    paths = write_run_plots(tmp_path, net, history, initial_net=initial, X=X, y=y, image_shape=(8, 8))
    assert names(paths) == ["curves.png", "first_layer_weights.png", "layer_gradients.png", "weights.png"]
    for path in paths:
        assert_png(path)
    # Without layer stats, initial network or data: the learning curves alone.
    assert names(
        write_run_plots(tmp_path / "bare", net, bp.History(train_cost=[1.0, 0.5], train_accuracy=[0.5, 0.7]))
    ) == ["curves.png"]
    with pytest.raises(bp.InvalidArgument, match="formats"):
        write_run_plots(tmp_path, net, history, formats=("jpg",))


# ---------------------------------------------------------------- plot RUN_DIR


@pytest.mark.slow  # trains, then draws
def test_plot_redraws_a_run_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BPROP_DATA_DIR", str(tmp_path / "data-root"))
    assert main(["train", "--epochs", "2", "--quiet", "--out", str(tmp_path / "runs")]) == 0
    (folder,) = (tmp_path / "runs").iterdir()
    (folder / "curves.png").unlink()
    capsys.readouterr()
    plot(folder)
    out = capsys.readouterr().out
    # digits: curves and the 8×8 first-layer weights; no layer stats or initial.bprop in a plain run folder.
    for name in ("curves.png", "first_layer_weights.png"):
        assert_png(folder / name)
        assert f"wrote {folder / name}" in out
    assert not (folder / "layer_gradients.png").exists() and not (folder / "weights.png").exists()
    plot(folder, svg=True)
    assert_svg(folder / "curves.svg") and assert_svg(folder / "first_layer_weights.svg")


@pytest.mark.slow  # trains, then draws
def test_plot_draws_the_decision_boundary_of_a_2d_run_from_its_metadata(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (
        main(
            [
                "train",
                "--data",
                "moons",
                "--n",
                "200",
                "--hidden",
                "6",
                "--epochs",
                "2",
                "--quiet",
                "--out",
                str(tmp_path / "runs"),
            ]
        )
        == 0
    )
    (folder,) = (tmp_path / "runs").iterdir()
    net = bp.load(folder / "model.bprop")
    net.save(folder / "initial.bprop")  # stands in for the one `train --plots` saves
    kwargs, notes = read_run_folder(folder)
    assert notes == [] and kwargs["X"].shape[1] == 2 and kwargs["preprocessor"] is not None
    plot(folder)
    for name in ("curves.png", "decision_boundary.png", "weights.png"):
        assert_png(folder / name)


def test_plot_of_a_missing_run_folder_says_so(tmp_path):
    with pytest.raises(bp.InvalidArgument, match="no such run folder"):
        plot(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(bp.InvalidArgument, match="holds no model.bprop"):
        plot(tmp_path / "empty")
