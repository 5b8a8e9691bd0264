"""Every word of a quiz and a worksheet, in English and in Chinese (the notes' terms).

Entries are (English, Chinese) in the markup of ``explanation.markup``
(``z^{l}_{j}``); ``{name}`` fields are filled by ``word(key, lang, name=…)``.
The Chinese words are those of the handwritten notes: 带权输入, 激活值, 误差,
权重, 偏置, 代价函数, 学习率, 推导过程, 公式1 … 公式4.
"""

from __future__ import annotations

from ..explanation.terms import check_lang

WORDS = {
    "kind.z": ("weighted input", "带权输入"),
    "kind.a": ("activation", "激活值"),
    "kind.delta_out": ("error of the output layer (BP1)", "最后一层的误差（公式1）"),
    "kind.delta": ("error of a hidden layer (BP2)", "隐藏层的误差（公式2）"),
    "kind.dw": ("gradient of a weight (BP3)", "权重的梯度（公式3）"),
    "kind.db": ("gradient of a bias (BP4)", "偏置的梯度（公式4）"),
    "kind.update": ("a weight after one update", "更新一次之后的权重"),
    "question": ("Question {n} · {kind}", "第 {n} 题 · {kind}"),
    "question_of": ("Question {n} of {count} · {kind}", "第 {n} 题（共 {count} 题）· {kind}"),
    "network": (
        "Network {sizes}; σ = {sigma} (output layer: {output}); cost function C = {cost}.",
        "神经网络 {sizes}；激活函数 σ = {sigma}（输出层：{output}）；代价函数 C = {cost}。",
    ),
    "network_forward": (
        "Network {sizes}; σ = {sigma} (output layer: {output}).",
        "神经网络 {sizes}；激活函数 σ = {sigma}（输出层：{output}）。",
    ),
    "sigma_layers": ("σ of layer {layers}: {name}", "第 {layers} 层的激活函数 σ：{name}"),
    "given": (
        "Given (w^{l}_{jk}: from neuron k of layer l−1 to neuron j of layer l):",
        "已知（w^{l}_{jk}：第 (l−1) 层第 k 个神经元到第 l 层第 j 个神经元的权重）：",
    ),
    "ask": ("Compute {symbol}.", "计算 {symbol}。"),  # {symbol} stays: the layout sets it as math
    "tolerance": (
        "Accepted: within {rel} of the answer or ±{abs}, whichever is larger.",
        "允许误差：答案的 {rel}（相对）或 ±{abs}（绝对），取较大者。",
    ),
    "tolerance_update": (
        "Accepted: within {rel} of the step η ∂C/∂w or ±{abs}, whichever is larger.",
        "允许误差：更新量 η ∂C/∂w 的 {rel}（相对）或 ±{abs}（绝对），取较大者。",
    ),
    "blank": ("answer: ______________________", "答案：______________________"),
    "answer": ("Answer:", "答案："),
    "forward": ("Forward pass", "前向传播"),
    "forward_rule": (
        "z^{l}_{j} = Σ_{k} w^{l}_{jk} a^{l−1}_{k} + b^{l}_{j},  a^{l}_{j} = σ(z^{l}_{j}), with a^{1} = x:",
        "z^{l}_{j} = Σ_{k} w^{l}_{jk} a^{l−1}_{k} + b^{l}_{j}，a^{l}_{j} = σ(z^{l}_{j})，其中 a^{1} = x：",
    ),
    "errors": ("Errors from back to front", "由后向前计算误差"),
    "errors_rule": (
        "BP1 gives δ^{L}, BP2 each δ^{l} before it (δ^{l} = ∂C/∂z^{l}):",
        "公式1 给出 δ^{L}，公式2 由后向前给出每个 δ^{l}（δ^{l} = ∂C/∂z^{l}）：",
    ),
    "derivation": ("The derivation with the numbers", "推导过程（代入数值）"),
    # -- the worksheet --------------------------------------------------------------------
    "sheet_title": ("Backpropagation worksheet · seed {seed}", "反向传播练习 · 种子 {seed}"),
    "key_title": ("Answer key · backpropagation worksheet · seed {seed}", "参考答案 · 反向传播练习 · 种子 {seed}"),
    "sheet_intro": (
        "{count} questions on a small network, worked by hand (a calculator is fine). Indices count from 1, "
        "as in the notes. Every weight, bias, input and target is given exactly; carry at least 4 "
        "significant digits and give each answer to 4 or more.",
        "共 {count} 题，每题一个小神经网络，手算即可（可以用计算器）。下标从 1 开始计数，与笔记相同。"
        "题中的权重、偏置、输入和真实值都是精确值；中间结果至少保留 4 位有效数字，答案也至少写 4 位。",
    ),
    "key_intro": (
        "Each answer is bprop's own forward pass and BP1–BP4 on the question's network, followed by the "
        "derivation with its numbers; the factor tables also show each factor measured in the network by "
        "central differences.",
        "每个答案都是 bprop 在该题神经网络上的前向传播和公式1–4 的结果，随后是代入数值的推导过程；"
        "因子表中还列出了用中心差分在网络中测得的每个因子。",
    ),
    # -- the terminal quiz ----------------------------------------------------------------
    "quiz_intro": (
        "bprop quiz · seed {seed} (--seed {seed} asks these again) · questions: {count}. Type a number such as 0.123, -1.2e-3 or 1/3; "
        "an empty line, q or end of input stops the quiz.",
        "bprop 测验 · 种子 {seed}（--seed {seed} 可再做同样的题）· 共 {count} 题。输入一个数，例如 0.123、-1.2e-3 或 1/3；"
        "空行、q 或输入结束即停止测验。",
    ),
    "prompt": ("your answer> ", "你的答案> "),
    "not_a_number": (
        "{text!r} is not a number: write it like 0.123, -1.2e-3 or 1/3 (an empty line or q stops).",
        "{text!r} 不是一个数：请写成 0.123、-1.2e-3 或 1/3 的形式（空行或 q 停止）。",
    ),
    "right": ("✓ right: {symbol} = {value}", "✓ 正确：{symbol} = {value}"),
    "wrong": (
        "✗ not quite: you wrote {given}, and {symbol} = {value}.",
        "✗ 不对：你的答案是 {given}，而 {symbol} = {value}。",
    ),
    "how": ("Here is how it is obtained:", "推导过程如下："),
    "hint": ("Hint:", "提示："),
    "mistake.no_sigma": (
        "that is z^{l}_{j}, the weighted input; the activation is a^{l}_{j} = σ(z^{l}_{j}).",
        "这是带权输入 z^{l}_{j}；激活值是 a^{l}_{j} = σ(z^{l}_{j})。",
    ),
    "mistake.bp1_no_sigma_prime": (
        "that is ∂C/∂a^{l}_{j} alone; BP1 multiplies it by σ′(z^{l}_{j}): δ^{L} = ∇_a C ⊙ σ′(z^{L}).",
        "这只是 ∂C/∂a^{l}_{j}；公式1 还要乘以 σ′(z^{l}_{j})：δ^{L} = ∇_a C ⊙ σ′(z^{L})。",
    ),
    "mistake.bp2_no_sigma_prime": (
        "that is Σ_k w^{next}_{kj} δ^{next}_{k} without BP2's factor σ′(z^{l}_{j}).",
        "这是 Σ_k w^{next}_{kj} δ^{next}_{k}，少了公式2 中的因子 σ′(z^{l}_{j})。",
    ),
    "mistake.bp2_untransposed": (
        "that uses w^{next}_{jk} in place of w^{next}_{kj}; BP2 takes the transpose, (w^{next})ᵀ δ^{next}.",
        "这里用了 w^{next}_{jk} 而不是 w^{next}_{kj}；公式2 用的是转置 (w^{next})ᵀ δ^{next}。",
    ),
    "mistake.bp3_wrong_layer": (
        "that is δ^{l}_{j} a^{l}_{k}; BP3 takes the activation of the layer before: a^{prev}_{k} δ^{l}_{j}.",
        "这是 δ^{l}_{j} a^{l}_{k}；公式3 用的是前一层的激活值：a^{prev}_{k} δ^{l}_{j}。",
    ),
    "mistake.bp3_transposed": (
        "that is δ^{l}_{k} a^{prev}_{j}; in w^{l}_{jk}, j is the neuron of layer l and k the one of layer l−1: "
        "∂C/∂w^{l}_{jk} = a^{prev}_{k} δ^{l}_{j}.",
        "这是 δ^{l}_{k} a^{prev}_{j}；w^{l}_{jk} 中 j 是第 l 层的神经元，k 是第 (l−1) 层的："
        "∂C/∂w^{l}_{jk} = a^{prev}_{k} δ^{l}_{j}。",
    ),
    "mistake.update_plus": (
        "that is w + η ∂C/∂w; gradient descent moves against the gradient: w ← w − η ∂C/∂w.",
        "这是 w + η ∂C/∂w；梯度下降沿梯度的反方向移动：w ← w − η ∂C/∂w。",
    ),
    "mistake.update_old": ("that is the weight before the update.", "这是更新之前的权重。"),
    "mistake.update_step": (
        "that is the step −η ∂C/∂w alone; the new weight is the old one plus it.",
        "这只是更新量 −η ∂C/∂w；新的权重是原来的权重加上它。",
    ),
    "mistake.sign": (
        "the size is right, the sign is not: check the sign of each factor (quadratic cost: ∇_a C = a − y, not y − a).",
        "大小对了，符号反了：检查每个因子的符号（二次代价函数：∇_a C = a − y，而不是 y − a）。",
    ),
    "score": ("Score: {right} of {asked} right.", "得分：{asked} 题中答对 {right} 题。"),
    "score_left": (
        "Score: {right} of {asked} right ({left} of {count} questions not answered).",
        "得分：{asked} 题中答对 {right} 题（{count} 题中还有 {left} 题未作答）。",
    ),
}


def word(key, lang, **names) -> str:
    """The words for ``key`` in ``lang`` with ``{name}`` fields filled (``{text!r}`` takes repr)."""
    text = WORDS[key][0 if check_lang(lang) == "en" else 1]
    for name, value in names.items():
        text = text.replace("{" + name + "!r}", repr(value)).replace("{" + name + "}", str(value))
    return text
