// The page's three pictures: the network diagram, the cost chart and the decision boundary.
// Each canvas is sized in CSS pixels and backed by devicePixelRatio times as many device pixels,
// so lines and text stay sharp on high-DPI screens; every coordinate here is in CSS pixels.

export const COLORS = ["#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728", "#8c564b"];
export const CURVES = {train: "#9a9a9a", test: "#183d4e"};   // the cost chart's two lines
const FONT = '12px system-ui, "Noto Sans CJK SC", "Noto Sans", sans-serif';
const INK = "#555", GRID = "#eee", MINUS = "−";

// -- canvas and axes --------------------------------------------------------------------

// Size `canvas` to width × height CSS pixels at the screen's pixel density, cleared; its context
// draws in CSS pixels.
export function fitCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.round(width * ratio), h = Math.round(height * ratio);
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  canvas.style.width = `${width}px`; canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = FONT;
  return ctx;
}

// Round tick values (steps of 1, 2 or 5 × 10ⁿ, at least `least`), about `count` of them, from lo to hi.
export function niceTicks(lo, hi, count, least = 0) {
  const raw = Math.max(least, (hi - lo) / Math.max(1, count));
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? 10 * power;
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(v);
  return {ticks, step};
}

// A tick value with the decimals its step needs; thousands as "k" past 10 000; a true minus.
export function tickText(value, step) {
  if (Math.abs(value) >= 10000) return `${+(value / 1000).toFixed(1)}k`;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const text = (Math.abs(value) < step / 2 ? 0 : value).toFixed(decimals);
  return text.replace("-", MINUS);
}

// Frame, grid lines, ticks and numbers of a plot area {left, top, width, height};
// x and y map a value to a pixel.
function drawAxes(ctx, plot, xs, ys, x, y) {
  const bottom = plot.top + plot.height, right = plot.left + plot.width;
  ctx.save();
  ctx.lineWidth = 1; ctx.strokeStyle = GRID;
  for (const v of xs.ticks) line(ctx, x(v), plot.top, x(v), bottom);
  for (const v of ys.ticks) line(ctx, plot.left, y(v), right, y(v));
  ctx.strokeStyle = INK; ctx.fillStyle = INK;
  ctx.strokeRect(plot.left + 0.5, plot.top + 0.5, plot.width - 1, plot.height - 1);
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const v of xs.ticks) { line(ctx, x(v), bottom, x(v), bottom + 4); ctx.fillText(tickText(v, xs.step), x(v), bottom + 5); }
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const v of ys.ticks) { line(ctx, plot.left - 4, y(v), plot.left, y(v)); ctx.fillText(tickText(v, ys.step), plot.left - 6, y(v)); }
  ctx.restore();
}

function line(ctx, x1, y1, x2, y2) {
  ctx.beginPath(); ctx.moveTo(Math.round(x1) + 0.5, Math.round(y1) + 0.5);
  ctx.lineTo(Math.round(x2) + 0.5, Math.round(y2) + 0.5); ctx.stroke();
}

function widestText(ctx, texts) { return Math.max(0, ...texts.map((t) => ctx.measureText(t).width)); }

// -- the cost chart: training and test cost against the batches trained --------------------

export function drawChart(canvas, {width, height}, history, words) {
  const ctx = fitCanvas(canvas, width, height);
  const values = history.train.concat(history.test).filter((v) => v !== null && Number.isFinite(v));
  const last = Math.max(1, history.batch[history.batch.length - 1] ?? 0);
  const ys = niceTicks(0, values.length ? Math.max(...values) : 1, 4);
  const top = Math.max(ys.ticks[ys.ticks.length - 1], values.length ? Math.max(...values) : 1) || 1;
  const xs = niceTicks(0, last, Math.max(2, Math.floor(width / 70)), 1);    // whole batches
  const left = widestText(ctx, ys.ticks.map((v) => tickText(v, ys.step))) + 10;
  const right = widestText(ctx, [tickText(xs.ticks[xs.ticks.length - 1], xs.step)]) / 2 + 4;
  const plot = {left, top: 18, width: width - left - right, height: height - 18 - 34};
  const x = (v) => plot.left + v / last * plot.width;
  const y = (v) => plot.top + plot.height * (1 - v / top);
  drawAxes(ctx, plot, xs, ys, x, y);
  ctx.fillStyle = INK; ctx.textBaseline = "alphabetic";
  ctx.textAlign = "left"; ctx.fillText(words.cost_axis, 2, 12);
  ctx.textAlign = "center"; ctx.fillText(words.batch_axis, plot.left + plot.width / 2, height - 3);
  for (const part of ["train", "test"]) drawCurve(ctx, history.batch, history[part], x, y, CURVES[part]);
}

