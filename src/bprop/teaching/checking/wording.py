"""Every sentence ``bprop check`` says, in English and in Chinese (the notes' wording).

Fields: {l} the layer found, {n} = l + 1, {p} = l − 1, {L} the output layer,
{m} the batch size, {shape} a shape the learner returned. Each mistake has what
the learner's code computes ('says') and the fix; each equation has its line
of the derivation (推导过程), as in the notes.
"""

from __future__ import annotations

DERIVATION = {
    "forward": (
        "z^l_j = Σ_k w^l_jk a^{l−1}_k + b^l_j and a^l_j = σ(z^l_j), layer after layer.",
        "带权输入 z^l_j = Σ_k w^l_jk a^{l−1}_k + b^l_j，激活值 a^l_j = σ(z^l_j)，逐层向前计算。",
    ),
    "BP1": (
        "δ^L_j = ∂C/∂z^L_j = ∂C/∂a^L_j · ∂a^L_j/∂z^L_j (the chain rule), so δ^L = ∇_a C ⊙ σ′(z^L).",
        "δ^L_j = ∂C/∂z^L_j = ∂C/∂a^L_j · ∂a^L_j/∂z^L_j（链式法则），所以 δ^L = ∇_a C ⊙ σ′(z^L)。",
    ),
    "BP1_shortcut": (
        "δ^L = ∇_a C ⊙ σ′(z^L); for {cost} with {output} outputs σ′ cancels against ∇_a C, leaving δ^L = a^L − y.",
        "δ^L = ∇_a C ⊙ σ′(z^L)；{output} 输出配 {cost} 代价函数时，σ′ 与 ∇_a C 的分母相消，δ^L = a^L − y。",
    ),
    "BP2": (
        "δ^l_j = Σ_k ∂C/∂z^{l+1}_k · ∂z^{l+1}_k/∂a^l_j · ∂a^l_j/∂z^l_j = Σ_k δ^{l+1}_k · w^{l+1}_kj · σ′(z^l_j), "
        "i.e. δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l).",
        "δ^l_j = Σ_k ∂C/∂z^{l+1}_k · ∂z^{l+1}_k/∂a^l_j · ∂a^l_j/∂z^l_j = Σ_k δ^{l+1}_k · w^{l+1}_kj · σ′(z^l_j)，"
        "即 δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l)。",
    ),
    "BP3": (
        "∂C/∂w^l_jk = ∂C/∂z^l_j · ∂z^l_j/∂w^l_jk = a^{l−1}_k δ^l_j, i.e. ∂C/∂w^l = δ^l (a^{l−1})ᵀ, shaped like w^l.",
        "∂C/∂w^l_jk = ∂C/∂z^l_j · ∂z^l_j/∂w^l_jk = a^{l−1}_k δ^l_j，即 ∂C/∂w^l = δ^l (a^{l−1})ᵀ，形状与 w^l 相同。",
    ),
    "BP4": (
        "∂C/∂b^l_j = ∂C/∂z^l_j · ∂z^l_j/∂b^l_j = δ^l_j.",
        "∂C/∂b^l_j = ∂C/∂z^l_j · ∂z^l_j/∂b^l_j = δ^l_j。",
    ),
    "mean": (
        "The cost of a batch is the mean C = (1/m) Σ_x C_x, so ∂C/∂w^l = (1/m) Σ_x δ^l_x (a^{l−1}_x)ᵀ "
        "and ∂C/∂b^l = (1/m) Σ_x δ^l_x.",
        "一批样本的代价函数是平均值 C = (1/m) Σ_x C_x，所以 ∂C/∂w^l = (1/m) Σ_x δ^l_x (a^{l−1}_x)ᵀ，"
        "∂C/∂b^l = (1/m) Σ_x δ^l_x。",
    ),
    "update": (
        "w^l ← w^l − (η/m) Σ_x ∂C_x/∂w^l and b^l ← b^l − (η/m) Σ_x ∂C_x/∂b^l: a step against the gradient.",
        "w^l ← w^l − (η/m) Σ_x ∂C_x/∂w^l，b^l ← b^l − (η/m) Σ_x ∂C_x/∂b^l：沿梯度的反方向走一步。",
    ),
    "update_l2": (
        "w^l ← (1 − ηλ/n) w^l − (η/m) Σ_x ∂C₀/∂w^l, because ∂/∂w of (λ/2n) Σ w² is (λ/n) w; "
        "b^l ← b^l − (η/m) Σ_x ∂C₀/∂b^l.",
        "w^l ← (1 − ηλ/n) w^l − (η/m) Σ_x ∂C₀/∂w^l，因为 (λ/2n) Σ w² 对 w 的导数是 (λ/n) w；"
        "b^l ← b^l − (η/m) Σ_x ∂C₀/∂b^l。",
    ),
}

