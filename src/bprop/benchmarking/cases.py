"""The benchmark cases: what is trained, on what data, and the targets bprop must meet.

Each case fixes the architecture, the data, the optimizer, η and the batch
sizes; every contender runs exactly that, in float32. A target is checked on
figures measured within one run (ratios to another contender or to the
product floor, see ``floor``), never on absolute seconds. The targets are
issue 20's: at batch ≥ 128 bprop's step within 1.15× of its own products
alone; digits ≤ 0.10× PyTorch, batch 32 ≤ 0.5×, Adam ≤ 0.7×; never slower
than PyTorch, unless PyTorch's step beats bprop's product floor (then the
report shows both floors).

    a  digits [64,30,10] sigmoid/quadratic, SGD η=3.0, batch 10 (the classic setup)
    b  Fashion-MNIST [784,256,128,10] relu/softmax/log_likelihood, SGD η=0.1, batch 32, 128, 1024
    c  Fashion-MNIST [784,1024,1024,10] relu/softmax/log_likelihood, SGD η=0.1, batch 1024
    d  case b with Adam η=1e-3, batch 128
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgument

ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8

# Smoke mode (--quick): training/test samples kept per data set.
QUICK_SIZES = {"digits": (None, None), "fashion-mnist": (2048, 1000)}


@dataclass(frozen=True)
class Target:
    """A goal for bprop in one (case, batch) run.

    metric "time_ratio"     ``subject``'s s/epoch ÷ ``against``'s   ≤ limit
           "floor_ratio"    bprop's s/epoch ÷ its product floor's (g) ≤ limit
           "peak_fraction"  bprop's GFLOP/s ÷ the sgemm peak  ≥ limit
           "memory_ratio"   bprop's peak Δ MB ÷ ``against``'s ≤ limit
    subject: the contender held to a time ratio: "bprop" (``bprop.train``), or
        "estimator" (``BPClassifier``, against MLPClassifier: issue 19's drop-in target).
    unless_below_floor  the target is waived (not checked) when ``against``'s
                        step is faster than bprop's product floor
    min_batch, max_batch  checked only at batch sizes in [min_batch, max_batch] (None: no bound)
    """

    metric: str
    limit: float
    against: str | None = None
    subject: str = "bprop"
    unless_below_floor: bool = False
    min_batch: int | None = None
    max_batch: int | None = None

    def applies(self, batch_size: int) -> bool:
        low = self.min_batch is None or batch_size >= self.min_batch
        return low and (self.max_batch is None or batch_size <= self.max_batch)

    def met(self, value: float) -> bool:
        return value >= self.limit if self.metric == "peak_fraction" else value <= self.limit

    def describe(self) -> str:
        if self.metric == "peak_fraction":
            return f"≥ {self.limit:.0%} of sgemm peak"
        if self.metric == "memory_ratio":
            return f"peak memory ≤ {self.limit:g}× {self.against}'s"
        if self.metric == "floor_ratio":
            return f"≤ {self.limit:g}× product floor"
        who = "" if self.subject == "bprop" else f"{self.subject} "
        text = f"{who}≤ {self.limit:g}× {self.against}"
        return text + f" unless {self.against} beats the floor" if self.unless_below_floor else text


MEMORY_TARGET = Target("memory_ratio", 1.0, "torch")
ESTIMATOR_TARGET = Target("time_ratio", 0.6, "sklearn", subject="estimator")  # BPClassifier.fit ≤ 0.6× MLP's
FLOOR_TARGET = Target("floor_ratio", 1.15, min_batch=128)  # large batch: only the products
NEVER_SLOWER = Target("time_ratio", 1.0, "torch", unless_below_floor=True, min_batch=128)


@dataclass(frozen=True)
class Case:
    """One benchmark case; ``sizes`` input first, as in ``bprop.Network``."""

    key: str
    title: str
    dataset: str
    sizes: tuple
    activation: str
    output: str
    cost: str
    init: str
    optimizer: str  # "sgd" (no momentum) or "adam" (ADAM_BETAS, ADAM_EPS)
    lr: float
    batch_sizes: tuple
    quick_batch_sizes: tuple
    targets: tuple

    def batches(self, quick: bool) -> tuple:
        return self.quick_batch_sizes if quick else self.batch_sizes

    def network(self, seed: int):
        """The float32 bprop.Network every contender starts from (torch copies its weights)."""
        from ..core.network import Network

        return Network(
            list(self.sizes),
            activation=self.activation,
            output=self.output,
            cost=self.cost,
            init=self.init,
            seed=seed,
            dtype="float32",
        )

    def bprop_optimizer(self):
        from ..core.optimizers import SGD, Adam

        if self.optimizer == "adam":
            return Adam(lr=self.lr, beta1=ADAM_BETAS[0], beta2=ADAM_BETAS[1], eps=ADAM_EPS)
        return SGD(lr=self.lr)

    def describe(self) -> str:
        eta = f"η={self.lr:g}"
        return (
            f"{self.dataset} {list(self.sizes)} {self.activation}/{self.output}/{self.cost}, "
            f"{self.optimizer.upper() if self.optimizer == 'sgd' else 'Adam'} {eta}, init {self.init}"
        )


_FASHION = dict(dataset="fashion-mnist", activation="relu", output="softmax", cost="log_likelihood", init="he")

CASES = {
    "a": Case(
        "a",
        "digits, the classic setup",
        "digits",
        (64, 30, 10),
        "sigmoid",
        "sigmoid",
        "quadratic",
        "normal",
        "sgd",
        3.0,
        batch_sizes=(10,),
        quick_batch_sizes=(10,),
        targets=(Target("time_ratio", 0.10, "torch"), MEMORY_TARGET, ESTIMATOR_TARGET),
    ),
    "b": Case(
        "b",
        "Fashion-MNIST MLP, SGD",
        sizes=(784, 256, 128, 10),
        optimizer="sgd",
        lr=0.1,
        batch_sizes=(32, 128, 1024),
        quick_batch_sizes=(128,),
        targets=(
            Target("time_ratio", 0.5, "torch", max_batch=32),
            FLOOR_TARGET,
            NEVER_SLOWER,
            MEMORY_TARGET,
            ESTIMATOR_TARGET,
        ),
        **_FASHION,
    ),
    "c": Case(
        "c",
        "Fashion-MNIST wide MLP, GEMM-bound",
        sizes=(784, 1024, 1024, 10),
        optimizer="sgd",
        lr=0.1,
        batch_sizes=(1024,),
        quick_batch_sizes=(1024,),
        targets=(FLOOR_TARGET, NEVER_SLOWER, MEMORY_TARGET),
        **_FASHION,
    ),
    "d": Case(
        "d",
        "Fashion-MNIST MLP, Adam",
        sizes=(784, 256, 128, 10),
        optimizer="adam",
        lr=1e-3,
        batch_sizes=(128,),
        quick_batch_sizes=(128,),
        targets=(Target("time_ratio", 0.7, "torch"), FLOOR_TARGET, MEMORY_TARGET, ESTIMATOR_TARGET),
        **_FASHION,
    ),
}


def selected(keys=None) -> list:
    """The Case objects for ``keys`` (all of them for None), in the order given."""
    if keys is None:
        return list(CASES.values())
    if isinstance(keys, str):
        keys = [k for k in keys.split(",")]
    keys = [str(k).strip().lower() for k in keys]
    unknown = [k for k in keys if k not in CASES]
    if unknown or not keys:
        raise InvalidArgument(
            f"cases={','.join(keys)!r} names unknown cases {unknown}; use a comma-separated list of {', '.join(CASES)}."
        )
    return [CASES[k] for k in dict.fromkeys(keys)]


@dataclass(frozen=True)
class Data:
    """Float32 inputs scaled to [0, 1] (the preprocessing fitted on the training split) and int64 labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_data(dataset: str, *, quick: bool, seed: int) -> Data:
    """The data of a case, already float32 and preprocessed, as every contender receives it.

    Smoke mode keeps a random subset (QUICK_SIZES) of the training and test splits.
    """
    from ..datasets import fit_preprocessor, load

    n_train, n_test = QUICK_SIZES.get(dataset, (None, None)) if quick else (None, None)
    data = load(dataset, n=n_train, seed=seed)
    pre = fit_preprocessor("scale", data.X_train, value_range=data.value_range)
    X_test, y_test = data.X_test, data.y_test
    if n_test is not None and n_test < len(y_test):
        keep = np.sort(np.random.default_rng(seed).choice(len(y_test), n_test, replace=False))
        X_test, y_test = X_test[keep], y_test[keep]

    def floats(X):
        return np.ascontiguousarray(pre.transform(X), dtype=np.float32)

    return Data(floats(data.X_train), data.y_train.copy(), floats(X_test), y_test.copy())
