// bprop playground: the browser draws, the server (bprop's own engine) computes.
// One session per tab: POST /api/sessions, then /step, /reset, /neuron; DELETE on leave.
//
// The server's state is the one source of truth for the settings. A control never edits a copy
// of them: it asks for a new session with the server's current settings plus its change
// (requestChange), and every control is drawn from the settings of the session that comes back
// (renderControls). A refused change redraws the controls from the unchanged session and says,
// beside the field, what the field accepts, in the page's language: the page words this itself
// from the parameter the server names (REFUSALS, with the numbers from /api/options), and shows
// the server's English message only for a parameter it does not know.
// Calls to the server run one at a time, in the order asked (serially), so none waits on
// another forever; a session the server no longer has (404: idle too long, evicted, server
// restarted) is created again with the same settings (callSession), and the page says so.
"use strict";

const COLORS = ["#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728", "#8c564b"];
const LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const L2S = [0, 0.001, 0.01, 0.1, 1, 10];
const OUTPUT_COSTS = [["sigmoid", "cross_entropy"], ["sigmoid", "quadratic"], ["softmax", "log_likelihood"],
                      ["tanh", "quadratic"], ["identity", "quadratic"]];
const MULTICLASS_DATASETS = ["spiral", "gaussians"];   // the others have a fixed class count (datasets.toy.N_CLASSES)
const WORDS = {
  en: {playground: "playground", reset: "reset", play: "play", pause: "pause", step: "step", epoch: "epoch",
       batches: "batches", data: "Data", dataset: "dataset", classes: "classes", noise: "noise",
       test_fraction: "test share", features: "features", training: "Training", batch_size: "batch size",
       optimizer: "optimizer", speed: "batches per frame", hidden_layers: "hidden layers",
       hint: "Click a neuron to see BP1–BP4 with its numbers. Lines: blue w > 0, orange w < 0, thickness |w|.",
       output: "Output", test_cost: "test cost", train_cost: "training cost", test_accuracy: "test accuracy",
       train_points: "training", test_points: "test", panel_on: "on", next_batch: "the next batch",
       one_sample: "one training sample", neurons: "neurons",
       session_expired: "The session had expired; started a new one with your settings.",
       server_unreachable: "The playground server does not answer; is “bprop playground” still running?",
       not_accepted: "Not accepted"},
  zh: {playground: "演示", reset: "重置", play: "运行", pause: "暂停", step: "单步", epoch: "轮次",
       batches: "批次", data: "数据", dataset: "数据集", classes: "类别数", noise: "噪声",
       test_fraction: "测试集比例", features: "特征", training: "训练", batch_size: "批大小",
       optimizer: "优化器", speed: "每帧批次数", hidden_layers: "隐藏层",
       hint: "点击一个神经元，查看它的公式1–4 及数值。连线：蓝色 w > 0，橙色 w < 0，粗细表示 |w|。",
       output: "输出", test_cost: "测试集代价", train_cost: "训练集代价", test_accuracy: "测试集准确率",
       train_points: "训练集", test_points: "测试集", panel_on: "计算于", next_batch: "下一批",
       one_sample: "一个训练样本", neurons: "神经元",
       session_expired: "会话已过期；已按你的设置新建了一个会话。",
       server_unreachable: "演示服务器没有响应；“bprop playground” 还在运行吗？",
       not_accepted: "未被接受"},
};
// What a refused setting accepts, by the parameter the server names. `m`: /api/options' limits
// plus `train`, the training-set size; `seen`: the value sent, as typed.
const REFUSALS = {
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

const $ = (id) => document.getElementById(id);
const ui = {
  options: null, lang: "en", state: null, data: null, playing: false, looping: false,
  busy: false, pending: 0, queue: Promise.resolve(),
  message: null, refusal: null, selected: null, positions: [], frames: 0,
};
window.bpPlayground = ui;           // for tests and the curious

// -- talking to the server ------------------------------------------------------------

class ApiError extends Error {
  constructor(status, json) {
    super(json.error || `HTTP ${status}`);
    this.status = status; this.parameter = json.parameter ?? null;
  }
}

async function api(method, path, body) {
  const init = {method, headers: {}};
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const response = await fetch(path, init);              // a TypeError when the server does not answer
  if (response.status === 204) return null;
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

// Run `task` after every task asked before it; its error is shown, and never blocks the next.
function serially(task) {
  ui.pending += 1; ui.busy = true;
  const run = ui.queue.then(task).catch(showError).finally(() => {
    ui.pending -= 1; ui.busy = ui.pending > 0;
  });
  ui.queue = run;
  return run;
}

const sessionPath = (action = "") => `/api/sessions/${ui.state.id}${action}`;

// A call on this tab's session. When the server no longer has it, start it again with the same
// settings, say so, and make the call once more.
async function callSession(method, action, body) {
  try {
    return await api(method, sessionPath(action), body);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    await startSession(ui.state.settings);
    say({en: WORDS.en.session_expired, zh: WORDS.zh.session_expired}, "notice");
    return await api(method, sessionPath(action), body);
  }
}

async function startSession(settings) {
  show(await api("POST", "/api/sessions", settings));
}

// New settings mean a new session; the old one is deleted (it may be gone already).
async function replaceSession(settings) {
  const old = ui.state.id;
  await startSession(settings);
  ui.selected = null; $("panel").hidden = true; drawDiagram();
  api("DELETE", `/api/sessions/${old}`).catch(() => {});
}

// -- messages: the status line and the refusal beside a field, in the page's language ----

function say(text, kind = "error") { ui.message = text && {text, kind}; renderMessages(); }

function showError(error) {
  setPlaying(false);
  if (error instanceof ApiError) say({en: error.message, zh: error.message});
  else say({en: WORDS.en.server_unreachable, zh: WORDS.zh.server_unreachable});
}

const baseParameter = (parameter) => (parameter || "").replace(/\[\d+\]$/, "");    // hidden[2] → hidden

function refusalText(error, wanted) {
  const words = REFUSALS[baseParameter(error.parameter)];
  if (!words) return {en: error.message, zh: `${WORDS.zh.not_accepted}：${error.message}`};
  const limits = {...ui.options.limits, train: ui.data.train.labels.length};
  return words(limits, wanted[error.parameter]);
}

function showRefusal(error, wanted) {
  ui.refusal = {parameter: baseParameter(error.parameter), text: refusalText(error, wanted)};
  renderMessages();
}

function renderMessages() {
  const status = $("status");
  status.textContent = ui.message ? ui.message.text[ui.lang] : "";
  status.className = ui.message ? ui.message.kind : "";
  for (const slot of document.querySelectorAll("[data-refusal]")) slot.textContent = "";
  if (!ui.refusal) return;
  const slot = document.querySelector(`[data-refusal~="${ui.refusal.parameter}"]`) || status;
  slot.textContent = ui.refusal.text[ui.lang];
}

// -- controls: changes go to the server, and are drawn back from its state ---------------

// `edit` maps the server's current settings to the wanted ones; it runs when the change's turn
// comes, so quick clicks (+, +, +) each build on the one before.
function requestChange(edit) {
  setPlaying(false);
  return serially(async () => {
    const wanted = edit(structuredClone(ui.state.settings));
    try {
      await replaceSession(wanted);
      ui.refusal = null; say(null);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 400)) throw error;
      renderControls(ui.state.settings);           // back to what the server trains
      showRefusal(error, wanted);
    }
  });
}

