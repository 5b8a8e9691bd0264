// bprop playground: the browser draws, the server (bprop's own engine) computes.
// One session per tab: POST /api/sessions, then /step, /reset, /neuron; DELETE on leave.
//
// The server's state is the one source of truth for the settings. A control never edits a copy
// of them: it asks for a new session with the server's current settings plus its change
// (requestChange), and every control is drawn from the settings of the session that comes back
// (renderControls). A refused change redraws the controls from the unchanged session and says,
// beside the field, what the field accepts, in the page's language: the page words this itself
// from the parameter the server names (REFUSALS, with the numbers from /api/options), and shows
// the server's own words (in both languages) for a parameter it does not know.
// Calls to the server run one at a time, in the order asked (serially), so none waits on
// another forever (play asks for its next step while drawing the last, that step's task already
// queued: loop); a session the server no longer has (404: idle too long, evicted, server
// restarted) is created again with the same settings (callSession), and the page says so.
// The words are in words.js, the canvases are drawn by draw.js; the layout (which column shows
// what, at which width) is style.css's, and the canvases take the sizes their columns give them.

import {COLORS, drawBoundary, drawChart, drawDiagram, targetColor, targetScale} from "./draw.js";
import {installFeatures} from "./features.js";
import {keepSymbolsWhole} from "./math.js";
import {REFUSALS, WORDS, optionName, outputCostName} from "./words.js";

const LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const L2S = [0, 0.001, 0.01, 0.1, 1, 10];
const OUTPUT_COSTS = [["sigmoid", "cross_entropy"], ["sigmoid", "quadratic"], ["softmax", "log_likelihood"],
                      ["tanh", "quadratic"], ["identity", "quadratic"]];
const MULTICLASS_DATASETS = ["spiral", "gaussians"];   // the others have a fixed class count (datasets.toy.N_CLASSES)
const DATA_SETTINGS = ["dataset", "noise", "samples", "test_fraction", "classes", "seed"];   // data.DATA_SETTINGS

const $ = (id) => document.getElementById(id);
const ui = {
  options: null, lang: "en", state: null, data: null, playing: false, looping: false,
  busy: false, pending: 0, queue: Promise.resolve(), painted: Promise.resolve(),
  message: null, refusal: null, selected: null, frames: 0,
  positions: [],        // the diagram's neuron boxes {layer, j, x, y, size}: centre and side in CSS px
  featureLabels: [],    // where the input labels were written {text, left, right, y}, CSS px
  columnX: null,        // layer index (from 0) → the x of its column in the diagram, CSS px
  edges: [],            // the diagram's weight lines {layer, j, k, from, to}, CSS px
  boundaryPlot: null,   // {at(x, y) → [x₁, x₂], pixel([x₁, x₂]) → [x, y]} of the boundary canvas
  marks: {},            // what the diagram highlights: {weight, layer} (features.js)
};
window.bpPlayground = ui;           // for tests and the curious

// -- talking to the server ------------------------------------------------------------

// A refusal: `message` is the server's English (what the page matches on), `words` the refusal in
// both languages ({en, zh}: server.py, _error), shown in the page's.
class ApiError extends Error {
  constructor(status, json) {
    const words = json.words || {en: json.error || `HTTP ${status}`, zh: json.error || `HTTP ${status}`};
    super(words.en);
    this.status = status; this.parameter = json.parameter ?? null; this.words = words;
  }
}

