"""The PyTorch CPU contender: nn.Sequential + torch.optim, the usual training loop.

Each epoch draws a permutation, indexes the pre-built tensors with it, and
slices batches from the permuted tensors; per batch: zero_grad, forward, loss,
backward, step. The weights start as bprop's (nn.Linear's (n_out, n_in) layout
is bprop's), and torch runs with as many threads as NumPy's BLAS.

Losses, as the batch mean of bprop's per-sample cost:
    softmax + log_likelihood   CrossEntropyLoss on the logits (= −log softmax(z)_y)
    sigmoid + quadratic        ((sigmoid(z) − onehot)²).sum(1).mul(0.5).mean()
"""

from __future__ import annotations

from ..errors import InvalidArgument

NAME = "torch"


def label() -> str:
    import torch

    return f"PyTorch {torch.__version__}"


def import_framework() -> None:
    """Import torch and take one tiny training step.

    The step does torch's one-time lazy set-up (kernel dispatch, thread pool)
    here, so that the peak-memory probe, which starts counting after this call,
    does not charge it to training.
    """
    import torch

    layer = torch.nn.Linear(4, 2)
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    torch.nn.functional.cross_entropy(layer(torch.zeros(3, 4)), torch.zeros(3, dtype=torch.int64)).backward()
    optimizer.step()


def note(case) -> str:
    return ""


class TorchContender:
    def __init__(self, case, X, y, batch_size, initial, seed, threads):
        import torch
        from torch import nn

        torch.set_num_threads(threads)
        self.torch = torch
        self.model = _sequential(case, initial)
        self.X = torch.from_numpy(X)
        self.loss = _loss(case, initial.sizes[-1])
        self.Y = (
            torch.from_numpy(y)
            if case.output == "softmax"
            else nn.functional.one_hot(torch.from_numpy(y), initial.sizes[-1]).to(torch.float32)
        )
        self.batch_size = batch_size
        self.generator = torch.Generator().manual_seed(seed)
        params = self.model.parameters()
        if case.optimizer == "adam":
            from .cases import ADAM_BETAS, ADAM_EPS

            self.optimizer = torch.optim.Adam(params, lr=case.lr, betas=ADAM_BETAS, eps=ADAM_EPS)
        else:
            self.optimizer = torch.optim.SGD(params, lr=case.lr)

    def epoch(self):
        m, B = self.X.shape[0], self.batch_size
        order = self.torch.randperm(m, generator=self.generator)
        X, Y = self.X[order], self.Y[order]
        for start in range(0, m, B):
            xb, yb = X[start : start + B], Y[start : start + B]
            self.optimizer.zero_grad()
            loss = self.loss(self.model(xb), yb)
            loss.backward()
            self.optimizer.step()

    def accuracy(self, X, y) -> float:
        torch = self.torch
        with torch.no_grad():
            predicted = self.model(torch.from_numpy(X)).argmax(dim=1)
        return float((predicted == torch.from_numpy(y)).to(torch.float64).mean())


def _sequential(case, initial):
    import torch
    from torch import nn

    hidden = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}
    if case.activation not in hidden:
        raise InvalidArgument(
            f"the torch contender knows the hidden activations {sorted(hidden)}, not {case.activation!r}."
        )
    layers = []
    last = len(initial.weights) - 1
    for i, (w, b) in enumerate(zip(initial.weights, initial.biases)):
        linear = nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < last:
            layers.append(hidden[case.activation]())
    return nn.Sequential(*layers)


def _loss(case, n_out):
    import torch
    from torch import nn

    if (case.output, case.cost) == ("softmax", "log_likelihood"):
        return nn.CrossEntropyLoss()
    if (case.output, case.cost) == ("sigmoid", "quadratic"):
        return lambda z, onehot: (torch.sigmoid(z) - onehot).pow(2).sum(1).mul(0.5).mean()
    raise InvalidArgument(f"the torch contender has no loss for output={case.output!r} with cost={case.cost!r}.")


def build(case, X, y, batch_size, initial, seed, threads):
    return TorchContender(case, X, y, batch_size, initial, seed, threads)