// A change handler: read the field now, ask for the server's settings with `key` set to it.
function sendSetting(key, read) {
  return (event) => { const value = read(event.target); requestChange((s) => ({...s, [key]: value})); };
}

function readSelect(select) { return JSON.parse(select.value); }

// A typed number, or the text itself when it is not one: the server's check (the only one)
// refuses it and the page says what the field accepts.
function readNumber(input) {
  const text = input.value.trim(), n = Number(text);
  return text !== "" && Number.isFinite(n) ? n : text;
}

function withDataset(s, dataset) {
  const classes = MULTICLASS_DATASETS.includes(dataset) ? s.classes : 2;
  return {...s, dataset, classes, noise: null};                    // null: the new data set's own noise
}

const featureBoxes = () => [...$("features").querySelectorAll("input")];
const withHidden = (s, hidden) => ({...s, hidden});

function fillSelect(select, values, label) {
  select.innerHTML = "";
  for (const v of values) {
    const o = document.createElement("option");
    o.value = JSON.stringify(v); o.textContent = label ? label(v) : String(v);
    select.appendChild(o);
  }
}
function selectValue(select, v) { select.value = JSON.stringify(v); }

function fillSuggestions(datalist, values) {
  datalist.innerHTML = values.map((v) => `<option value="${v}">`).join("");
}

