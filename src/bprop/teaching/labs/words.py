"""Every sentence of ``bprop lab``, in English and Chinese (the notes' terms: 误差, 带权输入, 激活值, …).

``say(key, lang, **fields)`` fills the ``{name}`` fields of the entry.
"""

from __future__ import annotations

from ...errors import InvalidArgument

LANGS = ("en", "zh")

WORDS = {
    "list.title": (
        "bprop lab: find the planted bug. Each lab's backprop (BP1–BP4, or the update) has one wrong line.",
        "bprop lab：找出埋下的错误。每个练习的反向传播（公式1–4，或更新权重和偏置）都有一行写错了。",
    ),
    "list.head": (
        "  N  data      network          σ hidden / σ output / cost             η      epochs",
        "  N  数据      神经网络         σ 隐藏层 / 输出层 / 代价函数           η      轮数",
    ),
    "progress.solved": ("✓ solved", "✓ 已答对"),
    "progress.gave_up": ("solution seen", "已看答案"),
    "progress.tried": ("{tries} wrong answer(s) so far", "已答错 {tries} 次"),
    "list.start": ("Start one: bprop lab start N", "开始一个练习：bprop lab start N"),
    "list.teacher": ("Solutions (teacher's view):", "答案（教师用）："),
    "sol.answer": ("answer", "答案"),
    "sol.mistake": ("mistake", "错误"),
    "sol.derivation": ("derivation", "推导过程"),
    "sol.step": ("the step it breaks", "被违反的推导步骤"),
    "sol.wrote": ("the code computes", "代码算的是"),
    "sol.line": ("planted line ({where})", "埋下错误的那一行（{where}）"),
    "sol.fix": ("fix", "改正"),
    "sol.fix_line": ("the right line", "正确的一行"),
    "sol.rows": (
        "(bprop's lines hold the batch one sample per row: delta[l] is Δ^l, (m, n_l), its row i the δ^l of "
        "sample i laid flat; so (w^{l+1})ᵀ δ^{l+1} is written delta[l + 1] @ self.w(l + 1), and BP3's "
        "δ^l (a^{l−1})ᵀ summed over the batch is delta[l].T @ a[l - 1].)",
        "（bprop 的代码把一批样本按行存放：delta[l] 是 Δ^l，形状 (m, n_l)，第 i 行是第 i 个样本的 δ^l 放平；"
        "所以 (w^{l+1})ᵀ δ^{l+1} 写作 delta[l + 1] @ self.w(l + 1)，"
        "公式3 的 δ^l (a^{l−1})ᵀ 对这一批求和写作 delta[l].T @ a[l - 1]。）",
    ),
    "where.every": ("{equation} in every layer", "每一层的{equation}"),
    "where.layer": ("{equation} at layer {layer}", "第 {layer} 层的{equation}"),
    "start.title": (
        "Lab {n}: {data}, network {sizes} ({sigma} hidden, {output} output, {cost} cost), "
        "SGD with η = {lr}, {epochs} epochs, batches of {batch}.",
        "练习 {n}：数据 {data}，神经网络 {sizes}（隐藏层 {sigma}，输出层 {output}，代价函数 {cost}），"
        "SGD，学习率 η = {lr}，{epochs} 轮，每批 {batch} 个样本。",
    ),
    "start.one_line": (
        "One line of this network's backprop (BP1–BP4) or of its update is wrong. Training it, "
        "beside the same network with bprop's correct backprop (cost: training set; accuracy: test set):",
        "这个神经网络的反向传播（公式1–4）或权重更新中有一行写错了。下面是训练过程，"
        "旁边是同一个神经网络用 bprop 正确的反向传播训练的结果（代价：训练集；准确率：测试集）：",
    ),
    "start.head": (
        "epoch   cost (broken)   accuracy (broken)   cost (correct)   accuracy (correct)",
        "轮次    代价（有错）    准确率（有错）      代价（正确）     准确率（正确）",
    ),
    "start.diverged": (
        "The broken network's training diverged in epoch {epoch}: the cost became NaN, infinite or exploded.",
        "有错的神经网络在第 {epoch} 轮发散了：代价变成了 NaN、无穷大，或爆炸式增长。",
    ),
    "start.fails": (
        "The broken network reaches {broken}; the same network with bprop's correct backprop reaches {correct}.",
        "有错的神经网络准确率只到 {broken}；同一个神经网络用正确的反向传播能到 {correct}。",
    ),
    "start.silent": (
        "The broken network reaches {broken}, the correct one {correct}: this mistake barely shows in "
        "training, a wrong gradient that still points roughly downhill. The gradients are wrong all the "
        "same, and gradcheck shows it.",
        "有错的神经网络准确率 {broken}，正确的 {correct}：这个错误在训练中几乎看不出来，"
        "错误的梯度大致仍指向下坡。但梯度确实是错的，gradcheck 能查出来。",
    ),
    "start.tools": ("Find the mistake with bprop's tools:", "用 bprop 的工具找出错误："),
    "tool.gradcheck": (
        "finite differences against this backprop, layer by layer",
        "逐层用有限差分检验这个反向传播",
    ),
    "tool.deltas": (
        "mean |δ^l| per layer, broken beside correct (--plot FILE: the picture over training)",
        "每层误差的平均 |δ^l|，有错的与正确的并列（--plot FILE：训练过程中的图）",
    ),
    "tool.explain": (
        "BP1–BP4 and one update on one batch, broken beside correct",
        "在一批样本上的公式1–4 和一次更新，有错的与正确的并列",
    ),
    "tool.page": (
        "bprop explain's page of the broken network for one sample: redo each line's arithmetic",
        "有错神经网络在一个样本上的 bprop explain 页面：逐行重算，看哪一行的数字对不上",
    ),
    "start.answer": (
        "Then answer: bprop lab answer {n} --equation BP1|BP2|BP3|BP4|update --layer l|all",
        "然后作答：bprop lab answer {n} --equation BP1|BP2|BP3|BP4|update --layer l|all",
    ),
    "gc.title": (
        "gradcheck of lab {n}'s backprop on its first batch ({m} samples), ε = {eps:g}, at most {most} "
        "weights and biases per layer: relative error ‖g − g_fd‖ / (‖g‖ + ‖g_fd‖) of ∂C/∂w and ∂C/∂b, "
        "✗ above {tolerance:g}.",
        "在练习 {n} 的第一批样本（{m} 个）上做 gradcheck，ε = {eps:g}，每层最多检验 {most} 个权重和偏置："
        "∂C/∂w 和 ∂C/∂b 的相对误差 ‖g − g_fd‖ / (‖g‖ + ‖g_fd‖)，大于 {tolerance:g} 记为 ✗。",
    ),
    "gc.head": ("layer   ∂C/∂w error     ∂C/∂b error", "层      ∂C/∂w 误差      ∂C/∂b 误差"),
    "gc.read": (
        "Reading it: a mistake shows first in the layer where it is made; BP2 carries a wrong δ on towards "
        "the input, and ∂C/∂w (BP3) and ∂C/∂b (BP4) come from the same δ. When every row is ✓, the gradients "
        "are right: look at what is done with them.",
        "怎么读：错误最先出现在犯错的那一层；公式2 会把错误的 δ 继续向输入端传，"
        "而 ∂C/∂w（公式3）和 ∂C/∂b（公式4）来自同一个 δ。如果每一行都是 ✓，梯度就是对的：看看拿梯度做了什么。",
    ),
    "dl.title": (
        "mean |δ^l| per layer at the initial weights, over the first {batches} batches of {m}:",
        "初始权重下，前 {batches} 批（每批 {m} 个样本）中每层误差的平均 |δ^l|：",
    ),
    "dl.head": ("layer   broken        correct       broken/correct", "层      有错          正确          有错/正确"),
    "dl.read": (
        "A ratio ≠ 1 starts at the layer whose δ the mistake touches (BP1, BP2) and carries on towards the "
        "input; a sign error or a mistake in BP3, BP4 or the update leaves |δ| as it is.",
        "比值 ≠ 1 从错误影响到 δ 的那一层开始（公式1、公式2），并一直传向输入端；"
        "符号错误，或公式3、公式4、更新中的错误，不会改变 |δ|。",
    ),
    "dl.plot": ("wrote {path}", "已写入 {path}"),
    "dl.plot_title": (
        "lab {n}: the broken network (solid) beside the correct one (dashed), layer by layer",
        "练习 {n}：有错的神经网络（实线）与正确的神经网络（虚线）逐层并列",
    ),
    "ex.title": (
        "lab {n}, its first batch ({m} samples), broken beside correct: δ^l of the first sample; "
        "∂C/∂w^l, ∂C/∂b^l of the batch; w^l after one update from the correct gradient. ✗: they differ.",
        "练习 {n} 的第一批样本（{m} 个），有错的与正确的并列：第一个样本的误差 δ^l；"
        "这一批的 ∂C/∂w^l、∂C/∂b^l；用正确梯度更新一次之后的 w^l。✗：两者不同。",
    ),
    "ex.head": (
        "equation  array        broken                          correct                         max |diff|",
        "公式      数组         有错                            正确                            最大 |差|",
    ),
    "ex.after": ("{w} after", "更新后 {w}"),
    "ex.read": (
        "Read from the output back, as backprop runs: the first ✗ is where the broken numbers begin.",
        "按反向传播的顺序从输出层往回看：第一个 ✗ 就是错误数字开始出现的地方。",
    ),
    "ans.right": ("Right: the mistake is {where}.", "答对了：错误在{where}。"),
    "ans.wrong_equation": (
        "Not {equation}: the mistake is in another equation.",
        "不是{equation}：错误在另一个公式里。",
    ),
    "ans.wrong_layer": ("{equation} is right, but not {layer}.", "{equation}对了，但不是{layer}。"),
    "ans.no_layer": ("{equation} is right; now, which layer?", "{equation}对了；那么，是哪一层？"),
    "ans.hint": ("Hint: {hint}", "提示：{hint}"),
    "ans.again": (
        "Try again, or see the solution: bprop lab answer {n} --give-up",
        "再试一次，或者查看答案：bprop lab answer {n} --give-up",
    ),
    "ans.gave_up": ("The mistake is {where}.", "错误在{where}。"),
    "layer.every": ("every layer", "每一层"),
    "layer.one": ("layer {layer}", "第 {layer} 层"),
}


def say(key, lang, **fields) -> str:
    """The entry ``key`` in ``lang`` ('en' or 'zh'), its fields filled in."""
    if lang not in LANGS:
        raise InvalidArgument(f"--lang {lang!r} is not supported; use en (English) or zh (中文).")
    text = WORDS[key][LANGS.index(lang)]
    return text.format(**fields) if fields else text


def pick(pair, lang) -> str:
    """The ``lang`` half of an (en, zh) pair."""
    return pair[LANGS.index(lang)]
