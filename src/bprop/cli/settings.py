"""The settings of ``bprop train``: defaults, then a TOML file, then flags.

Every key can be given in a ``--config run.toml`` file under the same name as
its flag (with ``_`` for ``-``); a flag given on the command line wins over
the file. The defaults are the classic network of the derivation.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidArgument

# η by optimizer when --lr is not given: the classic 3.0 for plain SGD (with the
# quadratic cost and sigmoid neurons), Adam's paper default, a usual value for momentum.
DEFAULT_LR = {"sgd": 3.0, "momentum": 0.1, "nesterov": 0.1, "adam": 0.001}


@dataclass
class TrainSettings:
    data: str = "digits"
    data_dir: str | None = None
    layers: list | None = None          # all sizes, input first; None: [n_features, *hidden, n_classes]
    hidden: list = field(default_factory=lambda: [30])
    activation: str = "sigmoid"
    output: str | None = None
    cost: str = "quadratic"
    init: str = "normal"
    optimizer: str = "sgd"
    lr: float | None = None
    momentum: float = 0.9
    l2: float = 0.0
    epochs: int = 30
    batch_size: int = 10
    seed: int = 0
    dtype: str = "float32"
    early_stopping: int | None = None
    validation_fraction: float = 0.1
    preprocess: str = "scale"
    label_column: str | None = None
    n: int | None = None
    noise: float | None = None
    out: str = "runs"
    name: str | None = None
    plots: bool = False

    @property
    def learning_rate(self) -> float:
        return DEFAULT_LR[self.optimizer] if self.lr is None else self.lr

    def to_dict(self) -> dict:
        return dataclasses.asdict(self) | {"lr": self.learning_rate}


KEYS = {f.name for f in dataclasses.fields(TrainSettings)}
LIST_KEYS = {"layers", "hidden"}


def int_list(text, key):
    """'784,256,10' (or a TOML list) → [784, 256, 10]."""
    items = text if isinstance(text, list) else str(text).replace(" ", "").split(",")
    try:
        values = [int(item) for item in items if item != ""]
    except (TypeError, ValueError):
        raise InvalidArgument(f"--{key.replace('_', '-')} takes whole numbers separated by commas, such as 64,30,10; got {text!r}.")
    if any(v < 1 for v in values) or not values:
        raise InvalidArgument(f"--{key.replace('_', '-')} takes positive layer widths such as 64,30,10; got {text!r}.")
    return values


def read_config(path) -> dict:
    """The keys of a TOML file, checked against the known settings."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise InvalidArgument(f"--config {path}: no such file.")
    except tomllib.TOMLDecodeError as e:
        raise InvalidArgument(f"--config {path} is not valid TOML: {e}.")
    section = data.pop("train") if isinstance(data.get("train"), dict) else {}
    both = sorted(set(data) & set(section))   # keys may sit at the top or under [train], not both
    if both:
        raise InvalidArgument(f"--config {path}: {', '.join(both)} given both at the top and under [train]; keep one.")
    data = data | section
    unknown = sorted(set(k.replace("-", "_") for k in data) - KEYS)
    if unknown:
        raise InvalidArgument(f"--config {path}: unknown key(s) {', '.join(unknown)}; known keys are {', '.join(sorted(KEYS))}.")
    return {k.replace("-", "_"): v for k, v in data.items()}


def merged(config_path, flags: dict) -> TrainSettings:
    """Defaults, overridden by the config file, overridden by flags that were given (not None)."""
    values = read_config(config_path) if config_path else {}
    values.update({k: v for k, v in flags.items() if v is not None})
    for key in LIST_KEYS & set(values):
        values[key] = int_list(values[key], key)
    defaults = TrainSettings()
    for key, value in values.items():
        expected = type(getattr(defaults, key)) if getattr(defaults, key) is not None else None
        if expected in (int, float) and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise InvalidArgument(f"{key} must be a number, got {value!r}.")
    settings = dataclasses.replace(defaults, **values)
    if settings.optimizer not in DEFAULT_LR:
        raise InvalidArgument(f"--optimizer {settings.optimizer!r} is not known; use one of {', '.join(DEFAULT_LR)}.")
    if not 0 <= settings.validation_fraction < 1:
        raise InvalidArgument(f"--validation-fraction must be in [0, 1), got {settings.validation_fraction}.")
    return settings
