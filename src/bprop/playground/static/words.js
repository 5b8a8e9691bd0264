// Every word the page shows, in English and Chinese: the interface (WORDS), the human names of
// the options whose values the server takes (NAMES), and what a refused setting accepts (REFUSALS).
// The values sent to the server stay the identifiers; only what is shown is looked up here.

export const WORDS = {
  en: {playground: "playground", reset: "reset", play: "play", pause: "pause", step: "step", epoch: "epoch",
       batches: "batches", data: "Data", dataset: "dataset", classes: "classes", noise: "noise",
       test_fraction: "test share", features: "features", training: "Training", batch_size: "batch size",
       optimizer: "optimizer", speed: "batches per frame", l2: "L2 regularization λ",
       l1: "L1 regularization λ₁",
       hidden_layers: (n) => (n === 1 ? "hidden layer" : "hidden layers"),   // after the number n
       add_layer: "add a hidden layer", remove_layer: "remove the last hidden layer",
       wider: "one neuron more", narrower: "one neuron less", one_batch: "train one batch",
       layer_sigma: (l) => `σ of layer ${l} (hidden): changes this layer only`,
       sigma_differs: "differs by layer (see each layer)",
       hint: "Click a neuron to see BP1–BP4 with its numbers, a line to edit its weight. Lines: blue w > 0, orange w < 0, thickness |w|.",
       output: "Output", test_cost: "test cost", train_cost: "training cost", test_accuracy: "test accuracy",
       train_points: "training points", test_points: "test points", train_curve: "training", test_curve: "test",
       cost_axis: "cost C", batch_axis: "batches trained", class_name: (k) => `class ${k}`,
       shade: "Shade: the class the network predicts there; paler where it is less sure.",
       shade_regression: "Shade: the network’s output aᴸ there, on the targets’ colour scale.",
       input_layer: "input", output_layer: "output", panel_on: "on", next_batch: "the next batch",
       one_sample: "one training sample", close: "close",
       session_expired: "The session had expired; started a new one with your settings.",
       session_expired_model: "The session had expired; started a new one with your settings and the model you imported (as it was imported: the training since is lost).",
       server_unreachable: "The playground server does not answer; is “bprop playground” still running?",
       server_retrying: (n, of) => `The playground server does not answer; trying again (${n} of ${of})…`,
       server_back: "The playground server answers again; play goes on with your settings and data.",
       diverged: (batch, eta) => `Training diverged at batch ${batch}: the cost grew without bound, and the ` +
         `weights from before that step were kept. Try a smaller learning rate (now ${eta}), then reset.`,
       not_accepted: "Not accepted",
       // features.js: points, the link, files, a hand-edited weight, one sample stepped through
       target_axis: "target t", click_plot: "Click the plot to add a point:", point_class: "class",
       point_target: "target t", part_train: "to the training set", part_test: "to the test set",
       remove_mode: "remove the nearest instead (or ⇧-click)",
       no_point_near: "No point near there to remove.",
       points_replaced: "New data made from the new setting: the points you clicked in or out were replaced by it.",
       share: "share", copy: "copy", link_copied: "Link copied.", link_opened: "Opened the shared setup.",
       link_broken: "The link’s setup could not be opened (damaged or from another version); started the default one.",
       unshareable_upload: "This session cannot become a link: its data was uploaded. Download the data as CSV to pass it on.",
       unshareable_model: "This session cannot become a link: its network was imported from a file. Download the model to pass it on.",
       unshareable_long: (n, max) => `This session cannot become a link: it trained ${n} batches and a link replays at ` +
         `most ${max}. Reset, or download the model to pass it on.`,
       unshareable_edits: "This session cannot become a link: it went through too many changes. Download the model or the data instead.",
       files: "Files", download_data: "the data (CSV)", download_model: "the model (bprop file)",
       upload_csv: "your data (CSV: x₁, x₂, then a class or a target)", import_model: "a model file to import",
       choose_file: "choose a file…",
       file_too_big: (name, kib) => `${name} is larger than ${kib} KiB, the most the playground takes.`,
       uploaded: (name, c) => `${name}: ${c.train} training and ${c.test} test points`,
       note_regression: "the targets are real numbers, so the output is identity and the cost quadratic (regression)",
       note_batch: (n) => `batch size ${n}: the training set has ${n} samples`,
       model_imported: (name) => `Imported ${name}: its weights now train here.`,
       weight_try: "Type a value or drag; Enter applies it.", weight_preview: "preview: not applied yet (Enter applies)",
       weight_applied: "applied", predicted: "predicted", actual: "actual", gap: "gap (the second-order term)",
       apply: "apply", trace_open: "step through one sample", trace_sample: "training sample (empty: the next batch’s first)",
       previous: "previous", next: "next", stage_count: (i, n) => `stage ${i} of ${n}`,
       stage_names: {forward: "forward pass", BP1: "BP1: the output error", BP2: "BP2: the error, one layer back",
                     BP3: "BP3: the weights’ gradient", BP4: "BP4: the biases’ gradient", update: "the update"},
       trace_title: (i, point, label) => `Sample ${i} at (${point}), ${typeof label === "number" && !Number.isInteger(label) ? "target" : "class"} ${label}`,
       bp1_shortcut: "With this output and cost, BP1 simplifies to δ<sup>L</sup> = a<sup>L</sup> − y.",
       update_note: (eta) => `η = ${eta}: one step of plain gradient descent on this sample alone, shown on a copy; the session’s weights do not change.`,
       trace_dropout: (p) => `Dropout p = ${p} acts in training steps only: this pass, like evaluation, uses every neuron (no mask).`,
       before: "before", after: "after"},
  zh: {playground: "演示", reset: "重置", play: "运行", pause: "暂停", step: "单步", epoch: "轮次",
       batches: "批次", data: "数据", dataset: "数据集", classes: "类别数", noise: "噪声",
       test_fraction: "测试集比例", features: "特征", training: "训练", batch_size: "批大小",
       optimizer: "优化器", speed: "每帧批次数", l2: "L2 正则化 λ",
       l1: "L1 正则化 λ₁",
       hidden_layers: () => "个隐藏层",
       add_layer: "添加一个隐藏层", remove_layer: "删除最后一个隐藏层",
       wider: "增加一个神经元", narrower: "减少一个神经元", one_batch: "训练一批",
       layer_sigma: (l) => `第 ${l} 层（隐藏层）的 σ：只改这一层`,
       sigma_differs: "各层不同（见每一层）",
       hint: "点击一个神经元，查看它的公式1–4 及数值；点击一条连线，修改它的权重。连线：蓝色 w > 0，橙色 w < 0，粗细表示 |w|。",
       output: "输出", test_cost: "测试集代价", train_cost: "训练集代价", test_accuracy: "测试集准确率",
       train_points: "训练集样本", test_points: "测试集样本", train_curve: "训练集", test_curve: "测试集",
       cost_axis: "代价 C", batch_axis: "已训练批次", class_name: (k) => `类别 ${k}`,
       shade: "底色：网络在该处预测的类别；越浅表示越不确定。",
       shade_regression: "底色：网络在该处的输出 aᴸ，与目标值同一色标。",
       input_layer: "输入层", output_layer: "输出层", panel_on: "计算于", next_batch: "下一批",
       one_sample: "一个训练样本", close: "关闭",
       session_expired: "会话已过期；已按你的设置新建了一个会话。",
       session_expired_model: "会话已过期；已按你的设置和你导入的模型新建了一个会话（模型为导入时的样子，之后的训练已丢失）。",
       server_unreachable: "演示服务器没有响应；“bprop playground” 还在运行吗？",
       server_retrying: (n, of) => `演示服务器没有响应；正在重试（第 ${n} 次，共 ${of} 次）…`,
       server_back: "演示服务器已恢复响应；按你的设置和数据继续训练。",
       diverged: (batch, eta) => `训练在第 ${batch} 批发散：代价无限增大，已保留该步之前的权重。` +
         `请减小学习率（现为 ${eta}），然后重置。`,
       not_accepted: "未被接受",
       target_axis: "目标值 t", click_plot: "点击图像添加一个点：", point_class: "类别",
       point_target: "目标值 t", part_train: "加入训练集", part_test: "加入测试集",
       remove_mode: "改为删除最近的点（或按住 ⇧ 点击）",
       no_point_near: "该处附近没有可删除的点。",
       points_replaced: "已按新设置重新生成数据：你点击添加或删除的点已被新数据取代。",
       share: "分享", copy: "复制", link_copied: "链接已复制。", link_opened: "已打开分享的设置。",
       link_broken: "无法打开链接中的设置（已损坏或来自其他版本）；已使用默认设置。",
       unshareable_upload: "此会话无法生成链接：数据是上传的。请下载数据（CSV）再转交。",
       unshareable_model: "此会话无法生成链接：网络是从文件导入的。请下载模型再转交。",
       unshareable_long: (n, max) => `此会话无法生成链接：已训练 ${n} 批，而链接最多重放 ${max} 批。请重置，或下载模型再转交。`,
       unshareable_edits: "此会话无法生成链接：改动太多。请改为下载模型或数据。",
       files: "文件", download_data: "数据（CSV）", download_model: "模型（bprop 文件）",
       upload_csv: "你的数据（CSV：x₁、x₂，然后是类别或目标值）", import_model: "导入模型文件",
       choose_file: "选择文件…",
       file_too_big: (name, kib) => `${name} 超过 ${kib} KiB，这是演示能接受的上限。`,
       uploaded: (name, c) => `${name}：训练点 ${c.train} 个，测试点 ${c.test} 个`,
       note_regression: "目标值是实数，因此输出层为恒等函数、代价为二次代价（回归）",
       note_batch: (n) => `批大小 ${n}：训练集共有 ${n} 个样本`,
       model_imported: (name) => `已导入 ${name}：现在在这里训练它的权重。`,
       weight_try: "输入一个值或拖动滑块；按回车键应用。", weight_preview: "预览：尚未应用（按回车键应用）",
       weight_applied: "已应用", predicted: "预测", actual: "实际", gap: "差（二阶项）",
       apply: "应用", trace_open: "逐步查看一个样本", trace_sample: "训练样本编号（留空：下一批的第一个）",
       previous: "上一步", next: "下一步", stage_count: (i, n) => `第 ${i} / ${n} 步`,
       stage_names: {forward: "前向传播", BP1: "公式1：输出层误差", BP2: "公式2：误差反向传一层",
                     BP3: "公式3：权重的梯度", BP4: "公式4：偏置的梯度", update: "更新"},
       trace_title: (i, point, label) => `样本 ${i}，位于 (${point})，${typeof label === "number" && !Number.isInteger(label) ? "目标值" : "类别"} ${label}`,
       bp1_shortcut: "对这种输出层和代价，公式1 简化为 δ<sup>L</sup> = a<sup>L</sup> − y。",
       update_note: (eta) => `η = ${eta}：只对这一个样本做一步普通梯度下降，在副本上演示；会话的权重不变。`,
       trace_dropout: (p) => `随机失活 p = ${p} 只在训练步中起作用：这一遍与评估一样使用全部神经元（不加掩码）。`,
       before: "之前", after: "之后"},
};

