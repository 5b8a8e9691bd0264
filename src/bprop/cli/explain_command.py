"""``bprop explain``: every number of one forward and backward pass, in words.

With no options it explains the classic hand-worked example: a 2-2-2 sigmoid
network with w^2 = [[0.15, 0.20], [0.25, 0.30]], b^2 = (0.35, 0.35),
w^3 = [[0.40, 0.45], [0.50, 0.55]], b^3 = (0.60, 0.60), input x = (0.05, 0.10),
target y = (0.01, 0.99), the quadratic cost and η = 0.5, in float64.

The network may instead come from a model file (``--model``), from a JSON
file of parameters (``--weights``: {"weights": [w^2, w^3, …], "biases":
[b^2, b^3, …]}, each w^l a list of rows, shape n_l × n_{l−1}), or be drawn at
random (``--layers`` other than 2,2,2, with ``--seed``; scaled-normal
weights). The page is printed, or written atomically with ``--output-file``
(``--output`` is the output layer's σ, as in ``bprop train``).

``--activation relu,tanh`` gives each hidden layer its own σ. ``--dropout P``
explains a training pass with dropout (the masks drawn from ``--seed``), and
``--l1`` / ``--l2`` (with ``--n``, the training set's size) add their terms
to C and to BP3; ``--derive`` derives them too (the mask factor in BP2, the
terms' derivatives in BP3), on the same masks.

Registered in ``app.py`` with ``app.command()(explain)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from ..errors import InvalidArgument
from ..storage.files import read_json_file
from .options import ActivationOption, CostOption, OutputOption

CLASSIC_LAYERS = [2, 2, 2]


def explain(
    layers: Annotated[
        str | None, typer.Option(help="Layer sizes, input first (default: 2,2,2, the classic example).")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Explain a saved .bprop network.")] = None,
    weights: Annotated[
        Path | None,
        typer.Option(
            help='A JSON file with "weights" (w^2, w^3, …: lists of rows) and "biases" (b^2, b^3, …), every layer.'
        ),
    ] = None,
    input_: Annotated[
        str | None,
        typer.Option("--input", help="The sample x, e.g. 0.05,0.10 (default: the classic x, else random)."),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            help="The target y, e.g. 0.01,0.99, or a class label such as 3 (default: the classic y, else random)."
        ),
    ] = None,
    activation: ActivationOption = None,
    output: OutputOption = None,
    cost: CostOption = None,
    lr: Annotated[float, typer.Option(help="Learning rate η of the update shown.")] = 0.5,
    dropout: Annotated[
        float | None, typer.Option(help="Explain a training pass with dropout p: masks drawn from --seed.")
    ] = None,
    l1: Annotated[float, typer.Option(help="λ₁ of the L1 term (λ₁/n) Σ |w| in C and BP3.")] = 0.0,
    l2: Annotated[float, typer.Option(help="λ of the L2 term (λ/2n) Σ w² in C and BP3.")] = 0.0,
    n: Annotated[int, typer.Option(help="n of the L1/L2 terms: the training set's size (default: 1).")] = 1,
    format_: Annotated[
        str, typer.Option("--format", help="text, md (Markdown with LaTeX) or html (one offline page).")
    ] = "text",
    output_file: Annotated[
        Path | None, typer.Option("--output-file", "-o", help="Write the page to this file instead of printing it.")
    ] = None,
    lang: Annotated[str, typer.Option(help="en or zh (the terms of the Chinese notes).")] = "en",
    precision: Annotated[
        int | None,
        typer.Option(
            help="Decimals of the numbers shown (default: 4); with --derive, significant digits (default: 5)."
        ),
    ] = None,
    steps: Annotated[
        int | None, typer.Option(help="Also repeat the update N times on this sample and show the cost falling.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random weights, input and target.")] = 0,
    derive: Annotated[
        bool,
        typer.Option(
            "--derive",
            help="Show the derivation of BP1–BP4 by the chain rule instead (推导过程): every factor "
            "worked out and measured in the network by central differences.",
        ),
    ] = False,
    neuron: Annotated[
        str | None,
        typer.Option(
            help="With --derive: layer l, neuron j and input k of BP2–BP4 (BP3's w^l_jk), e.g. 2,1,2 "
            "(default: the last hidden layer, 1, 1; with --dropout the first kept j and k). With l = L, j is "
            "BP1's output neuron too."
        ),
    ] = None,
):
    """Every number of one forward pass, BP1–BP4 and one update, for one sample (English or 中文)."""
    from ..storage.files import atomic_write
    from ..teaching.explanation import explain as explain_trace
    from ..teaching.explanation import explain_steps
    from ..teaching.explanation.terms import LANGS
    from ..teaching.explanation.trace import FORMATS  # text, md or markdown, html

    if format_ not in FORMATS:
        raise InvalidArgument(f"--format {format_!r} is not known; use text, md or html.")
    if lang not in LANGS:
        raise InvalidArgument(f"--lang {lang!r} is not supported; use en (English) or zh (中文).")
    if precision is None:
        precision = 5 if derive else 4
    if not 1 <= precision <= 12:
        raise InvalidArgument(
            f"--precision {precision} is out of range; give a number of decimals from 1 to 12, such as 4."
        )
    if steps is not None and not 1 <= steps <= 100_000:
        raise InvalidArgument(
            f"--steps {steps} is out of range; give a number of updates from 1 to 100000, such as 20."
        )
    if not np.isfinite(lr) or lr <= 0:
        raise InvalidArgument(f"--lr {lr} is not a learning rate; give a number > 0, such as 0.5.")

    if derive and steps is not None:
        raise InvalidArgument("--derive shows the derivation of one backward pass; drop --steps.")
    if neuron is not None and not derive:
        raise InvalidArgument("--neuron chooses the neurons of the derivation; add --derive.")

    net, x, y = network_and_sample(layers, model, weights, input_, target, activation, output, cost, seed)
    if derive:
        from ..teaching.explanation.derivation import derive as derive_equations
        from ..teaching.explanation.derivation_page import render

        try:
            derivation = derive_equations(
                net, x, y, lr=lr, l1=l1, l2=l2, n=n, dropout=dropout, seed=seed, **_chosen_neurons(neuron, net)
            )
        except InvalidArgument as e:
            if neuron is None:
                raise
            raise InvalidArgument(f"--neuron {neuron}: {e}") from None
        page = render(derivation, format_, lang=lang, digits=precision)
    else:
        trace = explain_trace(net, x, y, lr=lr, lang=lang, l1=l1, l2=l2, n=n, dropout=dropout, seed=seed)
        costs = plain_costs = None
        if steps:  # the same training passes as the page: L2/L1 terms, dropout masks from --seed
            regularized = {"l2": l2, "l1": l1, "n": n, "dropout": dropout, "seed": seed}
            costs = explain_steps(net, x, y, lr, steps, **regularized)
            if dropout:
                plain_costs = explain_steps(net, x, y, lr, steps, **regularized, masked=False)
        page = trace.render(format_, precision=precision, costs=costs, plain_costs=plain_costs)
    if output_file is None:
        typer.echo(page, nl=False)
        return
    with atomic_write(output_file, "wb") as f:
        f.write(page.encode("utf-8"))
    typer.echo(f"wrote {output_file}")


def _chosen_neurons(text, net) -> dict:
    """derive()'s keywords from --neuron l,j[,k]; 1-based as on the page."""
    if text is None:
        return {}
    from .settings import int_list

    values = int_list(text, "neuron")
    if len(values) not in (2, 3):
        raise InvalidArgument(f"--neuron {text}: give l,j or l,j,k (layer, neuron, input neuron), such as 2,1,2.")
    chosen = {"layer": values[0], "neuron": values[1]}
    if len(values) == 3:
        chosen["input_neuron"] = values[2]
    if values[0] == net.num_layers:
        chosen["output_neuron"] = values[1]
    return chosen


