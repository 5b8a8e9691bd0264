"""How cost grows: seconds per epoch against batch size and against width, every contender and the floors.

Two sweeps, on the same synthetic data (n samples of 784 numbers in [0, 1),
10 classes; the time of a dense step does not depend on the values), each
relu/softmax/log-likelihood trained with plain SGD η=0.1 from bprop's He
initial weights (scikit-learn from its own):

    batch  [784, 256, 128, 10] at batch 8, 16, …, 4096
    width  [784, w, w, 10] at batch 128, for w = 64, 128, …, 4096

At each point bprop, PyTorch, scikit-learn and the two product floors (g,
bprop's products alone in NumPy; h, PyTorch's with torch.mm; see ``floor``)
are timed interleaved (``timing``). ``scaling_report`` writes the table and
the plots.

    import bprop.benchmarking.scaling as scaling
    results = scaling.run(quick=True)    # a JSON-ready dict, seconds
"""

from __future__ import annotations

import numbers
from datetime import UTC, datetime

import numpy as np

from ..core.arguments import positive_int
from ..errors import InvalidArgument
from . import machine
from .cases import Case
from .contenders import CONTENDERS, importable
from .flops import gemm_flops
from .runner import FLOOR_NAMES, floor_epochs
from .timing import figures, interleaved

SWEPT = ("bprop", "torch", "sklearn")  # the contenders swept (BPClassifier's work is MLPClassifier's)
INPUTS, CLASSES = 784, 10
BATCH_SIZES = tuple(2**k for k in range(3, 13))  # 8 … 4096
WIDTHS = tuple(2**k for k in range(6, 13))  # 64 … 4096
BATCH_NETWORK = (INPUTS, 256, 128, CLASSES)
WIDTH_BATCH = 128
SAMPLES = 8192
PROGRESS = {"bprop_floor": "g (bprop's products)", "torch_floor": "h (PyTorch's products)"}
# --quick: a smoke run of seconds (the figures mean nothing)
QUICK = {"batch_sizes": (8, 64, 256), "widths": (16, 64), "samples": 512}


def run(
    *,
    quick: bool = False,
    batch_sizes=None,
    widths=None,
    samples: int | None = None,
    repeats: int | None = None,
    epochs_per_repeat: int = 1,
    warmup: int = 1,
    seed: int = 0,
    progress=None,
) -> dict:
    """Time every contender and both floors over the two sweeps; returns the results dict.

    quick : tiny sweeps (QUICK) and 1 repeat, unless given
    batch_sizes, widths : the points of each sweep (default BATCH_SIZES, WIDTHS)
    samples : training samples per epoch (default SAMPLES)
    repeats, epochs_per_repeat, warmup, seed, progress : as in ``runner.run`` (repeats default 3)
    """
    defaults = QUICK if quick else {"batch_sizes": BATCH_SIZES, "widths": WIDTHS, "samples": SAMPLES}
    batch_sizes = _sizes(defaults["batch_sizes"] if batch_sizes is None else batch_sizes, "batch_sizes")
    widths = _sizes(defaults["widths"] if widths is None else widths, "widths")
    samples = positive_int(defaults["samples"] if samples is None else samples, "samples")
    repeats = positive_int((1 if quick else 3) if repeats is None else repeats, "repeats")
    epochs_per_repeat = positive_int(epochs_per_repeat, "epochs_per_repeat")
    if isinstance(warmup, bool) or not isinstance(warmup, numbers.Integral) or warmup < 0:
        raise InvalidArgument(f"warmup must be a whole number ≥ 0 (untimed epochs), got {warmup!r}.")
    say = progress or (lambda line: None)
    threads = machine.blas_threads()
    skipped = {name: importable(name) for name in SWEPT}
    names = [name for name in SWEPT if skipped[name] is None]
    load_at_start = machine.load_average()
    rng = np.random.default_rng(seed)
    X = rng.random((samples, INPUTS), dtype=np.float32)
    y = rng.integers(0, CLASSES, samples)
    timing = dict(repeats=repeats, epochs_per_repeat=epochs_per_repeat, warmup=warmup)

    points = []
    for sweep, sizes, batch_size in [("batch", BATCH_NETWORK, b) for b in batch_sizes] + [
        ("width", (INPUTS, w, w, CLASSES), WIDTH_BATCH) for w in widths
    ]:
        point = _point(sweep, sizes, batch_size, X, y, names, seed, threads, timing)
        say(
            f"{sweep} sweep, {list(sizes)} batch {batch_size}: "
            + ", ".join(f"{PROGRESS.get(key, key)} {f['best_seconds']:.3g}" for key, f in point["seconds"].items())
            + " s/epoch (best of repeats)"
        )
        points.append(point)
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "quick": quick,
            "samples": samples,
            "batch_network": list(BATCH_NETWORK),
            "width_batch": WIDTH_BATCH,
            "seed": seed,
            "threads": threads,
            **timing,
        },
        "contenders": {name: CONTENDERS[name].label() for name in names},
        "skipped": {name: why for name, why in skipped.items() if why},
        "machine": {**machine.describe(), "load_average": {"start": load_at_start, "end": machine.load_average()}},
        "points": points,
    }


def _point(sweep, sizes, batch_size, X, y, names, seed, threads, timing) -> dict:
    case = Case(
        key=sweep,
        title=f"{sweep} sweep",
        dataset="synthetic",
        sizes=tuple(sizes),
        activation="relu",
        output="softmax",
        cost="log_likelihood",
        init="he",
        optimizer="sgd",
        lr=0.1,
        batch_sizes=(batch_size,),
        quick_batch_sizes=(batch_size,),
        targets=(),
    )
    initial = case.network(seed)
    epochs = {name: CONTENDERS[name].build(case, X, y, batch_size, initial, seed, threads).epoch for name in names}
    epochs.update(floor_epochs(sizes, len(y), batch_size, names, seed, threads))
    seconds = interleaved(epochs, **timing)
    floor_keys = {key: f"{name}_floor" for name, key in FLOOR_NAMES.items()}
    return {
        "sweep": sweep,
        "sizes": list(sizes),
        "batch_size": batch_size,
        "width": sizes[1] if sweep == "width" else None,
        "gflop_per_epoch": gemm_flops(sizes, len(y)) / 1e9,
        "seconds": {floor_keys.get(key, key): figures(s) for key, s in seconds.items()},
    }


def _sizes(values, name) -> tuple:
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    try:
        sizes = tuple(positive_int(int(v), name) for v in values)
    except (TypeError, ValueError):
        sizes = ()
    if not sizes:
        raise InvalidArgument(f"{name} must be whole numbers ≥ 1, such as 8,64,512; got {values!r}.")
    return sizes
