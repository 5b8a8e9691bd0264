"""The report: bench.json (everything measured) and bench.md (the table and the machine).

Markdown columns: case, batch, contender, median s/epoch, bprop's time ÷
this contender's with its target, GFLOP/s, % of the sgemm peak (bprop's
target in case c), peak memory (whole process, and Δ over the data-loaded
baseline, with bprop's target), test accuracy.

A second table, the product floor (``floor``), per case and batch: bprop's
floor g, bprop s/g, PyTorch t/g, bprop ÷ PyTorch, PyTorch's own floor h and
t/h, and the verdicts of the time targets.
"""

from __future__ import annotations

import json
from pathlib import Path

MARK = {True: "✓ pass", False: "✗ miss", None: "n/a"}
FLOOR_COLUMNS = (
    "case",
    "batch",
    "bprop's floor g (s/epoch)",
    "bprop s/g",
    "PyTorch t/g",
    "bprop ÷ PyTorch",
    "PyTorch's floor h (s/epoch)",
    "PyTorch t/h",
    "time targets",
)
COLUMNS = (
    "case",
    "batch",
    "contender",
    "s/epoch (median)",
    "bprop ÷ this (target)",
    "GFLOP/s",
    "% of sgemm peak",
    "peak MB (Δ train)",
    "test accuracy",
)