SAYS = {
    "forward_other_sigma": (
        "your feedforward computes σ = {found_hidden} in the hidden layers and {found_output} at the output, "
        "but this check was told σ = {activation} (hidden), {output} (output). The flags describe your network; "
        "they do not change it.",
        "你的 feedforward 算的是：隐藏层 σ = {found_hidden}，输出层 σ = {found_output}；"
        "而这次检查设定的是 σ = {activation}（隐藏层），{output}（输出层）。这些选项描述你的神经网络，并不会改变它。",
        "check the network you wrote with --activation {found_hidden} --output {found_output}, "
        "or change its σ to the one you meant.",
        "按你写的神经网络检查：--activation {found_hidden} --output {found_output}；或者把 σ 改成你本来想用的。",
    ),
    "forward_neuron_not_modified": (
        "your feedforward gives neuron {nj} of layer {nl} the same σ as the rest of its layer, not {f}.",
        "你的 feedforward 让第 {nl} 层第 {nj} 个神经元用了与同层其他神经元相同的 σ，而不是 {f}。",
        "apply {f} to that neuron's z in the forward pass (and its f′ in BP1/BP2), or drop --neuron if your "
        "network has no modified neuron.",
        "在前向传播中对这个神经元的 z 用 {f}（BP1/BP2 中用它的 f′）；如果你的神经网络没有修改过的神经元，去掉 --neuron。",
    ),
    "forward_no_bias": (
        "your forward pass leaves out the bias: z^l = w^l a^{l−1}, not w^l a^{l−1} + b^l.",
        "你的前向传播漏掉了偏置：z^l = w^l a^{l−1}，而不是 w^l a^{l−1} + b^l。",
        "add b^l before σ: z = np.dot(w, a) + b.",
        "在 σ 之前加上 b^l：z = np.dot(w, a) + b。",
    ),
    "bp1_no_sigma_prime": (
        "your δ^{L} equals ∇_a C without the ⊙ σ′(z^{L}) factor.",
        "你的误差 δ^{L} 等于 ∇_a C，少了 ⊙ σ′(z^{L}) 这个因子。",
        "multiply by σ′(z^L): delta = cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1]).",
        "乘上 σ′(z^L)：delta = cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])。",
    ),
    "bp1_sigma_prime_of_a": (
        "your δ^{L} uses σ′(a^{L}) where BP1 has σ′(z^{L}): σ′ was applied to the activation, not the weighted input.",
        "你的误差 δ^{L} 用了 σ′(a^{L})，公式1 是 σ′(z^{L})：σ′ 作用在了激活值上，而不是带权输入上。",
        "give σ′ the weighted input: sigmoid_prime(zs[-1]), not sigmoid_prime(activations[-1]).",
        "σ′ 的参数应是带权输入：sigmoid_prime(zs[-1])，不是 sigmoid_prime(activations[-1])。",
    ),
    "sigma_prime_of_a": (
        "your δ^{L} and every δ^l use σ′(a^l) where BP1 and BP2 have σ′(z^l): σ′ was applied to the activations.",
        "你的 δ^{L} 和每个 δ^l 都用了 σ′(a^l)，公式1 和公式2 是 σ′(z^l)：σ′ 作用在了激活值上。",
        "give σ′ the weighted inputs zs[-l], not the activations (or use a(1 − a) directly, which is σ′(z)).",
        "σ′ 的参数应是带权输入 zs[-l]，不是激活值（或直接用 a(1 − a)，它就是 σ′(z)）。",
    ),
    "bp1_sign": (
        "your δ^{L} has the wrong sign: ∇_a C was written y − a where it is a − y, so every gradient points uphill.",
        "你的误差 δ^{L} 符号反了：∇_a C 写成了 y − a，应为 a − y，于是每个梯度都指向上坡。",
        "∂C/∂a^L_j = a^L_j − y_j for C = ½ Σ_j (y_j − a_j)²: return (output_activations - y).",
        "对 C = ½ Σ_j (y_j − a_j)²，∂C/∂a^L_j = a^L_j − y_j：返回 (output_activations - y)。",
    ),
    "bp1_sigma_prime_again": (
        "your δ^{L} = (a^{L} − y) ⊙ σ′(z^{L}): with {cost} and {output} outputs σ′ has already cancelled, "
        "and was applied a second time.",
        "你的误差 δ^{L} = (a^{L} − y) ⊙ σ′(z^{L})：{output} 输出配 {cost} 代价函数时 σ′ 已经相消，这里又乘了一次。",
        "drop the σ′ factor: delta = activations[-1] - y.",
        "去掉 σ′ 因子：delta = activations[-1] - y。",
    ),
    "bp2_no_sigma_prime": (
        "your δ^{l} equals (w^{n})ᵀδ^{n} without the ⊙ σ′(z^{l}) factor.",
        "你的误差 δ^{l} 等于 (w^{n})ᵀδ^{n}，少了 ⊙ σ′(z^{l}) 这个因子。",
        "multiply by σ′(z^l) after the product: delta = np.dot(w.transpose(), delta) * sigmoid_prime(z).",
        "乘积之后再乘 σ′(z^l)：delta = np.dot(w.transpose(), delta) * sigmoid_prime(z)。",
    ),
    "bp2_sigma_prime_of_a": (
        "your δ^{l} uses σ′(a^{l}) where BP2 has σ′(z^{l}): σ′ was applied to the activation.",
        "你的误差 δ^{l} 用了 σ′(a^{l})，公式2 是 σ′(z^{l})：σ′ 作用在了激活值上。",
        "give σ′ the weighted input zs[-l], not activations[-l].",
        "σ′ 的参数应是带权输入 zs[-l]，不是 activations[-l]。",
    ),
    "bp2_untransposed": (
        "your δ^{l} uses w^{n} δ^{n} where BP2 has (w^{n})ᵀ δ^{n}: the weights are not transposed "
        "(where the layers differ in width this raises a shape error).",
        "你的误差 δ^{l} 用了 w^{n} δ^{n}，公式2 是 (w^{n})ᵀ δ^{n}：权重矩阵没有转置（相邻两层宽度不同时会报形状错误）。",
        "transpose the weights: np.dot(self.weights[-l+1].transpose(), delta).",
        "把权重转置：np.dot(self.weights[-l+1].transpose(), delta)。",
    ),
    "bp2_weights_of_layer": (
        "your δ^{l} uses (w^{l})ᵀ where BP2 has (w^{n})ᵀ: the layer index of the weights is off by one.",
        "你的误差 δ^{l} 用了 (w^{l})ᵀ，公式2 是 (w^{n})ᵀ：权重的层号差了一层。",
        "δ^l comes back through the weights of the next layer: self.weights[-l+1], not self.weights[-l].",
        "δ^l 是经由下一层的权重传回来的：self.weights[-l+1]，不是 self.weights[-l]。",
    ),
    "bp2_sigma_prime_of_next": (
        "your δ^{l} uses σ′(z^{n}) where BP2 has σ′(z^{l}): the index into zs is off by one.",
        "你的误差 δ^{l} 用了 σ′(z^{n})，公式2 是 σ′(z^{l})：zs 的下标差了一层。",
        "take z of the same layer as δ: zs[-l], not zs[-l+1].",
        "取与 δ 同一层的带权输入：zs[-l]，不是 zs[-l+1]。",
    ),
    "modified_neuron_old_prime": (
        "your δ^{l}_{j} (the modified neuron) still uses the layer's σ′(z^{l}_{j}); its activation is {f}, "
        "so the chain rule's ∂a^{l}_{j}/∂z^{l}_{j} is {f}′(z^{l}_{j}).",
        "你的 δ^{l}_{j}（被修改的神经元）仍用本层的 σ′(z^{l}_{j})；它的激活函数是 {f}，"
        "链式法则中的 ∂a^{l}_{j}/∂z^{l}_{j} 应为 {f}′(z^{l}_{j})。",
        "for neuron j of layer l use {f}′(z^l_j) in BP1/BP2, the layer's σ′ for the others.",
        "第 l 层第 j 个神经元在公式1/公式2 中用 {f}′(z^l_j)，其余神经元仍用本层的 σ′。",
    ),
    "bp3_a_same_layer": (
        "your ∂C/∂w^{l} uses a^{l} where BP3 has a^{p}: ∂z^l_j/∂w^l_jk is the activation that feeds the weight.",
        "你的 ∂C/∂w^{l} 用了 a^{l}，公式3 是 a^{p}：∂z^l_j/∂w^l_jk 是输入这条权重的前一层激活值。",
        "use the previous layer's activation: np.dot(delta, activations[-l-1].transpose()).",
        "用前一层的激活值：np.dot(delta, activations[-l-1].transpose())。",
    ),
    "bp3_transposed": (
        "your ∂C/∂w^{l} is a^{p} (δ^{l})ᵀ, the transpose of δ^{l} (a^{p})ᵀ: the outer product is the wrong way round, "
        "so it is not shaped like w^{l}.",
        "你的 ∂C/∂w^{l} 是 a^{p} (δ^{l})ᵀ，是 δ^{l} (a^{p})ᵀ 的转置：外积的顺序反了，形状与 w^{l} 不同。",
        "put δ first: np.dot(delta, activations[-l-1].transpose()), shaped (n_l, n_{l−1}) like w^l.",
        "δ 放在前面：np.dot(delta, activations[-l-1].transpose())，形状 (n_l, n_{l−1}) 与 w^l 相同。",
    ),
    "delta_of_next_layer": (
        "your ∂C/∂b^{l} and ∂C/∂w^{l} use δ^{n}, the error of the next layer, where BP3 and BP4 have δ^{l}: "
        "they were computed before BP2 gave the new δ.",
        "你的 ∂C/∂b^{l} 和 ∂C/∂w^{l} 用了下一层的误差 δ^{n}，公式3、公式4 是 δ^{l}：它们在公式2 算出新的 δ 之前就计算了。",
        "compute delta by BP2 first, then nabla_b[-l] = delta and nabla_w[-l] = np.dot(delta, activations[-l-1].T).",
        "先用公式2 算出 delta，再写 nabla_b[-l] = delta 和 nabla_w[-l] = np.dot(delta, activations[-l-1].T)。",
    ),
    "bp4_delta_of_next_layer": (
        "your ∂C/∂b^{l} is δ^{n}, the error of the next layer, where BP4 has δ^{l}.",
        "你的 ∂C/∂b^{l} 是下一层的误差 δ^{n}，公式4 是 δ^{l}。",
        "set nabla_b[-l] = delta after BP2 has computed δ^l.",
        "在公式2 算出 δ^l 之后再写 nabla_b[-l] = delta。",
    ),
    "mean_forgotten": (
        "your gradients are the sum over the m = {m} samples, not the mean: every array is m times bprop's (the 1/m is missing).",
        "你的梯度是 m = {m} 个样本的和，不是平均值：每个数组都是 bprop 的 m 倍（少了 1/m）。",
        "divide the sums by m = X.shape[1] (or use np.mean over the samples' axis).",
        "把和除以 m = X.shape[1]（或沿样本那一维取 np.mean）。",
    ),
    "mean_forgotten_biases": (
        "your ∂C/∂b^l is the sum over the m = {m} samples, not the mean (your ∂C/∂w^l is divided by m, ∂C/∂b^l is not).",
        "你的 ∂C/∂b^l 是 m = {m} 个样本的和，不是平均值（∂C/∂w^l 除以了 m，∂C/∂b^l 没有）。",
        "divide the bias sums by m too: delta.sum(axis=1, keepdims=True) / m.",
        "偏置的和也要除以 m：delta.sum(axis=1, keepdims=True) / m。",
    ),
    "mean_forgotten_weights": (
        "your ∂C/∂w^l is the sum over the m = {m} samples, not the mean (your ∂C/∂b^l is divided by m, ∂C/∂w^l is not).",
        "你的 ∂C/∂w^l 是 m = {m} 个样本的和，不是平均值（∂C/∂b^l 除以了 m，∂C/∂w^l 没有）。",
        "divide the weight sums by m too: np.dot(delta, A.transpose()) / m.",
        "权重的和也要除以 m：np.dot(delta, A.transpose()) / m。",
    ),
    "bias_wrong_axis": (
        "your ∂C/∂b^{l} averages Δ^{l} over its neurons (axis 0) where BP4 averages over the samples (axis 1): "
        "one number per sample, shape {shape}.",
        "你的 ∂C/∂b^{l} 沿神经元那一维（axis 0）对 Δ^{l} 求平均，公式4 应沿样本那一维（axis 1）：每个样本一个数，形状 {shape}。",
        "np.mean(delta, axis=1, keepdims=True), shaped (n_l, 1) like b^l.",
        "np.mean(delta, axis=1, keepdims=True)，形状 (n_l, 1) 与 b^l 相同。",
    ),
    "bias_wrong_axis_sum": (
        "your ∂C/∂b^{l} sums Δ^{l} over its neurons (axis 0) where BP4 averages over the samples (axis 1): "
        "one number per sample, shape {shape}.",
        "你的 ∂C/∂b^{l} 沿神经元那一维（axis 0）对 Δ^{l} 求和，公式4 应沿样本那一维（axis 1）取平均：每个样本一个数，形状 {shape}。",
        "np.mean(delta, axis=1, keepdims=True), shaped (n_l, 1) like b^l.",
        "np.mean(delta, axis=1, keepdims=True)，形状 (n_l, 1) 与 b^l 相同。",
    ),
    "update_plus": (
        "your update adds the gradient, w ← w + (η/m) Σ ∂C/∂w: gradient descent steps against it.",
        "你的更新加上了梯度 w ← w + (η/m) Σ ∂C/∂w：梯度下降应沿梯度的反方向走。",
        "w - (eta/len(mini_batch)) * nw, and the same minus for b.",
        "w - (eta/len(mini_batch)) * nw，b 也用减号。",
    ),
    "update_mean_forgotten": (
        "your update takes η Σ ∂C/∂w over the mini-batch without dividing by its size m = {m}.",
        "你的更新用了 η Σ ∂C/∂w，没有除以小批量的大小 m = {m}。",
        "(eta/len(mini_batch)) * nw.",
        "(eta/len(mini_batch)) * nw。",
    ),
    "l2_missing": (
        "your update has no weight decay: the derivative (λ/n) w of the L2 term (λ/2n) Σ w² is missing.",
        "你的更新没有权重衰减：L2 正则项 (λ/2n) Σ w² 的导数 (λ/n) w 漏掉了。",
        "(1 - eta*lmbda/n) * w - (eta/len(mini_batch)) * nw.",
        "(1 - eta*lmbda/n) * w - (eta/len(mini_batch)) * nw。",
    ),
    "l2_half": (
        "your weight decay is (1 − ηλ/2n): the derivative of (λ/2n) w² is (λ/n) w; the 2 of w² cancels the ½.",
        "你的权重衰减是 (1 − ηλ/2n)：(λ/2n) w² 的导数是 (λ/n) w，w² 的 2 与 ½ 相消。",
        "(1 - eta*lmbda/n) * w.",
        "(1 - eta*lmbda/n) * w。",
    ),
    "l2_sign": (
        "your weight decay is (1 + ηλ/n): the L2 term's derivative (λ/n) w is added to the weights, not subtracted.",
        "你的权重衰减是 (1 + ηλ/n)：L2 正则项的导数 (λ/n) w 被加到了权重上，应当减去。",
        "(1 - eta*lmbda/n) * w.",
        "(1 - eta*lmbda/n) * w。",
    ),
    "l2_without_n": (
        "your weight decay is (1 − ηλ): the L2 term is (λ/2n) Σ w², so its derivative is (λ/n) w, divided by n.",
        "你的权重衰减是 (1 − ηλ)：L2 正则项是 (λ/2n) Σ w²，导数 (λ/n) w 要除以 n。",
        "(1 - eta*lmbda/n) * w, n the size of the whole training set.",
        "(1 - eta*lmbda/n) * w，n 是整个训练集的大小。",
    ),
    "l2_without_eta": (
        "your weight decay is (1 − λ/n): the L2 term's gradient is a gradient like the others, and steps by η too.",
        "你的权重衰减是 (1 − λ/n)：L2 正则项的梯度也是梯度，同样要乘学习率 η。",
        "(1 - eta*lmbda/n) * w.",
        "(1 - eta*lmbda/n) * w。",
    ),
    "l2_on_biases": (
        "your update decays the biases too: the L2 term (λ/2n) Σ w² holds no b, so its derivative by b is 0.",
        "你的更新把偏置也衰减了：L2 正则项 (λ/2n) Σ w² 里没有 b，它对 b 的导数是 0。",
        "b - (eta/len(mini_batch)) * nb, with no (1 - eta*lmbda/n) factor.",
        "b - (eta/len(mini_batch)) * nb，不乘 (1 - eta*lmbda/n)。",
    ),
}