function buildControls() {
  const o = ui.options;
  fillSelect($("dataset"), o.datasets);
  fillSelect($("activation"), o.activations);
  fillSelect($("optimizer"), o.optimizers);
  fillSelect($("output-cost"), OUTPUT_COSTS, ([out, cost]) => `${out} / ${cost}`);
  fillSuggestions($("learning-rates"), LEARNING_RATES);
  fillSuggestions($("l2s"), L2S);
  for (const f of o.features) {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" value="${f.name}"> ${f.label}`;
    $("features").insertBefore(label, $("features").querySelector("[data-refusal]"));
  }

  const on = (id, type, handler) => $(id).addEventListener(type, handler);
  on("dataset", "change", (e) => { const name = readSelect(e.target); requestChange((s) => withDataset(s, name)); });
  on("classes", "change", sendSetting("classes", readNumber));
  on("noise", "change", sendSetting("noise", readNumber));
  on("test-fraction", "change", sendSetting("test_fraction", readNumber));
  on("features", "change", () => {
    const chosen = featureBoxes().filter((box) => box.checked).map((box) => box.value);
    requestChange((s) => ({...s, features: chosen}));
  });
  on("activation", "change", sendSetting("activation", readSelect));
  on("output-cost", "change", (e) => {
    const [output, cost] = readSelect(e.target); requestChange((s) => ({...s, output, cost}));
  });
  on("optimizer", "change", sendSetting("optimizer", readSelect));
  on("learning-rate", "change", sendSetting("learning_rate", readNumber));
  on("batch-size", "change", sendSetting("batch_size", readNumber));
  on("l2", "change", sendSetting("l2", readNumber));
  on("add-layer", "click", () => requestChange((s) => withHidden(s, [...s.hidden, 2])));
  on("remove-layer", "click", () => requestChange((s) => withHidden(s, s.hidden.slice(0, -1))));
  on("noise", "input", () => { $("noise-value").textContent = Number($("noise").value).toFixed(2); });
  on("test-fraction", "input", () => { $("test-fraction-value").textContent = $("test-fraction").value; });

  on("play", "click", () => setPlaying(!ui.playing));
  on("step", "click", () => { setPlaying(false); serially(() => trainFrame(1)); });
  on("reset", "click", reset);
  on("lang", "click", () => setLang(ui.lang === "en" ? "zh" : "en"));
  on("diagram", "click", clickDiagram);
  on("panel-close", "click", () => { ui.selected = null; $("panel").hidden = true; drawDiagram(); });
  on("panel-mode", "change", () => {
    $("panel-sample").hidden = $("panel-mode").value !== "sample"; refreshPanel(); });
  on("panel-sample", "change", refreshPanel);
  window.addEventListener("pagehide", () => {
    if (ui.state) fetch(sessionPath(), {method: "DELETE", keepalive: true});
  });
}

// Every control from the settings the server trains with.
function renderControls(s) {
  selectValue($("dataset"), s.dataset);
  $("classes-row").hidden = !MULTICLASS_DATASETS.includes(s.dataset);
  $("classes").value = s.classes;
  $("noise").value = s.noise; $("noise-value").textContent = s.noise.toFixed(2);
  $("test-fraction").value = s.test_fraction; $("test-fraction-value").textContent = s.test_fraction;
  for (const box of featureBoxes()) box.checked = s.features.includes(box.value);
  $("hidden-count").textContent = s.hidden.length;
  renderWidthButtons(s.hidden);
  selectValue($("activation"), s.activation);
  selectValue($("output-cost"), [s.output, s.cost]);
  selectValue($("optimizer"), s.optimizer);
  $("learning-rate").value = s.learning_rate;
  $("batch-size").value = s.batch_size; $("batch-size").max = ui.data.train.labels.length;
  $("l2").value = s.l2;
}

