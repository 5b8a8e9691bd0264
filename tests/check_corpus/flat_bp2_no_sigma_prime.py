"""Planted mistake, every vector 1-D: ⊙ σ′(z^l) left out of BP2."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class Network:
    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.weights = [np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.random.randn(n) for n in sizes[1:]]

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(w @ a + b)
        return a

    def update_mini_batch(self, mini_batch, eta):
        sum_b = [np.zeros(b.shape) for b in self.biases]
        sum_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            grad_b, grad_w = self.backprop(x, y)
            sum_b = [s + g for s, g in zip(sum_b, grad_b)]
            sum_w = [s + g for s, g in zip(sum_w, grad_w)]
        self.weights = [w - eta / len(mini_batch) * g for w, g in zip(self.weights, sum_w)]
        self.biases = [b - eta / len(mini_batch) * g for b, g in zip(self.biases, sum_b)]

    def backprop(self, x, y):
        activations, zs = [x], []
        for w, b in zip(self.weights, self.biases):
            zs.append(w @ activations[-1] + b)
            activations.append(sigmoid(zs[-1]))
        grad_b, grad_w = [None] * len(self.biases), [None] * len(self.weights)
        delta = (activations[-1] - y) * sigmoid_prime(zs[-1])  # BP1
        grad_b[-1], grad_w[-1] = delta, np.outer(delta, activations[-2])  # BP4, BP3
        for l in range(2, self.num_layers):
            delta = self.weights[-l + 1].T @ delta  # BP2 without σ′
            grad_b[-l], grad_w[-l] = delta, np.outer(delta, activations[-l - 1])
        return grad_b, grad_w
