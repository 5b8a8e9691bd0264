// Every word the page shows, in English and Chinese: the interface (WORDS), the human names of
// the options whose values the server takes (NAMES), and what a refused setting accepts (REFUSALS).
// The values sent to the server stay the identifiers; only what is shown is looked up here.

export const WORDS = {
  en: {playground: "playground", reset: "reset", play: "play", pause: "pause", step: "step", epoch: "epoch",
       batches: "batches", data: "Data", dataset: "dataset", classes: "classes", noise: "noise",
       test_fraction: "test share", features: "features", training: "Training", batch_size: "batch size",
       optimizer: "optimizer", speed: "batches per frame", l2: "L2 regularization λ",
       hidden_layers: (n) => (n === 1 ? "hidden layer" : "hidden layers"),   // after the number n
       add_layer: "add a hidden layer", remove_layer: "remove the last hidden layer",
       wider: "one neuron more", narrower: "one neuron less", one_batch: "train one batch",
       hint: "Click a neuron to see BP1–BP4 with its numbers. Lines: blue w > 0, orange w < 0, thickness |w|.",
       output: "Output", test_cost: "test cost", train_cost: "training cost", test_accuracy: "test accuracy",
       train_points: "training points", test_points: "test points", train_curve: "training", test_curve: "test",
       cost_axis: "cost C", batch_axis: "batches trained", class_name: (k) => `class ${k}`,
       shade: "Shade: the class the network predicts there; paler where it is less sure.",
       input_layer: "input", output_layer: "output", panel_on: "on", next_batch: "the next batch",
       one_sample: "one training sample", close: "close",
       session_expired: "The session had expired; started a new one with your settings.",
       server_unreachable: "The playground server does not answer; is “bprop playground” still running?",
       diverged: (batch, eta) => `Training diverged at batch ${batch}: the cost grew without bound, and the ` +
         `weights from before that step were kept. Try a smaller learning rate (now ${eta}), then reset.`,
       not_accepted: "Not accepted"},
  zh: {playground: "演示", reset: "重置", play: "运行", pause: "暂停", step: "单步", epoch: "轮次",
       batches: "批次", data: "数据", dataset: "数据集", classes: "类别数", noise: "噪声",
       test_fraction: "测试集比例", features: "特征", training: "训练", batch_size: "批大小",
       optimizer: "优化器", speed: "每帧批次数", l2: "L2 正则化 λ",
       hidden_layers: () => "个隐藏层",
       add_layer: "添加一个隐藏层", remove_layer: "删除最后一个隐藏层",
       wider: "增加一个神经元", narrower: "减少一个神经元", one_batch: "训练一批",
       hint: "点击一个神经元，查看它的公式1–4 及数值。连线：蓝色 w > 0，橙色 w < 0，粗细表示 |w|。",
       output: "输出", test_cost: "测试集代价", train_cost: "训练集代价", test_accuracy: "测试集准确率",
       train_points: "训练集样本", test_points: "测试集样本", train_curve: "训练集", test_curve: "测试集",
       cost_axis: "代价 C", batch_axis: "已训练批次", class_name: (k) => `类别 ${k}`,
       shade: "底色：网络在该处预测的类别；越浅表示越不确定。",
       input_layer: "输入层", output_layer: "输出层", panel_on: "计算于", next_batch: "下一批",
       one_sample: "一个训练样本", close: "关闭",
       session_expired: "会话已过期；已按你的设置新建了一个会话。",
       server_unreachable: "演示服务器没有响应；“bprop playground” 还在运行吗？",
       diverged: (batch, eta) => `训练在第 ${batch} 批发散：代价无限增大，已保留该步之前的权重。` +
         `请减小学习率（现为 ${eta}），然后重置。`,
       not_accepted: "未被接受"},
};

// Human names of the options, by the value the server takes.
export const NAMES = {
  dataset: {
    xor: {en: "XOR", zh: "异或（XOR）"},
    circles: {en: "circles", zh: "同心圆"},
    moons: {en: "two moons", zh: "双月"},
    spiral: {en: "spiral", zh: "螺旋"},
    gaussians: {en: "Gaussian blobs", zh: "高斯簇"},
    wave: {en: "wave (regression)", zh: "波形（回归）"},       // once the server offers it
  },
  activation: {
    tanh: {en: "tanh", zh: "tanh"},
    sigmoid: {en: "sigmoid", zh: "sigmoid"},
    relu: {en: "ReLU", zh: "ReLU"},
    leaky_relu: {en: "Leaky ReLU", zh: "Leaky ReLU"},
    identity: {en: "identity (linear)", zh: "恒等（线性）"},
    softmax: {en: "softmax", zh: "softmax"},
  },
  cost: {
    cross_entropy: {en: "cross-entropy", zh: "交叉熵"},
    quadratic: {en: "quadratic", zh: "二次代价"},
    log_likelihood: {en: "log-likelihood", zh: "对数似然"},
  },
  optimizer: {
    sgd: {en: "SGD (plain gradient descent)", zh: "SGD（普通梯度下降）"},
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
  classes: (m, seen) => ({
    en: `The number of classes must be a whole number from 2 to ${m.classes}, not “${seen}”.`,
    zh: `类别数须为 2 到 ${m.classes} 之间的整数，不能是“${seen}”。`}),
  features: () => ({en: "Choose at least one feature.", zh: "请至少选择一个特征。"}),
  hidden: (m) => ({
    en: `At most ${m.hidden_layers} hidden layers, each of 1 to ${m.width} neurons.`,
    zh: `最多 ${m.hidden_layers} 个隐藏层，每层 1 到 ${m.width} 个神经元。`}),
};