async function api(method, path, body) {
  const init = {method, headers: {"Accept-Language": ui.lang}};      // refusals come in the page's language
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
// settings and data, say so, and make the call once more.
async function callSession(method, action, body) {
  try {
    return await api(method, sessionPath(action), body);
  } catch (error) {
    if (!lostSession(error)) throw error;
    await recreateSession();
    say({en: WORDS.en.session_expired, zh: WORDS.zh.session_expired}, "notice");
    return await api(method, sessionPath(action), body);
  }
}

const MAX_EDITS_CHARS = 12000;    // point edits that fit in a settings request (guard.MAX_BODY, 16 KiB)

// The lost session made again, training on the same data: generated data comes back from the
// settings; points clicked in or out are replayed from the edits the server last sent
// (session.py, state["data"]["edits"]), bit for bit; an uploaded set (or too many edits) is
// sent again as CSV, from the points the page holds (the server sends them exactly).
async function recreateSession() {
  const lost = ui.state, data = ui.data, source = lost.data_source;
  const edits = source === "edited" && data.edits;
  if (edits && JSON.stringify(edits).length <= MAX_EDITS_CHARS) {
    await startSession({...lost.settings, edits});
    return;
  }
  await startSession(lost.settings);
  if (source === "generated") return;
  show(await api("POST", sessionPath("/data"), {csv: csvOf(data, lost), task: lost.task}));
}

// The points as CSV (x1,x2,label or target,part), the format of the upload and of data.csv.
function csvOf(data, state) {
  const quoted = (text) => (/[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const label = (y) => (state.task === "regression" ? String(y) : quoted(state.class_names[y]));
  const lines = [state.task === "regression" ? "x1,x2,target,part" : "x1,x2,label,part"];
  for (const part of ["train", "test"]) {
    data[part].points.forEach(([x1, x2], i) => lines.push(`${x1},${x2},${label(data[part].labels[i])},${part}`));
  }
  return lines.join("\n") + "\n";
}

const lostSession = (error) => error instanceof ApiError && error.status === 404 && error.parameter === "id";

async function startSession(settings) {
  show(await api("POST", "/api/sessions", settings));
}

// New settings mean a new session; the old one is deleted (it may be gone already). When the
// settings that make the data did not change, the new session keeps the old one's data
// (data_from), with the points the user added, removed or uploaded.
async function replaceSession(settings) {
  const old = ui.state.id;
  const sameData = DATA_SETTINGS.every((key) => settings[key] === ui.state.settings[key]);
  await startSession(sameData ? {...settings, data_from: old} : settings);
  closePanel();
  api("DELETE", `/api/sessions/${old}`).catch(() => {});
}

// -- messages: the status line and the refusal beside a field, in the page's language ----

function say(text, kind = "error") { ui.message = text && {text, kind}; renderMessages(); }

function showError(error) {
  setPlaying(false);
  if (error instanceof ApiError) say(error.words);
  else say({en: WORDS.en.server_unreachable, zh: WORDS.zh.server_unreachable});
}

const baseParameter = (parameter) => (parameter || "").replace(/\[\d+\]$/, "");    // hidden[2] → hidden

function refusalText(error, wanted) {
  const words = REFUSALS[baseParameter(error.parameter)];
  if (!words) return {en: error.words.en, zh: `${WORDS.zh.not_accepted}：${error.words.zh}`};
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

// A regression set trains an identity output with the quadratic cost; leaving one goes back to
// the classification default.
function withDataset(s, dataset) {
  const classes = MULTICLASS_DATASETS.includes(dataset) ? s.classes : 2;
  const regression = ui.options.regression_datasets.includes(dataset);
  let {output, cost} = s;
  if (regression) [output, cost] = ["identity", "quadratic"];
  else if (output === "identity") ({output, cost} = ui.options.defaults);
  return {...s, dataset, classes, output, cost, noise: null};      // null: the new data set's own noise
}

const featureBoxes = () => [...$("features").querySelectorAll("input")];
const withHidden = (s, hidden) => ({...s, hidden});

// The options of a select: each value sent as JSON, shown by its human name (nameOptions).
function fillSelect(select, values, name) {
  select.innerHTML = "";
  for (const v of values) {
    const o = document.createElement("option");
    o.value = JSON.stringify(v);
    select.appendChild(o);
  }
  select.dataset.names = name;
}

// How each select names its options, by the `data-names` fillSelect left on it.
const OPTION_NAMES = {
  dataset: (v, lang) => optionName("dataset", v, lang),
  activation: (v, lang) => optionName("activation", v, lang),
  optimizer: (v, lang) => optionName("optimizer", v, lang),
  output_cost: outputCostName,
};

function nameOptions(lang) {
  for (const select of document.querySelectorAll("select[data-names]")) {
    for (const o of select.options) o.textContent = OPTION_NAMES[select.dataset.names](JSON.parse(o.value), lang);
  }
}
function selectValue(select, v) { select.value = JSON.stringify(v); }

function fillSuggestions(datalist, values) {
  datalist.innerHTML = values.map((v) => `<option value="${v}">`).join("");
}

function buildControls() {
  const o = ui.options;
  fillSelect($("dataset"), o.datasets, "dataset");
  fillSelect($("activation"), o.activations, "activation");
  fillSelect($("optimizer"), o.optimizers, "optimizer");
  fillSelect($("output-cost"), OUTPUT_COSTS, "output_cost");
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
  on("panel-close", "click", closePanel);
  on("panel-mode", "change", () => {
    $("panel-sample").hidden = $("panel-mode").value !== "sample"; refreshPanel(); });
  on("panel-sample", "change", refreshPanel);
  window.addEventListener("pagehide", () => {
    if (ui.state) fetch(sessionPath(), {method: "DELETE", keepalive: true});
  });
  redrawOnResize();
}

// Every control from the settings the server trains with.
function renderControls(s) {
  selectValue($("dataset"), s.dataset);
  showUploaded($("dataset"), ui.state.data_source === "uploaded");
  $("classes-row").hidden = !MULTICLASS_DATASETS.includes(s.dataset) || ui.state.data_source === "uploaded";
  $("classes").value = s.classes;
  $("noise").value = s.noise; $("noise-value").textContent = s.noise.toFixed(2);
  $("test-fraction").value = s.test_fraction; $("test-fraction-value").textContent = s.test_fraction;
  for (const box of featureBoxes()) box.checked = s.features.includes(box.value);
  $("hidden-count").textContent = s.hidden.length;
  $("hidden-words").textContent = WORDS[ui.lang].hidden_layers(s.hidden.length);
  renderWidthButtons(s.hidden);
  selectValue($("activation"), s.activation);
  selectValue($("output-cost"), [s.output, s.cost]);
  selectValue($("optimizer"), s.optimizer);
  $("learning-rate").value = s.learning_rate;
  $("batch-size").value = s.batch_size; $("batch-size").max = ui.data.train.labels.length;
  $("l2").value = s.l2;
}

// An uploaded set has no name among the generated ones: the dataset field says "your data"
// (an option that cannot be chosen, only left for a generated set).
function showUploaded(select, uploaded) {
  let option = select.querySelector("option[data-uploaded]");
  if (uploaded && !option) {
    option = document.createElement("option");
    option.dataset.uploaded = ""; option.value = JSON.stringify("uploaded"); option.disabled = true;
    option.textContent = optionName("dataset", "uploaded", ui.lang);
    select.prepend(option);
  }
  if (!uploaded && option) option.remove();
  if (uploaded) select.value = option.value;
}

// + and − above each hidden layer of the diagram (placed by placeWidthButtons once it is drawn)
function renderWidthButtons(hidden) {
  const box = $("width-buttons"), w = WORDS[ui.lang];
  box.innerHTML = "";
  hidden.forEach((width, i) => {
    const group = document.createElement("span");
    group.className = "widths";
    group.innerHTML = `<button data-d="1" title="${w.wider}">+</button><button data-d="-1" title="${w.narrower}">−</button>`;
    group.addEventListener("click", (e) => {
      const d = Number(e.target.dataset.d);
      if (d) requestChange((s) => withHidden(s, s.hidden.map((w, k) => (k === i ? w + d : w))));
    });
    box.appendChild(group);
  });
  if (ui.columnX) placeWidthButtons(ui.columnX);    // where the diagram last put the columns
}

function placeWidthButtons(columnX) {
  ui.columnX = columnX;
  [...$("width-buttons").children].forEach((group, i) => { group.style.left = `${columnX(i + 1)}px`; });
}

function setLang(lang) {
  ui.lang = lang;
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  $("lang").textContent = lang === "en" ? "中文" : "English";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = WORDS[lang][el.dataset.i18n];
  for (const el of document.querySelectorAll("[data-i18n-title]")) el.title = WORDS[lang][el.dataset.i18nTitle];
  for (const el of document.querySelectorAll("[data-term]")) {
    const t = ui.options.terms[el.dataset.term]; if (t) el.textContent = t[lang];
  }
  nameOptions(lang);
  $("play").lastElementChild.textContent = WORDS[lang][ui.playing ? "pause" : "play"];
  if (ui.state) { renderControls(ui.state.settings); renderClassLegend(); drawAll(); }
  renderMessages();
  refreshPanel();
  features.onLang();
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

// Play, pipelined: the next step is asked for as soon as a frame comes, before that frame is
// drawn, so the server trains while the page draws. Never more than one step in flight: its
// task (playFrame) joins the queue (serially) the moment it is asked, and only when nothing else
// waits there, so whatever is asked meanwhile (pause, reset, a change, an edit) runs after it and
// the frames are drawn in order, each before anything that replaces its network. With a neuron's
// panel open, or something queued, the next step waits its turn (asked when its task runs).
async function loop() {
  ui.looping = true;
  let ahead = null;            // the task of the step already asked for
  while (ui.playing || ahead) {
    const done = await (ahead || serially(() => playFrame(askStep())));
    ahead = done ? done.ahead : null;             // nothing when it failed (serially showed why)
  }
  ui.looping = false;
}

const stepAction = () => `/step?batches=${Number($("speed").value)}`;

// The answer to one step, as {frame} or {error}: it may come before its task awaits it.
function askStep() {
  const action = stepAction();
  return api("POST", sessionPath(action)).then((frame) => ({frame, action}), (error) => ({error, action}));
}

async function playFrame(request) {
  const {frame: answer, error, action} = await request;
  let frame = answer;
  if (error) {
    if (!lostSession(error)) throw error;
    frame = await callSession("POST", action);    // the session is made again, then asked again
  }
  let ahead = null;
  if (ui.playing && ui.pending === 1 && !ui.selected) {
    const next = askStep();
    ahead = serially(() => playFrame(next));
  }
  await ui.painted;                                // the last frame is on the screen
  showFrame(frame);
  if (ui.selected && (!ui.playing || ui.frames % 5 === 0)) await showPanel();
  return {ahead};
}

// After the browser has painted what was drawn (rAF runs just before a paint; the timeout after it).
const afterPaint = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));

function showFrame(frame) {
  const state = unpackFrame(frame);
  show(state);
  ui.painted = afterPaint();
  if (state.diverged) { say(divergedWords(state)); setPlaying(false); }
  ui.frames += 1;
}

async function trainFrame(batches) {
  showFrame(await callSession("POST", `/step?batches=${batches}`));
  if (ui.selected && (!ui.playing || ui.frames % 5 === 0)) await showPanel();
}

// A step answers only what a step changes (server.py, Session.frame), its two pictures as bytes:
// the state to draw is the one the page has with the frame's keys, the pictures as state sends them.
// Not what came with the last answer only (the points, an edit's change, an upload's notes): a
// frame is not a fresh state (show).
function unpackFrame(frame) {
  const {boundary: b, neurons: n} = frame, cells = b.size * b.size;
  const outputs = unpacked(b.packed, cells), values = new Array(cells * b.outputs);
  for (let k = 0; k < b.outputs; k++) for (let c = 0; c < cells; c++) values[c * b.outputs + k] = outputs[k][c];
  const {data, change, notes, ...kept} = ui.state;
  return {
    ...kept, ...frame,
    boundary: {size: b.size, outputs: b.outputs, values},          // cell by cell, flat
    neurons: {size: n.size, layers: n.layers.map((layer) => unpacked(layer, n.size * n.size))},
  };
}

// The rows of one packed picture (session.py, _packed): value = lo + byte / 255 · (hi − lo).
function unpacked({lo, hi, bytes}, length) {
  const raw = atob(bytes);
  return lo.map((low, row) => {
    const step = (hi[row] - low) / 255, values = new Array(length);
    for (let i = 0; i < length; i++) values[i] = low + raw.charCodeAt(row * length + i) * step;
    return values;
  });
}

// Draw a state; a new session's, or one whose settings or data changed, also sets every control.
function show(state) {
  const fresh = !ui.state || state.id !== ui.state.id || Boolean(state.data) ||
    JSON.stringify(state.settings) !== JSON.stringify(ui.state.settings);
  ui.state = state;
  if (state.data) ui.data = state.data;
  $("epoch").textContent = state.epoch.toFixed(2);
  $("batches").textContent = state.batches;
  const fmt = (x, d = 4) => (x === null || x === undefined ? "–" : x.toFixed(d));
  $("test-cost").textContent = fmt(state.costs.test);
  $("train-cost").textContent = fmt(state.costs.train);
  $("test-accuracy").textContent = state.costs.test_accuracy === null ? "–" : `${(100 * state.costs.test_accuracy).toFixed(1)}%`;
  if (fresh) { renderControls(state.settings); renderClassLegend(); }
  drawAll();
  features.onShow(state, fresh);
}

// The server's diverged message, worded by the page in both languages from the state.
function divergedWords(state) {
  const words = (lang) => WORDS[lang].diverged(state.batches + 1, state.settings.learning_rate);
  return {en: words("en"), zh: words("zh")};
}

// -- drawing: each canvas as wide as its column, the diagram as tall as the window allows ------

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

// The diagram fills its column's width and the window's height left below it (so the page needs
// no scrolling), within 300–760 px and never much taller than wide.
function diagramSize() {
  const canvas = $("diagram"), width = canvas.parentElement.clientWidth;
  const top = canvas.getBoundingClientRect().top + window.scrollY;
  const below = $("diagram-hint").offsetHeight + 24;     // the weight editor lies over the diagram
  return {width, height: Math.round(clamp(window.innerHeight - top - below, 300, Math.min(760, 0.95 * width)))};
}

// The boundary plot is square: as wide as its column, unless the window is too short to show it
// and the legends under it (then no smaller than 220 px).
function boundarySide() {
  const canvas = $("boundary"), column = canvas.parentElement, box = canvas.getBoundingClientRect();
  const below = column.getBoundingClientRect().bottom - box.bottom + 12;     // 12: main's bottom padding
  return Math.round(clamp(window.innerHeight - box.top - window.scrollY - below, 220, column.clientWidth));
}

function drawAll() {
  if (!ui.state) return;
  drawNetwork();
  const width = $("chart").parentElement.clientWidth;
  drawChart($("chart"), {width, height: Math.round(clamp(0.5 * width, 140, 190))}, ui.state.history, WORDS[ui.lang]);
  ui.boundaryPlot = drawBoundary($("boundary"), boundarySide(), ui.state, ui.data);
}

function drawNetwork() {
  if (!ui.state) return;
  const layout = drawDiagram($("diagram"), diagramSize(), ui.state, ui.selected, WORDS[ui.lang], ui.marks);
  ui.positions = layout.boxes; ui.featureLabels = layout.labels; ui.edges = layout.edges;
  placeWidthButtons(layout.columnX);
  features.placeWeightEdit();
}

// Redraw when a column changes width (the window resized, the panel opened or closed) or the
// window's height changed; at most once a frame, and not for the canvases' own new heights.
function redrawOnResize() {
  const columns = [$("diagram").parentElement, $("chart").parentElement];
  let drawn = "", queued = false;
  const redraw = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      const now = `${columns.map((c) => c.clientWidth)},${window.innerHeight}`;
      if (now !== drawn) { drawn = now; drawAll(); }
    });
  };
  const observer = new ResizeObserver(redraw);
  for (const c of columns) observer.observe(c);
  window.addEventListener("resize", redraw);
}

