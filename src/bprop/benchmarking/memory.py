"""Peak memory of one contender on one (case, batch): measured in a fresh subprocess.

tracemalloc sees only Python's allocator, not the buffers of BLAS or torch,
so the figure is the process's resident set. Each (contender, case, batch)
runs in its own ``python -m bprop.benchmarking.memory_probe`` process, which

  1. imports the contender's library and loads the prepared float32 data (.npy);
  2. resets the kernel's resident high-water mark (``echo 5 > /proc/self/clear_refs``,
     which also resets getrusage's ru_maxrss) and reads the resident size, the baseline;
  3. builds the model and trains ``epochs`` epochs;
  4. reads the high-water mark (VmHWM) again.

    peak_mb   the high-water mark while training: interpreter, libraries, data, model, buffers
    delta_mb  peak_mb − baseline: what building and training the model added (the target's figure)

Where clear_refs cannot be written, the high-water mark is ru_maxrss for the
process's whole life, and ``method`` says so (delta_mb may then be too small).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np


def measure(
    contender: str,
    case_key: str,
    batch_size: int,
    data_dir,
    *,
    seed: int,
    threads: int,
    epochs: int = 1,
    timeout: float = 1800,
) -> dict:
    """Run the measurement subprocess; its dict, or {"error": ...} when it failed."""
    spec = {
        "contender": contender,
        "case": case_key,
        "batch_size": batch_size,
        "data_dir": str(data_dir),
        "seed": seed,
        "threads": threads,
        "epochs": epochs,
    }
    source_root = str(Path(__file__).resolve().parents[2])  # the folder holding bprop/
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH")) if p)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bprop.benchmarking.memory_probe"],
            input=json.dumps(spec),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        return {"error": lines[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def save_data(directory, X, y) -> Path:
    """Write the training arrays where the subprocesses read them; returns the folder."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    np.save(directory / "X.npy", X)
    np.save(directory / "y.npy", y)
    return directory
