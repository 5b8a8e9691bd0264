"""A correct function-form, fully matrix-based backprop: X (n_1, m) holds the samples as columns."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backprop(weights, biases, X, Y):
    m = X.shape[1]
    activations, zs = [X], []
    for w, b in zip(weights, biases):
        zs.append(w @ activations[-1] + b)
        activations.append(sigmoid(zs[-1]))
    delta = (activations[-1] - Y) * activations[-1] * (1 - activations[-1])  # BP1, σ′(z) = a(1 − a)
    nabla_b, nabla_w = [], []
    for i in range(len(weights) - 1, -1, -1):
        if i < len(weights) - 1:
            a = activations[i + 1]
            delta = (weights[i + 1].T @ delta) * a * (1 - a)  # BP2
        nabla_b.insert(0, delta.mean(axis=1, keepdims=True))  # BP4, batch mean
        nabla_w.insert(0, delta @ activations[i].T / m)  # BP3, batch mean
    return nabla_b, nabla_w


def backprop_one(weights, biases, x, y):
    """The same for one sample (m = 1): the loop that --compare-loop times against."""
    return backprop(weights, biases, x, y)
