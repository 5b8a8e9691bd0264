"""The labs of ``bprop lab``, as data: each a small network with one planted mistake.

An ``Exercise`` names its data and network, the class of ``planted`` whose
backprop carries the mistake (or the planted optimizer), and the answer:
the equation (BP1 … BP4, or the update) and the layer l (None: every layer).
Its words, in English and Chinese, say what the mistake is, which step of the
derivation (推导过程) it contradicts, and the fix. The settings were chosen so
that each network trains in well under a second.

What each planted mistake does to training was measured (validation accuracy
after the epochs below, broken vs correct, seed 0): 1 11% vs 96%, 2 93% vs 96%,
3 84% vs 96%, 4 79% vs 100%, 5 50% vs 99%, 6 84% vs 100%, 7 31% vs 74%,
8 57% vs 100%, 9 100% vs 100%, 10 88% vs 98%, 11 17% vs 96%, 12 13% vs 99%
(below chance: it learns the opposite).
Where the two are close, training alone cannot show the mistake: gradcheck can.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import InvalidArgument
from . import planted

EQUATIONS = ("BP1", "BP2", "BP3", "BP4", "update")

# The derivation of each equation by the chain rule, as the notes write it (推导过程).
DERIVATIONS = {
    "BP1": "δ^L_j = ∂C/∂z^L_j = ∂C/∂a^L_j · ∂a^L_j/∂z^L_j = (∇_a C)_j · σ′(z^L_j)",
    "BP2": "δ^l_j = Σ_k ∂C/∂z^{l+1}_k · ∂z^{l+1}_k/∂a^l_j · ∂a^l_j/∂z^l_j = Σ_k δ^{l+1}_k · w^{l+1}_kj · σ′(z^l_j)",
    "BP3": "∂C/∂w^l_jk = ∂C/∂z^l_j · ∂z^l_j/∂w^l_jk = δ^l_j · ∂(w^l_jk a^{l−1}_k + b^l_j)/∂w^l_jk = a^{l−1}_k δ^l_j",
    "BP4": "∂C/∂b^l_j = ∂C/∂z^l_j · ∂z^l_j/∂b^l_j = δ^l_j",
    "update": "w^l_jk ← w^l_jk − η · ∂C/∂w^l_jk,  b^l_j ← b^l_j − η · ∂C/∂b^l_j",
}


@dataclass(frozen=True)
class Exercise:
    """One lab.

    number            1, 2, … as the learner types it
    data, n           a data set of ``bprop.datasets`` (digits scaled to [0, 1]) and, for a
                      generated one, its size
    sizes, activation, output, cost, init     the network, as ``bprop.Network`` takes them
    lr, epochs, batch_size                    the training (plain SGD)
    network           the ``planted`` class whose backprop carries the mistake
    optimizer         the optimizer class (``planted.PlantedSGD`` for a mistake in the update)
    equation, layer   the answer: one of EQUATIONS, and l (None: every layer)
    mistake           (en, zh): what the planted line does
    step              (en, zh): the step of the derivation it contradicts
    wrote             the line as the planted code computes it, in symbols
    chain             the derivation shown, where the equation's general one does not apply
    """

    number: int
    data: str
    sizes: tuple
    activation: str
    output: str | None
    cost: str
    init: str
    lr: float
    epochs: int
    batch_size: int
    network: type
    equation: str
    layer: int | None
    mistake: tuple
    step: tuple
    wrote: str
    optimizer: type | None = None
    n: int | None = None
    chain: str | None = None  # the derivation, where the equation's general one (DERIVATIONS) does not apply

    @property
    def num_layers(self) -> int:
        return len(self.sizes)

    @property
    def where(self) -> str:
        """'BP2 at layer 2', or 'BP3 in every layer'."""
        return f"{self.equation} " + ("in every layer" if self.layer is None else f"at layer {self.layer}")

    @property
    def derivation(self) -> str:
        return self.chain or DERIVATIONS[self.equation]


_DIGITS = {"data": "digits", "sizes": (64, 30, 10), "activation": "sigmoid", "output": None, "cost": "quadratic"}
_DIGITS |= {"init": "scaled_normal", "lr": 3.0, "epochs": 10, "batch_size": 10}
_CIRCLES_DEEP = {"data": "circles", "n": 400, "sizes": (2, 8, 8, 2), "activation": "sigmoid", "output": "sigmoid"}
_CIRCLES_DEEP |= {"cost": "quadratic", "init": "scaled_normal", "lr": 5.0, "epochs": 40, "batch_size": 10}
_CIRCLES = {"data": "circles", "n": 400, "sizes": (2, 8, 2), "epochs": 30, "batch_size": 10}

EXERCISES = (
    Exercise(
        1,
        **_DIGITS,
        network=planted.FlippedCostGradient,
        equation="BP1",
        layer=3,
        mistake=(
            "∇_a C is written y − a instead of a − y: every δ, and so every step, points uphill.",
            "∇_a C 写成了 y − a，而不是 a − y：每一层的误差 δ 都反了号，每一步都朝着代价函数增大的方向走。",
        ),
        step=(
            "∂C/∂a^L_j of C = ½ Σ_j (y_j − a^L_j)² is a^L_j − y_j.",
            "代价函数 C = ½ Σ_j (y_j − a^L_j)² 对 a^L_j 求偏导，得 a^L_j − y_j。",
        ),
        wrote="δ^L = (y − a^L) ⊙ σ′(z^L)",
    ),
    Exercise(
        2,
        **_DIGITS,
        network=planted.MissingSigmaPrimeBP1,
        equation="BP1",
        layer=3,
        mistake=(
            "The factor σ′(z^L) of BP1 is left out: δ^L = ∇_a C.",
            "公式1 漏掉了因子 σ′(z^L)：δ^L = ∇_a C。",
        ),
        step=(
            "δ^L_j = ∂C/∂a^L_j · ∂a^L_j/∂z^L_j: the chain rule's second factor ∂a^L_j/∂z^L_j = σ′(z^L_j) is missing.",
            "δ^L_j = ∂C/∂a^L_j · ∂a^L_j/∂z^L_j：链式法则的第二个因子 ∂a^L_j/∂z^L_j = σ′(z^L_j) 被漏掉了。",
        ),
        wrote="δ^L = ∇_a C",
    ),
    Exercise(
        3,
        data="digits",
        sizes=(64, 30, 10),
        activation="relu",
        output="softmax",
        cost="log_likelihood",
        init="he",
        lr=0.1,
        epochs=10,
        batch_size=10,
        network=planted.SigmaPrimeAppliedAgain,
        equation="BP1",
        layer=3,
        mistake=(
            "Softmax with the log-likelihood: δ^L = a^L − y already holds the softmax's derivative, "
            "and σ′ = a(1 − a) is applied once more.",
            "softmax 输出配对数似然代价函数：δ^L = a^L − y 已经包含了 softmax 的导数，代码又乘了一次 σ′ = a(1 − a)。",
        ),
        step=(
            "δ^L_j = Σ_i ∂C/∂a^L_i · ∂a^L_i/∂z^L_j = a^L_j − y_j: the softmax's ∂a/∂z is used once, inside this sum.",
            "δ^L_j = Σ_i ∂C/∂a^L_i · ∂a^L_i/∂z^L_j = a^L_j − y_j：softmax 的 ∂a/∂z 在这个求和里只用一次。",
        ),
        wrote="δ^L = (a^L − y) ⊙ a^L ⊙ (1 − a^L)",
        chain="δ^L_j = ∂C/∂z^L_j = Σ_i ∂C/∂a^L_i · ∂a^L_i/∂z^L_j = Σ_i (−y_i / a^L_i) · a^L_i (1[i = j] − a^L_j) "
        "= a^L_j − y_j",
    ),
    Exercise(
        4,
        **_CIRCLES,
        activation="relu",
        output="softmax",
        cost="log_likelihood",
        init="he",
        lr=0.1,
        network=planted.MissingSigmaPrimeBP2,
        equation="BP2",
        layer=2,
        mistake=(
            "The factor ⊙ σ′(z^2) of BP2 is left out at layer 2: dead ReLUs (z ≤ 0) still get an error.",
            "第 2 层的公式2 漏掉了因子 ⊙ σ′(z^2)：z ≤ 0 的 ReLU 神经元也得到了误差。",
        ),
        step=(
            "δ^l_j = Σ_k δ^{l+1}_k · w^{l+1}_kj · ∂a^l_j/∂z^l_j: the last factor ∂a^l_j/∂z^l_j = σ′(z^l_j) is missing.",
            "δ^l_j = Σ_k δ^{l+1}_k · w^{l+1}_kj · ∂a^l_j/∂z^l_j：最后一个因子 ∂a^l_j/∂z^l_j = σ′(z^l_j) 被漏掉了。",
        ),
        wrote="δ^2 = (w^3)ᵀ δ^3",
    ),
    Exercise(
        5,
        **_CIRCLES,
        activation="sigmoid",
        output="sigmoid",
        cost="quadratic",
        init="scaled_normal",
        lr=3.0,
        network=planted.SigmaPrimeOfActivation,
        equation="BP2",
        layer=2,
        mistake=(
            "BP2 at layer 2 takes σ′ at the activation a^2 instead of the weighted input z^2: σ′(a^2).",
            "第 2 层的公式2 在激活值 a^2 处求 σ′，而不是在带权输入 z^2 处：用了 σ′(a^2)。",
        ),
        step=(
            "∂a^l_j/∂z^l_j = σ′(z^l_j), the derivative of a = σ(z) at z, not at a.",
            "∂a^l_j/∂z^l_j = σ′(z^l_j)：a = σ(z) 的导数在 z 处取值，而不是在 a 处。",
        ),
        wrote="δ^2 = ((w^3)ᵀ δ^3) ⊙ σ′(a^2)",
    ),
    Exercise(
        6,
        **_CIRCLES_DEEP,
        network=planted.UntransposedWeights,
        equation="BP2",
        layer=2,
        mistake=(
            "BP2 at layer 2 multiplies δ^3 by w^3 instead of its transpose (w^3)ᵀ; w^3 is square, so nothing fails.",
            "第 2 层的公式2 用 w^3 乘 δ^3，而不是它的转置 (w^3)ᵀ；w^3 是方阵，所以不会报错。",
        ),
        step=(
            "Σ_k δ^{l+1}_k · w^{l+1}_kj sums over k, the first index of w^{l+1}: that is ((w^{l+1})ᵀ δ^{l+1})_j.",
            "Σ_k δ^{l+1}_k · w^{l+1}_kj 对 w^{l+1} 的第一个下标 k 求和，即 ((w^{l+1})ᵀ δ^{l+1})_j。",
        ),
        wrote="δ^2 = (w^3 δ^3) ⊙ σ′(z^2)",
    ),
    Exercise(
        7,
        data="digits",
        sizes=(64, 16, 16, 16, 10),
        activation="sigmoid",
        output=None,
        cost="quadratic",
        init="scaled_normal",
        lr=3.0,
        epochs=10,
        batch_size=10,
        network=planted.WrongLayerWeights,
        equation="BP2",
        layer=3,
        mistake=(
            "BP2 at layer 3 uses the weights of layer 3, w^3, instead of those of layer 4, w^4 "
            "(all are 16 × 16, so the shapes fit).",
            "第 3 层的公式2 用了第 3 层的权重 w^3，而不是第 4 层的 w^4（都是 16 × 16，形状对得上）。",
        ),
        step=(
            "z^{l+1}_k = Σ_j w^{l+1}_kj a^l_j + b^{l+1}_k, so ∂z^{l+1}_k/∂a^l_j = w^{l+1}_kj: "
            "the weights into layer l + 1.",
            "z^{l+1}_k = Σ_j w^{l+1}_kj a^l_j + b^{l+1}_k，所以 ∂z^{l+1}_k/∂a^l_j = w^{l+1}_kj：是进入第 l + 1 层的权重。",
        ),
        wrote="δ^3 = ((w^3)ᵀ δ^4) ⊙ σ′(z^3)",
    ),
    Exercise(
        8,
        **_CIRCLES_DEEP,
        network=planted.OutputActivationInBP3,
        equation="BP3",
        layer=3,
        mistake=(
            "BP3 at layer 3 multiplies δ^3 by the layer's own activation a^3 instead of the input to it, a^2.",
            "第 3 层的公式3 用 δ^3 乘本层的激活值 a^3，而不是输入本层的 a^2。",
        ),
        step=(
            "∂z^l_j/∂w^l_jk = ∂(w^l_jk a^{l−1}_k + b^l_j)/∂w^l_jk = a^{l−1}_k, the activation of layer l − 1.",
            "∂z^l_j/∂w^l_jk = ∂(w^l_jk a^{l−1}_k + b^l_j)/∂w^l_jk = a^{l−1}_k，是第 l − 1 层的激活值。",
        ),
        wrote="∂C/∂w^3_jk = a^3_k δ^3_j",
    ),
    Exercise(
        9,
        **_CIRCLES_DEEP,
        network=planted.WrongLayerDelta,
        equation="BP4",
        layer=2,
        mistake=(
            "BP4 at layer 2 gives the biases of layer 2 the error of layer 3, δ^3, instead of δ^2.",
            "第 2 层的公式4 把第 3 层的误差 δ^3 当作第 2 层偏置的梯度，而不是 δ^2。",
        ),
        step=(
            "∂C/∂b^l_j = ∂C/∂z^l_j · ∂z^l_j/∂b^l_j = δ^l_j · 1: the error of the same layer l.",
            "∂C/∂b^l_j = ∂C/∂z^l_j · ∂z^l_j/∂b^l_j = δ^l_j · 1：是同一层 l 的误差。",
        ),
        wrote="∂C/∂b^2_j = δ^3_j",
    ),
    Exercise(
        10,
        data="circles",
        n=400,
        sizes=(2, 10, 2),
        activation="sigmoid",
        output="sigmoid",
        cost="quadratic",
        init="scaled_normal",
        lr=3.0,
        epochs=30,
        batch_size=10,
        network=planted.BiasSummedOverNeurons,
        equation="BP4",
        layer=2,
        mistake=(
            "BP4 at layer 2 sums Δ^2 over the wrong axis: over the neurons j instead of the samples i. "
            "It runs only because a batch has 10 samples and layer 2 has 10 neurons.",
            "第 2 层的公式4 对 Δ^2 沿错误的轴求和：对神经元 j 求和，而不是对样本 i。"
            "之所以没有报错，只是因为一批正好 10 个样本、第 2 层正好 10 个神经元。",
        ),
        step=(
            "∂C/∂b^l_j = δ^l_j for one sample; the batch's C is the mean over the samples, "
            "so ∂C/∂b^l_j = (1/m) Σ_i δ^l_ij, one number per neuron j.",
            "一个样本时 ∂C/∂b^l_j = δ^l_j；一批样本的代价函数是各样本的平均，"
            "所以 ∂C/∂b^l_j = (1/m) Σ_i δ^l_ij，每个神经元 j 一个数。",
        ),
        wrote="∂C/∂b^2_i = (1/m) Σ_j δ^2_ij",
    ),
    Exercise(
        11,
        **_DIGITS,
        network=planted.ForgottenMean,
        equation="BP3",
        layer=None,
        mistake=(
            "BP3 forgets the 1/m of the batch mean in every layer: ∂C/∂w is the gradient of the sum of "
            "the costs, m = 10 times too large, as if η were 10 times larger for the weights.",
            "每一层的公式3 都漏掉了批平均的 1/m：∂C/∂w 成了各样本代价之和的梯度，大了 m = 10 倍，"
            "相当于权重的学习率 η 大了 10 倍。",
        ),
        step=(
            "C = (1/m) Σ_i C_i, so ∂C/∂w^l_jk = (1/m) Σ_i a^{l−1}_ik δ^l_ij.",
            "C = (1/m) Σ_i C_i，所以 ∂C/∂w^l_jk = (1/m) Σ_i a^{l−1}_ik δ^l_ij。",
        ),
        wrote="∂C/∂w^l_jk = Σ_i a^{l−1}_ik δ^l_ij",
    ),
    Exercise(
        12,
        data="moons",
        n=400,
        sizes=(2, 8, 2),
        activation="tanh",
        output="sigmoid",
        cost="cross_entropy",
        init="xavier",
        lr=0.5,
        epochs=30,
        batch_size=10,
        network=planted.PlantedNetwork,
        optimizer=planted.PlantedSGD,
        equation="update",
        layer=None,
        mistake=(
            "The update adds the gradient instead of subtracting it: w ← w + η ∂C/∂w, gradient ascent.",
            "更新时加上了梯度而不是减去：w ← w + η ∂C/∂w，沿梯度上升。",
        ),
        step=(
            "The gradient points where C grows fastest; to make C smaller, step against it: w ← w − η ∂C/∂w.",
            "梯度指向代价函数增大最快的方向；要让 C 变小，就要反着走：w ← w − η ∂C/∂w。",
        ),
        wrote="w ← w + η ∂C/∂w,  b ← b + η ∂C/∂b",
    ),
)


def exercise(number) -> Exercise:
    """The exercise numbered ``number`` (1 … len(EXERCISES)), or one line saying which exist."""
    for ex in EXERCISES:
        if ex.number == number:
            return ex
    raise InvalidArgument(f"there is no lab {number}; the labs are 1 to {len(EXERCISES)} (bprop lab list shows them).")
