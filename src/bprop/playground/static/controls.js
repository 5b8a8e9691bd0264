// Controls: changes go to the server (requestChange), and are drawn back from its state
// (renderControls); the language switch.

import {clickDiagram, drawAll, redrawOnResize, renderClassLegend} from "./layout.js";
import {renderMessages, say, showRefusal} from "./messages.js";
import {closePanel, refreshPanel} from "./panel.js";
import {ApiError, replaceSession, serially, sessionPath} from "./server.js";
import {$, features, ui} from "./state.js";
import {reset, setPlaying, trainFrame} from "./training.js";
import {optionName, outputCostName, WORDS} from "./words.js";

export const LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const L2S = [0, 0.001, 0.01, 0.1, 1, 10];
export const L1S = [0, 0.001, 0.01, 0.1, 1];
export const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
export const OUTPUT_COSTS = [["sigmoid", "cross_entropy"], ["sigmoid", "quadratic"], ["softmax", "log_likelihood"],
                             ["tanh", "quadratic"], ["identity", "quadratic"]];
export const MULTICLASS_DATASETS = ["spiral", "gaussians"];   // the others have a fixed class count (datasets.toy.N_CLASSES)

// `edit` maps the server's current settings to the wanted ones; it runs when the change's turn
// comes, so quick clicks (+, +, +) each build on the one before.
export function requestChange(edit) {
  setPlaying(false);
  return serially(async () => {
    const wanted = edit(structuredClone(ui.state.settings));
    ui.refusal = null; say(null);                  // before: a lost session's line stays (replaceSession)
    try {
      await replaceSession(wanted);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 400)) throw error;
      renderControls(ui.state.settings);           // back to what the server trains
      showRefusal(error, wanted);
    }
  });
}

// A change handler: read the field now, ask for the server's settings with `key` set to it.
export function sendSetting(key, read) {
  return (event) => { const value = read(event.target); requestChange((s) => ({...s, [key]: value})); };
}

export function readSelect(select) { return JSON.parse(select.value); }

// A typed number, or the text itself when it is not one: the server's check (the only one)
// refuses it and the page says what the field accepts.
export function readNumber(input) {
  const text = input.value.trim(), n = Number(text);
  return text !== "" && Number.isFinite(n) ? n : text;
}

// A regression set trains an identity output with the quadratic cost; leaving one goes back to
// the classification default.
export function withDataset(s, dataset) {
  const classes = MULTICLASS_DATASETS.includes(dataset) ? s.classes : 2;
  const regression = ui.options.regression_datasets.includes(dataset);
  let {output, cost} = s;
  if (regression) [output, cost] = ["identity", "quadratic"];
  else if (output === "identity") ({output, cost} = ui.options.defaults);
  return {...s, dataset, classes, output, cost, noise: null};      // null: the new data set's own noise
}

export const featureBoxes = () => [...$("features").querySelectorAll("input")];

// The hidden σ: one name for every hidden layer, or a list of one per layer when they differ
// (settings.py, hidden_sigmas; the server keeps a list of equal names as the one name).
export const sigmaOf = (s, i) => (Array.isArray(s.activation) ? s.activation[i] : s.activation);
export function sigmas(names) {
  return names.length && names.every((name) => name === names[0]) ? names[0] : names;
}

// New widths; a layer added at the end takes the σ of the one before it, a removed one takes its σ along.
export function withHidden(s, hidden) {
  if (!Array.isArray(s.activation)) return {...s, hidden};
  const last = s.activation.length - 1;
  const names = hidden.map((_, i) => s.activation[Math.min(i, last)]);
  return {...s, hidden, activation: hidden.length ? sigmas(names) : s.activation[0]};
}

// σ of hidden layer i (from 0) only; the others keep theirs.
export const withLayerSigma = (s, i, name) =>
  ({...s, activation: sigmas(s.hidden.map((_, k) => (k === i ? name : sigmaOf(s, k))))});

// The σ field beside the output's sets every hidden layer at once, as Network(activation="relu") and
// the derivation's one σ do: a learner starts there, and changes one layer's σ (over its column)
// to compare. While the layers differ it says so ("differs by layer"), rather than show one of them.
export const DIFFERS = "differs";       // the all-layers σ field's value while the layers' σ differ

// The options of a select: each value sent as JSON, shown by its human name (nameOptions).
export function fillSelect(select, values, name) {
  select.innerHTML = "";
  for (const v of values) {
    const o = document.createElement("option");
    o.value = JSON.stringify(v);
    select.appendChild(o);
  }
  select.dataset.names = name;
}

// How each select names its options, by the `data-names` fillSelect left on it.
export const OPTION_NAMES = {
  dataset: (v, lang) => optionName("dataset", v, lang),
  activation: (v, lang) => (v === DIFFERS ? WORDS[lang].sigma_differs : optionName("activation", v, lang)),
  layer_sigma: (v, lang) => optionName("layer_sigma", v, lang),
  optimizer: (v, lang) => optionName("optimizer", v, lang),
  output_cost: outputCostName,
};

export function nameOptions(lang) {
  for (const select of document.querySelectorAll("select[data-names]")) {
    for (const o of select.options) o.textContent = OPTION_NAMES[select.dataset.names](JSON.parse(o.value), lang);
  }
}
export function selectValue(select, v) { select.value = JSON.stringify(v); }

