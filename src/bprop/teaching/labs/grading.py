"""Grading a learner's answer to a lab: which equation, which layer.

``grade(ex, equation, layer)`` returns a ``Grade``: ``right``, ``wrong_equation``
or ``wrong_layer``, with a hint (en, zh) that points to what the tools show
without giving the answer away. ``layer`` is a layer number l, or None /
"all" for "every layer"; BP1 needs no layer (it is always layer L).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import InvalidArgument
from .exercises import EQUATIONS

VERDICTS = ("right", "wrong_equation", "wrong_layer")

# What the tools show for a mistake in each equation: the hint after a wrong equation.
EQUATION_HINTS = {
    "BP1": (
        "gradcheck fails in every layer, the output layer L included, for ∂C/∂w and ∂C/∂b alike: "
        "δ is already wrong where it is first made.",
        "gradcheck 在每一层都失败，包括输出层 L，∂C/∂w 和 ∂C/∂b 都错：误差 δ 在最开始产生的地方就已经错了。",
    ),
    "BP2": (
        "gradcheck passes in the layers nearest the output and fails from one hidden layer down to the input, "
        "for ∂C/∂w and ∂C/∂b alike: a δ is wrong there, and BP2 carries it towards the input.",
        "gradcheck 在靠近输出的几层通过，从某个隐藏层开始一直到输入端都失败，∂C/∂w 和 ∂C/∂b 都错："
        "那一层的误差 δ 错了，公式2 又把它向前传了下去。",
    ),
    "BP3": (
        "gradcheck fails only for ∂C/∂w; ∂C/∂b, made from the very same δ, passes.",
        "gradcheck 只有 ∂C/∂w 失败；由同一个 δ 得到的 ∂C/∂b 却通过了。",
    ),
    "BP4": (
        "gradcheck fails only for ∂C/∂b; ∂C/∂w, made from the very same δ, passes.",
        "gradcheck 只有 ∂C/∂b 失败；由同一个 δ 得到的 ∂C/∂w 却通过了。",
    ),
    "update": (
        "gradcheck passes in every layer: the gradients are right. Look at what is done with them "
        "(--explain shows w after one update).",
        "gradcheck 每一层都通过：梯度是对的。看看拿梯度做了什么（--explain 显示更新一次之后的 w）。",
    ),
}


@dataclass(frozen=True)
class Grade:
    verdict: str  # one of VERDICTS
    hint: tuple  # (en, zh); empty strings when right

    @property
    def right(self) -> bool:
        return self.verdict == "right"


def equation_name(text) -> str:
    """'BP2' from 'bp2', '2' or 'BP2'; 'update' from 'update'; else one line naming the choices."""
    cleaned = str(text).strip()
    if cleaned.upper() in {"BP1", "BP2", "BP3", "BP4"}:
        return cleaned.upper()
    if cleaned in {"1", "2", "3", "4"}:
        return f"BP{cleaned}"
    if cleaned.lower() == "update":
        return "update"
    raise InvalidArgument(f"--equation {text!r} is not an equation; give one of {', '.join(EQUATIONS)}.")


def layer_number(text, ex):
    """None for no layer or 'all'; else the layer l as an int, checked against the network's 2 … L."""
    if text is None or str(text).strip().lower() in {"all", "every"}:
        return None
    try:
        layer = int(str(text).strip())
    except ValueError:
        raise InvalidArgument(f"--layer {text!r} is not a layer; give a number from 2 to {ex.num_layers}, or all.")
    if not 2 <= layer <= ex.num_layers:
        raise InvalidArgument(
            f"--layer {layer} is not a layer of lab {ex.number}'s network {'-'.join(map(str, ex.sizes))}; "
            f"give a number from 2 (the first hidden layer) to {ex.num_layers} (the output layer), or all."
        )
    return layer


def grade(ex, equation, layer=None) -> Grade:
    """The verdict on the answer (equation, layer) to exercise ``ex``; both already parsed."""
    if equation != ex.equation:
        return Grade("wrong_equation", EQUATION_HINTS[ex.equation])
    if equation == "BP1" and layer is None:
        layer = ex.num_layers  # BP1 is the output layer's equation: no layer to choose
    if layer == ex.layer:
        return Grade("right", ("", ""))
    if ex.layer is None:
        return Grade(
            "wrong_layer",
            (
                "The mistake is not in one layer: gradcheck fails in every layer alike. Answer --layer all.",
                "错误不只在一层：gradcheck 在每一层都同样失败。请回答 --layer all。",
            ),
        )
    if equation == "BP1":
        return Grade(
            "wrong_layer",
            (
                f"BP1 is the equation of the output layer, l = L = {ex.num_layers}.",
                f"公式1 是输出层的公式，l = L = {ex.num_layers}。",
            ),
        )
    if equation == "BP2" and layer == ex.num_layers:
        hidden = "2" if ex.num_layers == 3 else f"2 … {ex.num_layers - 1}"
        return Grade(
            "wrong_layer",
            (
                f"BP2 gives the errors δ^l of the hidden layers (here l = {hidden}); "
                f"the output layer's δ^L (L = {ex.num_layers}) comes from BP1.",
                f"公式2 计算隐藏层的误差 δ^l（这里 l = {hidden}）；输出层（L = {ex.num_layers}）的误差 δ^L 由公式1 计算。",
            ),
        )
    if layer is None:
        return Grade(
            "wrong_layer",
            (
                "The mistake is in one layer only: add --layer l.",
                "错误只在某一层：请加上 --layer l。",
            ),
        )
    return Grade(
        "wrong_layer",
        (
            "The mistake is where the broken numbers begin: in gradcheck, "
            "the failing layer nearest the output; in --explain, the first ✗ from the output back.",
            "错误在错误数字开始出现的地方：gradcheck 中最靠近输出的失败层；--explain 中从输出层往回看第一个 ✗。",
        ),
    )
