"""The scaling report: scaling.json, scaling.md, scaling.csv and one PNG per sweep.

Every figure is the best (least) of a point's repeats: on a shared machine
other work only adds time, and a sweep's short epochs catch its spikes.
Each PNG has two panels: seconds per epoch against the swept size (log-log),
every contender as a line with the product floors g (bprop's, NumPy) and h
(PyTorch's) drawn dashed; and each time ÷ g, so a reader sees where each
contender leaves the hardware limit (1 = the products alone; issue 20's
bound for bprop, 1.15, dotted). Matplotlib is imported inside ``plot``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..storage.files import atomic_write

SERIES = (  # key in a point's "seconds", label, matplotlib style
    ("bprop", "bprop", dict(color="C0", marker="o")),
    ("torch", "PyTorch", dict(color="C1", marker="s")),
    ("sklearn", "scikit-learn", dict(color="C2", marker="^")),
    ("bprop_floor", "g: bprop's products alone (NumPy)", dict(color="black", linestyle="--")),
    ("torch_floor", "h: PyTorch's products alone", dict(color="grey", linestyle=":")),
)
LABELS = {key: label for key, label, _ in SERIES}
SHORT = {"bprop": "bprop", "torch": "PyTorch", "sklearn": "scikit-learn", "bprop_floor": "g", "torch_floor": "h"}
AXES = {"batch": ("batch_size", "batch size"), "width": ("width", "width w of both hidden layers")}
FLOOR_BOUND = 1.15
BEST = "best_seconds"


def write(results: dict, out) -> dict:
    """Write scaling.json, .md, .csv and scaling-<sweep>.png into ``out``; returns the paths by kind."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "scaling.json", "md": out / "scaling.md", "csv": out / "scaling.csv"}
    _write_text(paths["json"], json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    _write_text(paths["md"], to_markdown(results))
    _write_text(paths["csv"], to_csv(results))
    for sweep in AXES:
        if any(p["sweep"] == sweep for p in results["points"]):
            paths[f"png-{sweep}"] = plot(results, sweep, out / f"scaling-{sweep}.png")
    return paths


def columns(results: dict) -> list:
    """The timed series present in this run, in SERIES order."""
    present = set(results["points"][0]["seconds"]) if results["points"] else set()
    return [key for key, _, _ in SERIES if key in present]


def rows(results: dict, sweep: str) -> tuple:
    """(header, rows) of one sweep's table: the swept size, GFLOP/epoch, s/epoch of each series, ratios to g."""
    keys = columns(results)
    size_key, size_name = AXES[sweep]
    others = [k for k in keys if k != "bprop_floor"]
    header = [size_name, "GFLOP/epoch"] + [f"{SHORT[k]} s/epoch" for k in keys]
    header += [f"{SHORT[k]} ÷ g" for k in others if "bprop_floor" in keys]
    if {"bprop", "torch"} <= set(keys):
        header.append("bprop ÷ PyTorch")
    table = []
    for p in results["points"]:
        if p["sweep"] != sweep:
            continue
        s = {k: p["seconds"][k][BEST] for k in keys}
        row = [str(p[size_key]), f"{p['gflop_per_epoch']:.3g}"] + [f"{s[k]:.4g}" for k in keys]
        if "bprop_floor" in keys:
            row += [f"{s[k] / s['bprop_floor']:.3g}" for k in others]
        if {"bprop", "torch"} <= set(keys):
            row.append(f"{s['bprop'] / s['torch']:.3g}")
        table.append(row)
    return header, table


def to_markdown(results: dict) -> str:
    st = results["settings"]
    lines = ["# bprop scaling: seconds per epoch against batch size and width", ""]
    if st["quick"]:
        lines += ["**Smoke mode (--quick)**: tiny sweeps; the timings check that the harness runs.", ""]
    lines += [
        f"Created {results['created']}. {st['samples']} synthetic samples per epoch (784 inputs, 10 classes), "
        f"relu/softmax/log-likelihood, SGD η=0.1, float32, BLAS threads: {st['threads']}; "
        f"{st['repeats']} timed repeat(s) of {st['epochs_per_repeat']} epoch(s) after {st['warmup']} warm-up, "
        "every series interleaved at each point; the best of the repeats (other work only adds time). g = bprop's step's matrix products alone in NumPy, "
        "h = the same with torch.mm (see bench.md's product floor); scikit-learn's MLPClassifier runs the same "
        "architecture, loss and update from its own initial weights. "
        + "Versions: "
        + ", ".join(results["contenders"].values())
        + "."
        + _load_sentence(results["machine"]),
        "",
    ]
    titles = {
        "batch": f"## Against batch size: {st['batch_network']}",
        "width": f"## Against width: [784, w, w, 10] at batch {st['width_batch']}",
    }
    for sweep in AXES:
        header, table = rows(results, sweep)
        if not table:
            continue
        lines += [titles[sweep], "", f"![{sweep} sweep](scaling-{sweep}.png)", ""]
        lines += ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in table] + [""]
    lines += [f"- skipped {name}: {why}" for name, why in results["skipped"].items()]
    return "\n".join(lines) + "\n"