// + and − above each hidden layer of the diagram
function renderWidthButtons(hidden) {
  const box = $("width-buttons");
  box.innerHTML = "";
  hidden.forEach((width, i) => {
    const group = document.createElement("span");
    group.className = "widths";
    group.style.left = `${columnX(i + 1, hidden.length + 2)}px`;
    group.innerHTML = `<button data-d="1">+</button><button data-d="-1">−</button>`;
    group.addEventListener("click", (e) => {
      const d = Number(e.target.dataset.d);
      if (d) requestChange((s) => withHidden(s, s.hidden.map((w, k) => (k === i ? w + d : w))));
    });
    box.appendChild(group);
  });
}

function setLang(lang) {
  ui.lang = lang;
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  $("lang").textContent = lang === "en" ? "中文" : "English";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = WORDS[lang][el.dataset.i18n];
  for (const el of document.querySelectorAll("[data-term]")) {
    const t = ui.options.terms[el.dataset.term]; if (t) el.textContent = t[lang];
  }
  $("play").lastElementChild.textContent = WORDS[lang][ui.playing ? "pause" : "play"];
  renderMessages();
  refreshPanel();
}

// -- training ---------------------------------------------------------------------------

function reset() {
  setPlaying(false);
  return serially(async () => { show(await callSession("POST", "/reset")); await showPanel(); });
}

function setPlaying(playing) {
  ui.playing = playing;
  $("play").firstChild.textContent = playing ? "❚❚ " : "▶ ";
  $("play").lastElementChild.textContent = WORDS[ui.lang][playing ? "pause" : "play"];
  if (playing && !ui.looping) loop();
}

async function loop() {
  ui.looping = true;
  while (ui.playing) {
    await serially(() => trainFrame(Number($("speed").value)));
    await new Promise((r) => requestAnimationFrame(r));
  }
  ui.looping = false;
}

async function trainFrame(batches) {
  const state = await callSession("POST", `/step?batches=${batches}`);
  show(state);
  if (state.diverged) { say({en: state.diverged, zh: state.diverged}); setPlaying(false); }
  ui.frames += 1;
  if (ui.selected && (!ui.playing || ui.frames % 5 === 0)) await showPanel();
}

// Draw a state; a new session's (with its points) also sets every control.
function show(state) {
  const fresh = !ui.state || state.id !== ui.state.id;
  ui.state = state;
  if (state.data) ui.data = state.data;
  $("epoch").textContent = state.epoch.toFixed(2);
  $("batches").textContent = state.batches;
  const fmt = (x, d = 4) => (x === null || x === undefined ? "–" : x.toFixed(d));
  $("test-cost").textContent = fmt(state.costs.test);
  $("train-cost").textContent = fmt(state.costs.train);
  $("test-accuracy").textContent = state.costs.test_accuracy === null ? "–" : `${(100 * state.costs.test_accuracy).toFixed(1)}%`;
  if (fresh) renderControls(state.settings);
  drawBoundary(); drawChart(); drawDiagram();
}

// -- drawing --------------------------------------------------------------------------

function hexRgb(hex) { const n = parseInt(hex.slice(1), 16); return [n >> 16, (n >> 8) & 255, n & 255]; }
function mix(c, t) { return c.map((v) => Math.round(255 + (v - 255) * t)); }   // white → c as t: 0 → 1

