// bprop playground: the browser draws, the server (bprop's own engine) computes.
// One session per tab: POST /api/sessions, then /step, /reset, /neuron; DELETE on leave.
"use strict";

const COLORS = ["#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728", "#8c564b"];
const LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const L2S = [0, 0.001, 0.01, 0.1, 1, 10];
const OUTPUT_COSTS = [["sigmoid", "cross_entropy"], ["sigmoid", "quadratic"], ["softmax", "log_likelihood"],
                      ["tanh", "quadratic"], ["identity", "quadratic"]];
const WORDS = {
  en: {playground: "playground", reset: "reset", play: "play", pause: "pause", step: "step", epoch: "epoch",
       batches: "batches", data: "Data", dataset: "dataset", classes: "classes", noise: "noise",
       test_fraction: "test share", features: "features", training: "Training", batch_size: "batch size",
       optimizer: "optimizer", speed: "batches per frame", hidden_layers: "hidden layers",
       hint: "Click a neuron to see BP1–BP4 with its numbers. Lines: blue w > 0, orange w < 0, thickness |w|.",
       output: "Output", test_cost: "test cost", train_cost: "training cost", test_accuracy: "test accuracy",
       train_points: "training", test_points: "test", panel_on: "on", next_batch: "the next batch",
       one_sample: "one training sample", neurons: "neurons"},
  zh: {playground: "演示", reset: "重置", play: "运行", pause: "暂停", step: "单步", epoch: "轮次",
       batches: "批次", data: "数据", dataset: "数据集", classes: "类别数", noise: "噪声",
       test_fraction: "测试集比例", features: "特征", training: "训练", batch_size: "批大小",
       optimizer: "优化器", speed: "每帧批次数", hidden_layers: "隐藏层",
       hint: "点击一个神经元，查看它的公式1–4 及数值。连线：蓝色 w > 0，橙色 w < 0，粗细表示 |w|。",
       output: "输出", test_cost: "测试集代价", train_cost: "训练集代价", test_accuracy: "测试集准确率",
       train_points: "训练集", test_points: "测试集", panel_on: "计算于", next_batch: "下一批",
       one_sample: "一个训练样本", neurons: "神经元"},
};

const $ = (id) => document.getElementById(id);
const ui = {
  options: null, lang: "en", session: null, state: null, data: null, playing: false, busy: false,
  selected: null, positions: [], frames: 0, rebuildTimer: null,
  settings: {dataset: "circles", noise: null, test_fraction: 0.5, classes: 2, features: ["x1", "x2"],
             hidden: [4, 4], activation: "tanh", output: "sigmoid", cost: "cross_entropy",
             optimizer: "sgd", learning_rate: 0.3, batch_size: 10, l2: 0},
};
window.bpPlayground = ui;           // for tests and the curious

async function api(method, path, body) {
  const init = {method, headers: {}};
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const response = await fetch(path, init);
  if (response.status === 204) return null;
  const json = await response.json();
  if (!response.ok) throw new Error(json.error || response.statusText);
  return json;
}

function status(message) { $("status").textContent = message || ""; }

// -- controls --------------------------------------------------------------------

function fillSelect(select, values, label) {
  select.innerHTML = "";
  for (const v of values) {
    const o = document.createElement("option");
    o.value = JSON.stringify(v); o.textContent = label ? label(v) : String(v);
    select.appendChild(o);
  }
}
function selectValue(select, v) { select.value = JSON.stringify(v); }
function readSelect(select) { return JSON.parse(select.value); }