def to_csv(results: dict) -> str:
    """One row per point and series: sweep, sizes, batch, width, series, best s/epoch, ÷ g."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["sweep", "sizes", "batch_size", "width", "series", "seconds_per_epoch", "over_floor_g"])
    for p in results["points"]:
        g = p["seconds"].get("bprop_floor", {}).get(BEST)
        for key in columns(results):
            seconds = p["seconds"][key][BEST]
            writer.writerow(
                [
                    p["sweep"],
                    "-".join(map(str, p["sizes"])),
                    p["batch_size"],
                    p["width"] if p["width"] is not None else "",
                    key,
                    f"{seconds:.6g}",
                    f"{seconds / g:.4g}" if g else "",
                ]
            )
    return buffer.getvalue()


def plot(results: dict, sweep: str, path) -> Path:
    """Seconds per epoch (log-log) and each series ÷ g (linear), against the swept size."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullLocator

    size_key, size_name = AXES[sweep]
    points = [p for p in results["points"] if p["sweep"] == sweep]
    x = [p[size_key] for p in points]
    fig = Figure(figsize=(12, 4.6), dpi=100, layout="constrained")
    seconds_ax, ratio_ax = fig.subplots(1, 2)
    keys = columns(results)
    for key, label, style in SERIES:
        if key not in keys:
            continue
        y = [p["seconds"][key][BEST] for p in points]
        seconds_ax.plot(x, y, label=label, **style)
        if "bprop_floor" in keys and key != "bprop_floor":
            g = [p["seconds"]["bprop_floor"][BEST] for p in points]
            ratio_ax.plot(x, [a / b for a, b in zip(y, g)], label=label, **style)
    ratio_ax.axhline(1.0, color="black", linestyle="--", linewidth=1, label="g (= 1)")
    ratio_ax.axhline(FLOOR_BOUND, color="black", linestyle=":", linewidth=1, label=f"{FLOOR_BOUND}× g")
    st = results["settings"]
    network = st["batch_network"] if sweep == "batch" else f"[784, w, w, 10], batch {st['width_batch']}"
    seconds_ax.set_title(f"seconds per epoch of {st['samples']} samples, {network}", fontsize=10)
    ratio_ax.set_title("time ÷ bprop's product floor g (1 = only the products)", fontsize=10)
    seconds_ax.set_yscale("log")
    ratio_ax.set_ylim(bottom=0)  # linear: 1.5× reads as 1.5
    for ax in (seconds_ax, ratio_ax):
        ax.set_xscale("log", base=2)
        ax.set_xticks(x, [str(v) for v in x])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel(size_name)
        ax.grid(alpha=0.3, which="both")
    seconds_ax.set_ylabel("seconds per epoch (best of repeats)")
    ratio_ax.set_ylabel("time ÷ g")
    seconds_ax.legend(fontsize=8, loc="best")
    ratio_ax.legend(fontsize=8, loc="best", framealpha=0.6)
    if st["quick"]:
        fig.suptitle("smoke mode (--quick): tiny sizes, the timings mean nothing", fontsize=10)
    path = Path(path)
    with atomic_write(path) as f:
        fig.savefig(f, format="png")
    return path


def _load_sentence(machine):
    load = machine.get("load_average")
    if not load or load["start"] is None:
        return ""
    text = f" 1-minute load average {load['start']:g} at the start, {load['end']:g} at the end"
    if max(load["start"], load["end"]) > machine["usable_cpus"]:
        text += f", above the {machine['usable_cpus']} usable CPUs: other work shared the machine"
    return text + "."


def _write_text(path, text):
    with atomic_write(path) as f:
        f.write(text.encode("utf-8"))
