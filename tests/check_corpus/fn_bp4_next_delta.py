"""Planted mistake: BP4 takes the next layer's δ (the deltas themselves are right)."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backprop(weights, biases, x, y):
    activations, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(w @ activations[-1] + b)
        activations.append(sigmoid(zs[-1]))
    prime = [sigmoid(z) * (1 - sigmoid(z)) for z in zs]
    deltas = [None] * len(weights)
    deltas[-1] = (activations[-1] - y) * prime[-1]  # BP1
    for i in range(len(weights) - 2, -1, -1):
        deltas[i] = (weights[i + 1].T @ deltas[i + 1]) * prime[i]  # BP2
    nabla_w = [d @ a.T for d, a in zip(deltas, activations[:-1])]  # BP3
    nabla_b = [d.copy() for d in deltas[1:]] + [deltas[-1].copy()]  # BP4
    return nabla_b, nabla_w, deltas
