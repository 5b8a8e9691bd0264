"""Run the cases: every contender on the same work, interleaved, in one process.

For each case and batch size, all contenders are built from the same data
(and bprop and torch from the same initial weights), trained ``warmup``
untimed epochs each, then timed: in each repeat every contender runs
``epochs_per_repeat`` epochs in turn, the order rotating from one repeat to
the next, so that a slow spell of a shared machine falls on all of them.
Interleaved with them run the product floors (``floor``): bprop's products
alone in NumPy (g) and, when torch imports, PyTorch's (h). Figures:

    seconds        s/epoch of each repeat; median_seconds their median
    ratio          bprop's median ÷ the other's median (also per repeat); ``estimator_ratios``
                   the same for BPClassifier (the estimator contender), whose target is MLP's time
    floors         g and h, s/epoch; floor_ratios: bprop s/g, PyTorch t/g and t/h (medians)
    gflops         gemm_flops(sizes, n_train) ÷ median_seconds (see ``flops``)
    peak_fraction  gflops ÷ the sgemm peak measured in this run (best of start and end)
    accuracy       on the test split, after all the epochs (equal work → comparable accuracy)
    memory         peak resident memory, from a fresh subprocess per contender (see ``memory``),
                   measured after all the timing

The result is one JSON-ready dict; ``report`` writes it as Markdown and JSON.
"""

from __future__ import annotations

import numbers
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from ..core.arguments import positive_int
from ..errors import InvalidArgument
from . import machine, memory
from .cases import load_data, selected
from .contenders import CONTENDERS, importable
from .floor import NumpyFloor, TorchFloor
from .flops import CONVENTION, gemm_flops
from .timing import figures as timing_figures
from .timing import interleaved

FLOOR_NAMES = {"bprop": "floor", "torch": "torch_floor"}  # a contender → its product floor's key in the timing

SGEMM_N = 2048
SUBJECTS = ("bprop", "estimator")  # the contenders whose time ratios are targets (cases.Target.subject)


def run(
    cases=None,
    *,
    quick: bool = False,
    repeats: int | None = None,
    epochs_per_repeat: int = 1,
    warmup: int = 1,
    measure_memory: bool | None = None,
    seed: int = 0,
    progress=None,
) -> dict:
    """Benchmark bprop against PyTorch and scikit-learn; returns the results dict.

    cases : keys such as ["a", "b"] or "a,b" (default: all of cases.CASES)
    quick : smoke mode: small data subsets, one batch size per case, 1 repeat (unless given)
    repeats : timed repeats per (case, batch) (default 5; 1 in smoke mode)
    epochs_per_repeat : epochs timed together in one repeat (the time is divided by it)
    warmup : untimed epochs per contender before the repeats
    measure_memory : measure peak memory, one subprocess per contender and run (about a second
        or two each); default: yes, except in smoke mode
    seed : initial weights, shuffling and subsets
    progress : a function taking one line of text, called as the run advances (None: silent)
    """
    chosen = selected(cases)
    repeats = positive_int(1 if quick else 5, "repeats") if repeats is None else positive_int(repeats, "repeats")
    epochs_per_repeat = positive_int(epochs_per_repeat, "epochs_per_repeat")
    if isinstance(warmup, bool) or not isinstance(warmup, numbers.Integral) or warmup < 0:
        raise InvalidArgument(f"warmup must be a whole number ≥ 0 (untimed epochs), got {warmup!r}.")
    say = progress or (lambda line: None)
    measure_memory = (not quick) if measure_memory is None else bool(measure_memory)

    threads = machine.blas_threads()
    skipped = {name: importable(name) for name in CONTENDERS}
    names = [name for name in CONTENDERS if skipped[name] is None]
    contenders = {
        name: {"label": CONTENDERS[name].label() if skipped[name] is None else name, "skipped": skipped[name]}
        for name in CONTENDERS
    }
    loads = [machine.load_average()]
    say(f"1-minute load average {loads[0]} (other work on the CPUs slows every contender; compare ratios)")
    say(f"sgemm peak: float32 {SGEMM_N}×{SGEMM_N} @ {SGEMM_N}×{SGEMM_N} with NumPy, {threads} BLAS threads")
    peaks = [machine.sgemm_peak(SGEMM_N, repeats=2 if quick else 5, seed=seed)]

    results = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "quick": quick,
            "cases": [c.key for c in chosen],
            "repeats": repeats,
            "epochs_per_repeat": epochs_per_repeat,
            "warmup": warmup,
            "memory": measure_memory,
            "seed": seed,
            "threads": threads,
        },
        "contenders": contenders,
        "flop_convention": CONVENTION,
        "cases": [],
    }
    with tempfile.TemporaryDirectory(prefix="bprop-bench-") as scratch:
        data_cache, jobs = {}, []
        for case in chosen:
            if case.dataset not in data_cache:
                say(f"loading {case.dataset}")
                data = load_data(case.dataset, quick=quick, seed=seed)
                folder = (
                    memory.save_data(os.path.join(scratch, case.dataset), data.X_train, data.y_train)
                    if measure_memory
                    else None
                )
                data_cache[case.dataset] = (data, folder)
            data, folder = data_cache[case.dataset]
            entry = _case_entry(case, data, names)
            for batch_size in case.batches(quick):
                run_ = _timed_run(case, data, batch_size, names, seed, threads, repeats, epochs_per_repeat, warmup, say)
                entry["runs"].append(run_)
                if measure_memory:
                    jobs += [(run_, name, case, batch_size, folder) for name in names]
            results["cases"].append(entry)

        peaks.append(machine.sgemm_peak(SGEMM_N, repeats=2 if quick else 5, seed=seed))
        loads.append(machine.load_average())
        if jobs:
            say(f"peak memory: {len(jobs)} subprocesses")
            _measure_memory(jobs, seed, threads)

    best = max(p["gflops"] for p in peaks)
    results["sgemm_peak"] = {"n": SGEMM_N, "gflops": best, "measurements": peaks}
    results["machine"] = machine.describe()  # after the imports, so every thread pool is listed
    results["machine"]["load_average"] = {"start": loads[0], "end": loads[1]}
    for entry, case in zip(results["cases"], chosen):
        for run_ in entry["runs"]:
            judge(run_, case, best)
    results["summary"] = _summary(results)
    return results


