"""Pictures of learning: learning curves, confusion matrices, sample grids,
per-layer gradients, weights, decision boundaries.

Each function draws one figure and writes it atomically, as SVG when the path
ends in .svg, PDF for .pdf, and PNG otherwise; it returns the path. Matplotlib
is imported inside the functions (``import bprop`` stays light) and used through
its object API with the Agg canvas: no pyplot state, no display needed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.arguments import positive_int
from ..core.backend import to_numpy
from ..errors import InvalidArgument
from ..storage.files import atomic_write
from .words import WORDS, text_for
from .words import word as _word


def _figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


FORMATS = {".svg": "svg", ".pdf": "pdf"}  # any other suffix: PNG


def _save(fig, path) -> Path:
    path = Path(path)
    with atomic_write(path) as f:
        fig.savefig(f, format=FORMATS.get(path.suffix.lower(), "png"))
    return path


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
                ax.text(
                    j,
                    i,
                    str(matrix[i, j]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if matrix[i, j] > threshold else "black",
                )
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


# -- per-layer pictures: gradients, weights -------------------------------------


def _layer_series(history, key):
    """(layers, values) from history.layer_stats: values[e][i] for epoch e + 1, layer layers[i]; None → NaN."""
    stats = getattr(history, "layer_stats", None) or {}
    if not stats.get(key):
        raise InvalidArgument(
            f"history.layer_stats holds no {key!r}: train with callbacks=[bprop.training.monitors.LayerStats()] "
            "to record the per-layer figures."
        )
    values = np.array([[np.nan if v is None else v for v in epoch] for epoch in stats[key]], dtype=float)
    values[values <= 0] = np.nan  # a log scale cannot show 0 (e.g. a dead layer)
    return list(stats["layers"]), values


def _layer_colors(count):
    """One colour per layer, dark at the input end, bright at the output end."""
    from matplotlib import colormaps

    return colormaps["viridis"](np.linspace(0.0, 0.9, count))


def _layer_label(l, layers, lang="en"):
    return _word("output" if l == layers[-1] else "first hidden" if l == layers[0] else "layer", lang, l=l)


def _per_layer_lines(ax, history, key, ylabel, reference=None, names=None, lang="en"):
    """One line per layer l: the figure ``key`` of each epoch, on a log scale.

    reference : a second History drawn dashed in the same colours (names: the two runs' words in the legend).
    """
    layers, values = _layer_series(history, key)
    epochs = np.arange(1, len(values) + 1)
    suffix, other = (f", {names[0]}", f", {names[1]}") if names else ("", "")
    for i, (l, color) in enumerate(zip(layers, _layer_colors(len(layers)))):
        ax.plot(
            epochs, values[:, i], marker="o", markersize=3, color=color, label=_layer_label(l, layers, lang) + suffix
        )
    if reference is not None:
        ref_layers, ref_values = _layer_series(reference, key)
        ref_epochs = np.arange(1, len(ref_values) + 1)
        for i, (l, color) in enumerate(zip(ref_layers, _layer_colors(len(ref_layers)))):
            label = _layer_label(l, ref_layers, lang) + other
            ax.plot(ref_epochs, ref_values[:, i], linestyle="--", color=color, alpha=0.8, label=label)
    ax.set_yscale("log")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(_word("epoch", lang))
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="both")


DELTA_LABEL = WORDS["delta"][0]
GRAD_W_LABEL = WORDS["grad_w"][0]


def layer_gradients(history, path, title=None, reference=None, names=None, lang="en") -> Path:
    """Mean |δ^l| and mean |∂C/∂w^l| per layer and epoch, on a log scale.

    history.layer_stats must hold what ``bprop.training.monitors.LayerStats`` records.
    Lines far apart, the input end lowest, are vanishing gradients (BP2).
    reference : another run's History, drawn dashed beside it (names: the two runs in the legend,
    by default broken and correct).
    lang : 'en' or 'zh', the words drawn (zh: the notes' terms, in a CJK font when one is installed).
    """
    with text_for(lang):
        fig = _figure(11, 4.2)
        axes = fig.subplots(1, 2)
        both = (names or _word("runs", lang)) if reference is not None else None
        for ax, key, ylabel in zip(axes, ("mean_abs_delta", "mean_abs_grad_w"), ("delta", "grad_w")):
            _per_layer_lines(ax, history, key, _word(ylabel, lang), reference, both, lang)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside right center", fontsize=8)
        fig.suptitle(title or _word("speed", lang))
        return _save(fig, path)


def vanishing_gradients(histories, path, title=None) -> Path:
    """Side by side, one panel per run: mean |δ^l| (solid) and |∂C/∂w^l| (dashed) against the layer l.

    histories : {label: History with layer_stats}, e.g. {"sigmoid, 6 layers":
    h1, "relu + he": h2}. Each panel shows the first and the last epoch; the y
    axes are shared, so a slope towards the input (BP2 multiplying by σ′ ≤ ¼ at
    each layer) stands out against a flat line.
    """
    if not histories:
        raise InvalidArgument("vanishing_gradients needs at least one {label: History} entry.")
    fig = _figure(4.6 * len(histories) + 0.6, 4.2)
    axes = fig.subplots(1, len(histories), sharey=True, squeeze=False)[0]
    for ax, (label, history) in zip(axes, histories.items()):
        layers, deltas = _layer_series(history, "mean_abs_delta")
        _, grad_w = _layer_series(history, "mean_abs_grad_w")
        last = len(deltas)
        for e, color in ((1, "tab:blue"), (last, "tab:orange")) if last > 1 else ((1, "tab:blue"),):
            ax.plot(layers, deltas[e - 1], marker="o", color=color, label=rf"$|\delta^l|$, epoch {e}")
            ax.plot(
                layers,
                grad_w[e - 1],
                marker="s",
                linestyle="--",
                color=color,
                label=rf"$|\partial C/\partial w^l|$, epoch {e}",
            )
        ax.set_yscale("log")
        ax.set_xticks(layers)
        ax.set_xlabel("layer l  (2 = first hidden, L = output)")
        ax.set_title(str(label))
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("mean absolute value")
    fig.suptitle(title or r"vanishing gradients: the error $\delta^l$ layer by layer")
    return _save(fig, path)


def _panel_grid(fig, count, columns):
    """count axes in rows of ``columns``; the unused ones switched off."""
    columns = min(columns, count)
    axes = list(fig.subplots(int(np.ceil(count / columns)), columns, squeeze=False).flat)
    for ax in axes[count:]:
        ax.set_axis_off()
    return axes[:count]


def weight_histograms(initial_net, final_net, path, title=None) -> Path:
    """Histogram of the weights w^l of each layer, at the start against the end of training."""
    if list(initial_net.sizes) != list(final_net.sizes):
        raise InvalidArgument(
            f"weight_histograms: the two networks differ in sizes, {initial_net.sizes} and {final_net.sizes}."
        )
    count = len(final_net.weights)
    columns = min(count, 4)
    fig = _figure(3.4 * columns, 2.9 * int(np.ceil(count / columns)) + 0.5)
    for i, ax in enumerate(_panel_grid(fig, count, columns)):
        start, end = (np.asarray(to_numpy(net.weights[i]), dtype=float).ravel() for net in (initial_net, final_net))
        low, high = min(start.min(), end.min()), max(start.max(), end.max())
        bins = np.linspace(low, high, 41) if high > low else 41
        ax.hist(start, bins=bins, histtype="stepfilled", alpha=0.55, label="start")
        ax.hist(end, bins=bins, histtype="stepfilled", alpha=0.55, label="end")
        ax.set_title(f"$w^{{{i + 2}}}$  ({final_net.sizes[i + 1]}×{final_net.sizes[i]})", fontsize=10)
        ax.set_xlabel("weight")
        if i == 0:
            ax.set_ylabel("count")
            ax.legend(fontsize=8)
    fig.suptitle(title or "weights per layer, before and after training")
    return _save(fig, path)


def first_layer_weights(net, image_shape, path, max_neurons=100, title=None) -> Path:
    """Each hidden neuron's incoming weights w^2_j· drawn as an image of the input's shape.

    Red is positive, blue negative; each neuron on its own symmetric scale
    (w^2_j· / max_k |w^2_jk|), so that the pattern it responds to shows. At
    most ``max_neurons`` neurons, tiled into one image.
    """
    from matplotlib import colormaps

    shape = tuple(int(n) for n in image_shape)
    weights = np.asarray(to_numpy(net.weights[0]), dtype=float)
    if len(shape) != 2 or shape[0] * shape[1] != weights.shape[1]:
        raise InvalidArgument(
            f"image_shape={shape} holds {int(np.prod(shape))} pixels but the network has "
            f"{weights.shape[1]} inputs; pass (height, width)."
        )
    count = min(weights.shape[0], positive_int(max_neurons, "max_neurons"))
    scales = np.abs(weights[:count]).max(axis=1, keepdims=True)
    tiles = (weights[:count] / np.where(scales > 0, scales, 1.0)).reshape(count, *shape)
    mosaic, columns = _mosaic(tiles)
    fig = _figure(max(4.0, 0.8 * columns + 1), max(3.0, 0.8 * mosaic.shape[0] / (shape[0] + 1) + 0.8))
    ax = fig.subplots()
    cmap = colormaps["RdBu_r"].with_extremes(bad="white")
    image = ax.imshow(mosaic, cmap=cmap, vmin=-1.0, vmax=1.0, interpolation="nearest")
    fig.colorbar(image, ax=ax, shrink=0.6, label="w / max |w| of the neuron")
    ax.set_axis_off()
    shown = f"{count} of {weights.shape[0]}" if count < weights.shape[0] else f"{count}"
    ax.set_title(title or f"incoming weights $w^2_{{j\\cdot}}$ of {shown} hidden neurons", fontsize=10)
    return _save(fig, path)


def _mosaic(tiles):
    """Tiles (count, h, w) in a near-square grid, one NaN pixel between them; returns (image, columns)."""
    count, h, w = tiles.shape
    columns = int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    image = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), np.nan)
    for j, tile in enumerate(tiles):
        r, c = divmod(j, columns)
        image[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = tile
    return image, columns


# -- decision boundary -------------------------------------------------------------


def _class_colors(k):
    """A colormap with one distinct colour per class 0 … k − 1 (for vmin = −½, vmax = k − ½)."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    if k <= 20:
        base = colormaps["tab10" if k <= 10 else "tab20"]
        return ListedColormap(base.colors[:k])
    return colormaps["viridis"].resampled(k)


def decision_boundary(net, X, y, path, preprocessor=None, class_names=None, resolution=200, title=None) -> Path:
    """For 2-D data: the predicted class over a grid (background) and the samples (points).

    X : (m, 2) as the data set gives it; ``preprocessor`` (a
    ``bprop.datasets.Preprocessor``) is applied to the grid and X before the
    network sees them, so the axes stay in the data's own units.
    y : (m,) class labels. For a regression network the background is a^L_1.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or net.sizes[0] != 2:
        raise InvalidArgument(
            f"decision_boundary draws 2-D data for a network with 2 inputs; got X of shape "
            f"{X.shape} and a network with {net.sizes[0]} inputs."
        )
    (x_lo, y_lo), (x_hi, y_hi) = X.min(axis=0), X.max(axis=0)
    pad_x, pad_y = 0.1 * (x_hi - x_lo or 1.0), 0.1 * (y_hi - y_lo or 1.0)
    gx = np.linspace(x_lo - pad_x, x_hi + pad_x, resolution)
    gy = np.linspace(y_lo - pad_y, y_hi + pad_y, resolution)
    grid = np.column_stack([np.repeat(gx[None, :], resolution, 0).ravel(), np.repeat(gy, resolution)])
    inputs = grid if preprocessor is None else preprocessor.transform(grid)
    fig = _figure(6, 5)
    ax = fig.subplots()
    extent = (gx[0], gx[-1], gy[0], gy[-1])
    if net.is_classifier or np.asarray(y).dtype.kind in "biu":  # classes: colour by predicted class
        k = max(net.sizes[-1], 2)
        cmap = _class_colors(k)
        levels = to_numpy(net.labels_from_outputs(net.feedforward(inputs))).reshape(resolution, resolution)
        ax.imshow(
            levels,
            origin="lower",
            extent=extent,
            aspect="auto",
            cmap=cmap,
            vmin=-0.5,
            vmax=k - 0.5,
            alpha=0.35,
            interpolation="nearest",
        )
        points = ax.scatter(
            X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=k - 0.5, s=14, edgecolors="black", linewidths=0.4
        )
        names = class_names or [str(c) for c in range(k)]
        handles = [
            ax.scatter([], [], color=points.cmap(points.norm(c)), edgecolors="black", linewidths=0.4, label=names[c])
            for c in range(min(k, len(names)))
        ]
        ax.legend(handles=handles, fontsize=8, loc="best")
    else:
        values = to_numpy(net.feedforward(inputs))[:, 0].reshape(resolution, resolution)
        image = ax.imshow(values, origin="lower", extent=extent, aspect="auto", cmap="viridis", alpha=0.6)
        fig.colorbar(image, ax=ax, label="$a^L_1$")
        ax.scatter(X[:, 0], X[:, 1], c="white", s=10, edgecolors="black", linewidths=0.4)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(title or "predicted class (background) and samples")
    return _save(fig, path)
