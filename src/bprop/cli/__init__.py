"""The ``bprop`` command line (``python -m bprop`` works the same)."""

from .app import app, main

__all__ = ["app", "main", "run_main"]


def run_main():
    """Console-script entry point: exit with ``main``'s status."""
    raise SystemExit(main())
