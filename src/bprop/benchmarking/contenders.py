"""The contenders, by name: one module each, all with the interface of ``bprop_contender``."""

from __future__ import annotations

from . import bprop_contender, estimator_contender, sklearn_contender, torch_contender

CONTENDERS = {
    module.NAME: module for module in (bprop_contender, torch_contender, sklearn_contender, estimator_contender)
}


def importable(name: str) -> str | None:
    """None when the contender's library imports, else why it does not (the contender is skipped)."""
    try:
        CONTENDERS[name].import_framework()
    except ImportError as e:
        return f"not installed ({e})"
    return None