def write(results: dict, out) -> tuple:
    """Write bench.md and bench.json into the folder ``out`` (made if needed); returns both paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / "bench.md", out / "bench.json"
    js.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md.write_text(to_markdown(results), encoding="utf-8")
    return md, js


def table(results: dict) -> list:
    """The rows of the Markdown table, as lists of cell texts (COLUMNS order)."""
    rows = []
    for entry in results["cases"]:
        for run_ in entry["runs"]:
            targets = run_["targets"]
            for i, (name, f) in enumerate(run_["contenders"].items()):
                label = results["contenders"][name]["label"]
                if entry["notes"].get(name):
                    label += f" ({entry['notes'][name]})"
                rows.append(
                    [
                        f"{entry['key']}: {entry['title']}" if i == 0 else "",
                        str(run_["batch_size"]),
                        label,
                        f"{f['median_seconds']:.4g}",
                        _ratio_cell(name, run_, targets),
                        f"{f['gflops']:.3g}",
                        _peak_cell(name, f, targets),
                        _memory_cell(name, f, targets),
                        f"{f['accuracy']:.4f}",
                    ]
                )
    return rows


def floor_table(results: dict) -> list:
    """The rows of the product-floor table, as lists of cell texts (FLOOR_COLUMNS order)."""
    rows = []
    for entry in results["cases"]:
        for i, run_ in enumerate(entry["runs"]):
            floors, ratios = run_.get("floors", {}), run_.get("floor_ratios", {})
            if "bprop" not in floors:
                continue
            over = ratios["over_floor"]
            torch_ratio = run_["ratios"].get("torch", {}).get("median_ratio")
            rows.append(
                [
                    f"{entry['key']}: {entry['title']}" if i == 0 else "",
                    str(run_["batch_size"]),
                    f"{floors['bprop']['median_seconds']:.4g}",
                    _times(over.get("bprop")),
                    _times(over.get("torch")) + (" (below g)" if "torch" in ratios["below_floor"] else ""),
                    _times(torch_ratio),
                    f"{floors['torch']['median_seconds']:.4g}" if "torch" in floors else "—",
                    _times(ratios.get("torch_over_own_floor")),
                    _time_targets(run_["targets"]),
                ]
            )
    return rows


def _times(value):
    return "—" if value is None else f"{value:.3g}×"


def _time_targets(targets):
    texts = []
    for t in targets:
        if t["metric"] in ("time_ratio", "floor_ratio") and t.get("subject", "bprop") == "bprop":
            short = "s/g" if t["metric"] == "floor_ratio" else f"÷ {t['against']}"
            texts.append(f"{short} ≤ {t['limit']:g}: {_mark(t)}")
    return "; ".join(texts) or "—"


def _mark(t):
    return "waived (PyTorch beats bprop's floor)" if t.get("waived") else MARK[t["met"]]


def _ratio_cell(name, run_, targets):
    """bprop ÷ this, with bprop's target; on the estimator's row also its own ratio to MLP and target."""
    ratios = run_.get("ratios", {})
    if name == "bprop":
        return "1"
    text = f"{ratios[name]['median_ratio']:.3g}×" if name in ratios else "—"
    for t in targets:
        if t["metric"] == "time_ratio" and t["against"] == name and t.get("subject", "bprop") == "bprop":
            text += f" (≤ {t['limit']:g}×: {_mark(t)})"
    own = run_.get("estimator_ratios", {})
    for t in targets:
        if name == t.get("subject") == "estimator" and t["against"] in own:
            ratio = own[t["against"]]["median_ratio"]
            text += f"; this ÷ {t['against']} {ratio:.3g}× (≤ {t['limit']:g}×: {MARK[t['met']]})"
    return text


def _peak_cell(name, f, targets):
    text = f"{f['peak_fraction']:.1%}"
    if name == "bprop":
        for t in targets:
            if t["metric"] == "peak_fraction":
                text += f" (≥ {t['limit']:.0%}: {MARK[t['met']]})"
    return text


def _memory_cell(name, f, targets):
    m = f.get("memory")
    if m is None:
        return "not measured"
    if "error" in m:
        return f"failed: {m['error']}"
    text = f"{m['peak_mb']:.0f} (Δ {m['delta_mb']:.0f})"
    if name == "bprop":
        for t in targets:
            if t["metric"] == "memory_ratio":
                text += f" (Δ ≤ {t['against']}'s: {MARK[t['met']]})"
    return text


def to_markdown(results: dict) -> str:
    s, m = results["settings"], results["machine"]
    blas, peak = m["blas"], results["sgemm_peak"]
    lines = ["# bprop benchmark", ""]
    if s["quick"]:
        lines += [
            "**Smoke mode (--quick)**: small subsets, one batch size per case; the timings check that "
            "the harness runs and mean nothing.",
            "",
        ]
    lines += [
        f"Created {results['created']}. Cases {', '.join(s['cases'])}; {s['repeats']} timed repeat(s) of "
        f"{s['epochs_per_repeat']} epoch(s) after {s['warmup']} warm-up epoch(s), contenders interleaved "
        f"(the order rotates each repeat); seed {s['seed']}.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu_model']} ({m['usable_cpus']} usable of {m['logical_cpus']} logical CPUs), {m['platform']}",
        _load_line(m.get("load_average"), m["usable_cpus"]),
        f"- NumPy's BLAS: {blas['internal_api']} {blas['version']}, kernel/architecture {blas['architecture']}, "
        f"{blas['num_threads']} threads ({blas['threading_layer']}), {blas['filepath']}",
        f"- PyTorch: {_torch_line(m['torch'], s['threads'])}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        "- environment: " + ", ".join(f"{k}={v if v is not None else '(unset)'}" for k, v in m["environment"].items()),
        f"- sgemm peak: {peak['gflops']:.1f} GFLOP/s (NumPy float32 {peak['n']}×{peak['n']} @ {peak['n']}×{peak['n']}, "
        f"best of {sum(p['repeats'] for p in peak['measurements'])} products at the start and the end of the run)",
        "",
        "## Results",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in table(results)]
    lines += ["", "## Product floor", ""] + floor_lines(results)
    summary = results["summary"]
    lines += ["", f"Targets met: {summary['targets_met']} of {summary['targets_checked']} checked."]
    lines += [f"- missed: {text}" for text in summary["missed"]]
    lines += [f"- waived: {text}" for text in summary.get("waived", [])]
    lines += ["", "## Cases", ""]
    for entry in results["cases"]:
        lines.append(
            f"- **{entry['key']}** {entry['description']}; {entry['n_train']} training and "
            f"{entry['n_test']} test samples, float32 scaled to [0, 1]; batch "
            f"{', '.join(str(r['batch_size']) for r in entry['runs'])}"
        )
    skipped = [f"{name}: {c['skipped']}" for name, c in results["contenders"].items() if c["skipped"]]
    lines += [
        "",
        "## How to read it",
        "",
        f"- FLOPs: {results['flop_convention']}. GFLOP/s = those FLOPs of one epoch ÷ its median seconds.",
        "- bprop ÷ this: bprop's median s/epoch over this contender's, from the same run; below 1 means "
        "bprop is faster.",
        "- Targets (issue 20, for the machine's own speed): at batch ≥ 128 bprop's epoch ≤ 1.15× its product "
        "floor g; digits ≤ 0.10× PyTorch, batch 32 ≤ 0.5×, Adam ≤ 0.7×; at batch ≥ 128 never slower than "
        "PyTorch unless PyTorch's whole step is faster than g (then waived, and the floors g and h compared); "
        "bprop's extra memory ≤ PyTorch's.",
        "- bprop runs `bprop.train(net, X, y, epochs=1, batch_size=B, optimizer=..., seed=rng)` per epoch; "
        "PyTorch the usual loop (a permutation per epoch, batches sliced from the permuted pre-built "
        "tensors, zero_grad, forward, loss, backward, step) from bprop's initial weights, with "
        f"torch.set_num_threads({s['threads']}), NumPy's BLAS thread count; scikit-learn "
        "`MLPClassifier.partial_fit` (one epoch per call) with the same solver settings; bprop's "
        "BPClassifier (the estimator row) `partial_fit` with MLPClassifier's very arguments, so from the "
        "same random_state it does MLP's work step for step (its initial weights, its shuffling): "
        "\"this ÷ sklearn\" on that row is the drop-in's time over MLP's, with its target.",
        "- scikit-learn's MLPClassifier always uses softmax + log-loss for several classes and draws its "
        "own initial weights, so its accuracy is not from the same start; for the digits case "
        "(sigmoid/quadratic) it runs logistic hidden units with log-loss: not identical, scikit-learn "
        "has no quadratic cost.",
        "- Peak memory: resident set of a fresh subprocess per contender and case (tracemalloc cannot see "
        "BLAS or torch buffers): peak MB is the high-water mark while training (interpreter, libraries, "
        "data and model), Δ train what building and training one epoch added to the resident set after "
        "the libraries and data were loaded; the target compares Δ.",
        "- Accuracy: on the test split after all the epochs each contender trained "
        f"({s['warmup']} warm-up + {s['repeats']} × {s['epochs_per_repeat']} timed), the same for all.",
    ]
    if skipped:
        lines += [f"- skipped contenders: {'; '.join(skipped)}"]
    return "\n".join(lines) + "\n"


def floor_lines(results: dict) -> list:
    """The product-floor table in Markdown, with what its columns mean."""
    lines = [
        "g = bprop's step's own matrix products alone (forward A·Wᵀ, BP2 Δ·W, BP3 Δᵀ·A per layer, no BP2 "
        "for the first), NumPy float32, same shapes and orientations, every batch of an epoch; h = the same "
        "products with torch.mm; s = bprop's epoch, t = PyTorch's; all timed interleaved in this run.",
        "",
        "| " + " | ".join(FLOOR_COLUMNS) + " |",
        "|" + "|".join("---" for _ in FLOOR_COLUMNS) + "|",
    ]
    rows = floor_table(results)
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    if any("(below g)" in row[4] for row in rows):
        lines += [
            "",
            "(below g): PyTorch's whole step is faster than bprop's products alone, so its BLAS multiplies "
            "faster than NumPy's here; compare the floors g and h. bprop's never-slower target is waived there.",
        ]
    return lines


def _load_line(load, cpus):
    if not load or load["start"] is None:
        return "- load average: not known"
    text = f"- 1-minute load average: {load['start']:g} at the start, {load['end']:g} at the end"
    if max(load["start"], load["end"]) > cpus:
        text += f" (above the {cpus} usable CPUs: other work shared the machine; compare only ratios)"
    return text


def _torch_line(info, threads):
    if not info:
        return "not loaded"
    return (
        f"{info['threads']} threads (set to NumPy's {threads}), BLAS {info.get('BLAS_INFO', '?')}, "
        f"CPU capability {info.get('cpu_capability')}"
    )
