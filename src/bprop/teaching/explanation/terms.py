"""Every word of an explanation, in English and in Chinese, in one table.

The Chinese terms are the ones of the handwritten notes bprop comes from
(反向传播笔记): 带权输入, 激活值, 误差, 权重, 偏置, 代价函数, 学习率,
Hadamard 乘积, and the headings 公式1 … 公式4 and 更新权重和偏置. Each entry is
(English, Chinese), written in the markup of ``steps`` (``a^{L}_{j}``), which
each renderer turns into its own notation; a ``{name}`` field is filled in by
``term(key, lang, name=...)``.
Section labels (BP1 … BP4, update/更新) are entries too, so every section
carries its label in both languages.
"""

from __future__ import annotations

from ...errors import InvalidArgument

LANGS = ("en", "zh")

TERMS = {
    # -- the page ------------------------------------------------------------
    "title": ("Backpropagation, worked for one input sample", "反向传播笔记：以一个输入样本为例"),
    "how_to_read": (
        "Each step: the equation in symbols, then one element (j = 1, k = 1) with its numbers, "
        "then the whole vector or matrix. Indices count from 1, as in the notes.",
        "每一步：先写公式，再代入数字计算一个元素（j = 1，k = 1），最后给出整个向量或矩阵。下标从 1 开始计数。",
    ),
    "summary_mode": (
        "Layers wider than {width} neurons: each array is shown by its shape, its norm ‖·‖ "
        "and its first entries, not in full.",
        "网络较宽（某层超过 {width} 个神经元）：每个数组只显示形状、范数 ‖·‖ 和前几个元素。",
    ),
    # -- facts about the network ---------------------------------------------
    "network": ("network (neurons per layer)", "神经网络（各层神经元数）"),
    "hidden_sigma": ("activation function σ (hidden layers)", "激活函数 σ（隐藏层）"),
    "output_sigma": ("activation function σ (output layer)", "激活函数 σ（输出层）"),
    "cost_function": ("cost function C", "代价函数 C"),
    "learning_rate": ("learning rate η", "学习率 η"),
    "dtype": ("numbers", "数值类型"),
    "dropout_rate": ("dropout rate p (hidden layers)", "随机失活（dropout）概率 p（隐藏层）"),
    "l2_lambda": ("L2 regularization", "L2 正则化"),
    "l1_lambda": ("L1 regularization", "L1 正则化"),
    # -- single words (the notes' vocabulary) ----------------------------------
    "weight": ("weight", "权重"),
    "bias": ("bias", "偏置"),
    "weighted_input": ("weighted input", "带权输入"),
    "activation": ("activation", "激活值"),
    "error": ("error", "误差"),
    "cost": ("cost", "代价函数"),
    "forward_pass": ("forward pass", "前向传播"),
    "backward_pass": ("backward pass (backpropagation)", "反向传播"),
    "input": ("input x = a^{1}", "输入 x = a^{1}"),
    "target": ("target y (true value)", "真实值 y"),
    "prediction": ("prediction a^{L}", "预测值 a^{L}"),
    "shape": ("shape", "形状"),
    "norm": ("norm", "范数"),
    "after_update": ("after one update", "更新一次之后"),
    # -- section labels and titles -------------------------------------------
    "label.notation": ("notation", "定义"),
    "label.forward": ("forward", "前向传播"),
    "label.cost": ("cost", "代价函数"),
    "label.bp1": ("BP1", "BP1"),
    "label.bp2": ("BP2", "BP2"),
    "label.bp3": ("BP3", "BP3"),
    "label.bp4": ("BP4", "BP4"),
    "label.update": ("update", "更新"),
    "label.summary": ("summary", "总结"),
    "label.steps": ("steps", "迭代"),
    "title.notation": ("Definitions and symbols", "神经网络的记号"),
    "title.forward": ("Weighted inputs and activations, layer by layer", "逐层计算带权输入和激活值"),
    "title.cost": ("The cost of this sample", "以一个输入样本为例，计算代价"),
    "title.bp1": ("Error of the output layer", "公式1：计算最后一层神经网络产生的误差"),
    "title.bp2": ("Errors of the hidden layers, from back to front", "公式2：由后向前，计算每一层神经网络产生的误差"),
    "title.bp3": ("Gradient of the weights", "公式3：计算权重的梯度"),
    "title.bp4": ("Gradient of the biases", "公式4：计算偏置的梯度"),
    "title.update": ("Update the weights and biases (gradient descent)", "更新权重和偏置"),
    "title.summary": ("The four equations of backpropagation", "反向传播的 4 个公式"),
    "title.steps": ("Repeating the update on this sample", "在这个样本上重复更新"),
    # -- definitions (notation section) ----------------------------------------
    "def.w": (
        "weight from neuron k of layer l−1 to neuron j of layer l",
        "第 (l−1) 层的第 k 个神经元连接到第 l 层第 j 个神经元的权重",
    ),
    "def.b": ("bias of neuron j of layer l", "第 l 层第 j 个神经元的偏置"),
    "def.z": ("weighted input of neuron j of layer l", "第 l 层第 j 个神经元的输入（带权输入）"),
    "def.a": ("activation (output) of neuron j of layer l", "第 l 层第 j 个神经元的输出（激活值）"),
    "def.sigma": ("activation function σ: {name}", "激活函数 σ：{name}"),
    "def.sigma_layer": ("activation function σ of layer l = {l}: {name}", "第 l = {l} 层的激活函数 σ：{name}"),
    "def.dropout": (
        "dropout (training only): each hidden neuron is kept with probability 1 − p (m^{l}_{j} = 1) or "
        "dropped (m^{l}_{j} = 0); the kept ones are scaled by 1/(1 − p), so prediction uses no mask",
        "随机失活（dropout，仅在训练时）：每个隐藏神经元以概率 1 − p 保留（m^{l}_{j} = 1）或被丢弃（m^{l}_{j} = 0）；"
        "保留的激活值乘以 1/(1 − p)，所以预测时不用掩码",
    ),
    "def.penalty": (
        "regularized cost: C_{0} is the cost of the sample, the terms penalize large weights (biases excluded)",
        "正则化代价函数：C_{0} 是样本本身的代价，附加项惩罚较大的权重（不含偏置）",
    ),
    "def.sigma_output": ("activation function of the output layer L: {name}", "输出层 L 的激活函数：{name}"),
    "def.delta": ("error of neuron j of layer l", "第 l 层第 j 个神经元产生的误差"),
    "def.cost": (
        "cost function of one input sample: {name}; y is the target (true value), a^{L} the prediction",
        "以一个输入样本为例的代价函数：{name}；其中 y 表示真实值，a^{L} 表示预测值",
    ),
    "def.eta": ("learning rate", "学习率"),
    "def.hadamard": (
        "⊙ is the Hadamard product: element-wise multiplication of vectors or matrices",
        "⊙ 表示 Hadamard 乘积，用于矩阵或向量之间点对点的乘法运算",
    ),
    "def.nabla": ("∇ is the gradient operator; ᵀ is the transpose", "∇ 表示梯度运算符；ᵀ 表示矩阵转置运算"),
    # -- headings inside sections ----------------------------------------------
    "layer": ("layer l = {l}", "第 l = {l} 层"),
    "layer_output": ("layer l = L = {l} (output layer)", "第 l = L = {l} 层（输出层）"),
    # -- notes -----------------------------------------------------------------
    "note.shortcut.sigmoid_cross_entropy": (
        "Sigmoid output with the cross-entropy cost: BP1 simplifies to δ^{L} = a^{L} − y, because "
        "∇_{a} C = (a − y) / (a(1 − a)) and σ′(z) = a(1 − a) cancels its denominator (no σ′ slowdown).",
        "sigmoid 输出层配交叉熵代价函数：公式1 化简为 δ^{L} = a^{L} − y，因为 ∇_{a} C = (a − y) / (a(1 − a))，"
        "而 σ′(z) = a(1 − a) 正好约去分母（σ′ 被消去，学习不会变慢）。",
    ),
    "note.shortcut.softmax_log_likelihood": (
        "Softmax output with the log-likelihood cost: BP1 simplifies to δ^{L} = a^{L} − y, because the softmax "
        "Jacobian ∂a_{j}/∂z_{i} = a_{j}([i = j] − a_{i}) turns ∇_{a} C = −y / a into a − y (Σ_{j} y_{j} = 1).",
        "softmax 输出层配对数似然代价函数：公式1 化简为 δ^{L} = a^{L} − y，因为 softmax 的雅可比矩阵 "
        "∂a_{j}/∂z_{i} = a_{j}([i = j] − a_{i}) 把 ∇_{a} C = −y / a 变成 a − y（Σ_{j} y_{j} = 1）。",
    ),
    "note.shortcut.other": (
        "BP1 simplifies to δ^{L} = a^{L} − y for this output and cost.",
        "对这种输出层与代价函数的组合，公式1 化简为 δ^{L} = a^{L} − y。",
    ),
    "note.jacobian": (
        "Softmax is not element-wise: each a^{L}_{j} depends on every z^{L}_{k}, so BP1 applies its Jacobian, "
        "δ^L = (∂a^{L}/∂z^{L})ᵀ ∇_{a} C, in place of the Hadamard product with σ′(z^{L}).",
        "softmax 不是逐元素的函数：每个 a^{L}_{j} 都依赖所有的 z^{L}_{k}，所以公式1 用它的雅可比矩阵 "
        "δ^L = (∂a^{L}/∂z^{L})ᵀ ∇_{a} C 代替与 σ′(z^{L}) 的 Hadamard 乘积。",
    ),
    "note.jacobian_custom": (
        "This output activation is not element-wise, so BP1 applies its Jacobian, δ^L = (∂a^{L}/∂z^{L})ᵀ ∇_{a} C.",
        "这个输出层激活函数不是逐元素的，所以公式1 用它的雅可比矩阵 δ^L = (∂a^{L}/∂z^{L})ᵀ ∇_{a} C。",
    ),
    "note.no_hidden": (
        "This network has no hidden layer: BP2 has nothing to compute.",
        "这个网络没有隐藏层，公式2 无需计算。",
    ),
    "note.dead_layer": (
        "Every σ′(z^{l}_{j}) of layer {l} is 0 for this sample (each z^{l}_{j} lies where σ is flat: z ≤ 0 "
        "for ReLU), so δ^{l} = 0 by BP2, and by BP3 and BP4 every ∂C/∂w and ∂C/∂b of layer {l} and of the "
        "layers before it is 0: this sample teaches them nothing. Such neurons are called dead; other "
        "weights or another sample bring them back.",
        "这个样本在第 {l} 层的每个 σ′(z^{l}_{j}) 都是 0（每个 z^{l}_{j} 都落在 σ 平坦的地方：ReLU 即 z ≤ 0），"
        "所以由公式2 得 δ^{l} = 0，再由公式3、公式4，第 {l} 层及其前面各层的 ∂C/∂w 和 ∂C/∂b 全是 0："
        "这个样本教不了它们任何东西。这样的神经元称为“死”神经元；换一组权重或另一个样本"
        "可以让它们重新起作用。",
    ),
    "note.matrix_bp3": (
        "For the whole layer: ∂C/∂w^{l} = δ^{l} (a^{l−1})ᵀ, an outer product.",
        "整层写成矩阵：∂C/∂w^{l} = δ^{l} (a^{l−1})ᵀ（外积）。",
    ),
    "note.dropout": (
        "Dropout p = {p} on layer {l}: this pass drew the mask m^{l} (0 = dropped, 1 = kept); "
        "the next layer sees ã^{l}, not a^{l}.",
        "第 {l} 层随机失活 p = {p}：这次前向传播抽取了掩码 m^{l}（0 = 丢弃，1 = 保留）；下一层看到的是 ã^{l}，而不是 a^{l}。",
    ),
    "note.dropout_bp2": (
        "With dropout, a^{l} reaches the next layer only through ã^{l} = a^{l} ⊙ m^{l}/(1 − p), so the chain rule "
        "adds the factor m^{l}_{j}/(1 − p): a dropped neuron gets no error.",
        "有随机失活时，a^{l} 只通过 ã^{l} = a^{l} ⊙ m^{l}/(1 − p) 传到下一层，所以链式法则多出因子 "
        "m^{l}_{j}/(1 − p)：被丢弃的神经元误差为 0。",
    ),
    "note.dropout_bp3": (
        "With dropout, BP3 uses ã^{l−1}, the activation the layer actually received.",
        "有随机失活时，公式3 用的是 ã^{l−1}，即这一层实际收到的激活值。",
    ),
    "note.l1": (
        "L1 term (λ_{1}/n) Σ |w| with λ_{1} = {l1}, n = {n}: its derivative is (λ_{1}/n) sgn(w), and "
        "sgn(0) = 0 is taken at w = 0 (a subgradient). bprop takes this plain subgradient step, not a "
        "proximal one, so weights shrink towards 0 without landing exactly on it.",
        "L1 正则项 (λ_{1}/n) Σ |w|，λ_{1} = {l1}，n = {n}：它的导数是 (λ_{1}/n) sgn(w)，在 w = 0 处取 sgn(0) = 0"
        "（次梯度）。bprop 直接用这个次梯度更新，而不是近端（proximal）更新，所以权重向 0 收缩，但不会恰好等于 0。",
    ),
    "note.update": (
        "Learning rate η = {lr}; the new parameters come from the optimizer bprop.SGD itself.",
        "学习率 η = {lr}；更新后的参数由优化器 bprop.SGD 本身算出。",
    ),
    "pointer.derive": (
        "The derivation of BP1–BP4 by the chain rule, every factor measured in this network: "
        "bprop explain --derive (the Markdown and HTML pages hold it as their last section).",
        "推导过程：用链式法则推导反向传播的 4 个公式，并在这个网络里逐个测量每个因子："
        "bprop explain --derive（Markdown 和 HTML 页面的最后一节就是它）。",
    ),
    # -- repeated updates --------------------------------------------------------
    "steps.update": ("update t", "更新次数 t"),
    "steps.cost": ("cost C", "代价函数 C"),
    "steps.cost_plain": ("C without dropout", "不加随机失活的 C"),
    "steps.penalized": (
        "Each cost C includes the regularization terms, as above, and each update moves the weights by their "
        "derivative too.",
        "每个代价函数 C 都含上面的正则项，每次更新也按它们的导数移动权重。",
    ),
    "steps.dropout": (
        "With dropout each update is a training pass with new masks m^{l}, drawn from the seed as training draws "
        "them (update 1 uses the masks shown above). The cost C is that pass's, so it wobbles with the masks; "
        "C without dropout is the same network without any mask, as predict sees it: its trend is the one told.",
        "有随机失活时，每次更新都是一次训练时的前向传播，掩码 m^{l} 像训练时一样由随机种子重新抽取（第 1 次更新用的就是上面的掩码）。"
        "代价函数 C 是那次传播的，随掩码起伏；不加随机失活的 C 是同一个网络不用掩码（预测时）的代价，上面说的趋势指的是它。",
    ),
    "steps.dropout_one": (
        "With dropout each update is a training pass with new masks m^{l}, drawn from the seed as training "
        "draws them; the cost C is that pass's, so it wobbles with the masks.",
        "有随机失活时，每次更新都是一次训练时的前向传播，掩码 m^{l} 由随机种子重新抽取；代价函数 C 是那次传播的，随掩码起伏。",
    ),
    "steps.fell": (
        "After {n} updates with η = {lr} on this one sample the cost fell from {first} to {last}.",
        "以学习率 η = {lr} 在这个样本上更新 {n} 次后，代价函数从 {first} 降到 {last}。",
    ),
    "steps.rose": (
        "After {n} updates with η = {lr} on this one sample the cost rose from {first} to {last}: try a smaller η.",
        "以学习率 η = {lr} 在这个样本上更新 {n} 次后，代价函数从 {first} 升到 {last}：请减小学习率。",
    ),
}


def check_lang(lang) -> str:
    """``lang`` if it is a supported language, else InvalidArgument naming the choices."""
    if lang not in LANGS:
        raise InvalidArgument(f"lang={lang!r} is not supported; use 'en' (English) or 'zh' (中文).")
    return lang


def term(key, lang, **names) -> str:
    """The words for ``key`` in ``lang``, with ``{name}`` fields filled from ``names``."""
    words = TERMS[key][LANGS.index(check_lang(lang))]
    for name, value in names.items():  # not str.format: the words hold markup braces
        for mark in ("^", "_"):  # a^{l} stays a^{2}, not a^2, so that HTML and LaTeX still raise it
            words = words.replace(mark + "{" + name + "}", mark + "{" + str(value) + "}")
        words = words.replace("{" + name + "}", str(value))
    return words


def heading(section_id, lang) -> str:
    """'BP1 · 公式1：…' — a section's label, then its title."""
    return f"{term('label.' + section_id, lang)} · {term('title.' + section_id, lang)}"