CONVENTIONS = {
    "swapped": (
        "your backprop returns (nabla_w, nabla_b); the book's order is (nabla_b, nabla_w).",
        "你的 backprop 返回 (nabla_w, nabla_b)；书中的顺序是 (nabla_b, nabla_w)。",
    ),
    "reversed": (
        "your lists run from the output layer back (l = L … 2); the book's run l = 2 … L, like self.weights.",
        "你的列表从输出层往回排（l = L … 2）；书中按 l = 2 … L 排列，与 self.weights 一致。",
    ),
    "bias_shape": (
        "your ∂C/∂b^l are shaped {shape}, but b^l is a column (n_l, 1): b − η ∂C/∂b would broadcast to a matrix.",
        "你的 ∂C/∂b^l 形状是 {shape}，而 b^l 是列向量 (n_l, 1)：b − η ∂C/∂b 会被广播成矩阵。",
    ),
}

ARRAYS = {
    "delta": ("δ^{l}{idx}", "误差 δ^{l}{idx}"),
    "nabla_b": ("∂C/∂b^{l}{idx}", "∂C/∂b^{l}{idx}"),
    "nabla_w": ("∂C/∂w^{l}{idx}", "∂C/∂w^{l}{idx}"),
    "output": ("a^{l}{idx} from feedforward", "feedforward 给出的激活值 a^{l}{idx}"),
    "weights": ("w^{l}{idx} after update_mini_batch", "update_mini_batch 之后的权重 w^{l}{idx}"),
    "biases": ("b^{l}{idx} after update_mini_batch", "update_mini_batch 之后的偏置 b^{l}{idx}"),
}

