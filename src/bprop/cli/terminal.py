"""Where the commands print: one rich console for text and tables, stdout for ``--json``."""

from __future__ import annotations

import json
import math
import sys

from rich.console import Console

console = Console(highlight=False)


def print_json(data) -> None:
    """``data`` as indented, standard JSON on stdout (non-ASCII kept as is: class names, 中文).

    A NaN or infinite number (a diverged cost) is written as null: standard
    JSON has no NaN, and a reader such as ``jq`` would refuse the output.
    """
    sys.stdout.write(json.dumps(finite_or_null(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def finite_or_null(value):
    """``value`` with every non-finite float (NaN, ±inf), at any depth, replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_or_null(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_null(v) for v in value]
    return value