function boundaryColor(values, cell, outputs, classes) {
  if (outputs === 1) {
    const p = Math.min(1, Math.max(0, values[cell] ?? 0.5));
    const c = hexRgb(COLORS[p >= 0.5 ? 1 : 0]);
    return mix(c, Math.abs(p - 0.5) * 2 * 0.75);
  }
  let best = 0;
  for (let k = 1; k < outputs; k++) if (values[cell * outputs + k] > values[cell * outputs + best]) best = k;
  const conf = values[cell * outputs + best] ?? 0, floor = 1 / outputs;
  return mix(hexRgb(COLORS[best % COLORS.length]), Math.max(0, (conf - floor) / (1 - floor)) * 0.75);
}

function drawBoundary() {
  const canvas = $("boundary"), ctx = canvas.getContext("2d"), st = ui.state, b = st.boundary;
  const flat = b.values.flat();
  const image = new ImageData(b.size, b.size);
  for (let cell = 0; cell < b.size * b.size; cell++) {
    const [r, g, bl] = boundaryColor(flat, cell, b.outputs, st.classes);
    image.data.set([r, g, bl, 255], cell * 4);
  }
  const off = document.createElement("canvas"); off.width = off.height = b.size;
  off.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  if (!ui.data) return;
  const e = st.extent, W = canvas.width, H = canvas.height;
  for (const part of ["train", "test"]) {
    const {points, labels} = ui.data[part];
    ctx.lineWidth = 1; ctx.strokeStyle = part === "train" ? "#fff" : "#000";
    points.forEach(([x1, x2], i) => {
      ctx.beginPath();
      ctx.arc((x1 + e) / (2 * e) * W, (e - x2) / (2 * e) * H, 3, 0, 2 * Math.PI);
      ctx.fillStyle = COLORS[labels[i] % COLORS.length]; ctx.fill(); ctx.stroke();
    });
  }
}

