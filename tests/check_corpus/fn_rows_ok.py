"""A correct backprop in the row layout many NumPy users write: x is (1, n_1), w^l is (n_{l−1}, n_l), b^l is (1, n_l)."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backprop(weights, biases, x, y):
    activations, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(activations[-1] @ w + b)
        activations.append(sigmoid(zs[-1]))
    delta = (activations[-1] - y) * activations[-1] * (1 - activations[-1])
    nabla_b, nabla_w = [None] * len(weights), [None] * len(weights)
    for i in range(len(weights) - 1, -1, -1):
        if i < len(weights) - 1:
            a = activations[i + 1]
            delta = (delta @ weights[i + 1].T) * a * (1 - a)
        nabla_b[i] = delta.copy()
        nabla_w[i] = activations[i].T @ delta
    return nabla_b, nabla_w
