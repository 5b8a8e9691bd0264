"""The ``bprop`` command line (``python -m bprop`` works the same)."""

from .app import app, main, run_main

__all__ = ["app", "main", "run_main"]
