"""``bprop gradcheck``: finite differences against BP1–BP4, from the terminal.

With no options it checks a small random float64 network for every
activation × output/cost pair bprop accepts. ``--model FILE`` checks a saved
network on a batch of its data instead. An activation or cost may also be
given as ``module:Name`` (a class or object in an importable module), so that
your own σ′ or ∇_a C can be checked before you train with it.

``--activation relu,tanh`` gives each hidden layer its own σ (with as many
hidden layers in ``--layers``); ``--l2``, ``--l1`` and ``--dropout P`` check
the cost with those terms: dropout with one fixed mask per hidden layer,
drawn from ``--seed``, handed to both backprop and the differences.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from ..core import activations, costs
from ..core.arguments import layer_widths, name_of, non_negative_float, real_number, whole_number
from ..core.dropout import draw_masks, dropout_rates
from ..core.gradcheck import gradcheck as compare_with_finite_differences
from ..core.network import Network
from ..errors import InvalidArgument
from .terminal import console, print_json

# Every elementwise σ bprop builds in, and every output/cost pair it accepts, derived
# from the tables themselves, so a new activation or cost is checked without editing a list.
HIDDEN = tuple(name for name, sigma in activations.BUILTIN.items() if activations.is_elementwise(sigma))
OUTPUT_COST = tuple(costs.accepted_pairs(activations.BUILTIN))


def gradcheck(
    model: Annotated[Path | None, typer.Option(help="Check a saved network on a batch of its data.")] = None,
    data: Annotated[str | None, typer.Option(help="With --model: the data (default: the model's).")] = None,
    data_dir: Annotated[str | None, typer.Option()] = None,
    layers: Annotated[str, typer.Option(help="Random networks: layer sizes.")] = "4,5,3",
    activation: Annotated[
        str | None,
        typer.Option(help="Only this hidden σ (a name, or module:Name of your own); relu,tanh: one per hidden layer."),
    ] = None,
    output: Annotated[str | None, typer.Option(help="Only this output σ.")] = None,
    cost: Annotated[str | None, typer.Option(help="Only this cost (a name, or module:Name).")] = None,
    samples: Annotated[int, typer.Option(help="Samples in the checked batch.")] = 8,
    l2: Annotated[float, typer.Option(help="Check the cost with the L2 term (λ/2n) Σ w².")] = 0.0,
    l1: Annotated[float, typer.Option(help="Check the cost with the L1 term (λ₁/n) Σ |w|.")] = 0.0,
    dropout: Annotated[
        float, typer.Option(help="Check BP2 with dropout: one fixed mask per hidden layer, drawn from --seed.")
    ] = 0.0,
    seed: Annotated[int, typer.Option()] = 0,
    threshold: Annotated[float, typer.Option(help="Largest accepted relative error per layer.")] = 1e-6,
    eps: Annotated[float, typer.Option(help="ε of the central difference.")] = 1e-6,
    max_per_layer: Annotated[
        int | None, typer.Option(help="With --model: check at most this many weights per layer.")
    ] = 200,
    as_json: Annotated[bool, typer.Option("--json")] = False,
):
    """Finite differences against BP1–BP4, per layer; exit status 1 if any check fails."""
    real_number(eps, "--eps (ε of the central difference)", low=0, high=1, low_open=True, hint="; use about 1e-6")
    real_number(threshold, "--threshold", low=0, low_open=True, hint="; use about 1e-6")
    whole_number(samples, "--samples", low=1, high=MAX_SAMPLES)
    if max_per_layer is not None:
        whole_number(max_per_layer, "--max-per-layer", low=1, high=MAX_PARAMETERS)
    terms = Terms(non_negative_float(l2, "--l2"), non_negative_float(l1, "--l1"), dropout)
    if model:
        rows = check_model(model, data, data_dir, samples, seed, threshold, eps, max_per_layer, terms)
    else:
        rows = check_random(random_layers(layers), activation, output, cost, samples, seed, threshold, eps, terms)
    if as_json:
        print_json(
            [
                {
                    "network": r.label,
                    "passed": r.passed,
                    "max_error": r.report.max_error,
                    "layers": [vars(layer) for layer in r.report.layers],
                }
                for r in rows
            ]
        )
    else:
        print_rows(rows, threshold, eps)
    if not all(r.passed for r in rows):
        raise typer.Exit(1)


def print_rows(rows, threshold, eps) -> None:
    """One table row per layer of each checked network, then how many networks pass."""
    table = Table(
        title=f"∂C/∂w, ∂C/∂b: backprop against central differences (ε = {eps:g})",
        caption=f"relative error ‖g − g_fd‖ / (‖g‖ + ‖g_fd‖) per layer; pass ≤ {threshold:g}",
    )
    for column in ("network", "layer", "∂C/∂w error", "∂C/∂b error", ""):
        table.add_column(column)
    for r in rows:
        for i, layer in enumerate(r.report.layers):
            verdict = "[green]pass[/]" if layer.error <= threshold else "[red]FAIL[/]"
            table.add_row(
                escape(r.label) if i == 0 else "",
                str(layer.layer),
                f"{layer.weight_error:.2e}",
                f"{layer.bias_error:.2e}",
                verdict,
            )
    console.print(table)
    failed = [r.label for r in rows if not r.passed]
    console.print(
        f"{len(rows) - len(failed)} of {len(rows)} networks pass"
        + (f"; failed: {', '.join(failed)}" if failed else ""),
        markup=False,
        soft_wrap=True,
    )


# -- the checks ---------------------------------------------------------------


@dataclass
class Terms:
    """What the checked cost adds to C₀: the L2 and L1 terms, and dropout's rate p (0: none)."""

    l2: float = 0.0
    l1: float = 0.0
    dropout: float = 0.0

    def label(self) -> str:
        parts = [f"{name} {value:g}" for name, value in (("L2", self.l2), ("L1", self.l1)) if value]
        parts += [f"dropout {self.dropout:g}"] if self.dropout else []
        return f" + {', '.join(parts)}" if parts else ""

    def check(self, net, X, Y, rng, **options):
        """gradcheck of net on (X, Y) with these terms; dropout masks drawn from rng."""
        rates = dropout_rates(self.dropout or None, len(net.sizes) - 2)
        masks = None if rates is None else draw_masks(rates, net.sizes, X.shape[0], rng, np.float64)
        return compare_with_finite_differences(net, X, Y, l2=self.l2, l1=self.l1, masks=masks, **options)


