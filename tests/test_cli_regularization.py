"""``bprop train --activation relu,tanh --l1 … --dropout …``: the flags reach bp.train, and the run folder keeps them."""

import json

import numpy as np

import bprop as bp
from bprop.datasets import load as load_data
from cli_helpers import isolated, run  # noqa: F401  (isolated: an autouse fixture)

FLAGS = (
    "--layers", "64,16,12,10", "--activation", "relu,tanh", "--output", "softmax", "--cost", "log_likelihood",
    "--init", "he", "--lr", "0.1", "--epochs", "2", "--batch-size", "16", "--validation-fraction", "0",
)  # fmt: skip


def train_quietly(capsys, out, *flags):
    status, stdout, err = run(capsys, "train", "--quiet", "--out", out, *flags)
    assert (status, stdout, err) == (0, "", "")
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


def direct_weights(l1, dropout):
    """What `bprop train` with FLAGS does, written as one bp.train call."""
    from bprop.datasets import fit_preprocessor

    data = load_data("digits")
    X = fit_preprocessor("scale", data.X_train, value_range=data.value_range).transform(data.X_train)
    net = bp.Network(
        [64, 16, 12, 10], activation=["relu", "tanh"], output="softmax", cost="log_likelihood", init="he", seed=0
    )
    bp.train(net, X, data.y_train, epochs=2, batch_size=16, optimizer=bp.SGD(lr=0.1), seed=0, l1=l1, dropout=dropout)
    return net


def test_the_new_flags_reach_train_and_the_run_folder(capsys, tmp_path):
    folder = train_quietly(capsys, tmp_path / "runs", *FLAGS, "--l1", "0.5", "--dropout", "0.25")
    net = bp.load(folder / "model.bprop")
    assert [s.name for s in net.hidden_activations] == ["relu", "tanh"]
    expected = direct_weights(0.5, 0.25)
    for ours, theirs in zip([*net.weights, *net.biases], [*expected.weights, *expected.biases]):
        np.testing.assert_array_equal(ours, theirs)
    settings = json.loads((folder / "settings.json").read_text())
    assert (settings["activation"], settings["l1"], settings["dropout"]) == ("relu,tanh", 0.5, 0.25)
    assert net.metadata["training"]["dropout"] == 0.25


def test_a_config_file_sets_them_too(capsys, tmp_path):
    (tmp_path / "run.toml").write_text('activation = "relu,tanh"\nl1 = 0.5\ndropout = 0.25\n')
    flags = [*FLAGS[:2], *FLAGS[4:]]  # all but --activation
    folder = train_quietly(capsys, tmp_path / "runs", "--config", tmp_path / "run.toml", *flags)
    expected = direct_weights(0.5, 0.25)
    for ours, theirs in zip(bp.load(folder / "model.bprop").weights, expected.weights):
        np.testing.assert_array_equal(ours, theirs)


def test_a_bad_dropout_or_sigma_list_is_a_one_line_error(capsys, tmp_path):
    for flags, fragment in (
        (("--dropout", "1"), "dropout (p) must be a finite number in [0, 1)"),
        (("--activation", "relu,tanh,relu"), "activation has 3 entries"),
        (("--l1", "-1"), "l1 (λ₁) must be a finite number ≥ 0"),
    ):
        status, _, err = run(capsys, "train", "--out", tmp_path / "runs", *FLAGS, *flags)
        assert status == 1 and err.startswith("bprop: error:") and fragment in err, err
        assert err.count("\n") == 1


def test_lr_decay_lowers_eta_once_per_epoch_as_a_schedule_of_train(capsys, tmp_path):
    from bprop.datasets import fit_preprocessor

    folder = train_quietly(capsys, tmp_path / "runs", *FLAGS, "--lr-decay", "0.5")
    data = load_data("digits")
    X = fit_preprocessor("scale", data.X_train, value_range=data.value_range).transform(data.X_train)
    batches = -(-len(X) // 16)  # 1,437 rows in batches of 16: 90 per epoch
    net = bp.Network(
        [64, 16, 12, 10], activation=["relu", "tanh"], output="softmax", cost="log_likelihood", init="he", seed=0
    )
    seen = []

    def schedule(t):
        seen.append(0.1 * 0.5 ** (t // batches))
        return seen[-1]

    bp.train(net, X, data.y_train, epochs=2, batch_size=16, optimizer=bp.SGD(lr=schedule), seed=0)
    assert seen[0] == 0.1 and seen[batches - 1] == 0.1 and seen[batches] == 0.05 and len(seen) == 2 * batches
    for ours, theirs in zip(bp.load(folder / "model.bprop").weights, net.weights):
        np.testing.assert_array_equal(ours, theirs)
    assert json.loads((folder / "settings.json").read_text())["lr_decay"] == 0.5


def test_an_lr_decay_outside_zero_to_one_is_a_one_line_error(capsys, tmp_path):
    status, _, err = run(capsys, "train", "--out", tmp_path / "runs", *FLAGS, "--lr-decay", "1.5")
    assert status == 1 and err.startswith("bprop: error: --lr-decay") and "in (0, 1], got 1.5" in err
