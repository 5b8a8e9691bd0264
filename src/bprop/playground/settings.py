"""What a playground session is made from, validated once at the edge.

``checked_settings(body)`` turns the JSON object of ``POST /api/sessions``
into a ``Settings`` or raises ``SettingError`` naming the parameter, the value
seen and what is accepted. Limits keep every session small (a few hundred
kilobytes at most), so that a bounded number of them bounds the server's memory.

A regression data set (``REGRESSION_DATASETS``: one real target, no classes)
takes output identity and cost quadratic when the request leaves them out, and
refuses a classification cost or a softmax output.

``activation`` is one σ name for every hidden layer, or a list of one name
per hidden layer (``bprop.Network``'s own rule); a list whose names are all
the same is kept as that one name, so that the state reports a network of one
σ the same way however it was asked for.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field

from ..datasets import toy
from . import features as feature_map

ACTIVATIONS = ("tanh", "sigmoid", "relu", "leaky_relu", "identity")
OUTPUTS = ("sigmoid", "softmax", "tanh", "identity")
COSTS = ("cross_entropy", "quadratic", "log_likelihood")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")
INITS = ("xavier", "he", "scaled_normal", "normal")
REGRESSION_DATASETS = tuple(toy.REGRESSION_GENERATORS)
DATASETS = (*toy.GENERATORS, *REGRESSION_DATASETS)
REGRESSION_COSTS = ("quadratic",)

MAX_HIDDEN_LAYERS = 6
MAX_WIDTH = 16
MIN_SAMPLES, MAX_SAMPLES = 20, 2000
MAX_CLASSES = 6
MAX_LEARNING_RATE = 100.0
MAX_L2 = 100.0
MAX_L1 = 100.0
MAX_DROPOUT = 0.9  # p: the probability of dropping a hidden neuron in a training step (p = 1 drops them all)
MAX_NOISE = 5.0


class SettingError(ValueError):
    """A request the playground refuses: ``parameter`` names what to fix; ``status`` is the HTTP code.

    ``message`` is English; ``zh`` the same refusal in Chinese, for the page in
    中文 mode (the server answers in the language the request asks for: ``words``).
    """

    def __init__(self, parameter, message, status=400, zh=None):
        super().__init__(message)
        self.parameter, self.message, self.status, self.zh = parameter, message, status, zh

    def words(self) -> dict:
        """{"en": message, "zh": message}; Chinese falls back to English where no translation was given."""
        return {"en": self.message, "zh": self.zh or self.message}


def preferred_language(accept_language: str | None) -> str:
    """ "zh" when an Accept-Language header prefers Chinese to English (the page sends its own language), else "en"."""
    ranked = []
    for i, item in enumerate((accept_language or "").split(",")):
        tag, _, rest = item.strip().partition(";")
        weight = rest.strip().removeprefix("q=")
        try:
            q = float(weight) if weight else 1.0
        except ValueError:
            q = 0.0
        ranked.append((-q, i, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.startswith(("zh", "en")):
            return tag[:2]
    return "en"


@dataclass
class Settings:
    """One session's data set, network and training rule (JSON names, as in the request)."""

    dataset: str = "circles"
    noise: float | None = None  # None in a request: the data set's default; checked settings hold the number
    samples: int = 400
    test_fraction: float = 0.5
    classes: int = 2  # spiral and gaussians only
    features: list = field(default_factory=lambda: list(feature_map.DEFAULT))
    hidden: list = field(default_factory=lambda: [4, 4])
    activation: str | list = "tanh"  # one σ for every hidden layer, or a list of one per hidden layer (they differ)
    output: str = "sigmoid"
    cost: str = "cross_entropy"
    init: str = "xavier"
    optimizer: str = "sgd"
    learning_rate: float = 0.3
    batch_size: int = 10
    l2: float = 0.0
    l1: float = 0.0  # λ₁ of C = C₀ + (λ₁/n) Σ |w|, alone or with L2
    dropout: float = 0.0  # p, one rate for every hidden layer (none without a hidden layer)
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def checked_settings(body, train_size: int | None = None) -> Settings:
    """A Settings from the request body (a JSON object; missing keys take the defaults).

    ``train_size``: the training set's size when the data is kept from another
    session (``data.keep``) rather than generated; it bounds ``batch_size``.
    """
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise SettingError(
            "body",
            f"the request body must be a JSON object of settings, got {type(body).__name__}.",
            zh=f"请求体必须是设置组成的 JSON 对象，收到的是 {type(body).__name__}。",
        )
    known = Settings.__dataclass_fields__
    unknown = [key for key in body if key not in known]
    if unknown:
        raise SettingError(
            unknown[0],
            f"{unknown[0]!r} is not a setting; use some of {', '.join(known)}.",
            zh=f"{unknown[0]!r} 不是一项设置；可用的有 {'、'.join(known)}。",
        )
    s = Settings()
    get = body.get
    s.dataset = _choice(get("dataset", s.dataset), "dataset", DATASETS)
    if get("noise") is None:  # the state reports the noise used, so the page's slider can show it
        s.noise = {**toy.DEFAULT_NOISE, **toy.REGRESSION_NOISE}[s.dataset]
    else:
        s.noise = _number(get("noise"), "noise", 0.0, MAX_NOISE)
    s.samples = _integer(get("samples", s.samples), "samples", MIN_SAMPLES, MAX_SAMPLES)
    s.test_fraction = _number(get("test_fraction", s.test_fraction), "test_fraction", 0.05, 0.95)
    regression = s.dataset in REGRESSION_DATASETS
    if "classes" in body and get("classes") != 2 and (regression or toy.N_CLASSES[s.dataset] is not None):
        fixed = (
            "is a regression set, with no classes" if regression else f"always has {toy.N_CLASSES[s.dataset]} classes"
        )
        fixed_zh = "是回归数据集，没有类别" if regression else f"总是有 {toy.N_CLASSES[s.dataset]} 个类别"
        raise SettingError(
            "classes",
            f"classes={get('classes')!r} does not apply to {s.dataset!r}, which {fixed}; "
            "leave it out, or choose spiral or gaussians.",
            zh=f"classes={get('classes')!r} 不适用于 {s.dataset!r}，它{fixed_zh}；请不要设置它，或选择螺旋或高斯簇。",
        )
    s.classes = _integer(get("classes", s.classes), "classes", 2, MAX_CLASSES)
    try:
        s.features = list(feature_map.checked(get("features", s.features)))
    except ValueError as error:
        raise SettingError("features", str(error), zh="请至少选择一个特征，且只用演示提供的特征。") from None
    s.hidden = _hidden(get("hidden", s.hidden))
    s.activation = hidden_sigmas(get("activation", s.activation), s.hidden)
    s.output = _choice(get("output", "identity" if regression else s.output), "output", OUTPUTS)
    s.cost = _choice(get("cost", "quadratic" if regression else s.cost), "cost", COSTS)
    if regression:
        check_regression(s.output, s.cost, f"{s.dataset!r} is a regression set")
    s.init = _choice(get("init", s.init), "init", INITS)
    s.optimizer = _choice(get("optimizer", s.optimizer), "optimizer", OPTIMIZERS)
    s.learning_rate = _number(
        get("learning_rate", s.learning_rate), "learning_rate", 0.0, MAX_LEARNING_RATE, open_low=True
    )
    if train_size is None:
        train_size = s.samples - math.ceil(s.test_fraction * s.samples)
    s.batch_size = _integer(
        get("batch_size", s.batch_size),
        "batch_size",
        1,
        train_size,
        why=f" (the training set has {train_size} samples)",
        why_zh=f"（训练集有 {train_size} 个样本）",
    )
    s.l2 = _number(get("l2", s.l2), "l2", 0.0, MAX_L2)
    s.l1 = _number(get("l1", s.l1), "l1", 0.0, MAX_L1)
    s.dropout = _number(get("dropout", s.dropout), "dropout", 0.0, MAX_DROPOUT)
    s.seed = checked_seed(get("seed", s.seed))
    return s