function buildControls() {
  const o = ui.options, s = ui.settings;
  fillSelect($("dataset"), o.datasets); selectValue($("dataset"), s.dataset);
  fillSelect($("activation"), o.activations); selectValue($("activation"), s.activation);
  fillSelect($("optimizer"), o.optimizers); selectValue($("optimizer"), s.optimizer);
  fillSelect($("learning-rate"), LEARNING_RATES); selectValue($("learning-rate"), s.learning_rate);
  fillSelect($("l2"), L2S); selectValue($("l2"), s.l2);
  fillSelect($("output-cost"), OUTPUT_COSTS, ([out, cost]) => `${out} / ${cost}`);
  selectValue($("output-cost"), [s.output, s.cost]);
  const box = $("features");
  for (const f of o.features) {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" value="${f.name}"> ${f.label}`;
    label.querySelector("input").checked = s.features.includes(f.name);
    box.appendChild(label);
  }
  $("noise").value = 0.1; $("test-fraction").value = s.test_fraction;
  $("batch-size").value = s.batch_size;

  const change = (id, apply) => $(id).addEventListener("change", () => { apply(); rebuild(); });
  change("dataset", () => { s.dataset = readSelect($("dataset")); s.noise = null; s.classes = 2; });
  change("classes", () => { s.classes = Number($("classes").value); });
  change("noise", () => { s.noise = Number($("noise").value); });
  change("test-fraction", () => { s.test_fraction = Number($("test-fraction").value); });
  change("activation", () => { s.activation = readSelect($("activation")); });
  change("optimizer", () => { s.optimizer = readSelect($("optimizer")); });
  change("learning-rate", () => { s.learning_rate = readSelect($("learning-rate")); });
  change("l2", () => { s.l2 = readSelect($("l2")); });
  change("batch-size", () => { s.batch_size = Number($("batch-size").value); });
  change("output-cost", () => { [s.output, s.cost] = readSelect($("output-cost")); });
  box.addEventListener("change", () => {
    s.features = [...box.querySelectorAll("input:checked")].map((i) => i.value); rebuild();
  });
  $("noise").addEventListener("input", () => { $("noise-value").textContent = $("noise").value; });
  $("test-fraction").addEventListener("input", () => { $("test-fraction-value").textContent = $("test-fraction").value; });
  $("add-layer").addEventListener("click", () => {
    if (s.hidden.length < o.limits.hidden_layers) { s.hidden.push(2); rebuild(); } });
  $("remove-layer").addEventListener("click", () => { if (s.hidden.length) { s.hidden.pop(); rebuild(); } });
  $("play").addEventListener("click", () => setPlaying(!ui.playing));
  $("step").addEventListener("click", () => { setPlaying(false); trainFrame(1); });
  $("reset").addEventListener("click", reset);
  $("lang").addEventListener("click", () => setLang(ui.lang === "en" ? "zh" : "en"));
  $("diagram").addEventListener("click", clickDiagram);
  $("panel-close").addEventListener("click", () => { ui.selected = null; $("panel").hidden = true; drawDiagram(); });
  $("panel-mode").addEventListener("change", () => {
    $("panel-sample").hidden = $("panel-mode").value !== "sample"; refreshPanel(); });
  $("panel-sample").addEventListener("change", refreshPanel);
  window.addEventListener("pagehide", () => {
    if (ui.session) fetch(`/api/sessions/${ui.session}`, {method: "DELETE", keepalive: true});
  });
}

function syncControls() {
  const s = ui.state.settings, data = ui.options.limits;
  $("hidden-count").textContent = s.hidden.length;
  $("classes-row").hidden = !["spiral", "gaussians"].includes(s.dataset);
  $("classes").value = s.classes;
  const noise = s.noise === null ? defaultNoise(s.dataset) : s.noise;
  $("noise").value = noise; $("noise-value").textContent = Number(noise).toFixed(2);
  $("test-fraction-value").textContent = s.test_fraction;
  $("batch-size").max = ui.data ? ui.data.train.labels.length : 1000;
  // +/− buttons above each hidden layer of the diagram
  const box = $("width-buttons"); box.innerHTML = "";
  s.hidden.forEach((width, i) => {
    const group = document.createElement("span");
    group.className = "widths";
    group.style.left = `${columnX(i + 1, ui.state.sizes.length)}px`;
    group.innerHTML = `<button data-layer="${i}" data-d="1">+</button><button data-layer="${i}" data-d="-1">−</button>`;
    group.addEventListener("click", (e) => {
      const d = Number(e.target.dataset.d), w = ui.settings.hidden[i] + d;
      if (!d || w < 1 || w > data.width) return;
      ui.settings.hidden[i] = w; rebuild();
    });
    box.appendChild(group);
  });
}

