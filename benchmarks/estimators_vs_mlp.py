"""BPClassifier against MLPClassifier: the same hyper-parameters, accuracy and fit time side by side.

    python benchmarks/estimators_vs_mlp.py                      # digits and Fashion-MNIST
    python benchmarks/estimators_vs_mlp.py --data digits --repeats 5
    python benchmarks/estimators_vs_mlp.py --epochs 5 --train-samples 10000 --dtype float64

Both estimators get the same constructor arguments (hidden layers, Adam,
alpha, batch size, learning rate, max_iter, random_state) and the same data,
scaled to [0, 1] and given in ``--dtype`` (float32 by default: scikit-learn
then computes in float32 too, so the comparison is like for like). The two
fits alternate within each repeat, so that load from other processes on a
shared machine falls on both; the table gives the median fit time, the mean
test accuracy, and the ratio MLP time / bprop time (above 1: bprop faster).
A script, not a test: absolute seconds on a shared 2-core machine mean little.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from bprop import datasets
from bprop.estimators import BPClassifier

# Per data set: hidden layers and epochs (max_iter) by default.
SETUPS = {"digits": ((64,), 50), "fashion-mnist": ((100,), 10)}


def run(name, hidden, epochs, repeats, dtype, train_samples):
    data = datasets.load(name)
    X, X_test = (data.X_train / data.value_range).astype(dtype), (data.X_test / data.value_range).astype(dtype)
    y, y_test = data.y_train, data.y_test
    if train_samples:
        X, y = X[:train_samples], y[:train_samples]
    results = {"bprop": ([], []), "sklearn": ([], [])}
    for seed in range(repeats):
        params = dict(hidden_layer_sizes=hidden, max_iter=epochs, random_state=seed)
        for label, cls in (("bprop", BPClassifier), ("sklearn", MLPClassifier)):
            est = cls(**params)
            started = time.perf_counter()
            with warnings.catch_warnings():
                # max_iter is a budget here, as in any timing: hitting it is expected.
                warnings.simplefilter("ignore", ConvergenceWarning)
                est.fit(X, y)
            seconds = time.perf_counter() - started
            results[label][0].append(seconds)
            results[label][1].append(est.score(X_test, y_test))
    bp_time, sk_time = (statistics.median(results[k][0]) for k in ("bprop", "sklearn"))
    bp_acc, sk_acc = (float(np.mean(results[k][1])) for k in ("bprop", "sklearn"))
    print(f"{name}: {X.shape[0]} training samples, hidden {hidden}, {epochs} epochs, {dtype}, {repeats} repeat(s)")
    print(f"  {'':14}{'accuracy':>10}{'fit (s)':>10}")
    print(f"  {'BPClassifier':14}{bp_acc:10.4f}{bp_time:10.2f}")
    print(f"  {'MLPClassifier':14}{sk_acc:10.4f}{sk_time:10.2f}")
    print(
        f"  accuracy difference (bprop − sklearn): {100 * (bp_acc - sk_acc):+.2f} points; "
        f"time ratio sklearn/bprop: {sk_time / bp_time:.2f}×"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=sorted(SETUPS), action="append", help="data set (repeatable; default: both)")
    parser.add_argument("--epochs", type=int, help="max_iter (default: 50 for digits, 10 for Fashion-MNIST)")
    parser.add_argument("--hidden", type=str, help="hidden layer sizes, e.g. 100 or 256,128")
    parser.add_argument("--repeats", type=int, default=3, help="fits of each estimator (random_state 0, 1, …)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--train-samples", type=int, default=None, help="use only the first N training samples")
    args = parser.parse_args(argv)
    for name in args.data or ["digits", "fashion-mnist"]:
        hidden, epochs = SETUPS[name]
        if args.hidden:
            hidden = tuple(int(n) for n in args.hidden.split(","))
        run(name, hidden, args.epochs or epochs, args.repeats, args.dtype, args.train_samples)


if __name__ == "__main__":
    main()