PHRASES = {
    "at_layer": ("{equation} at layer {l}", "第 {l} 层的{equation}"),
    "forward": ("the forward pass", "前向传播"),
    "mean": ("the batch mean", "批量平均"),
    "update": ("the update", "更新权重和偏置"),
    "BP1": ("BP1", "公式1"),
    "BP2": ("BP2", "公式2"),
    "BP3": ("BP3", "公式3"),
    "BP4": ("BP4", "公式4"),
    "network": ("network {probe}", "网络 {probe}"),
    "neuron": ("neuron j = {j}", "第 j = {j} 个神经元"),
    "entry": ("entry j = {j}, k = {k}", "元素 j = {j}，k = {k}"),
    "expected_got": ("expected {what} = {expected}, got {got}", "应为 {what} = {expected}，你的结果是 {got}"),
    "shape": ("expected {what} shaped {expected}, got {got}", "{what} 的形状应为 {expected}，你的是 {got}"),
    "derivation": ("The derivation", "推导过程"),
    "fix": ("Fix", "改法"),
    "unknown": (
        "None of the common mistakes bprop knows gives your numbers; compare this line of yours with the derivation.",
        "bprop 已知的常见错误都给不出你的数字；请对照推导过程检查你这一行。",
    ),
    "pass": (
        "your {what} agrees with bprop's BP1–BP4 on {count} networks ({probes}); largest difference {diff}.",
        "你的 {what} 在 {count} 个网络（{probes}）上与 bprop 的公式1–公式4 一致；最大差异 {diff}。",
    ),
    "fd": (
        "bprop's own gradients agree with finite differences to {error}.",
        "bprop 自己的梯度与有限差分相符，相对误差 {error}。",
    ),
    "numbers_right": (
        "the numbers are right; only a convention differs:",
        "数值都对，只有约定不同：",
    ),
    "raised": ("your {what} raised on network {probe}: {line}", "你的 {what} 在网络 {probe} 上报错：{line}"),
    "also_raised": (
        "on network {probe} it raised (the same mistake, where the shapes do not fit): {line}",
        "在网络 {probe} 上它报错了（同一个错误，形状不匹配）：{line}",
    ),
    "malformed": (
        "your backprop returned {described} on network {probe}; expected (nabla_b, nabla_w), one array per layer l = 2 … L.",
        "你的 backprop 在网络 {probe} 上返回了 {described}；应返回 (nabla_b, nabla_w)，每层 l = 2 … L 一个数组。",
    ),
    "cost_hint": (
        "If your cost is the cross-entropy, whose δ^L is a^L − y, say so: --cost cross_entropy.",
        "如果你用的是交叉熵代价函数（δ^L = a^L − y），请加上 --cost cross_entropy。",
    ),
    "rows": (
        "your code takes samples as rows, x (1, n_1), and stores w^l as (n_{l−1}, n_l): bprop gave it rows "
        "and compares in the notes' layout (a consistent choice, not a mistake).",
        "你的代码把样本当作行向量 x (1, n_1)，权重 w^l 存为 (n_{l−1}, n_l)：bprop 按行传入，并按笔记中的形状比较（这是一致的约定，不是错误）。",
    ),
    "flat": (
        "your code keeps b^l as 1-D vectors (n_l,), so bprop gives it one sample as 1-D vectors x (n_1,), "
        "y (n_L,) and compares in the notes' layout (a consistent choice, not a mistake).",
        "你的代码把偏置 b^l 存为一维向量 (n_l,)，所以 bprop 也把样本作为一维向量 x (n_1,)、y (n_L,) 传入，"
        "并按笔记中的形状比较（这是一致的约定，不是错误）。",
    ),
    "feedforward_ok": ("feedforward agrees with bprop's forward pass.", "feedforward 与 bprop 的前向传播一致。"),
    "faster": ("{ratio}× faster", "快 {ratio} 倍"),
    "slower": ("{ratio}× slower", "慢 {ratio} 倍"),
    "update_ok": (
        "update_mini_batch takes the step w ← {decay}w − (η/m) Σ ∂C/∂w, b ← b − (η/m) Σ ∂C/∂b (η = {eta}, m = {m}{l2}).",
        "update_mini_batch 的更新 w ← {decay}w − (η/m) Σ ∂C/∂w，b ← b − (η/m) Σ ∂C/∂b 正确（η = {eta}，m = {m}{l2}）。",
    ),
    "runs_file": ("runs {path} in this process, as a test runner does", "在本进程中运行 {path}（与测试框架相同）"),
    "loop": (
        "batched and per-sample loop agree (largest difference {diff}); on {sizes} with m = {m}: batched {batched} ms, "
        "loop {loop} ms: {ratio} (best of {repeats}, interleaved, BLAS on one thread).",
        "矩阵形式与逐样本循环结果一致（最大差异 {diff}）；在 {sizes}、m = {m} 上：矩阵形式 {batched} ms，"
        "循环 {loop} ms：{ratio}（交替测量，取 {repeats} 次中最好的，BLAS 单线程）。",
    ),
    "loop_differs": (
        "batched and per-sample loop differ: {what} at layer {l}, largest difference {diff}.",
        "矩阵形式与逐样本循环结果不同：第 {l} 层的 {what}，最大差异 {diff}。",
    ),
}


def words(table, key, lang, **fields) -> str:
    """The entry ``key`` of ``table`` in ``lang`` ('en' or 'zh'), its {fields} filled in.

    Only the named fields are replaced, so the notes' superscripts (a^{l−1}) stay as written;
    numbers come already formatted.
    """
    return _fill(table[key][0 if lang == "en" else 1], fields)


def mistake_words(key, lang, **fields) -> tuple[str, str]:
    """(what the learner's code computes, the fix) for mistake ``key``."""
    says_en, says_zh, fix_en, fix_zh = SAYS[key]
    says, fix = (says_en, fix_en) if lang == "en" else (says_zh, fix_zh)
    return _fill(says, fields), _fill(fix, fields)


def _fill(text, fields) -> str:
    for name, value in fields.items():
        text = text.replace("{" + name + "}", str(value))
    return text
