"""Flags that several commands declare alike, written once so that their help texts cannot drift apart.

``bprop train`` and ``bprop explain`` build a network from the same
--activation, --output and --cost; ``bprop evaluate`` and ``bprop predict``
take the same model file. A command declares such a flag by its type here:

    activation: ActivationOption = None
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ActivationOption = Annotated[
    str | None,
    typer.Option(
        help="Hidden σ: sigmoid, tanh, relu, leaky_relu, identity (default: sigmoid); "
        "relu,tanh gives one per hidden layer."
    ),
]
OutputOption = Annotated[
    str | None,
    typer.Option(help="Output σ: as --activation, or softmax (default: same as --activation, its last σ)."),
]
CostOption = Annotated[str | None, typer.Option(help="quadratic, cross_entropy, log_likelihood (default: quadratic).")]
ModelArgument = Annotated[Path, typer.Argument(help="A .bprop model file.")]
