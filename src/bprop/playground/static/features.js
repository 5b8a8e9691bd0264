// What the playground offers beyond TensorFlow Playground, on the page: points added and removed
// by clicking the boundary plot, a shareable link (#s=…), the model and the data as files (and
// back), a hand-edited weight with ∂C/∂w·Δw beside ΔC, and one sample stepped through stage by
// stage. The server computes every number (server.py's routes); this module only asks and shows.
//
// installFeatures(app) wires the controls and returns the hooks app.js calls: onShow (a state
// was drawn), onLang, clickWeight (a click on the diagram that hit no neuron), closeTrace and
// openSharedSetup (at start).

import {keepSymbolsWhole} from "./math.js";
import {both, WORDS} from "./words.js";

const MINUS = "−";

// A number as the page shows it: 4 significant digits, a true minus.
export function shown(x) {
  if (x === null || x === undefined) return "–";
  return Number(x).toPrecision(4).replace("-", MINUS);
}

export function installFeatures(app) {
  const {ui, $} = app;
  const words = () => WORDS[ui.lang];
  const on = (id, type, handler) => $(id).addEventListener(type, handler);

  // A call whose 400 is shown beside its field (the parameter the server names), not as a failure.
  async function refusable(work, wanted = {}) {
    ui.refusal = null; app.say(null);
    try {
      await work();
    } catch (error) {
      if (!(error instanceof app.ApiError && error.status === 400)) throw error;
      app.showRefusal(error, wanted);
    }
  }

  // -- points: a click adds one of the chosen class (or target); shift-click removes the nearest --

  function fillPointClasses(state) {
    const regression = state.task === "regression";
    $("point-class-row").hidden = regression;
    $("point-target-row").hidden = !regression;
    if (regression) return;
    const select = $("point-class"), chosen = Number(select.value) || 0;
    select.innerHTML = "";
    for (let k = 0; k < state.classes; k++) {
      const o = document.createElement("option");
      o.value = String(k); o.textContent = className(state, k);
      select.appendChild(o);
    }
    select.value = String(Math.min(chosen, state.classes - 1));
  }

  const className = (state, k) => (state.data_source === "uploaded" && state.class_names
    ? state.class_names[k] : words().class_name(k));

  function clickBoundary(event) {
    const box = $("boundary").getBoundingClientRect();
    const at = ui.boundaryPlot && ui.boundaryPlot.at(event.clientX - box.left, event.clientY - box.top);
    if (!at) return;
    const [x1, x2] = at.map((v) => Math.round(v * 1000) / 1000);
    app.setPlaying(false);
    if (event.shiftKey || $("point-remove").checked) removePoint(x1, x2);
    else addPoint(x1, x2);
  }

  function addPoint(x1, x2) {
    const body = {x1, x2, part: $("point-part").value};
    if (ui.state.task === "regression") body.target = readTarget();
    else body.label = Number($("point-class").value);
    return app.serially(() => refusable(async () => {
      app.show(await app.callSession("POST", "/points", body));
    }, body));
  }

  function readTarget() {
    const n = Number($("point-target").value);
    return $("point-target").value.trim() !== "" && Number.isFinite(n) ? n : $("point-target").value;
  }

  // The nearest point within 4% of the plot's width; a click far from every point removes none.
  function removePoint(x1, x2) {
    const body = {x1, x2, within: 0.08 * ui.state.extent};
    return app.serially(async () => {
      try {
        app.show(await app.callSession("POST", "/points/remove", body));
        ui.refusal = null; app.say(null);
      } catch (error) {
        if (!(error instanceof app.ApiError && error.status === 404 && error.parameter === "within")) throw error;
        app.say(both("no_point_near"), "notice");
      }
    });
  }

  // -- a shareable link: the setup as #s=… --------------------------------------------------

  function shareSetup() {
    app.setPlaying(false);
    return app.serially(async () => {
      $("share-box").hidden = false;
      try {
        const answer = await app.callSession("GET", "/share");
        history.replaceState(null, "", `#s=${answer.share}`);
        ui.sharedSession = ui.state.id;
        $("share-link").value = location.href;
        $("share-link").hidden = $("share-copy").hidden = false;
        ui.shareWhy = null;
      } catch (error) {
        if (!(error instanceof app.ApiError && error.status === 409)) throw error;
        $("share-link").hidden = $("share-copy").hidden = true;
        ui.shareWhy = unshareableWords(error.message);
      }
      renderShareWhy();
    });
  }

  // The server's reason (share.encode), worded in both languages by what it names.
  function unshareableWords(message) {
    const long = message.match(/trained (\d+) batches/);
    if (/uploaded/.test(message)) return both("unshareable_upload");
    if (/imported/.test(message)) return both("unshareable_model");
    if (long) return both("unshareable_long", Number(long[1]), ui.options.limits.share_batches);
    return both("unshareable_edits");
  }

  // Another session than the one the URL's #s=… describes: the URL and the link box go.
  function forgetLink() {
    if (location.hash.startsWith("#s=")) history.replaceState(null, "", location.pathname + location.search);
    $("share-box").hidden = true;
    ui.shareWhy = null; ui.sharedSession = null;
  }

  function renderShareWhy() { $("share-why").textContent = ui.shareWhy ? ui.shareWhy[ui.lang] : ""; }

  async function copyLink() {
    $("share-link").select();
    try { await navigator.clipboard.writeText($("share-link").value); } catch { document.execCommand("copy"); }
    app.say(both("link_copied"), "notice");
  }

  // At start: a link's setup (#s=…) as this tab's session; true when it opened.
  async function openSharedSetup() {
    const found = location.hash.match(/^#s=([A-Za-z0-9._-]+)$/);
    if (!found) return false;
    try {
      const state = await app.api("POST", "/api/shares", {share: found[1]});
      ui.sharedSession = state.id;
      app.show(state);
      app.say(both("link_opened"), "notice");
      return true;
    } catch (error) {
      if (!(error instanceof app.ApiError && error.status === 400)) throw error;
      app.say(both("link_broken"));
      return false;
    }
  }

  // -- files: the model and the data out, your CSV or a model file in ---------------------------

  function linkFiles() {
    $("download-model").href = app.sessionPath("/model");
    $("download-data").href = app.sessionPath("/data.csv");
  }

  function tooBig(file) {
    if (file.size <= ui.options.limits.upload_bytes) return false;
    app.say(both("file_too_big", file.name, Math.round(ui.options.limits.upload_bytes / 1024)));
    return true;
  }

  function uploadCsv(event) {
    const file = event.target.files[0];
    event.target.value = "";                       // the same file may be chosen again
    if (!file || tooBig(file)) return;
    app.setPlaying(false);
    return app.serially(() => refusable(async () => {
      const state = await app.callSession("POST", "/data", {csv: await file.text()});
      ui.uploadNotes = {file: file.name, notes: state.notes};
      app.show(state);
      renderUploadNotes();
    }));
  }

  // The server's notes on the settings it fitted to the data (uploads._fitted_settings), worded here.
  function noteWords(note, lang) {
    const batch = note.match(/^batch size (\d+)/);
    if (/output identity/.test(note)) return WORDS[lang].note_regression;
    if (batch) return WORDS[lang].note_batch(Number(batch[1]));
    return note;
  }

  function renderUploadNotes() {
    const n = ui.uploadNotes;
    if (!n) { $("upload-notes").textContent = ""; return; }
    const lines = [words().uploaded(n.file, ui.state.counts), ...n.notes.map((note) => noteWords(note, ui.lang))];
    $("upload-notes").textContent = lines.join("; ");
  }

  function importModel(event) {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file || tooBig(file)) return;
    app.setPlaying(false);
    return app.serially(() => refusable(async () => {
      const model = await new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);      // data:…;base64,…: the server takes it as is
        reader.onerror = () => reject(reader.error);
        reader.readAsDataURL(file);
      });
      app.show(await app.callSession("POST", "/model", {model}));
      ui.importedModel = model;                     // to import again into a lost session (server.js)
      app.say(both("model_imported", file.name), "notice");
    }));
  }

  // -- a hand-edited weight: ∂C/∂w·Δw (predicted) beside ΔC (actual) ---------------------------

  // The weight line within 5 px of (x, y), nearest first.
  function weightAt(x, y) {
    let best = null, bestDistance = 5;
    for (const e of ui.edges) {
      const d = distanceToSegment([x, y], e.from, e.to);
      if (d <= bestDistance) { best = e; bestDistance = d; }
    }
    return best;
  }

  function distanceToSegment([px, py], [ax, ay], [bx, by]) {
    const dx = bx - ax, dy = by - ay, length2 = dx * dx + dy * dy || 1;
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2));
    return Math.hypot(px - ax - t * dx, py - ay - t * dy);
  }

  function clickWeight(x, y) {
    const edge = weightAt(x, y);
    if (edge) openWeight(edge);
  }

  function openWeight({layer, j, k}) {
    app.setPlaying(false);
    ui.marks.weight = {layer, j, k};
    ui.weightEdit = null; ui.weightSession = ui.state.id;
    const value = ui.state.weights[layer - 2][j - 1][k - 1];
    $("weight-name").innerHTML = `w<sup>${layer}</sup><sub>${j}${k}</sub>`;
    setWeightFields(value);
    renderEdit();
    $("weight-edit").hidden = false;
    app.drawNetwork();                   // places the editor too
    $("weight-value").focus();
  }

  // Over the diagram, at its top when the edited line is in its lower half, at its bottom otherwise.
  function placeWeightEdit() {
    const w = ui.marks.weight, box = $("weight-edit"), canvas = $("diagram");
    if (!w || box.hidden) return;
    const edge = ui.edges.find((e) => e.layer === w.layer && e.j === w.j && e.k === w.k);
    const lower = edge && (edge.from[1] + edge.to[1]) / 2 > canvas.clientHeight / 2;
    box.style.top = `${lower ? canvas.offsetTop + 4 : canvas.offsetTop + canvas.offsetHeight - box.offsetHeight - 4}px`;
  }

  // The state's weights are rounded (to 4 decimals), so the field may show w only to 4 decimals:
  // the value it was filled with stands for w itself, and sending it back unchanged changes nothing
  // (unless training has moved w since: then it sets w to the value shown, as typed).
  let shownWeight = null;
  function setWeightFields(value) {
    shownWeight = {value, state: ui.state};
    $("weight-value").value = value;
    const slider = $("weight-slider");
    slider.min = value - 2; slider.max = value + 2; slider.step = 0.01; slider.value = value;
  }

  function closeWeight() {
    ui.marks.weight = null; ui.weightEdit = null;
    $("weight-edit").hidden = true;
    app.drawNetwork();
  }

  // Previews go one at a time; while one is on its way, only the latest value waits for its turn.
  let waiting = null, previewing = false;
  function previewWeight(value) {
    waiting = value;
    if (previewing) return;
    previewing = true;
    app.serially(async () => {
      while (waiting !== null) {
        const v = waiting; waiting = null;
        await sendWeight(v, true);
      }
    }).finally(() => { previewing = false; });
  }

  function applyWeight() {
    const value = readWeight();
    return app.serially(() => sendWeight(value, false));
  }

  function readWeight() {
    const text = $("weight-value").value.trim(), n = Number(text);
    return text !== "" && Number.isFinite(n) ? n : text;
  }

  async function sendWeight(value, preview) {
    const w = ui.marks.weight;
    if (!w) return;
    if (value === shownWeight?.value && ui.state === shownWeight.state) {               // unchanged: no edit, and w keeps its every digit
      if (preview) { ui.weightEdit = null; renderEdit(); }
      return;
    }
    const body = {layer: w.layer, j: w.j, k: w.k, value, preview};
    await refusable(async () => {
      const answer = await app.callSession("POST", "/weight", body);
      ui.weightEdit = answer.edit;
      if (!preview) { app.show(answer.state); setWeightFields(value); }
      renderEdit();
    }, body);
  }

  function renderEdit() {
    const e = ui.weightEdit, w = words();
    for (const [id, key] of [["weight-delta", "delta"], ["weight-predicted", "predicted"], ["weight-actual", "actual"],
                             ["weight-gap", null]]) {
      const value = !e ? null : (key ? e[key] : gap(e));
      $(id).textContent = shown(value);
      $(id).dataset.value = value === null ? "" : String(value);
    }
    $("weight-state").textContent = !e ? w.weight_try : (e.preview ? w.weight_preview : w.weight_applied);
  }

  const gap = (e) => (e.actual === null || e.predicted === null ? null : e.actual - e.predicted);

  // -- one sample, stage by stage: forward, BP1, BP2, BP3/BP4, the update ------------------------

  function openTrace() {
    app.setPlaying(false);
    return app.serially(async () => {
      const sample = $("trace-sample").value.trim();
      const t = await app.callSession("GET", `/trace${sample === "" ? "" : `?sample=${Number(sample)}`}`);
      ui.selected = null;
      ui.trace = {t, index: 0};
      app.openPanel();
      renderTrace();
    }).catch(() => {});
  }

  function moveTrace(step) {
    if (!ui.trace) return;
    ui.trace.index = Math.max(0, Math.min(ui.trace.t.stages.length - 1, ui.trace.index + step));
    renderTrace();
  }

  function closeTrace() {
    if (!ui.trace) return;
    ui.trace = null; ui.marks.layer = null;
    $("panel").classList.remove("tracing");
  }

  // The values of a stage, in the order the equation names them, with their symbols at layer l.
  const TRACE_VALUES = [
    ["a_prev", (l) => `a<sup>${l - 1}</sup>`], ["z", (l) => `z<sup>${l}</sup>`], ["a", (l) => `a<sup>${l}</sup>`],
    ["y", () => "y"], ["sigma_prime", (l) => `σ′(z<sup>${l}</sup>)`], ["delta", (l) => `δ<sup>${l}</sup>`],
    ["grad_w", (l) => `∂C/∂w<sup>${l}</sup>`], ["grad_b", (l) => `∂C/∂b<sup>${l}</sup>`],
    ["w_before", (l) => `w<sup>${l}</sup>`], ["w_after", (l) => `w<sup>${l}</sup>`],
    ["b_before", (l) => `b<sup>${l}</sup>`], ["b_after", (l) => `b<sup>${l}</sup>`],
  ];

  function renderTrace() {
    const {t, index} = ui.trace, stage = t.stages[index], w = words();
    $("panel").classList.add("tracing");
    $("panel-title").textContent = w.trace_title(t.sample, t.point.map(shown).join(", "), t.label);
    const values = TRACE_VALUES.filter(([key]) => stage[key] !== undefined && stage[key] !== null)
      .map(([key, symbol]) => traceValue(stage, key, symbol(stage.layer), w)).join("");
    $("panel-body").innerHTML =
      `<div class="trace-nav"><button id="trace-prev">◀ ${w.previous}</button>` +
      `<span id="trace-count">${w.stage_count(index + 1, t.stages.length)}</span>` +
      `<button id="trace-next">${w.next} ▶</button></div>` +
      `<section data-section="${stage.stage}" data-layer="${stage.layer}"><h3>${w.stage_names[stage.stage]} · l = ${stage.layer}</h3>` +
      `<div class="equation">${t.equations[stage.stage]}</div>${values}` +
      (stage.stage === "BP1" && stage.shortcut ? `<div class="line">${w.bp1_shortcut}</div>` : "") +
      (stage.stage === "forward" && t.dropout > 0 && stage.layer > 1 && stage.layer < t.sizes.length
        ? `<div class="line trace-dropout">${w.trace_dropout(String(t.dropout))}</div>` : "") +
      (stage.stage === "update" ? `<div class="line">${w.update_note(String(t.eta))}</div>` : "") +
      `</section>`;
    keepSymbolsWhole($("panel-body"));
    $("panel-body").dataset.stage = String(index);
    $("trace-prev").disabled = index === 0;
    $("trace-next").disabled = index === t.stages.length - 1;
    $("trace-prev").addEventListener("click", () => moveTrace(-1));
    $("trace-next").addEventListener("click", () => moveTrace(1));
    ui.marks.layer = stage.layer;
    app.drawNetwork();
  }

  function traceValue(stage, key, symbol, w) {
    const value = stage[key], when = key.endsWith("_before") ? ` (${w.before})` : key.endsWith("_after") ? ` (${w.after})` : "";
    const rows = Array.isArray(value[0]) ? value : [value];
    const text = rows.map((row) => `[${row.map(shown).join(", ")}]`).join("<br>");
    return `<div class="line trace-value" data-key="${key}" data-values='${JSON.stringify(value)}'>` +
      `${symbol}${when} = <span class="numbers">${text}</span></div>`;
  }

  // Arrow keys step through the stages while the trace is open (not while typing in a field).
  function traceKeys(event) {
    if (!ui.trace || event.target.matches("input, select, textarea")) return;
    if (event.key === "ArrowRight") moveTrace(1);
    if (event.key === "ArrowLeft") moveTrace(-1);
  }

  // -- wiring ---------------------------------------------------------------------------

  on("boundary", "click", clickBoundary);
  on("share", "click", shareSetup);
  on("share-copy", "click", copyLink);
  on("upload-csv", "change", uploadCsv);
  on("upload-model", "change", importModel);
  on("weight-value", "input", () => { const v = readWeight(); if (typeof v === "number") previewWeight(v); });
  on("weight-value", "keydown", (e) => { if (e.key === "Enter") applyWeight(); });
  on("weight-slider", "input", () => {
    $("weight-value").value = $("weight-slider").value; previewWeight(Number($("weight-slider").value)); });
  on("weight-slider", "change", applyWeight);
  on("weight-apply", "click", applyWeight);
  on("weight-close", "click", closeWeight);
  on("trace-open", "click", openTrace);
  document.addEventListener("keydown", traceKeys);

  return {
    openSharedSetup,
    clickWeight,
    closeTrace,
    placeWeightEdit,
    onShow(state, fresh) {
      linkFiles();
      if (!fresh) return;
      if (state.id !== ui.sharedSession) forgetLink();
      fillPointClasses(state);
      if (ui.marks.weight && state.id !== ui.weightSession) closeWeight();   // another network
      if (state.data_source !== "uploaded") ui.uploadNotes = null;
      renderUploadNotes();
    },
    onLang() {
      if (!ui.state) return;
      fillPointClasses(ui.state);
      renderShareWhy();
      renderUploadNotes();
      renderEdit();
      if (ui.trace) renderTrace();
    },
  };
}
