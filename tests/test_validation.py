"""Bad arguments fail at the edge with a message that names the argument, the value and the fix."""

import numpy as np
import pytest

import bprop as bp


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (
            dict(sizes=[3, 4], activation="sigmoidd"),
            r"activation='sigmoidd' is not known; use one of 'sigmoid', 'tanh'",
        ),
        (dict(sizes=[3, 4], cost="mse"), r"cost='mse' is not known; use one of 'quadratic'"),
        (dict(sizes=[3, 4], init="zeros"), r"init='zeros' is not known"),
        (dict(sizes=[3]), r"sizes=\[3\] has 1 layer\(s\); a network needs at least 2"),
        (dict(sizes=[3, 0, 2]), r"sizes\[1\] must be a positive whole number, got 0"),
        (dict(sizes=[3, 2.5]), r"sizes\[1\] must be a positive whole number, got 2.5"),
        (dict(sizes=[784, 10**9, 10]), r"parameters, more than"),
        (dict(sizes=[3, 4], dtype="float16"), r"dtype='float16' is not supported; use 'float32'"),
        (dict(sizes=5), r"sizes must be a list"),
    ],
)
def test_network_arguments(kwargs, message):
    with pytest.raises(bp.InvalidArgument, match=message) as caught:
        bp.Network(**kwargs)
    assert isinstance(caught.value, ValueError)


@pytest.fixture
def net():
    return bp.Network([3, 4, 2], seed=0)


def test_feature_count_mismatch_names_the_input_layer(net):
    with pytest.raises(
        bp.InvalidArgument, match=r"X has 5 features per sample but the network's input layer has n_1 = 3"
    ):
        net.feedforward(np.ones((2, 5)))


def test_nan_in_x_names_the_position(net):
    X = np.ones((4, 3))
    X[2, 1] = np.nan
    with pytest.raises(bp.InvalidArgument, match=r"NaN or infinite values \(first at row 2, column 1\)"):
        net.backprop(X, np.array([0, 1, 0, 1]))


def test_x_y_row_mismatch(net):
    with pytest.raises(bp.InvalidArgument, match=r"X has 4 samples but Y has 3"):
        net.backprop(np.ones((4, 3)), np.array([0, 1, 0]))


def test_targets_of_the_wrong_width(net):
    with pytest.raises(bp.InvalidArgument, match=r"Y has shape \(4, 3\) but the output layer has n_L = 2"):
        net.backprop(np.ones((4, 3)), np.ones((4, 3)))


def test_labels_outside_the_output_layer(net):
    with pytest.raises(bp.InvalidArgument, match=r"label 7, outside 0 … 1"):
        net.backprop(np.ones((2, 3)), np.array([0, 7]))


def test_non_numeric_inputs(net):
    with pytest.raises(bp.InvalidArgument, match="must hold numbers"):
        net.feedforward(np.array([["a", "b", "c"]]))


def test_wrong_dimensionality_and_empty_inputs(net):
    with pytest.raises(bp.InvalidArgument, match=r"must have shape \(m, 3\)"):
        net.feedforward(np.ones((2, 3, 1)))
    with pytest.raises(bp.InvalidArgument, match="is empty"):
        net.feedforward(np.ones((0, 3)))


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(epochs=0), "epochs must be a positive whole number, got 0"),
        (dict(batch_size=0), "batch_size must be a positive whole number, got 0"),
        (dict(batch_size=2.5), "batch_size must be a positive whole number, got 2.5"),
        (dict(l2=-1.0), r"l2 must be a finite number ≥ 0, got -1.0"),
        (dict(early_stopping=0), "early_stopping must be a positive whole number"),
        (dict(optimizer="adam"), "optimizer must be an Optimizer"),
        (dict(validation=np.ones(3)), r"validation must be a pair"),
    ],
)
def test_train_arguments(net, kwargs, message):
    with pytest.raises(bp.InvalidArgument, match=message):
        bp.train(net, np.ones((4, 3)), np.array([0, 1, 0, 1]), **kwargs)


def test_validation_data_is_checked_like_training_data(net):
    with pytest.raises(bp.InvalidArgument, match="validation X has 2 features"):
        bp.train(net, np.ones((4, 3)), np.array([0, 1, 0, 1]), validation=(np.ones((2, 2)), np.array([0, 1])))


def test_float_vector_targets_for_several_outputs_are_explained(net):
    with pytest.raises(
        bp.InvalidArgument, match=r"pass integer class labels of shape \(4,\) or targets of shape \(4, 2\)"
    ):
        net.backprop(np.ones((4, 3)), np.array([0.0, 1.0, 0.0, 1.0]))


def test_errors_share_one_hierarchy():
    assert issubclass(bp.InvalidArgument, bp.BpropError)
    assert issubclass(bp.DataError, ValueError) and issubclass(bp.ModelFileError, ValueError)
    assert issubclass(bp.TrainingDiverged, bp.BpropError)


@pytest.mark.parametrize("value", [-(2**63) - 1, 2**64, 10**400, -(10**400)])
def test_whole_numbers_beyond_int64_or_float_are_refused_as_settings_not_crashed_on(value):
    """Found by the settings.json fuzzer in a clean CI run: dropout = -9223372036854775809 raised TypeError."""
    from bprop.core.arguments import real_number

    with pytest.raises(bp.InvalidArgument, match="dropout"):
        real_number(value, "dropout (p)", low=0, high=1, high_open=True)
    assert real_number(2**70, "n") == float(2**70)  # a big int that a float holds is a finite number
    if 0 <= value <= 1.7e308:
        return  # a non-negative L2 that a float holds is a valid λ
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(bp.InvalidArgument, match="l2"):
        bp.train(bp.Network([2, 1], seed=0), X, y, epochs=1, l2=value)
