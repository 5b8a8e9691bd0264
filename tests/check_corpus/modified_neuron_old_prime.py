"""Planted mistake: the modified neuron (2,1: tanh) keeps the sigmoid's σ′ in BP2."""

import numpy as np

MODIFIED = (0, 0)  # (index of w^l in self.weights, row j), i.e. layer l = 2, neuron j = 1


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def activation(z, i):
    a = sigmoid(z)
    if i == MODIFIED[0]:
        a[MODIFIED[1]] = np.tanh(z[MODIFIED[1]])
    return a


def activation_prime(z, i):
    d = sigmoid(z) * (1 - sigmoid(z))
    return d


class Network:
    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.biases = [np.random.randn(n, 1) for n in sizes[1:]]
        self.weights = [np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            a = activation(w @ a + b, i)
        return a

    def backprop(self, x, y):
        activations, zs = [x], []
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            zs.append(w @ activations[-1] + b)
            activations.append(activation(zs[-1], i))
        count = len(self.weights)
        grad_b, grad_w = [None] * count, [None] * count
        delta = (activations[-1] - y) * activation_prime(zs[-1], count - 1)
        for i in range(count - 1, -1, -1):
            if i < count - 1:
                delta = (self.weights[i + 1].T @ delta) * activation_prime(zs[i], i)
            grad_b[i] = delta
            grad_w[i] = delta @ activations[i].T
        return grad_b, grad_w