def hidden_sigmas(value, hidden) -> str | list:
    """The hidden σ: one name (every layer), or a list of one name per layer of ``hidden`` when they differ."""
    if not isinstance(value, list):
        return _choice(value, "activation", ACTIVATIONS)
    if len(value) != len(hidden) or not value:
        raise SettingError(
            "activation",
            f"activation lists {len(value)} σ, but hidden has {len(hidden)} layer(s); give one σ per hidden "
            "layer, or one name for all of them.",
            zh=f"activation 列出了 {len(value)} 个 σ，而 hidden 有 {len(hidden)} 个隐藏层；"
            "请为每个隐藏层给一个 σ，或给一个名称用于所有隐藏层。",
        )
    names = [_choice(name, f"activation[{i}]", ACTIVATIONS) for i, name in enumerate(value)]
    return names[0] if len(set(names)) == 1 else names


def checked_seed(value) -> int:
    """A session's seed: a whole number from 0 to 2³² − 1 (SettingError otherwise)."""
    return _integer(value, "seed", 0, 2**32 - 1)


def check_regression(output, cost, why) -> None:
    """SettingError unless ``output`` and ``cost`` can fit real targets (``why`` says whose)."""
    if cost not in REGRESSION_COSTS:
        raise SettingError(
            "cost",
            f"cost={cost!r} needs classes, but {why} (real targets); use cost quadratic, with output identity.",
            zh=f"代价 {cost!r} 需要类别，但这里是回归（实数目标值）；请用二次代价，输出层用恒等函数。",
        )
    if output == "softmax":
        raise SettingError(
            "output",
            f"output='softmax' makes outputs that sum to 1, but {why} with one real target; use output identity.",
            zh="softmax 输出之和为 1，但这里是只有一个实数目标值的回归；请让输出层用恒等函数。",
        )


