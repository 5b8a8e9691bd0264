"""Coverage-guided fuzzing (atheris, libFuzzer) of the IDX, model-file, checkpoint and history parsers.

    python tests/reliability/fuzz_atheris.py PARSER [--seconds 60] [--workdir DIR]

PARSER is idx, model, checkpoint, model-metadata (a model file read as
evaluate and predict read it: ``modelfile.load_trained``, every metadata
field checked) or history (a run folder's history.json, as ``bprop plot``
reads it).

Not part of the pytest run (its name does not start with test_): it runs for
a bounded time, ``--seconds`` (default 60), with a 5 s limit per input and a
2 GiB memory limit. The property is the one of test_fuzz_parsers.py: the
parser returns, or raises a documented error (bprop.errors.BpropError or
OSError); anything else is a crash. libFuzzer then stops and writes the input
to tests/reliability/regressions/<parser>/atheris-crash-<sha1>, which
test_fuzz_regressions.py replays from then on (fix the bug, keep the file).

The model and checkpoint targets use a structure-aware mutator: an input
that is a ZIP archive is mutated member by member (libFuzzer's mutation of
one member's bytes, with the archive rebuilt and, half of the time, the
header's SHA-256 entries recomputed), so that mutations reach past the ZIP
CRCs and the checksums into the header and array checks.

At the end libFuzzer prints its statistics: "Done N runs in S second(s)",
stat::number_of_executed_units, stat::new_units_added, stat::peak_rss_mb.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import sys
import tempfile
import zipfile
from pathlib import Path

import atheris

# Coverage is measured in bprop's own code (and gzip); zipfile is already loaded by the time we get here.
with atheris.instrument_imports(include=["bprop", "gzip"]):
    import numpy as np

    import bprop as bp
    from bprop.cli.plot_command import read_history
    from bprop.cli.saved_model import class_names
    from bprop.datasets import read_idx, write_idx
    from bprop.errors import BpropError, TrainingInterrupted
    from bprop.storage import modelfile
    from bprop.training import checkpoints

PARSERS = ["idx", "model", "checkpoint", "model-metadata", "history"]
METADATA = {
    "dataset": "iris",
    "class_names": ["a", "b"],
    "image_shape": [1, 3],
    "value_range": 16.0,
    "preprocessing": {"kind": "scale", "n_features": 3, "shift": [0.0] * 3, "scale": [16.0] * 3},
    "training": {"seed": 0, "data_dir": None, "n": 100, "noise": 0.1, "label_column": None},
}

REGRESSIONS = Path(__file__).parent / "regressions"


def seeds(parser, folder: Path) -> None:
    """Valid inputs to start from."""
    if parser == "idx":
        write_idx(folder / "images.idx", np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4))
        write_idx(folder / "labels.idx.gz", np.arange(5, dtype=np.int32))
        write_idx(folder / "floats.idx", np.linspace(0, 1, 6).reshape(2, 3))
        return
    if parser == "history":
        history = {"train_cost": [0.5, 0.4], "train_accuracy": [0.6, 0.7], "validation_cost": [float("nan"), 0.3]}
        history |= {"validation_accuracy": [None, 0.8], "epoch_seconds": [0.1, 0.1], "best_epoch": 2}
        history["layer_stats"] = {"layers": [2, 3], "mean_abs_delta": [[0.1, 0.2]] * 2}
        (folder / "history.json").write_text(json.dumps(history))
        return
    net = bp.Network([3, 4, 2], activation="relu", output="softmax", cost="log_likelihood", seed=0, dtype="float64")
    if parser in ("model", "model-metadata"):
        net.save(folder / "model.bin", metadata=METADATA if parser == "model-metadata" else None)
        return
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 3)), np.arange(12) % 2

    class Stop:
        def on_batch_end(self, state):
            if state.epoch == 2 and state.batch == 1:
                state.interrupt()

    try:
        bp.train(
            net,
            X,
            y,
            epochs=3,
            batch_size=5,
            optimizer=bp.Adam(),
            seed=0,
            validation=(X, y),
            early_stopping=2,
            callbacks=[Stop()],
            checkpoint=folder / "checkpoint.bin",
        )
    except TrainingInterrupted:
        pass


def target(parser, scratch: Path):
    path = scratch / "input"

    def idx(data: bytes):
        read_idx(data, max_bytes=1 << 20)

    def archive(data: bytes):
        path.write_bytes(data)
        (bp.load if parser == "model" else checkpoints.load)(path)

    def trained_model(data: bytes):
        path.write_bytes(data)
        net = modelfile.load_trained(path)
        assert len(class_names(net, net.metadata)) >= net.sizes[-1]

    def history(data: bytes):
        path.write_bytes(data)
        read_history(path)

    run = {"idx": idx, "model-metadata": trained_model, "history": history}.get(parser, archive)

    def test_one_input(data: bytes):
        try:
            run(data)
        except (BpropError, OSError):
            pass

    return test_one_input


def zip_mutator(data: bytes, max_size: int, seed: int) -> bytes:
    """Mutate one member of a ZIP archive and rebuild it; other inputs get libFuzzer's plain mutation."""
    rng = random.Random(seed)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = {info.filename: zf.read(info) for info in zf.infolist()}
    except Exception:  # not (yet) an archive: mutate the bytes
        return atheris.Mutate(data, max_size)
    if not members:
        return atheris.Mutate(data, max_size)
    name = rng.choice(sorted(members))
    members[name] = atheris.Mutate(members[name], max(len(members[name]) * 2, 64))
    if rng.random() < 0.5 and "header.json" in members:
        try:
            header = json.loads(members["header.json"])
            for key, entry in header.get("arrays", {}).items():
                if isinstance(entry, dict) and f"{key}.npy" in members:
                    entry["sha256"] = hashlib.sha256(members[f"{key}.npy"]).hexdigest()
            members["header.json"] = json.dumps(header).encode()
        except Exception:
            pass
    out = io.BytesIO()
    compression = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for member, content in members.items():
            zf.writestr(zipfile.ZipInfo(member), content)
    return out.getvalue()[:max_size]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parser", choices=PARSERS)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workdir", type=Path, default=None)
    args, libfuzzer = parser.parse_known_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix=f"fuzz-{args.parser}-"))
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    seeds(args.parser, corpus)
    crashes = REGRESSIONS / args.parser
    crashes.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.argv[0],
        str(corpus),
        f"-max_total_time={args.seconds}",
        "-timeout=5",
        "-rss_limit_mb=2048",
        f"-artifact_prefix={crashes}/atheris-",
        "-max_len=65536",
        "-print_final_stats=1",
        *libfuzzer,
    ]
    scratch = Path(tempfile.mkdtemp(prefix="fuzz-input-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    mutator = zip_mutator if args.parser not in ("idx", "history") else None
    atheris.Setup(argv, target(args.parser, scratch), custom_mutator=mutator)
    atheris.Fuzz()  # exits the process; libFuzzer prints its statistics (stat::…)


if __name__ == "__main__":
    main()