function drawChart() {
  const canvas = $("chart"), ctx = canvas.getContext("2d"), h = ui.state.history;
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const all = h.train.concat(h.test).filter((v) => v !== null);
  if (!all.length) return;
  const top = Math.max(...all) * 1.05 || 1, last = Math.max(1, h.batch[h.batch.length - 1]);
  const curve = (values, color) => {
    ctx.beginPath(); ctx.strokeStyle = color; ctx.lineWidth = 1.5;
    values.forEach((v, i) => {
      if (v === null) return;
      const x = h.batch[i] / last * (W - 4) + 2, y = H - 2 - v / top * (H - 4);
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
  };
  curve(h.train, "#999"); curve(h.test, "#183d4e");
}

const NODE = 34;
function columnX(layerIndex, layers) {
  const W = 600, margin = 40;
  return margin + layerIndex * (W - 2 * margin) / Math.max(1, layers - 1);
}
function nodeY(j, n) {
  const H = 400, gap = Math.min(NODE + 10, (H - 20) / n);
  return H / 2 + (j - (n - 1) / 2) * gap;
}

function thumb(values, size, kind) {
  let scale = 1;
  if (kind !== "sigmoid" && kind !== "tanh") scale = Math.max(1e-9, ...values.map(Math.abs));
  const image = new ImageData(size, size), blue = hexRgb(COLORS[1]), orange = hexRgb(COLORS[0]);
  values.forEach((v, i) => {
    let t = kind === "sigmoid" ? 2 * v - 1 : v / scale;
    t = Math.max(-1, Math.min(1, t ?? 0));
    image.data.set([...mix(t >= 0 ? blue : orange, Math.abs(t)), 255], i * 4);
  });
  const off = document.createElement("canvas"); off.width = off.height = size;
  off.getContext("2d").putImageData(image, 0, 0);
  return off;
}

function drawDiagram() {
  const canvas = $("diagram"), ctx = canvas.getContext("2d"), st = ui.state;
  if (!st) return;
  const sizes = st.sizes, L = sizes.length, s = st.settings;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ui.positions = [];
  // weights: w^l_jk from neuron k of layer l−1 to neuron j of layer l
  for (let l = 1; l < L; l++) {
    const w = st.weights[l - 1], top = Math.max(1e-9, ...w.flat().map(Math.abs));
    for (let j = 0; j < sizes[l]; j++) for (let k = 0; k < sizes[l - 1]; k++) {
      const v = w[j][k] ?? 0;
      ctx.beginPath();
      ctx.strokeStyle = v >= 0 ? "rgba(8,119,189,0.75)" : "rgba(245,147,34,0.75)";
      ctx.lineWidth = 0.3 + 5 * Math.min(1, Math.abs(v) / Math.max(1, top));
      ctx.moveTo(columnX(l - 1, L) + NODE / 2, nodeY(k, sizes[l - 1]));
      ctx.lineTo(columnX(l, L) - NODE / 2, nodeY(j, sizes[l]));
      ctx.stroke();
    }
  }
  // neurons, each with its heatmap a^l_j over the plane
  const size = st.neurons.size;
  ctx.imageSmoothingEnabled = false;
  for (let l = 0; l < L; l++) {
    const kind = l === 0 ? "feature" : (l === L - 1 ? s.output : s.activation);
    for (let j = 0; j < sizes[l]; j++) {
      const x = columnX(l, L) - NODE / 2, y = nodeY(j, sizes[l]) - NODE / 2;
      ctx.drawImage(thumb(st.neurons.layers[l][j], size, kind), x, y, NODE, NODE);
      const chosen = ui.selected && ui.selected.layer === l + 1 && ui.selected.j === j + 1;
      ctx.lineWidth = chosen ? 3 : 1; ctx.strokeStyle = chosen ? "#d62728" : "#555";
      ctx.strokeRect(x, y, NODE, NODE);
      ui.positions.push({layer: l + 1, j: j + 1, x: x + NODE / 2, y: y + NODE / 2});
    }
    ctx.fillStyle = "#555"; ctx.font = "12px sans-serif"; ctx.textAlign = "center";
    const label = l === 0 ? "x" : (l === L - 1 ? "L" : "") ;
    ctx.fillText(`l = ${l + 1}${label ? " (" + label + ")" : ""}`, columnX(l, L), 396);
    if (l === 0) st.feature_labels.forEach((name, j) => {
      ctx.textAlign = "right"; ctx.fillText(name, columnX(0, L) - NODE / 2 - 3, nodeY(j, sizes[0]) + 4);
    });
  }
}

function clickDiagram(event) {
  const canvas = $("diagram"), box = canvas.getBoundingClientRect();
  const x = (event.clientX - box.left) * canvas.width / box.width;
  const y = (event.clientY - box.top) * canvas.height / box.height;
  const hit = ui.positions.find((p) => Math.abs(p.x - x) <= NODE / 2 && Math.abs(p.y - y) <= NODE / 2);
  if (!hit || hit.layer === 1) return;           // the input layer has no δ
  ui.selected = {layer: hit.layer, j: hit.j};
  drawDiagram(); refreshPanel();
}

// -- the neuron panel: BP1–BP4 with backprop's own numbers ---------------------------

function refreshPanel() { return serially(showPanel); }

async function showPanel() {
  if (!ui.selected || !ui.state) return;
  const {layer, j} = ui.selected;
  let query = `layer=${layer}&j=${j}&lang=${ui.lang}`;
  if ($("panel-mode").value === "sample") query += `&sample=${Number($("panel-sample").value) || 0}`;
  renderPanel(await callSession("GET", `/neuron?${query}`));
}

function renderPanel(p) {
  $("panel").hidden = false;
  $("panel-title").innerHTML = p.title;             // server-escaped markup (bprop.teaching.explanation.markup.to_html)
  const body = $("panel-body"); body.innerHTML = "";
  for (const section of p.sections) {
    const el = document.createElement("section");
    el.dataset.section = section.id;
    el.innerHTML = `<h3>${section.heading}</h3><div class="equation">${section.equation}</div>` +
      section.lines.map((line) => `<div class="line">${line}</div>`).join("");
    body.appendChild(el);
  }
  body.dataset.delta = String(p.delta[p.row]);
}

// -- start ----------------------------------------------------------------------------

serially(async function start() {
  ui.options = await api("GET", "/api/options");
  buildControls();
  setLang("en");
  await startSession(ui.options.defaults);
});