function drawCurve(ctx, batches, values, x, y, color) {
  ctx.beginPath(); ctx.strokeStyle = color; ctx.lineWidth = 1.75; ctx.lineJoin = "round";
  let drawing = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) { drawing = false; return; }
    if (drawing) ctx.lineTo(x(batches[i]), y(v)); else ctx.moveTo(x(batches[i]), y(v));
    drawing = true;
  });
  ctx.stroke();
}

// -- the decision boundary: the network's prediction over the plane, with the points ------------

function hexRgb(hex) { const n = parseInt(hex.slice(1), 16); return [n >> 16, (n >> 8) & 255, n & 255]; }
function mix(c, t) { return c.map((v) => Math.round(255 + (v - 255) * t)); }   // white → c as t: 0 → 1

// A real value on the diverging scale of the regression plots: orange at −scale, a mid grey at 0
// (visible on the white page, unlike white), blue at +scale. The points are drawn in it, each with a
// dark outline; the shade under them is the same scale, paler (targetShade).
export const TARGET_MIDDLE = [150, 150, 150];
export function targetColor(v, scale) {
  const t = Math.max(-1, Math.min(1, (v ?? 0) / scale));
  const end = hexRgb(COLORS[t >= 0 ? 1 : 0]), a = Math.abs(t);
  return TARGET_MIDDLE.map((mid, i) => Math.round(mid + (end[i] - mid) * a));
}
const targetShade = (v, scale) => mix(targetColor(v, scale), 0.45);

function boundaryColor(values, cell, outputs, scale) {
  if (scale) return targetShade(values[cell], scale);     // regression: the network's output itself
  if (outputs === 1) {
    const p = Math.min(1, Math.max(0, values[cell] ?? 0.5));
    return mix(hexRgb(COLORS[p >= 0.5 ? 1 : 0]), Math.abs(p - 0.5) * 2 * 0.75);
  }
  let best = 0;
  for (let k = 1; k < outputs; k++) if (values[cell * outputs + k] > values[cell * outputs + best]) best = k;
  const conf = values[cell * outputs + best] ?? 0, floor = 1 / outputs;
  return mix(hexRgb(COLORS[best % COLORS.length]), Math.max(0, (conf - floor) / (1 - floor)) * 0.75);
}

function boundaryImage(b, scale) {
  const flat = b.values.flat(), image = new ImageData(b.size, b.size);
  for (let cell = 0; cell < b.size * b.size; cell++) image.data.set([...boundaryColor(flat, cell, b.outputs, scale), 255], cell * 4);
  const off = document.createElement("canvas"); off.width = off.height = b.size;
  off.getContext("2d").putImageData(image, 0, 0);
  return off;
}

// The largest |target| of a regression set (the colour scale's end), or 0 for classes.
export function targetScale(state, data) {
  if (state.task !== "regression" || !data) return 0;
  return Math.max(1e-9, ...["train", "test"].flatMap((part) => data[part].labels.map(Math.abs)));
}

// A square canvas `width` CSS pixels wide: the square plot of [−e, e]², with 34 px for the axes
// left and below. Returns `at(x, y)`: the point (x₁, x₂) under the canvas pixel (x, y), or null
// outside the plot.
export function drawBoundary(canvas, width, state, data) {
  const ctx = fitCanvas(canvas, width, width);
  const e = state.extent, side = width - 34 - 8;
  const plot = {left: 34, top: 8, width: side, height: side};
  const x = (v) => plot.left + (v + e) / (2 * e) * side;
  const y = (v) => plot.top + (e - v) / (2 * e) * side;
  ctx.imageSmoothingEnabled = true;
  const scale = targetScale(state, data);
  ctx.drawImage(boundaryImage(state.boundary, scale), plot.left, plot.top, side, side);
  if (data) for (const part of ["train", "test"]) drawPoints(ctx, data[part], part, x, y, scale);
  const ticks = niceTicks(-e, e, 4);
  drawAxes(ctx, plot, ticks, ticks, x, y);
  ctx.fillStyle = INK; ctx.textBaseline = "alphabetic";
  ctx.textAlign = "center"; ctx.fillText("x₁", plot.left + side / 2, plot.top + side + 32);
  ctx.textAlign = "left"; ctx.fillText("x₂", 2, plot.top + 10);
  return {
    at: (px, py) => (px < plot.left || py < plot.top || px > plot.left + side || py > plot.top + side ? null
      : [(px - plot.left) / side * 2 * e - e, e - (py - plot.top) / side * 2 * e]),
    pixel: ([x1, x2]) => [x(x1), y(x2)],
  };
}

