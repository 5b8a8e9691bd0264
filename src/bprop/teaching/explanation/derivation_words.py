"""The words of the derivation page (``derivation_page``), in English and in the notes' Chinese.

Each entry is (English, Chinese) in the markup of ``markup`` (``a^{L}_{j}``); a
``{name}`` field is filled in by ``word(key, lang, name=...)``. The Chinese
terms are the notes' own: 推导过程, 误差, 权重, 偏置, 代价函数, 学习率, 公式1 … 公式4.
"""

from __future__ import annotations

WORDS = {
    "label": ("chain rule", "链式法则"),
    "title": (
        "The derivation of BP1–BP4 by the chain rule, every factor measured",
        "推导过程：用链式法则推导反向传播的 4 个公式，并逐个测量每个因子",
    ),
    "intro": (
        "Each equation is a chain-rule line, a product of partial derivatives. Every factor is worked out "
        "twice: by the formula the derivation arrives at (analytic), and measured inside this network "
        "(numeric): one quantity, z^{l}_{j}, a^{l}_{j}, w^{l}_{jk} or b^{l}_{j}, is nudged by ±ε, the rest "
        "of the forward pass is run again from that point, and the quantity differentiated (C, a or z) "
        "is read off: (f(+ε) − f(−ε)) / 2ε, with ε = {eps}, in float64.",
        "每个公式都是一行链式法则：若干偏导数的乘积。每个因子都算两遍：一遍按推导得到的公式计算（解析值），"
        "一遍在这个神经网络里实际测量（测量值）：把 z^{l}_{j}、a^{l}_{j}、w^{l}_{jk} 或 b^{l}_{j} 中的一个"
        "加上 ±ε，从那一点起重新做一遍前向传播，读出被求导的量（C、a 或 z）："
        "(f(+ε) − f(−ε)) / 2ε，其中 ε = {eps}，使用 float64。",
    ),
    "error_rule": (
        "Relative error = |analytic − numeric| / max(|analytic|, |numeric|, {floor}); "
        "a factor agrees when its relative error is below {tol}.",
        "相对误差 = |解析值 − 测量值| / max(|解析值|, |测量值|, {floor})；小于 {tol} 即为一致。",
    ),
    "network": (
        "network {sizes}, σ = {sigma} (output layer: {output}); cost function {cost}; one sample:",
        "神经网络 {sizes}，σ = {sigma}（输出层：{output}）；代价函数 {cost}；以一个输入样本为例：",
    ),
    "dropout": (
        "Dropout p = {p}: this is a training pass. Its masks m^{l} (drawn from the seed, as bprop explain "
        "draws them) stay fixed while nudging. Layer l+1 sees ã^{l} = a^{l} ⊙ m^{l}/(1 − p), so BP2 gains "
        "the factor ∂ã^{l}_{j}/∂a^{l}_{j} = m^{l}_{j}/(1 − p) (0 for a dropped neuron: it gets no error), "
        "and BP3 uses ã^{l−1}_{k}.",
        "随机失活（dropout）p = {p}：这是一次训练时的前向传播。它的掩码 m^{l}（和 bprop explain 一样由随机种子抽取）"
        "在测量时保持不变。第 l+1 层看到的是 ã^{l} = a^{l} ⊙ m^{l}/(1 − p)，所以公式2 多出因子 "
        "∂ã^{l}_{j}/∂a^{l}_{j} = m^{l}_{j}/(1 − p)（被丢弃的神经元为 0：它没有误差），公式3 用 ã^{l−1}_{k}。",
    ),
    "penalty": (
        "The regularization terms depend on the weights only: δ^{l} = ∂C/∂z^{l}, BP1, BP2 and BP4 are "
        "unchanged, and BP3 gains the derivative of each term, measured by nudging w^{l}_{jk} and reading "
        "the term alone.",
        "正则项只与权重有关：误差 δ^{l} = ∂C/∂z^{l}、公式1、公式2 和公式4 都不变；公式3 多出每一项的导数，"
        "它通过改变 w^{l}_{jk} 并只读取这一项来测量。",
    ),
    "where": ("(layer l = {l}, neuron j = {j})", "（第 l = {l} 层，第 j = {j} 个神经元）"),
    "where_k": (
        "(layer l = {l}, neuron j = {j}, input k = {k})",
        "（第 l = {l} 层，第 j = {j} 个神经元，第 k = {k} 个输入）",
    ),
    "chain": ("By the chain rule:", "推导过程："),
    "with_numbers": ("With the numbers of this sample:", "代入这个样本的数值："),
    "factor": ("factor", "因子"),
    "formula": ("equals", "等于"),
    "analytic": ("analytic", "解析值"),
    "numeric": ("numeric", "测量值"),
    "error": ("rel. error", "相对误差"),
    "left_note": (
        "In each table the first row is the left side: its analytic value is backpropagation's, its numeric "
        "value is measured from its definition (nudge z^{l}_{j}, w^{l}_{jk} or b^{l}_{j} and recompute C). "
        "The last row, Σ Π, adds up the products of the analytic factors and compares the sum with that "
        "measurement: it checks the chain rule itself.",
        "每个表的第一行是等式左边：解析值是反向传播算出的，测量值按定义测得（改变 z^{l}_{j}、w^{l}_{jk} 或 "
        "b^{l}_{j}，重新计算 C）。最后一行 Σ Π 把各因子解析值的乘积相加，再与这个测量值比较：检验的是链式法则本身。",
    ),
    "chain_row": ("chain rule Σ Π", "链式法则 Σ Π"),
    "softmax_note": (
        "The softmax output a^{L}_{k} depends on every z^{L}_{j}: BP1 keeps the whole sum over k, "
        "∂a^{L}_{k}/∂z^{L}_{j} = a^{L}_{k}(1[k = j] − a^{L}_{j}).",
        "softmax 的输出 a^{L}_{k} 与每个 z^{L}_{j} 都有关：公式1 保留对 k 的整个求和，"
        "∂a^{L}_{k}/∂z^{L}_{j} = a^{L}_{k}(1[k = j] − a^{L}_{j})。",
    ),
    "shortcut": (
        "For this σ and C the right side simplifies, and the network computes BP1 in this form:",
        "对于这一对激活函数和代价函数，右边可以化简，网络就是这样计算公式1的：",
    ),
    "deltas_title": ("δ^{l} = ∂C/∂z^{l}, checked against its definition", "误差 δ^{l} = ∂C/∂z^{l}：按定义检验"),
    "deltas_intro": (
        "δ^{l}_{j} is defined as ∂C/∂z^{l}_{j}. Backpropagation computes it by BP1 and BP2; here every "
        "entry is also measured by nudging z^{l}_{j} itself.",
        "第 l 层第 j 个神经元产生的误差定义为 δ^{l}_{j} = ∂C/∂z^{l}_{j}。反向传播用公式1和公式2计算它；"
        "这里每个元素还通过直接改变 z^{l}_{j} 来测量。",
    ),
    "row_title": (
        "BP3 for every input k of neuron j = {j} (layer l = {l})",
        "公式3：第 l = {l} 层第 j = {j} 个神经元的每个输入 k",
    ),
    "row_more": (
        "Layer {l1} has {n} neurons; the first {shown} are shown. Pick any other neuron with --neuron l,j,k (such as --neuron {example}).",
        "第 {l1} 层有 {n} 个神经元，这里显示前 {shown} 个。用 --neuron l,j,k 选择其他神经元（例如 --neuron {example}）。",
    ),
    "row_pick": (
        "Pick other neurons with --neuron l,j,k (such as --neuron {example}).",
        "用 --neuron l,j,k 选择其他神经元（例如 --neuron {example}）。",
    ),
    "update_title": ("The update: one step of gradient descent", "更新权重和偏置：梯度下降的一步"),
    "update_intro": (
        "With the gradient known, gradient descent moves each weight and bias against it; learning rate η = {lr}:",
        "求出梯度之后，梯度下降让每个权重和偏置沿梯度的反方向移动，设学习率为 η = {lr}：",
    ),
    "update_check": (
        "Moving only w^{l}_{jk} changes C of this sample by ΔC = {actual}; the chain rule's first-order "
        "estimate is ∂C/∂w · Δw = −η (∂C/∂w)² = {predicted}. Moving only b^{l}_{j}: ΔC = {actual_b}, "
        "estimate {predicted_b}. The two agree better as η shrinks: the gradient is the slope of C at "
        "the current weights.",
        "只移动 w^{l}_{jk}，这个样本的 C 变化 ΔC = {actual}；链式法则给出的一阶估计是 "
        "∂C/∂w · Δw = −η (∂C/∂w)² = {predicted}。只移动 b^{l}_{j}：ΔC = {actual_b}，估计 {predicted_b}。"
        "η 越小两者越接近：梯度就是 C 在当前权重处的斜率。",
    ),
    "more": ("max", "最大"),
    "layer_row": ("layer {l}", "第 {l} 层"),
    "max_delta_error": ("largest relative error {value}", "最大相对误差 {value}"),
    "verdict_ok": (
        "Every factor agrees: the largest relative error is {value} (< {tol}).",
        "每个因子都一致：最大相对误差为 {value}（< {tol}）。",
    ),
    "verdict_bad": (
        "DISAGREEMENT: the largest relative error is {value} (> {tol}); the rows marked ✗ do not match.",
        "不一致：最大相对误差为 {value}（> {tol}）；标 ✗ 的行不相符。",
    ),
}


def word(key, lang, **names) -> str:
    """The words for ``key`` in ``lang`` ('en' or 'zh'), ``{name}`` fields filled from ``names``."""
    text = WORDS[key][0 if lang == "en" else 1]
    for name, value in names.items():
        text = text.replace("{" + name + "}", str(value))
    return text