@dataclass
class Row:
    """One checked network: its description, per-layer report and verdict."""

    label: str
    report: object
    passed: bool


def component(text):
    """A built-in name as is, or ``module:Name`` imported (a class is instantiated)."""
    if text is None or ":" not in text:
        return text
    module_name, _, attribute = text.partition(":")
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as `python -m` does: modules in the current folder
    try:
        obj = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as e:
        raise InvalidArgument(f"cannot import {text!r} ({e}); give module:Name of an importable module.")
    return obj() if isinstance(obj, type) else obj


def targets_for(net, m, rng):
    """Targets the network's cost accepts: one-hot for softmax, in (0, 1) for sigmoid, reals otherwise."""
    n_out = net.sizes[-1]
    name = getattr(net.output, "name", None)
    if name == "softmax":
        return np.eye(n_out)[rng.integers(0, n_out, m)]
    if name == "sigmoid":
        return rng.uniform(0.05, 0.95, (m, n_out))
    return rng.normal(size=(m, n_out))


def random_networks(layers, activation, output, cost, seed):
    """(label, network) for the pairs to check: all of them, or the one the options name."""
    if activation or output or cost:
        names = (activation or "sigmoid").split(",") if ":" not in (activation or "") else [activation]
        hidden = [[component(name.strip()) for name in names] if len(names) > 1 else component(names[0])]
        pairs = [(component(output) if output else None, component(cost or "quadratic"))]
    else:
        hidden, pairs = HIDDEN, OUTPUT_COST
    for h in hidden:
        for out, c in pairs:
            net = Network(layers, activation=h, output=out, cost=c, init="scaled_normal", seed=seed, dtype="float64")
            yield f"{net.activation_name} → {name_of(net.output)} / {name_of(net.cost)}", net


MAX_PARAMETERS = 2_000
"""The most weights and biases of a random network checked: each costs two forward passes."""
MAX_SAMPLES = 10_000


def random_layers(text) -> list[int]:
    """--layers for the random networks: at least two widths, at most MAX_PARAMETERS parameters."""
    sizes = layer_widths(text, "--layers", minimum_layers=2)
    n_parameters = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    if n_parameters > MAX_PARAMETERS:
        raise InvalidArgument(
            f"--layers {','.join(map(str, sizes))} has {n_parameters} weights and biases; gradcheck of "
            f"random networks checks at most {MAX_PARAMETERS} (each costs two forward passes). Use "
            "narrower layers, or --model FILE with --max-per-layer to sample a large network."
        )
    return sizes


def check_random(layers, activation, output, cost, samples, seed, threshold, eps, terms=None):
    terms = terms or Terms()
    rng = np.random.default_rng(seed)
    rows = []
    for label, net in random_networks(layers, activation, output, cost, seed):
        X = rng.normal(size=(samples, net.sizes[0]))
        report = terms.check(net, X, targets_for(net, samples, rng), rng, eps=eps)
        rows.append(Row(label + terms.label(), report, report.passed(threshold)))
    return rows


def check_model(model_path, data, data_dir, samples, seed, threshold, eps, max_per_layer, terms=None):
    from .. import datasets
    from .saved_model import model_and_preprocessor

    net, meta, pre = model_and_preprocessor(model_path)
    name = data or meta.get("dataset")
    if not name:
        raise InvalidArgument("the model does not say which data it was trained on; pass --data NAME.")
    dataset = datasets.load(name, data_dir=data_dir, seed=seed)
    rows = np.random.default_rng(seed).choice(
        len(dataset.X_train), size=min(samples, len(dataset.X_train)), replace=False
    )
    X = dataset.X_train[rows]
    X = pre.transform(X) if pre else X
    terms, rng = terms or Terms(), np.random.default_rng(seed)
    report = terms.check(net, X, dataset.y_train[rows], rng, eps=eps, max_per_layer=max_per_layer, seed=seed)
    label = f"{model_path} on {len(rows)} samples of {name}{terms.label()}"
    return [Row(label, report, report.passed(threshold))]