def _choice(value, name, allowed):
    if value not in allowed:
        raise SettingError(
            name,
            f"{name}={value!r} is not known; use one of {', '.join(allowed)}.",
            zh=f"不认识 {name}={value!r}；请用 {'、'.join(allowed)} 之一。",
        )
    return value


def _number(value, name, low, high, open_low=False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise SettingError(
            name,
            f"{name} must be a finite number, got {value!r}; use a number between {low:g} and {high:g}.",
            zh=f"{name} 须为有限的数，收到的是 {value!r}；请用 {low:g} 到 {high:g} 之间的数。",
        )
    if value < low or (open_low and value == low) or value > high:
        bound = f"greater than {low:g}" if open_low else f"at least {low:g}"
        bound_zh = f"大于 {low:g}" if open_low else f"不小于 {low:g}"
        raise SettingError(
            name,
            f"{name}={value!r} is out of range; use a number {bound} and at most {high:g}.",
            zh=f"{name}={value!r} 超出范围；请用{bound_zh}、不超过 {high:g} 的数。",
        )
    return float(value)


def _integer(value, name, low, high, why="", why_zh="") -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SettingError(
            name,
            f"{name} must be a whole number between {low} and {high}{why}, got {value!r}.",
            zh=f"{name} 须为 {low} 到 {high}{why_zh} 之间的整数，收到的是 {value!r}。",
        )
    if not low <= value <= high:
        raise SettingError(
            name,
            f"{name}={value!r} is out of range; use a whole number between {low} and {high}{why}.",
            zh=f"{name}={value!r} 超出范围；请用 {low} 到 {high}{why_zh} 之间的整数。",
        )
    return int(value)


def _hidden(value) -> list:
    if not isinstance(value, list):
        raise SettingError(
            "hidden",
            f"hidden must be a list of hidden-layer widths such as [4, 4], got {value!r}.",
            zh=f"hidden 须为各隐藏层宽度的列表，例如 [4, 4]，收到的是 {value!r}。",
        )
    if len(value) > MAX_HIDDEN_LAYERS:
        raise SettingError(
            "hidden",
            f"hidden has {len(value)} layers; the playground draws at most "
            f"{MAX_HIDDEN_LAYERS} hidden layers. Remove some.",
            zh=f"hidden 有 {len(value)} 层；演示最多画 {MAX_HIDDEN_LAYERS} 个隐藏层。请删掉一些。",
        )
    return [
        _integer(width, f"hidden[{i}]", 1, MAX_WIDTH, why=" neurons", why_zh=" 个神经元")
        for i, width in enumerate(value)
    ]