def network_and_sample(layers, model, weights, x_text, target, activation, output, cost, seed):
    """(net in float64, x, y) from the options; see the module docstring."""
    from ..core.network import Network
    from ..teaching.explanation.trace import classic_example
    from .settings import int_list

    sizes = int_list(layers, "layers") if layers is not None else None
    if activation is not None and "," in activation:
        activation = [name.strip() for name in activation.split(",")]  # one σ per hidden layer
    if model is not None and weights is not None:
        raise InvalidArgument("--model and --weights both give the parameters; pass one of them.")
    if model is not None:
        given = [
            f"--{name}"
            for name, value in (("activation", activation), ("output", output), ("cost", cost))
            if value is not None
        ]
        if given:
            raise InvalidArgument(f"--model {model} already names its σ and cost; drop {', '.join(given)}.")
        net = _load_model(model)
        if sizes is not None and sizes != net.sizes:
            raise InvalidArgument(
                f"--layers {layers} does not match the model's sizes {','.join(map(str, net.sizes))}; drop --layers."
            )
    elif weights is not None:
        w, b = _read_weights(weights)
        file_sizes = [w[0].shape[1]] + [m.shape[0] for m in w]
        if sizes is not None and sizes != file_sizes:
            raise InvalidArgument(
                f"--layers {layers} does not match the shapes in --weights {weights} "
                f"({','.join(map(str, file_sizes))}); drop --layers or fix the file."
            )
        net = Network(
            file_sizes,
            activation=activation or "sigmoid",
            output=output,
            cost=cost or "quadratic",
            seed=seed,
            dtype="float64",
        )
        net.weights, net.biases = w, b
    elif sizes is None or sizes == CLASSIC_LAYERS:
        net, x, y = classic_example(activation or "sigmoid", output, cost or "quadratic")
        return net, _vector(x_text, "input", net.sizes[0]) if x_text else x, _target(target, net) if target else y
    else:
        net = Network(
            sizes,
            activation=activation or "sigmoid",
            output=output,
            cost=cost or "quadratic",
            init="scaled_normal",
            seed=seed,
            dtype="float64",
        )
    rng = np.random.default_rng(seed + 1)  # not the stream that drew the weights
    x = _vector(x_text, "input", net.sizes[0]) if x_text else rng.uniform(0.0, 1.0, net.sizes[0])
    y = _target(target, net) if target else _random_target(net, rng)
    return net, x, y