// Classes: training points ringed in white, test points in black. Targets (scale > 0): every point
// ringed in dark grey too, so that one near 0 (grey) stands out from the shade; test points in black.
function drawPoints(ctx, {points, labels}, part, x, y, scale) {
  ctx.lineWidth = 1;
  points.forEach(([x1, x2], i) => {
    ctx.beginPath(); ctx.arc(x(x1), y(x2), 3, 0, 2 * Math.PI);
    ctx.fillStyle = scale ? `rgb(${targetColor(labels[i], scale)})` : COLORS[labels[i] % COLORS.length];
    ctx.strokeStyle = part === "train" ? (scale ? "#333" : "#fff") : "#000";
    ctx.fill(); ctx.stroke();
    if (scale && part === "test") { ctx.beginPath(); ctx.arc(x(x1), y(x2), 4.5, 0, 2 * Math.PI); ctx.stroke(); }
  });
}

// -- the network diagram ------------------------------------------------------------------

const MAX_NODE = 40, MIN_NODE = 8, CAPTION = 34;   // caption: two lines under the columns

// Where everything goes: column x of layer l (from 0), y of neuron j (from 0) of n, the box side.
// Boxes never overlap: the side is at most 0.8 of the row pitch and 0.45 of the column pitch.
function diagramLayout(ctx, state, width, height, words) {
  const sizes = state.sizes, L = sizes.length, widest = Math.max(...sizes);
  ctx.font = '13px system-ui, "Noto Sans", sans-serif';
  const labels = widestText(ctx, state.feature_labels);
  ctx.font = FONT;
  const caption = (l) => widestText(ctx, [`l = ${l + 1}`, ...(l === 0 ? [words.input_layer] : []),
    ...(l === L - 1 ? [words.output_layer] : [])]) / 2;
  // The margins hold the largest box, so the columns (and the + − buttons over them) stay put
  // while a layer grows or shrinks and the boxes with it.
  const left = Math.max(labels + 8 + MAX_NODE / 2, caption(0) + 2);
  const right = Math.max(MAX_NODE / 2 + 4, caption(L - 1) + 2);
  const rowPitch = (height - 6 - CAPTION) / widest, columnPitch = (width - left - right) / (L - 1);
  const node = Math.floor(Math.max(MIN_NODE, Math.min(MAX_NODE, 0.8 * rowPitch, 0.45 * columnPitch)));
  const gap = Math.min(node + 10, rowPitch);
  const middle = 6 + (height - 6 - CAPTION) / 2;
  return {
    node, sizes,
    columnX: (l) => left + l * columnPitch,
    nodeY: (j, n) => middle + (j - (n - 1) / 2) * gap,
  };
}

// A neuron's picture: its activation a^l_j over the plane, blue > 0, orange < 0, written into
// `image` (RGBA) from pixel column `left` on (size × size pixels).
function paintThumb(image, left, values, size, kind) {
  let scale = 1;
  if (kind !== "sigmoid" && kind !== "tanh") { scale = 1e-9; for (const v of values) scale = Math.max(scale, Math.abs(v ?? 0)); }
  const blue = hexRgb(COLORS[1]), orange = hexRgb(COLORS[0]), row = image.width * 4, data = image.data;
  for (let i = 0; i < size * size; i++) {
    let t = kind === "sigmoid" ? 2 * values[i] - 1 : values[i] / scale;
    t = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
    const c = t >= 0 ? blue : orange, a = Math.abs(t), at = Math.floor(i / size) * row + (left + i % size) * 4;
    data[at] = Math.round(255 + (c[0] - 255) * a); data[at + 1] = Math.round(255 + (c[1] - 255) * a);
    data[at + 2] = Math.round(255 + (c[2] - 255) * a); data[at + 3] = 255;
  }
}

// Every neuron's picture side by side in one off-screen canvas (one image per frame, not one
// per neuron): picture n of the layers' neurons in order starts at x = n · size.
const atlas = document.createElement("canvas");
function neuronAtlas(state) {
  const {size, layers} = state.neurons, s = state.settings, L = layers.length;
  const count = layers.reduce((n, layer) => n + layer.length, 0), image = new ImageData(size * count, size);
  let n = 0;
  layers.forEach((layer, l) => {
    const hidden = Array.isArray(s.activation) ? s.activation[l - 1] : s.activation;   // each layer's own σ
    const kind = l === 0 ? "feature" : (l === L - 1 ? s.output : hidden);
    for (const values of layer) paintThumb(image, size * n++, values, size, kind);
  });
  atlas.width = image.width; atlas.height = size;
  atlas.getContext("2d").putImageData(image, 0, 0);
  return atlas;
}

