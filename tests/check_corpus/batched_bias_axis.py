"""Planted mistake: the matrix-based BP4 averages over the neurons (axis 0), not the samples."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1 - s)


class Network:
    def __init__(self, sizes):
        self.sizes = sizes
        self.num_layers = len(sizes)
        self.biases = [np.random.randn(n, 1) for n in sizes[1:]]
        self.weights = [np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])]

    def update_mini_batch(self, mini_batch, eta):
        X = np.hstack([x for x, _ in mini_batch])
        Y = np.hstack([y for _, y in mini_batch])
        grad_b, grad_w = self.backprop_matrix(X, Y)
        self.weights = [w - eta * g for w, g in zip(self.weights, grad_w)]
        self.biases = [b - eta * g for b, g in zip(self.biases, grad_b)]

    def backprop(self, x, y):
        return self.backprop_matrix(x, y)

    def backprop_matrix(self, X, Y):
        m = X.shape[1]
        A, As, Zs = X, [X], []
        for w, b in zip(self.weights, self.biases):
            Z = w @ A + b
            A = sigmoid(Z)
            Zs.append(Z)
            As.append(A)
        D = (As[-1] - Y) * sigmoid_prime(Zs[-1])
        grad_b = [None] * len(self.weights)
        grad_w = [None] * len(self.weights)
        for i in range(len(self.weights) - 1, -1, -1):
            if i < len(self.weights) - 1:
                D = (self.weights[i + 1].T @ D) * sigmoid_prime(Zs[i])
            grad_b[i] = D.sum(axis=0, keepdims=True) / m
            grad_w[i] = D @ As[i].T / m
        return grad_b, grad_w
