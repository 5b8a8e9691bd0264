"""The planted-mistake files of tests/check_corpus/: each a correct file there with a line or two changed.

A learner's broken network.py is a correct one with a slip in it. Each entry names the correct file
(``base``), the planted file's docstring, and the (old text, new text) edits that plant the mistake, so
a mistake reads here as the lines it changes. ``write_corpus`` writes the correct files and the planted
ones into one folder for ``bprop check`` to run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CORRECT = Path(__file__).parent / "check_corpus"

PLANTED = {
    "batched_bias_axis.py": (
        "batched_ok.py",
        "Planted mistake: the matrix-based BP4 averages over the neurons (axis 0), not the samples.",
        [
            (
                "            grad_b[i] = D.sum(axis=1, keepdims=True) / m\n",
                "            grad_b[i] = D.sum(axis=0, keepdims=True) / m\n",
            ),
        ],
    ),
    "batched_bp2_no_sigma_prime.py": (
        "batched_ok.py",
        "Planted mistake: the matrix-based BP2 without ⊙ σ′(Z^l).",
        [
            (
                "                D = (self.weights[i + 1].T @ D) * sigmoid_prime(Zs[i])\n",
                "                D = self.weights[i + 1].T @ D\n",
            ),
        ],
    ),
    "batched_mean_forgotten.py": (
        "batched_ok.py",
        "Planted mistake: the matrix-based backprop returns sums over the batch, not means (1/m forgotten).",
        [
            (
                "            grad_b[i] = D.sum(axis=1, keepdims=True) / m\n            grad_w[i] = D @ As[i].T / m\n",
                "            grad_b[i] = D.sum(axis=1, keepdims=True)\n            grad_w[i] = D @ As[i].T\n",
            ),
        ],
    ),
    "batched_mean_forgotten_weights.py": (
        "batched_ok.py",
        "Planted mistake: the matrix-based BP3 sums over the batch (1/m forgotten for ∂C/∂w only).",
        [
            ("            grad_w[i] = D @ As[i].T / m\n", "            grad_w[i] = D @ As[i].T\n"),
        ],
    ),
    "bp1_no_sigma_prime.py": (
        "network_ok.py",
        "Planted mistake: BP1 without the σ′(z^L) factor.",
        [
            (
                "        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])  # BP1\n",
                "        delta = self.cost_derivative(activations[-1], y)  # BP1\n",
            ),
        ],
    ),
    "bp1_sigma_prime_of_a.py": (
        "network_ok.py",
        "Planted mistake: BP1 with σ′(a^L) instead of σ′(z^L).",
        [
            (
                "        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])  # BP1\n",
                "        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(activations[-1])  # BP1\n",
            ),
        ],
    ),
    "bp1_sign.py": (
        "network_ok.py",
        "Planted mistake: ∇_a C with its sign flipped (y − a).",
        [
            ("        return output_activations - y\n", "        return y - output_activations\n"),
        ],
    ),
    "bp2_no_sigma_prime.py": (
        "network_ok.py",
        "Planted mistake: BP2 without the ⊙ σ′(z^l) factor.",
        [
            (
                "            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])  # BP2\n",
                "            delta = self.weights[-l + 1].T @ delta  # BP2\n",
            ),
        ],
    ),
    "bp2_off_by_one.py": (
        "network_ok.py",
        "Planted mistake: BP2 with the weights of layer l instead of l+1 (off-by-one index).",
        [
            (
                "            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])  # BP2\n",
                "            delta = (self.weights[-l].T @ delta) * sigmoid_prime(zs[-l])  # BP2\n",
            ),
        ],
    ),
    "bp2_sigma_prime_of_next.py": (
        "network_ok.py",
        "Planted mistake: BP2 with σ′(z^{l+1}) instead of σ′(z^l) (off-by-one index).",
        [
            (
                "            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])  # BP2\n",
                "            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l + 1])  # BP2\n",
            ),
        ],
    ),
    "bp2_untransposed.py": (
        "network_ok.py",
        "Planted mistake: BP2 with w^{l+1} untransposed.",
        [
            (
                "            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])  # BP2\n",
                "            delta = (self.weights[-l + 1] @ delta) * sigmoid_prime(zs[-l])  # BP2\n",
            ),
        ],
    ),
    "bp3_a_same_layer.py": (
        "network_ok.py",
        "Planted mistake: BP3 with a^l instead of a^{l−1}.",
        [
            (
                "        grad_w[-1] = delta @ activations[-2].T  # BP3\n",
                "        grad_w[-1] = delta @ activations[-1].T  # BP3\n",
            ),
            (
                "            grad_w[-l] = delta @ activations[-l - 1].T\n",
                "            grad_w[-l] = delta @ activations[-l].T\n",
            ),
        ],
    ),
    "bp3_hidden_only.py": (
        "network_ok.py",
        "Planted mistake: BP3 with a^l for a^{l−1} in the loop over hidden layers only (layer L is right).",
        [
            (
                "            grad_w[-l] = delta @ activations[-l - 1].T\n",
                "            grad_w[-l] = delta @ activations[-l].T\n",
            ),
            (
                "        return output_activations - y\n",
                '        return output_activations - y\n\n\nif __name__ == "__main__":\n    import mnist_loader  # not installed: bprop check must not run this block\n',
            ),
        ],
    ),
    "bp3_transposed.py": (
        "network_ok.py",
        "Planted mistake: BP3's outer product transposed, a^{l−1} (δ^l)ᵀ.",
        [
            (
                "        grad_w[-1] = delta @ activations[-2].T  # BP3\n",
                "        grad_w[-1] = activations[-2] @ delta.T  # BP3\n",
            ),
            (
                "            grad_w[-l] = delta @ activations[-l - 1].T\n",
                "            grad_w[-l] = activations[-l - 1] @ delta.T\n",
            ),
        ],
    ),
    "convention_flat_bias.py": (
        "network_ok.py",
        "Planted mistake: returns ∂C/∂b^l as flat (n_l,) vectors.",
        [
            ("        return grad_b, grad_w\n", "        return [g.ravel() for g in grad_b], grad_w\n"),
        ],
    ),
    "convention_reversed.py": (
        "network_ok.py",
        "Planted mistake: returns the lists from the output layer back.",
        [
            ("        return grad_b, grad_w\n", "        return grad_b[::-1], grad_w[::-1]\n"),
        ],
    ),
    "convention_swapped.py": (
        "network_ok.py",
        "Planted mistake: returns (nabla_w, nabla_b).",
        [
            ("        return grad_b, grad_w\n", "        return grad_w, grad_b\n"),
        ],
    ),
    "cross_entropy_ok.py": (
        "network_ok.py",
        "Exercise (ch. 3): sigmoid outputs with the cross-entropy cost, whose BP1 is δ^L = a^L − y. Correct.",
        [
            (
                "        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])  # BP1\n",
                "        delta = activations[-1] - y  # BP1: σ′ cancels\n",
            ),
        ],
    ),
    "delta_of_next_layer.py": (
        "network_ok.py",
        "Planted mistake: BP3/BP4 of a hidden layer use δ^{l+1}: stored before BP2 computes δ^l.",
        [
            ("            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])  # BP2\n", ""),
            (
                "            grad_w[-l] = delta @ activations[-l - 1].T\n",
                "            grad_w[-l] = delta @ activations[-l - 1].T\n            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])  # BP2\n",
            ),
        ],
    ),
    "flat_bp2_no_sigma_prime.py": (
        "flat_ok.py",
        "Planted mistake, every vector 1-D: ⊙ σ′(z^l) left out of BP2.",
        [
            (
                "            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])  # BP2\n",
                "            delta = self.weights[-l + 1].T @ delta  # BP2 without σ′\n",
            ),
        ],
    ),
    "fn_bp2_no_sigma_prime.py": (
        "fn_ok.py",
        "Planted mistake: BP2 without σ′(z^l), in the function form that returns its deltas.",
        [
            (
                "        deltas[i] = (weights[i + 1].T @ deltas[i + 1]) * prime[i]  # BP2\n",
                "        deltas[i] = weights[i + 1].T @ deltas[i + 1]  # BP2\n",
            ),
        ],
    ),
    "fn_bp4_next_delta.py": (
        "fn_ok.py",
        "Planted mistake: BP4 takes the next layer's δ (the deltas themselves are right).",
        [
            (
                "    nabla_b = [d.copy() for d in deltas]  # BP4\n",
                "    nabla_b = [d.copy() for d in deltas[1:]] + [deltas[-1].copy()]  # BP4\n",
            ),
        ],
    ),
    "forward_no_bias.py": (
        "network_ok.py",
        "Planted mistake: feedforward leaves out the bias.",
        [
            ("            a = sigmoid(w @ a + b)\n", "            a = sigmoid(w @ a)\n"),
        ],
    ),
    "l2_half.py": (
        "l2_ok.py",
        "Planted mistake: the L2 term's derivative taken as (λ/2n) w, not (λ/n) w.",
        [
            (
                "        self.weights = [(1 - eta * lmbda / n) * w - step * g for w, g in zip(self.weights, sum_w)]\n",
                "        self.weights = [(1 - eta * lmbda / (2 * n)) * w - step * g for w, g in zip(self.weights, sum_w)]\n",
            ),
        ],
    ),
    "linear_sigmoid_prime_kept.py": (
        "linear_ok.py",
        "Planted mistake: linear neurons, but BP1 and BP2 still multiply by the sigmoid's σ′.",
        [
            ("    return np.ones_like(z)  # σ′(z) = 1\n", "    s = 1.0 / (1.0 + np.exp(-z))\n    return s * (1 - s)\n"),
        ],
    ),
    "modified_neuron_old_prime.py": (
        "modified_neuron_ok.py",
        "Planted mistake: the modified neuron (2,1: tanh) keeps the sigmoid's σ′ in BP2.",
        [
            ("    if i == MODIFIED[0]:\n        d[MODIFIED[1]] = 1 - np.tanh(z[MODIFIED[1]]) ** 2\n", ""),
        ],
    ),
    "sigma_prime_of_a.py": (
        "network_ok.py",
        "Planted mistake: σ′(a) instead of σ′(z) in BP1 and BP2.",
        [
            (
                "        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])  # BP1\n",
                "        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(activations[-1])  # BP1\n",
            ),
            (
                "            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])  # BP2\n",
                "            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(activations[-l])  # BP2\n",
            ),
        ],
    ),
    "softmax_sigma_prime_again.py": (
        "softmax_ll_ok.py",
        "Planted mistake: softmax + log-likelihood with σ′ applied again, δ^L = (a − y) ⊙ a(1 − a).",
        [
            (
                "        delta = activations[-1] - y  # BP1: δ^L = a^L − y\n",
                "        delta = (activations[-1] - y) * activations[-1] * (1 - activations[-1])  # BP1\n",
            ),
        ],
    ),
    "softmax_sigmoid_prime_again.py": (
        "softmax_ll_ok.py",
        "Planted mistake: softmax + log-likelihood with the sigmoid's σ′(z^L) applied again, δ^L = (a − y) ⊙ σ′(z^L).",
        [
            (
                "        delta = activations[-1] - y  # BP1: δ^L = a^L − y\n",
                "        delta = (activations[-1] - y) * sigmoid_prime(zs[-1])  # BP1\n",
            ),
        ],
    ),
    "update_mean_forgotten.py": (
        "network_ok.py",
        "Planted mistake: the update forgets to divide η by the mini-batch size.",
        [
            ("        step = eta / len(mini_batch)\n", "        step = eta\n"),
        ],
    ),
    "update_plus.py": (
        "network_ok.py",
        "Planted mistake: the update adds the gradient (+ instead of −).",
        [
            (
                "        self.weights = [w - step * g for w, g in zip(self.weights, sum_w)]\n        self.biases = [b - step * g for b, g in zip(self.biases, sum_b)]\n",
                "        self.weights = [w + step * g for w, g in zip(self.weights, sum_w)]\n        self.biases = [b + step * g for b, g in zip(self.biases, sum_b)]\n",
            ),
        ],
    ),
}


def write_corpus(folder: Path) -> Path:
    """The correct files of tests/check_corpus/ and every PLANTED file, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in CORRECT.glob("*.py"):
        shutil.copy(path, folder / path.name)
    for name, (base, doc, edits) in PLANTED.items():
        body = (CORRECT / base).read_text().split('"""', 2)[2]  # what follows the base's docstring
        for old, new in edits:
            if body.count(old) != 1:
                raise ValueError(f"{name}: an edit's old text must stand once in {base}: {old!r}")
            body = body.replace(old, new, 1)
        (folder / name).write_text(f'"""{doc}"""' + body)
    return folder
