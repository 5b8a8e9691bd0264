"""Correct, with b^l kept 1-D (n_l,) but samples taken as columns x (n_1, 1): b reshaped where it is used."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Network:
    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.weights = [np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.random.randn(n) for n in sizes[1:]]

    def backprop(self, x, y):
        assert x.ndim == 2, "x must be a column"
        activations, zs = [x], []
        for w, b in zip(self.weights, self.biases):
            zs.append(w @ activations[-1] + b.reshape(-1, 1))
            activations.append(sigmoid(zs[-1]))
        grad_b, grad_w = [None] * len(self.biases), [None] * len(self.weights)
        delta = (activations[-1] - y) * activations[-1] * (1 - activations[-1])  # BP1
        grad_b[-1], grad_w[-1] = delta.ravel(), delta @ activations[-2].T  # BP4, BP3
        for l in range(2, self.num_layers):
            a = activations[-l]
            delta = (self.weights[-l + 1].T @ delta) * a * (1 - a)  # BP2
            grad_b[-l], grad_w[-l] = delta.ravel(), delta @ activations[-l - 1].T
        return grad_b, grad_w
