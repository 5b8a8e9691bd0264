"""The child process of ``memory.measure``: JSON spec on stdin, one JSON line of figures on stdout.

Run as ``python -m bprop.benchmarking.memory_probe``; nothing imports it, so
that runpy finds it fresh. The method is described in ``memory``.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

import numpy as np

MB = 1024 * 1024


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_high_water_mark() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return _status_kb("VmHWM") is not None


def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def _child(spec: dict) -> dict:
    from .cases import CASES
    from .contenders import CONTENDERS

    module = CONTENDERS[spec["contender"]]
    module.import_framework()
    case = CASES[spec["case"]]
    X = np.load(Path(spec["data_dir"]) / "X.npy")
    y = np.load(Path(spec["data_dir"]) / "y.npy")
    initial = case.network(spec["seed"])
    reset = _reset_high_water_mark()
    baseline = _status_kb("VmRSS") if reset else _maxrss_kb()
    contender = module.build(case, X, y, spec["batch_size"], initial, spec["seed"], spec["threads"])
    for _ in range(spec["epochs"]):
        contender.epoch()
    peak = _status_kb("VmHWM") if reset else _maxrss_kb()
    return {
        "peak_mb": peak * 1024 / MB,
        "baseline_mb": baseline * 1024 / MB,
        "delta_mb": max(0, peak - baseline) * 1024 / MB,
        "epochs": spec["epochs"],
        "method": "VmHWM after clear_refs reset, minus VmRSS before building the model"
        if reset
        else "ru_maxrss of the whole process, minus ru_maxrss before building the model",
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(_child(json.load(sys.stdin))) + "\n")