// Human names of the options, by the value the server takes.
export const NAMES = {
  dataset: {
    xor: {en: "XOR", zh: "异或（XOR）"},
    circles: {en: "circles", zh: "同心圆"},
    moons: {en: "two moons", zh: "双月"},
    spiral: {en: "spiral", zh: "螺旋"},
    gaussians: {en: "Gaussian blobs", zh: "高斯簇"},
    wave: {en: "wave (regression)", zh: "波形（回归）"},
    uploaded: {en: "your data (uploaded)", zh: "你的数据（已上传）"},   // shown, never sent
  },
  activation: {
    tanh: {en: "tanh", zh: "tanh"},
    sigmoid: {en: "sigmoid", zh: "sigmoid"},
    relu: {en: "ReLU", zh: "ReLU"},
    leaky_relu: {en: "Leaky ReLU", zh: "Leaky ReLU"},
    identity: {en: "identity (linear)", zh: "恒等（线性）"},
    softmax: {en: "softmax", zh: "softmax"},
  },
  // The σ chooser over each hidden layer's column: short, so that eight columns fit at 1024 px.
  layer_sigma: {
    tanh: {en: "tanh", zh: "tanh"},
    sigmoid: {en: "sigmoid", zh: "sigmoid"},
    relu: {en: "ReLU", zh: "ReLU"},
    leaky_relu: {en: "leaky", zh: "Leaky"},
    identity: {en: "linear", zh: "线性"},
  },
  cost: {
    cross_entropy: {en: "cross-entropy", zh: "交叉熵"},
    quadratic: {en: "quadratic", zh: "二次代价"},
    log_likelihood: {en: "log-likelihood", zh: "对数似然"},
  },
  optimizer: {
    sgd: {en: "plain SGD", zh: "普通 SGD"},              // short: whole in the 190 px column at 1024 px
    momentum: {en: "momentum", zh: "动量法"},
    nesterov: {en: "Nesterov momentum", zh: "Nesterov 动量法"},
    adam: {en: "Adam", zh: "Adam"},
  },
};