export function fillSuggestions(datalist, values) {
  datalist.innerHTML = values.map((v) => `<option value="${v}">`).join("");
}

export function buildControls() {
  const o = ui.options;
  fillSelect($("dataset"), o.datasets, "dataset");
  fillSelect($("activation"), [...o.activations, DIFFERS], "activation");
  $("activation").lastElementChild.disabled = true;       // shown, never chosen: set each layer's instead
  fillSelect($("optimizer"), o.optimizers, "optimizer");
  fillSelect($("output-cost"), OUTPUT_COSTS, "output_cost");
  fillSuggestions($("learning-rates"), LEARNING_RATES);
  fillSuggestions($("l2s"), L2S);
  fillSuggestions($("l1s"), L1S);
  fillSuggestions($("dropouts"), DROPOUTS);
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
  on("l1", "change", sendSetting("l1", readNumber));
  on("dropout", "change", sendSetting("dropout", readNumber));
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
export function renderControls(s) {
  // Your own data has its own noise and split (the CSV's part column, or the upload's): the
  // sliders that make generated data would throw it away, so they leave with the dataset's name.
  const uploaded = ui.state.data_source === "uploaded";
  selectValue($("dataset"), s.dataset);
  showUploaded($("dataset"), uploaded);
  $("classes-row").hidden = !MULTICLASS_DATASETS.includes(s.dataset) || uploaded;
  $("noise-row").hidden = $("test-fraction-row").hidden = uploaded;
  $("classes").value = s.classes;
  $("noise").value = s.noise; $("noise-value").textContent = s.noise.toFixed(2);
  $("test-fraction").value = s.test_fraction; $("test-fraction-value").textContent = s.test_fraction;
  for (const box of featureBoxes()) box.checked = s.features.includes(box.value);
  $("hidden-count").textContent = s.hidden.length;
  $("hidden-words").textContent = WORDS[ui.lang].hidden_layers(s.hidden.length);
  renderWidthButtons(s);
  $("activation-row").hidden = s.hidden.length === 0;     // no hidden layer: no hidden σ to set
  selectValue($("activation"), Array.isArray(s.activation) ? DIFFERS : s.activation);
  $("activation").lastElementChild.hidden = !Array.isArray(s.activation);
  selectValue($("output-cost"), [s.output, s.cost]);
  selectValue($("optimizer"), s.optimizer);
  $("learning-rate").value = s.learning_rate;
  $("batch-size").value = s.batch_size; $("batch-size").max = ui.data.train.labels.length;
  $("l2").value = s.l2;
  $("l1").value = s.l1;
  $("dropout").value = s.dropout;
}

// An uploaded set has no name among the generated ones: the dataset field says "your data"
// (an option that cannot be chosen, only left for a generated set).
export function showUploaded(select, uploaded) {
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

// Over each hidden layer of the diagram, + and − (its width) and its σ (placed by placeWidthButtons
// once it is drawn). The groups already there are kept and only set again: a click whose mouse
// went down on a button just before a new state came must still reach that button.
export function renderWidthButtons(s) {
  const box = $("width-buttons"), w = WORDS[ui.lang];
  while (box.children.length > s.hidden.length) box.lastElementChild.remove();
  while (box.children.length < s.hidden.length) box.appendChild(widthGroup(box.children.length));
  [...box.children].forEach((group, i) => {
    group.querySelector("[data-d='1']").title = w.wider;
    group.querySelector("[data-d='-1']").title = w.narrower;
    const select = group.querySelector("select");
    select.title = w.layer_sigma(i + 2);
    for (const o of select.options) o.textContent = optionName("layer_sigma", JSON.parse(o.value), ui.lang);
    selectValue(select, sigmaOf(s, i));
  });
  if (ui.columnX) placeWidthButtons(ui.columnX);    // where the diagram last put the columns
}

// The group of hidden layer i (from 0): + and − change its width, the select its σ.
function widthGroup(i) {
  const group = document.createElement("span");
  group.className = "widths";
  group.innerHTML = '<span><button data-d="1">+</button><button data-d="-1">−</button></span>';
  group.addEventListener("click", (e) => {
    const d = Number(e.target.dataset.d);
    if (d) requestChange((s) => withHidden(s, s.hidden.map((w, k) => (k === i ? w + d : w))));
  });
  const select = document.createElement("select");
  select.className = "layer-sigma";
  fillSelect(select, ui.options.activations, "layer_sigma");
  select.addEventListener("change", () => {
    const name = readSelect(select); requestChange((s) => withLayerSigma(s, i, name));
  });
  group.appendChild(select);
  return group;
}

// Each layer's group over its column; where the columns are closer than a group is wide, every
// other σ drops to a second row, so that neighbours never overlap.
export function placeWidthButtons(columnX) {
  ui.columnX = columnX;
  const groups = [...$("width-buttons").children];
  const widest = Math.max(0, ...groups.map((g) => g.querySelector("select").offsetWidth));
  const staggered = groups.length > 1 && columnX(2) - columnX(1) < widest + 6;
  $("width-buttons").classList.toggle("staggered", staggered);
  groups.forEach((group, i) => {
    group.style.left = `${columnX(i + 1)}px`;
    group.classList.toggle("lower", staggered && i % 2 === 1);
  });
}

export function setLang(lang) {
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