def _case_entry(case, data, names) -> dict:
    return {
        "key": case.key,
        "title": case.title,
        "description": case.describe(),
        "dataset": case.dataset,
        "sizes": list(case.sizes),
        "activation": case.activation,
        "output": case.output,
        "cost": case.cost,
        "init": case.init,
        "optimizer": case.optimizer,
        "lr": case.lr,
        "n_train": int(len(data.y_train)),
        "n_test": int(len(data.y_test)),
        "notes": {name: CONTENDERS[name].note(case) for name in names},
        "runs": [],
    }


def _timed_run(case, data, batch_size, names, seed, threads, repeats, epochs_per_repeat, warmup, say) -> dict:
    initial = case.network(seed)
    built = {
        name: CONTENDERS[name].build(case, data.X_train, data.y_train, batch_size, initial, seed, threads)
        for name in names
    }
    epochs = {name: built[name].epoch for name in names}
    epochs.update(floor_epochs(case.sizes, len(data.y_train), batch_size, names, seed, threads))
    seconds = interleaved(epochs, repeats=repeats, epochs_per_repeat=epochs_per_repeat, warmup=warmup)
    figures = {}
    for name in names:
        figures[name] = timing_figures(seconds[name])
        figures[name].update(accuracy=built[name].accuracy(data.X_test, data.y_test), memory=None)
    floors = {name: timing_figures(seconds[key]) for name, key in FLOOR_NAMES.items() if key in seconds}
    say(
        f"case {case.key}, batch {batch_size}: "
        + ", ".join(f"{name} {f['median_seconds']:.3g}" for name, f in figures.items())
        + "".join(f", {name}'s product floor {f['median_seconds']:.3g}" for name, f in floors.items())
        + " s/epoch"
    )
    return {
        "batch_size": batch_size,
        "epochs_trained": warmup + repeats * epochs_per_repeat,
        "gflop_per_epoch": gemm_flops(case.sizes, len(data.y_train)) / 1e9,
        "contenders": figures,
        "floors": floors,
    }


