"""Print README's speed table from a ``bprop bench`` run's bench.json.

    python benchmarks/readme_table.py bench-results/bench.json

One row per case and batch: median s/epoch of bprop (s), PyTorch (t) and
scikit-learn, bprop's product floor g, s/g, t/g, bprop ÷ PyTorch, and the
verdicts of the time targets, as ``bprop bench`` judged them in that run.
"""

import json
import sys

from bprop.benchmarking.report import floor_table

HEADER = (
    "case",
    "batch",
    "bprop s",
    "PyTorch t",
    "scikit-learn",
    "floor g",
    "s/g",
    "t/g",
    "bprop ÷ PyTorch",
    "targets",
)


def main(path):
    results = json.loads(open(path, encoding="utf-8").read())
    floors = iter(floor_table(results))
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join("---" for _ in HEADER) + "|")
    for entry in results["cases"]:
        for i, run_ in enumerate(entry["runs"]):
            seconds = {name: f"{f['median_seconds']:.3g}" for name, f in run_["contenders"].items()}
            floor = next(floors)
            name = f"{entry['key']}: {entry['dataset']} {entry['sizes']}, {entry['optimizer']}" if i == 0 else ""
            cells = [name, str(run_["batch_size"]), seconds.get("bprop", "—"), seconds.get("torch", "—")]
            cells += [
                seconds.get("sklearn", "—"),
                f"{run_['floors']['bprop']['median_seconds']:.3g}",
                floor[3],
                floor[4],
                floor[5],
                floor[8],
            ]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench-results/bench.json")