// The name of option `value` of `kind` in `lang`; the value itself for one the page does not know.
export function optionName(kind, value, lang) {
  return NAMES[kind]?.[value]?.[lang] ?? String(value);
}

// "sigmoid + cross-entropy": an output activation with its cost.
export function outputCostName([output, cost], lang) {
  return `${optionName("activation", output, lang)} + ${optionName("cost", cost, lang)}`;
}

// What a refused setting accepts, by the parameter the server names. `m`: /api/options' limits
// plus `train`, the training-set size; `seen`: the value sent, as typed.
export const REFUSALS = {
  learning_rate: (m, seen) => ({
    en: `η must be a number greater than 0 and at most ${m.learning_rate}, not “${seen}”.`,
    zh: `η 须为大于 0、不超过 ${m.learning_rate} 的数，不能是“${seen}”。`}),
  batch_size: (m, seen) => ({
    en: `The batch size must be a whole number from 1 to ${m.train} (the training samples), not “${seen}”.`,
    zh: `批大小须为 1 到 ${m.train}（训练样本数）之间的整数，不能是“${seen}”。`}),
  l2: (m, seen) => ({
    en: `λ must be a number from 0 to ${m.l2}, not “${seen}”.`,
    zh: `λ 须为 0 到 ${m.l2} 之间的数，不能是“${seen}”。`}),
  l1: (m, seen) => ({
    en: `λ₁ must be a number from 0 to ${m.l1}, not “${seen}”.`,
    zh: `λ₁ 须为 0 到 ${m.l1} 之间的数，不能是“${seen}”。`}),
  dropout: (m, seen) => ({
    en: `The dropout rate p is the probability of dropping a hidden neuron in a training step: a number from 0 to ${m.dropout}, not “${seen}”.`,
    zh: `随机失活概率 p 是训练步中丢弃一个隐藏神经元的概率：须为 0 到 ${m.dropout} 之间的数，不能是“${seen}”。`}),
  classes: (m, seen) => ({
    en: `The number of classes must be a whole number from 2 to ${m.classes}, not “${seen}”.`,
    zh: `类别数须为 2 到 ${m.classes} 之间的整数，不能是“${seen}”。`}),
  features: () => ({en: "Choose at least one feature.", zh: "请至少选择一个特征。"}),
  hidden: (m) => ({
    en: `At most ${m.hidden_layers} hidden layers, each of 1 to ${m.width} neurons.`,
    zh: `最多 ${m.hidden_layers} 个隐藏层，每层 1 到 ${m.width} 个神经元。`}),
};

// A message in both languages, from its key (and the numbers a worded one takes): {en, zh}.
export function both(key, ...args) {
  const pick = (w) => (typeof w === "function" ? w(...args) : w);
  return {en: pick(WORDS.en[key]), zh: pick(WORDS.zh[key])};
}