function clickDiagram(event) {
  const box = $("diagram").getBoundingClientRect();
  const x = event.clientX - box.left, y = event.clientY - box.top;
  const hit = ui.positions.find((p) => Math.abs(p.x - x) <= p.size / 2 && Math.abs(p.y - y) <= p.size / 2);
  if (!hit) { features.clickWeight(x, y); return; }  // a line: edit its weight
  if (hit.layer === 1) return;                   // the input layer has no δ
  features.closeTrace();
  ui.selected = {layer: hit.layer, j: hit.j};
  drawNetwork(); refreshPanel();
}

// The colour of each class, under the boundary (index.html says how training and test points look);
// for a regression set, the colour scale of the targets from −m to m.
function renderClassLegend() {
  const words = WORDS[ui.lang];
  $("shade-hint").textContent = words[ui.state.task === "regression" ? "shade_regression" : "shade"];
  document.querySelector("main").classList.toggle("regression", ui.state.task === "regression");   // the points' rings
  if (ui.state.task === "regression") { renderTargetLegend(words); return; }
  const classes = Array.from({length: ui.state.classes}, (_, k) => k);
  $("class-legend").innerHTML = classes.map((k) =>
    `<span><i class="dot" style="background:${COLORS[k % COLORS.length]}"></i>${classLabel(k, words)}</span>`).join("");
}