def floor_epochs(sizes, n, batch_size, names, seed, threads) -> dict:
    """The product floors to time beside ``names``: bprop's (NumPy) always, PyTorch's when torch runs."""
    epochs = {FLOOR_NAMES["bprop"]: NumpyFloor(sizes, n, batch_size, seed).epoch}
    if "torch" in names:
        epochs[FLOOR_NAMES["torch"]] = TorchFloor(sizes, n, batch_size, seed, threads).epoch
    return epochs


def _measure_memory(jobs, seed, threads):
    def one(job):
        run_, name, case, batch_size, folder = job
        run_["contenders"][name]["memory"] = memory.measure(
            name, case.key, batch_size, folder, seed=seed, threads=threads
        )

    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        list(pool.map(one, jobs))


def judge(run_, case, peak_gflops):
    """GFLOP/s, fractions of peak, ratios and target verdicts of one (case, batch) run."""
    figures = run_["contenders"]
    for f in figures.values():
        f["gflops"] = run_["gflop_per_epoch"] / f["median_seconds"]
        f["peak_fraction"] = f["gflops"] / peak_gflops
    ratios_of = {
        subject: {
            name: {
                "median_ratio": figures[subject]["median_seconds"] / f["median_seconds"],
                "per_repeat": [a / b for a, b in zip(figures[subject]["seconds"], f["seconds"])],
            }
            for name, f in figures.items()
            if name != subject
        }
        for subject in SUBJECTS
        if subject in figures
    }
    run_["ratios"] = ratios_of.get("bprop", {})  # bprop ÷ each other contender
    run_["estimator_ratios"] = ratios_of.get("estimator", {})  # BPClassifier ÷ each other contender
    run_["floor_ratios"] = floor_ratios(figures, run_.get("floors", {}))
    run_["targets"] = [
        _verdict(target, figures, ratios_of, run_["floor_ratios"])
        for target in case.targets
        if target.applies(run_["batch_size"])
    ]


def floor_ratios(figures, floors) -> dict:
    """Medians: bprop's s/g ("bprop"), each other contender's time ÷ g (PyTorch's t/g), and PyTorch's t/h.

    ``below_floor`` names the contenders whose step is faster than bprop's product floor (t/g < 1).
    """
    if "bprop" not in floors:
        return {}
    g = floors["bprop"]["median_seconds"]
    ratios = {name: f["median_seconds"] / g for name, f in figures.items()}
    result = {"over_floor": ratios, "below_floor": sorted(name for name, r in ratios.items() if r < 1.0)}
    if "torch" in floors and "torch" in figures:
        result["torch_over_own_floor"] = figures["torch"]["median_seconds"] / floors["torch"]["median_seconds"]
    return result


def _verdict(target, figures, ratios_of, over_floor) -> dict:
    value, waived = None, None
    ratios = ratios_of.get(target.subject, {})
    if target.subject in figures:
        if target.metric == "time_ratio" and target.against in ratios:
            value = ratios[target.against]["median_ratio"]
            if target.unless_below_floor and target.against in over_floor.get("below_floor", ()):
                waived = f"{target.against}'s step is faster than bprop's product floor"
        elif target.metric == "floor_ratio" and over_floor:
            value = over_floor["over_floor"]["bprop"]
        elif target.metric == "peak_fraction":
            value = figures["bprop"]["peak_fraction"]
        elif target.metric == "memory_ratio" and target.against in figures:
            ours, theirs = figures["bprop"]["memory"], figures[target.against]["memory"]
            if ours and theirs and "delta_mb" in ours and theirs.get("delta_mb"):
                value = ours["delta_mb"] / theirs["delta_mb"]
    return {
        "metric": target.metric,
        "against": target.against,
        "subject": target.subject,
        "limit": target.limit,
        "description": target.describe(),
        "value": value,
        "met": None if value is None or waived else bool(target.met(value)),
        "waived": waived,
    }


def _summary(results) -> dict:
    checked, missed, waived = 0, [], []
    for entry in results["cases"]:
        for run_ in entry["runs"]:
            for t in run_["targets"]:
                if t.get("waived"):
                    waived.append(f"case {entry['key']}, batch {run_['batch_size']}: {t['description']}: {t['waived']}")
                if t["met"] is None:
                    continue
                checked += 1
                if not t["met"]:
                    missed.append(f"case {entry['key']}, batch {run_['batch_size']}: {t['description']}")
    return {"targets_checked": checked, "targets_met": checked - len(missed), "missed": missed, "waived": waived}