def _load_model(path):
    from ..storage.modelfile import load

    if not Path(path).exists():  # a folder, a device or a FIFO is refused by load, saying which
        raise InvalidArgument(
            f"--model {path}: no such file; give a .bprop file written by `bprop train` or Network.save."
        )
    return load(path).copy("float64")


MAX_WEIGHTS_BYTES = 64 << 20  # explain draws small networks; their weights as JSON take far less


def _read_weights(path):
    """The weight and bias arrays of a --weights JSON file, with consistent shapes."""
    fix = 'it must hold {"weights": [w^2, w^3, …], "biases": [b^2, b^3, …]}, each w^l a list of rows'
    try:
        data = read_json_file(
            path, "--weights JSON file", MAX_WEIGHTS_BYTES, InvalidArgument, fix=f"{fix[0].upper()}{fix[1:]}."
        )
    except FileNotFoundError:
        raise InvalidArgument(f"--weights {path}: no such file.")
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("weights"), list)
        or not isinstance(data.get("biases"), list)
    ):
        raise InvalidArgument(f"--weights {path}: {fix}.")
    if not data["weights"] or len(data["weights"]) != len(data["biases"]):
        raise InvalidArgument(
            f"--weights {path} has {len(data['weights'])} weight matrices and {len(data['biases'])} "
            f"bias vectors; give one of each per layer l = 2 … L."
        )
    w, b = [], []
    for i, (wi, bi) in enumerate(zip(data["weights"], data["biases"])):
        try:
            wi, bi = np.array(wi, dtype=np.float64), np.array(bi, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidArgument(
                f"--weights {path}: weights[{i}] and biases[{i}] must be lists of numbers (rows of equal length)."
            )
        if wi.ndim != 2 or bi.ndim != 1 or wi.shape[0] != bi.shape[0] or 0 in wi.shape:
            raise InvalidArgument(
                f"--weights {path}: weights[{i}] (w^{i + 2}) has shape {wi.shape} and biases[{i}] has shape "
                f"{bi.shape}; w^l must be n_l rows of n_(l-1) numbers and b^l n_l numbers."
            )
        if w and wi.shape[1] != w[-1].shape[0]:
            raise InvalidArgument(
                f"--weights {path}: weights[{i}] (w^{i + 2}) has rows of {wi.shape[1]} numbers but layer "
                f"{i + 1} has {w[-1].shape[0]} neurons; each row needs one weight per neuron of the layer before."
            )
        if not (np.isfinite(wi).all() and np.isfinite(bi).all()):
            raise InvalidArgument(f"--weights {path}: layer {i + 2} holds NaN or infinite values.")
        w.append(wi)
        b.append(bi)
    return w, b


def _numbers(text, option):
    try:
        values = [float(part) for part in text.replace(" ", "").split(",") if part != ""]
    except ValueError:
        raise InvalidArgument(f"--{option} takes numbers separated by commas, such as 0.05,0.10; got {text!r}.")
    if not values or not all(np.isfinite(values)):
        raise InvalidArgument(f"--{option} takes finite numbers separated by commas, such as 0.05,0.10; got {text!r}.")
    return values


def _vector(text, option, n):
    values = _numbers(text, option)
    if len(values) != n:
        example = ",".join(["0.5"] * min(n, 4)) + (",…" if n > 4 else "")
        raise InvalidArgument(
            f"--{option} {text} has {len(values)} number(s) but the network's {'input' if option == 'input' else 'output'} "
            f"layer has {n} neurons; give {n} numbers separated by commas, such as {example}."
        )
    return np.array(values)


def _target(text, net):
    """A target vector, or one class label when the output layer has several neurons."""
    n = net.sizes[-1]
    values = _numbers(text, "target")
    if len(values) == 1 and n > 1:
        label = values[0]
        if label != int(label) or not 0 <= label < n:
            raise InvalidArgument(
                f"--target {text}: one number is read as a class label, which must be a whole number "
                f"from 0 to {n - 1}; or give {n} target values separated by commas."
            )
        return int(label)
    return _vector(text, "target", n)


def _random_target(net, rng):
    """A target the cost accepts: a class label for softmax, values in (0, 1) for sigmoid, reals otherwise."""
    name = getattr(net.output, "name", None)
    if name == "softmax":
        return int(rng.integers(0, net.sizes[-1]))
    if name == "sigmoid":
        return rng.uniform(0.05, 0.95, net.sizes[-1])
    return rng.normal(size=net.sizes[-1])