// An uploaded set's own label for class k ("cat"); "class k" otherwise.
function classLabel(k, words) {
  const names = ui.state.data_source === "uploaded" ? ui.state.class_names : null;
  return names ? names[k] : words.class_name(k);
}

function renderTargetLegend(words) {
  const m = targetScale(ui.state, ui.data), stops = [-1, -0.5, 0, 0.5, 1];
  const gradient = stops.map((t) => `rgb(${targetColor(t * m, m)})`).join(", ");
  $("class-legend").innerHTML = `<span>${words.target_axis}</span><span>−${m.toFixed(2)}</span>` +
    `<i class="scale" style="background:linear-gradient(to right, ${gradient})"></i><span>${m.toFixed(2)}</span>`;
}

// -- the neuron panel: BP1–BP4 with backprop's own numbers ---------------------------

function refreshPanel() { return serially(showPanel); }

async function showPanel() {
  if (!ui.selected || !ui.state) return;
  const {layer, j} = ui.selected;
  let query = `layer=${layer}&j=${j}&lang=${ui.lang}`;
  if ($("panel-mode").value === "sample") query += `&sample=${Number($("panel-sample").value) || 0}`;
  const panel = await callSession("GET", `/neuron?${query}`);
  if (ui.selected) renderPanel(panel);                // unless it was closed meanwhile
}

