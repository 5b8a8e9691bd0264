"""Pictures of learning: learning curves, confusion matrices, sample grids.

Each function draws one figure and writes it as a PNG, atomically. Matplotlib
is imported inside the functions (``import bprop`` stays light) and used through
its object API with the Agg canvas: no pyplot state, no display needed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .files import atomic_write


def _figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _save(fig, path) -> Path:
    with atomic_write(path) as f:
        fig.savefig(f, format="png")
    return Path(path)


def learning_curves(history, path, title=None) -> Path:
    """Cost and accuracy per epoch, training against validation, side by side."""
    epochs = np.arange(1, len(history) + 1)
    has_accuracy = any(a is not None for a in history.train_accuracy)
    fig = _figure(10 if has_accuracy else 5.5, 4)
    axes = fig.subplots(1, 2 if has_accuracy else 1, squeeze=False)[0]
    panels = [("cost", history.train_cost, history.validation_cost)]
    if has_accuracy:
        panels.append(("accuracy", history.train_accuracy, history.validation_accuracy))
    for ax, (label, train, validation) in zip(axes, panels):
        ax.plot(epochs, train, marker=".", label="training (running mean)")
        if any(v is not None for v in validation):
            ax.plot(epochs, [np.nan if v is None else v for v in validation], marker=".", label="validation")
        if history.best_epoch:
            ax.axvline(history.best_epoch, color="grey", linestyle=":", label=f"best epoch ({history.best_epoch})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def confusion_matrix(matrix, class_names, path, title="confusion matrix") -> Path:
    """matrix[i, j] = samples of true class i predicted as class j."""
    matrix = np.asarray(matrix)
    k = matrix.shape[0]
    size = max(4.0, 0.5 * k + 2)
    fig = _figure(size + 1, size)
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_xticks(range(k), class_names, rotation=45, ha="right")
    ax.set_yticks(range(k), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    if k <= 20:
        threshold = matrix.max() / 2 if matrix.size else 0
        for i in range(k):
            for j in range(k):
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if matrix[i, j] > threshold else "black")
    return _save(fig, path)


def sample_grid(X, labels, path, *, image_shape=None, class_names=None, columns=10, title=None) -> Path:
    """The first samples of a data set as images (or 2-D points) with their labels."""
    X, labels = np.asarray(X), np.asarray(labels)
    names = class_names or [str(c) for c in range(int(labels.max()) + 1)]
    if image_shape is None:
        fig = _figure(5, 5)
        ax = fig.subplots()
        for k, name in enumerate(names):
            rows = labels == k
            ax.scatter(X[rows, 0], X[rows, 1], s=10, label=name)
        ax.legend()
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
    else:
        count = min(len(X), columns * 5)
        rows = int(np.ceil(count / columns))
        fig = _figure(columns * 1.1, rows * 1.3)
        axes = fig.subplots(rows, columns, squeeze=False)
        for index, ax in enumerate(axes.flat):
            ax.set_axis_off()
            if index < count:
                ax.imshow(X[index].reshape(image_shape), cmap="gray_r")
                ax.set_title(names[labels[index]], fontsize=8)
    if title:
        fig.suptitle(title)
    return _save(fig, path)
