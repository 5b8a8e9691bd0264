"""Planted mistake: feedforward leaves out the bias."""

import random

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1 - s)


class Network:
    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(n, 1) for n in sizes[1:]]
        self.weights = [np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(w @ a)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta):
        for _ in range(epochs):
            random.shuffle(training_data)
            for k in range(0, len(training_data), mini_batch_size):
                self.update_mini_batch(training_data[k : k + mini_batch_size], eta)

    def update_mini_batch(self, mini_batch, eta):
        sum_b = [np.zeros(b.shape) for b in self.biases]
        sum_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            grad_b, grad_w = self.backprop(x, y)
            sum_b = [s + g for s, g in zip(sum_b, grad_b)]
            sum_w = [s + g for s, g in zip(sum_w, grad_w)]
        step = eta / len(mini_batch)
        self.weights = [w - step * g for w, g in zip(self.weights, sum_w)]
        self.biases = [b - step * g for b, g in zip(self.biases, sum_b)]

    def backprop(self, x, y):
        grad_b = [None] * len(self.biases)
        grad_w = [None] * len(self.weights)
        activation = x
        activations = [x]
        zs = []
        for w, b in zip(self.weights, self.biases):
            z = w @ activation + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])  # BP1
        grad_b[-1] = delta  # BP4
        grad_w[-1] = delta @ activations[-2].T  # BP3
        for l in range(2, self.num_layers):
            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])  # BP2
            grad_b[-l] = delta
            grad_w[-l] = delta @ activations[-l - 1].T
        return grad_b, grad_w

    def cost_derivative(self, output_activations, y):
        return output_activations - y
