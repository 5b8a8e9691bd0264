"""Planted mistake, in the row layout (x (1, n_1), w^l (n_{l−1}, n_l)): BP3's outer product the wrong way round."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Network:
    def __init__(self, sizes):
        self.weights = [np.random.randn(m, n) for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(n) for n in sizes[1:]]

    def feedforward(self, x):
        for w, b in zip(self.weights, self.biases):
            x = sigmoid(x @ w + b)
        return x

    def backprop(self, x, y):
        activations = [x]
        for w, b in zip(self.weights, self.biases):
            activations.append(sigmoid(activations[-1] @ w + b))
        delta = (activations[-1] - y) * activations[-1] * (1 - activations[-1])
        nabla_b, nabla_w = [], []
        for i in range(len(self.weights) - 1, -1, -1):
            if i < len(self.weights) - 1:
                a = activations[i + 1]
                delta = (delta @ self.weights[i + 1].T) * a * (1 - a)
            nabla_b.insert(0, delta.ravel())
            nabla_w.insert(0, delta.T @ activations[i])
        return nabla_b, nabla_w