// Weights w^l_jk from neuron k of layer l−1 to neuron j of layer l: colour its sign, width |w|.
// Returns each line {layer, j, k, from: [x, y], to: [x, y]} (indices from 1) for clicks.
function drawWeights(ctx, state, g, chosen) {
  const sizes = state.sizes, thick = Math.max(2, 5 * g.node / MAX_NODE), edges = [];
  for (let l = 1; l < sizes.length; l++) {
    const w = state.weights[l - 1], top = Math.max(1, ...w.flat().map(Math.abs));
    for (let j = 0; j < sizes[l]; j++) for (let k = 0; k < sizes[l - 1]; k++) {
      const v = w[j][k] ?? 0;
      ctx.beginPath();
      ctx.strokeStyle = v >= 0 ? "rgba(8,119,189,0.7)" : "rgba(245,147,34,0.7)";
      ctx.lineWidth = 0.3 + thick * Math.min(1, Math.abs(v) / top);
      const from = [g.columnX(l - 1) + g.node / 2, g.nodeY(k, sizes[l - 1])];
      const to = [g.columnX(l) - g.node / 2, g.nodeY(j, sizes[l])];
      const edge = {layer: l + 1, j: j + 1, k: k + 1, from, to};
      if (chosen && chosen.layer === edge.layer && chosen.j === edge.j && chosen.k === edge.k) {
        ctx.strokeStyle = "#d62728"; ctx.lineWidth += 2;
      }
      ctx.moveTo(...from); ctx.lineTo(...to);
      ctx.stroke();
      edges.push(edge);
    }
  }
  return edges;
}

// A pale band behind the column of layer `layer` (from 1): the layer a stage of the trace is at.
function drawLayerBand(ctx, g, layer, height) {
  ctx.save();
  ctx.fillStyle = "rgba(255, 214, 10, 0.35)";
  ctx.fillRect(g.columnX(layer - 1) - g.node / 2 - 8, 0, g.node + 16, height - CAPTION + 16);
  ctx.restore();
}

// Each neuron as a box with its picture; returns the boxes {layer, j, x, y, size} (centre, from 1).
function drawNeurons(ctx, state, g, selected) {
  const sizes = state.sizes, L = sizes.length, size = state.neurons.size, pictures = neuronAtlas(state), boxes = [];
  ctx.imageSmoothingEnabled = false;
  let n = 0;
  for (let l = 0; l < L; l++) {
    for (let j = 0; j < sizes[l]; j++) {
      const cx = g.columnX(l), cy = g.nodeY(j, sizes[l]), x = cx - g.node / 2, y = cy - g.node / 2;
      ctx.drawImage(pictures, size * n++, 0, size, size, x, y, g.node, g.node);
      const chosen = selected && selected.layer === l + 1 && selected.j === j + 1;
      ctx.lineWidth = chosen ? 3 : 1; ctx.strokeStyle = chosen ? "#d62728" : "#555";
      ctx.strokeRect(x, y, g.node, g.node);
      boxes.push({layer: l + 1, j: j + 1, x: cx, y: cy, size: g.node});
    }
  }
  return boxes;
}

// The features' names left of the input boxes; returns where each was written {text, left, right, y}.
function drawFeatureLabels(ctx, state, g) {
  ctx.font = '13px system-ui, "Noto Sans", sans-serif'; ctx.fillStyle = "#333";
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  const right = g.columnX(0) - g.node / 2 - 5;
  return state.feature_labels.map((text, j) => {
    const y = g.nodeY(j, state.sizes[0]);
    ctx.fillText(text, right, y);
    return {text, left: right - ctx.measureText(text).width, right, y};
  });
}

// "l = 1" under each column, and "input" / "output" under the first and the last.
function drawLayerCaptions(ctx, state, g, height, words) {
  const L = state.sizes.length;
  ctx.font = FONT; ctx.fillStyle = INK; ctx.textAlign = "center"; ctx.textBaseline = "alphabetic";
  for (let l = 0; l < L; l++) {
    ctx.fillText(`l = ${l + 1}`, g.columnX(l), height - 19);
    const role = l === 0 ? words.input_layer : (l === L - 1 ? words.output_layer : "");
    if (role) ctx.fillText(role, g.columnX(l), height - 4);
  }
}

// Draw the network; returns its layout {node, columnX, boxes, labels, edges} for clicks and tests.
// `marks`: {weight: {layer, j, k} drawn red, layer: the layer to highlight}, each optional.
export function drawDiagram(canvas, {width, height}, state, selected, words, marks = {}) {
  const ctx = fitCanvas(canvas, width, height);
  const g = diagramLayout(ctx, state, width, height, words);
  if (marks.layer) drawLayerBand(ctx, g, marks.layer, height);
  const edges = drawWeights(ctx, state, g, marks.weight);
  const boxes = drawNeurons(ctx, state, g, selected);
  const labels = drawFeatureLabels(ctx, state, g);
  drawLayerCaptions(ctx, state, g, height, words);
  return {node: g.node, columnX: g.columnX, boxes, labels, edges};
}
