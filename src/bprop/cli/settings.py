"""The settings of ``bprop train``: defaults, then a TOML file, then flags.

Every key can be given in a ``--config run.toml`` file under the same name as
its flag (with ``_`` for ``-``; ``shuffle = false`` for ``--no-shuffle``); a
flag given on the command line wins over the file. The defaults are the classic network of the derivation.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..core.arguments import layer_widths, real_number, whole_number
from ..errors import InvalidArgument
from ..storage.files import read_json_file
from ..training.loop import L2_DIVISORS

# η by optimizer when --lr is not given: the classic 3.0 for plain SGD (with the
# quadratic cost and sigmoid neurons), Adam's paper default, a usual value for momentum.
DEFAULT_LR = {"sgd": 3.0, "momentum": 0.1, "nesterov": 0.1, "adam": 0.001}


@dataclass
class TrainSettings:
    data: str = "digits"
    data_dir: str | None = None
    layers: list | None = None  # all sizes, input first; None: [n_features, *hidden, n_classes]
    hidden: list = field(default_factory=lambda: [30])
    activation: str = "sigmoid"  # one σ for every hidden layer, or one per hidden layer: "relu,tanh"
    output: str | None = None
    cost: str = "quadratic"
    init: str = "normal"
    optimizer: str = "sgd"
    lr: float | None = None
    lr_decay: float = 1.0  # η × lr_decay^(e−1) in epoch e: a step decay once per epoch; 1: constant η
    momentum: float = 0.9
    l2: float = 0.0
    l2_divisor: str = "training_set"  # the n of (λ/2n)Σw²: the training set's size, or each batch's (L2_DIVISORS)
    l1: float = 0.0  # λ₁ of the L1 term (λ₁/n)Σ|w|
    dropout: float = 0.0  # p of inverted dropout on every hidden layer; 0: none
    epochs: int = 30
    batch_size: int = 10
    shuffle: bool = True  # a new order of the training set every epoch; False: the same batches every epoch
    seed: int = 0
    dtype: str = "float32"
    device: str = "cpu"  # cpu, cuda or cuda:N (bprop.core.backend)
    early_stopping: int | None = None
    validation_fraction: float = 0.1
    preprocess: str = "scale"
    label_column: str | None = None
    n: int | None = None
    noise: float | None = None
    out: str = "runs"
    name: str | None = None
    plots: bool = False
    checkpoint_every: str | None = None  # "N": every N epochs; "Nb": every N batches; None: only on Ctrl-C

    @property
    def hidden_activations(self):
        """``activation`` as Network takes it: one name, or a list of one per hidden layer."""
        names = [name.strip() for name in self.activation.split(",")]
        return names[0] if len(names) == 1 else names

    @property
    def learning_rate(self) -> float:
        return DEFAULT_LR[self.optimizer] if self.lr is None else self.lr

    def to_dict(self) -> dict:
        return dataclasses.asdict(self) | {"lr": self.learning_rate}


KEYS = {f.name for f in dataclasses.fields(TrainSettings)}
MAX_SETTINGS_BYTES = 1 << 20  # a run's settings.json is about 1 KB
FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(TrainSettings)}  # "float | None", …
LIST_KEYS = {"layers", "hidden"}
RESUMABLE_FLAGS = ("checkpoint_every", "device")  # flags --resume may change
OFF_SWITCHES = {"shuffle": "--no-shuffle"}  # settings on by default, whose flag turns them off


def flag_name(key) -> str:
    """The flag of a setting: 'batch_size' → '--batch-size', 'shuffle' → '--no-shuffle'."""
    return OFF_SWITCHES.get(key, f"--{key.replace('_', '-')}")


def int_list(text, key):
    """'784,256,10' (or a TOML list) → [784, 256, 10]; an empty entry, a bool or a fraction is refused."""
    return layer_widths(text, flag_name(key))


def check_values(settings: TrainSettings) -> TrainSettings:
    """Every number of the settings finite and in range, before anything is trained.

    The one check of the values shared by flags, --config and --resume (merged()
    runs it on all three); the Python API makes the same checks with the same
    helpers (bprop.core.arguments) where the objects are built.
    """
    s = settings
    if s.lr is not None:
        real_number(s.lr, "lr (the learning rate η)", low=0, low_open=True)
    real_number(s.momentum, "momentum (μ)", low=0, high=1, high_open=True)
    real_number(s.l2, "l2 (λ)", low=0)
    real_number(s.l1, "l1 (λ₁)", low=0)
    real_number(s.dropout, "dropout (p)", low=0, high=1, high_open=True)
    real_number(s.lr_decay, "--lr-decay (η's factor per epoch; 1: a constant η)", low=0, high=1, low_open=True)
    whole_number(s.epochs, "epochs", low=1, high=MAX_EPOCHS)
    whole_number(s.batch_size, "batch_size", low=1, high=MAX_BATCH_SIZE)
    whole_number(s.seed, "seed", low=0, high=2**63 - 1)
    if s.early_stopping is not None:
        whole_number(s.early_stopping, "early_stopping", low=1, high=MAX_EPOCHS)
    real_number(s.validation_fraction, "--validation-fraction", low=0, high=1, high_open=True)
    if s.n is not None:
        whole_number(s.n, "n", low=1)
    if s.noise is not None:
        real_number(s.noise, "noise", low=0)
    return settings


MAX_EPOCHS = 1_000_000
MAX_BATCH_SIZE = 10**9


MAX_CONFIG_BYTES = 1 << 20
"""The largest --config file read (a run's settings take a few hundred bytes)."""
_WIDE_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def _config_text(path: Path) -> str:
    """The text of a --config file: a regular file of at most MAX_CONFIG_BYTES, UTF-8 (a BOM allowed)."""
    if not path.exists():
        raise InvalidArgument(f"--config {path}: no such file.")
    if not path.is_file():
        raise InvalidArgument(f"--config {path} is not a regular file; pass a .toml file.")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as e:
        raise InvalidArgument(f"--config {path} cannot be read ({e.strerror or e}).") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise InvalidArgument(
            f"--config {path} is larger than {MAX_CONFIG_BYTES} bytes; a config holds a few settings."
        )
    for bom, encoding in _WIDE_BOMS.items():
        if raw.startswith(bom):
            raise InvalidArgument(f"--config {path} is {encoding} text; TOML files are UTF-8, save it as UTF-8.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidArgument(
            f"--config {path} is not UTF-8 text (byte {e.start} cannot be decoded); TOML files are UTF-8."
        ) from None


def _parse_toml(path: Path, text: str) -> dict:
    """The TOML document in text; InvalidArgument for a syntax error or nesting too deep to parse."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidArgument(f"--config {path} is not valid TOML: {e}.") from None
    except RecursionError:
        raise InvalidArgument(
            f"--config {path} nests arrays or tables too deeply to read; settings are numbers, "
            "strings and lists of numbers."
        ) from None


def read_config(path) -> dict:
    """The keys of a TOML file, checked against the known settings."""
    path = Path(path)
    data = _parse_toml(path, _config_text(path))
    section = data.pop("train") if isinstance(data.get("train"), dict) else {}
    both = sorted(set(data) & set(section))  # keys may sit at the top or under [train], not both
    if both:
        raise InvalidArgument(f"--config {path}: {', '.join(both)} given both at the top and under [train]; keep one.")
    data = data | section
    unknown = sorted(set(k.replace("-", "_") for k in data) - KEYS)
    if unknown:
        raise InvalidArgument(
            f"--config {path}: unknown key(s) {', '.join(unknown)}; known keys are {', '.join(sorted(KEYS))}."
        )
    return {k.replace("-", "_"): v for k, v in data.items()}


def merged(config_path, flags: dict) -> TrainSettings:
    """Defaults, overridden by the config file, overridden by flags that were given (not None)."""
    values = read_config(config_path) if config_path else {}
    values.update({k: v for k, v in flags.items() if v is not None})
    for key in LIST_KEYS & set(values):
        values[key] = int_list(values[key], key)
    every = values.get("checkpoint_every")
    if isinstance(every, int) and not isinstance(every, bool):
        values["checkpoint_every"] = str(every)  # TOML: checkpoint_every = 5
    for key, value in values.items():
        _check_type(key, value)
    settings = dataclasses.replace(TrainSettings(), **values)
    if settings.optimizer not in DEFAULT_LR:
        raise InvalidArgument(f"--optimizer {settings.optimizer!r} is not known; use one of {', '.join(DEFAULT_LR)}.")
    if settings.l2_divisor not in L2_DIVISORS:
        raise InvalidArgument(
            f"--l2-divisor {settings.l2_divisor!r} is not known; use one of {', '.join(L2_DIVISORS)}."
        )
    check_values(settings)
    if settings.name is not None and (settings.name in ("", ".", "..") or any(c in settings.name for c in "/\\\0")):
        raise InvalidArgument(f"--name {settings.name!r} must be a plain name for the run folder, without / or \\.")
    if settings.checkpoint_every is not None:
        every, unit = checkpoint_schedule(settings.checkpoint_every)
        settings.checkpoint_every = f"{every}{'b' if unit == 'batches' else ''}"
    return settings


_TYPES = {
    "str": (str, "a string"),
    "int": (int, "a whole number"),
    "float": ((int, float), "a number"),
    "bool": (bool, "true or false"),
    "list": (list, "a list of layer widths"),
}


def _check_type(key, value):
    """A setting's value has the type its TrainSettings field declares (a config file can hold anything)."""
    names = [t.strip() for t in FIELD_TYPES[key].split("|") if t.strip() != "None"]
    for name in names:
        python_type, _ = _TYPES[name]
        if isinstance(value, python_type) and (name == "bool" or not isinstance(value, bool)):
            return
    raise InvalidArgument(f"{key} must be {' or '.join(_TYPES[n][1] for n in names)}, got {value!r}.")


def checkpoint_schedule(value) -> tuple:
    """--checkpoint-every: 5 or '5' → (5, 'epochs'); '200b' → (200, 'batches')."""
    text = str(value).strip().lower()
    digits, unit = (text[:-1], "batches") if text.endswith("b") else (text, "epochs")
    if isinstance(value, bool) or not digits.isascii() or not digits.isdigit() or int(digits) < 1:
        raise InvalidArgument(
            f"--checkpoint-every takes N (every N epochs) or Nb (every N batches), N ≥ 1, "
            f"such as 5 or 200b; got {value!r}."
        )
    return int(digits), unit


def resumed(run_dir, flags: dict, config_path=None) -> TrainSettings:
    """The settings of the run in ``run_dir`` (its settings.json), for --resume.

    Only --checkpoint-every and --device may be given again (they change
    when checkpoints are written and where the arithmetic runs, not the run:
    a run started on a GPU may go on on the CPU); any other training flag, or
    --config, is refused, because the run can only continue as it started.
    """
    run_dir = Path(run_dir)
    given = sorted(k for k, v in flags.items() if v is not None and k not in RESUMABLE_FLAGS)
    if config_path is not None or given:
        extra = (["--config"] if config_path is not None else []) + [flag_name(k) for k in given]
        raise InvalidArgument(
            f"--resume {run_dir} continues the run with the settings in its settings.json; "
            f"drop {', '.join(extra)} (only --checkpoint-every, --device, --quiet and --json may be given)."
        )
    path = run_dir / "settings.json"
    if not path.exists():  # anything else that is not a regular file is refused by read_json_file
        raise InvalidArgument(
            f"--resume {run_dir}: no {path.name} there, so it is not a run folder written by "
            "'bprop train'; pass a folder such as runs/20250101-120000."
        )
    stored = read_json_file(
        path, "settings.json", MAX_SETTINGS_BYTES, InvalidArgument, fix="The run cannot be continued; start it again."
    )
    if not isinstance(stored, dict):
        raise InvalidArgument(f"--resume {run_dir}: {path.name} must hold a JSON object.")
    unknown = sorted(set(stored) - KEYS)
    if unknown:
        raise InvalidArgument(
            f"--resume {run_dir}: {path.name} has unknown key(s) {', '.join(unknown)}; it was "
            "written by another version of bprop."
        )
    stored |= {k: flags[k] for k in RESUMABLE_FLAGS if flags.get(k) is not None}
    return merged(None, stored)