// The panel takes its own column beside the network (style.css: main.panel-open).
function openPanel() {
  $("panel").hidden = false;
  document.querySelector("main").classList.add("panel-open");
}

function closePanel() {
  ui.selected = null;
  features.closeTrace();
  $("panel").hidden = true;
  document.querySelector("main").classList.remove("panel-open");
  drawNetwork();
}

function renderPanel(p) {
  openPanel();
  $("panel-title").innerHTML = p.title;             // server-escaped markup (bprop.teaching.explanation.markup.to_html)
  const body = $("panel-body"); body.innerHTML = "";
  for (const section of p.sections) {
    const el = document.createElement("section");
    el.dataset.section = section.id;
    el.innerHTML = `<h3>${section.heading}</h3><div class="equation">${section.equation}</div>` +
      section.lines.map((line) => `<div class="line">${line}</div>`).join("");
    body.appendChild(el);
  }
  keepSymbolsWhole($("panel-title")); keepSymbolsWhole(body);
  body.dataset.delta = String(p.delta[p.row]);
}

// -- start ----------------------------------------------------------------------------

const features = installFeatures({
  ui, $, api, ApiError, serially, callSession, sessionPath, show, say, setPlaying, drawNetwork, openPanel,
  closePanel, showRefusal,
});

// A link with a setup (#s=…) opens it; otherwise the defaults.
serially(async function start() {
  ui.options = await api("GET", "/api/options");
  buildControls();
  setLang("en");
  if (!(await features.openSharedSetup())) await startSession(ui.options.defaults);
});