function defaultNoise(name) {
  return {xor: 0.35, circles: 0.08, moons: 0.1, spiral: 0.05, gaussians: 0.6}[name] ?? 0.1;
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
  refreshPanel();
}

// -- the session --------------------------------------------------------------------

function rebuild() {
  clearTimeout(ui.rebuildTimer);
  ui.rebuildTimer = setTimeout(createSession, 150);
}

async function createSession() {
  setPlaying(false);
  while (ui.busy) await new Promise((r) => setTimeout(r, 20));
  ui.busy = true;
  const old = ui.session;
  try {
    const body = Object.assign({}, ui.settings);
    if (body.noise === null) delete body.noise;
    if (!["spiral", "gaussians"].includes(body.dataset)) delete body.classes;
    const state = await api("POST", "/api/sessions", body);
    ui.session = state.id; ui.data = state.data; ui.selected = null; $("panel").hidden = true;
    show(state); status("");
    if (old) api("DELETE", `/api/sessions/${old}`).catch(() => {});
  } catch (error) {
    status(error.message);
  } finally { ui.busy = false; }
}

async function reset() {
  setPlaying(false);
  if (!ui.session) return;
  try { show(await api("POST", `/api/sessions/${ui.session}/reset`)); refreshPanel(); }
  catch (error) { await recover(error); }
}

async function recover(error) {
  status(error.message);
  if (/no session/.test(error.message)) await createSession();     // expired: start again
}

function setPlaying(playing) {
  ui.playing = playing;
  $("play").firstChild.textContent = playing ? "❚❚ " : "▶ ";
  $("play").lastElementChild.textContent = WORDS[ui.lang][playing ? "pause" : "play"];
  if (playing) loop();
}

async function loop() {
  while (ui.playing) {
    await trainFrame(Number($("speed").value));
    await new Promise((r) => requestAnimationFrame(r));
  }
}

async function trainFrame(batches) {
  if (ui.busy || !ui.session) return;
  ui.busy = true;
  try {
    const state = await api("POST", `/api/sessions/${ui.session}/step?batches=${batches}`);
    show(state);
    if (state.diverged) { status(state.diverged); setPlaying(false); }
    ui.frames += 1;
    if (ui.selected && (!ui.playing || ui.frames % 5 === 0)) await refreshPanel();
  } catch (error) {
    setPlaying(false); await recover(error);
  } finally { ui.busy = false; }
}

function show(state) {
  ui.state = state;
  ui.settings = Object.assign({}, state.settings, {hidden: [...state.settings.hidden]});
  $("epoch").textContent = state.epoch.toFixed(2);
  $("batches").textContent = state.batches;
  const fmt = (x, d = 4) => (x === null || x === undefined ? "–" : x.toFixed(d));
  $("test-cost").textContent = fmt(state.costs.test);
  $("train-cost").textContent = fmt(state.costs.train);
  $("test-accuracy").textContent = state.costs.test_accuracy === null ? "–" : `${(100 * state.costs.test_accuracy).toFixed(1)}%`;
  syncControls();
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

async function refreshPanel() {
  if (!ui.selected || !ui.session) return;
  const {layer, j} = ui.selected;
  let query = `layer=${layer}&j=${j}&lang=${ui.lang}`;
  if ($("panel-mode").value === "sample") query += `&sample=${Number($("panel-sample").value) || 0}`;
  try {
    const p = await api("GET", `/api/sessions/${ui.session}/neuron?${query}`);
    renderPanel(p);
  } catch (error) { status(error.message); }
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

(async function start() {
  try {
    ui.options = await api("GET", "/api/options");
    buildControls();
    setLang("en");
    await createSession();
  } catch (error) { status(error.message); }
})();
