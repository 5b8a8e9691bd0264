"""Where the commands print: one rich console for text and tables, stdout for ``--json``."""

from __future__ import annotations

import json
import sys

from rich.console import Console

console = Console(highlight=False)


def print_json(data) -> None:
    """``data`` as indented JSON on stdout (non-ASCII kept as is: class names, 中文)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
