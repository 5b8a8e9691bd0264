// Drawing: each canvas as wide as its column, the diagram as tall as the window allows; the
// legends under the plot; a click on the diagram.

import {placeWidthButtons} from "./controls.js";
import {COLORS, drawBoundary, drawChart, drawDiagram, targetColor, targetScale} from "./draw.js";
import {refreshPanel} from "./panel.js";
import {$, features, ui} from "./state.js";
import {WORDS} from "./words.js";

export const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

// The diagram fills its column's width and the window's height left below it (so the page needs
// no scrolling), within 300–760 px and never much taller than wide.
export function diagramSize() {
  const canvas = $("diagram"), width = canvas.parentElement.clientWidth;
  const top = canvas.getBoundingClientRect().top + window.scrollY;
  const below = $("diagram-hint").offsetHeight + 24;     // the weight editor lies over the diagram
  return {width, height: Math.round(clamp(window.innerHeight - top - below, 300, Math.min(760, 0.95 * width)))};
}

// The boundary plot is square: as wide as its column, unless the window is too short to show it
// and the legends under it (then no smaller than 220 px).
export function boundarySide() {
  const canvas = $("boundary"), column = canvas.parentElement, box = canvas.getBoundingClientRect();
  const below = column.getBoundingClientRect().bottom - box.bottom + 12;     // 12: main's bottom padding
  return Math.round(clamp(window.innerHeight - box.top - window.scrollY - below, 220, column.clientWidth));
}

export function drawAll() {
  if (!ui.state) return;
  drawNetwork();
  const width = $("chart").parentElement.clientWidth;
  drawChart($("chart"), {width, height: Math.round(clamp(0.5 * width, 140, 190))}, ui.state.history, WORDS[ui.lang]);
  ui.boundaryPlot = drawBoundary($("boundary"), boundarySide(), ui.state, ui.data);
}

export function drawNetwork() {
  if (!ui.state) return;
  const layout = drawDiagram($("diagram"), diagramSize(), ui.state, ui.selected, WORDS[ui.lang], ui.marks);
  ui.positions = layout.boxes; ui.featureLabels = layout.labels; ui.edges = layout.edges;
  placeWidthButtons(layout.columnX);
  features.placeWeightEdit();
}

// Redraw when a column changes width (the window resized, the panel opened or closed) or the
// window's height changed; at most once a frame, and not for the canvases' own new heights.
export function redrawOnResize() {
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

export function clickDiagram(event) {
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
export function renderClassLegend() {
  const words = WORDS[ui.lang];
  $("shade-hint").textContent = words[ui.state.task === "regression" ? "shade_regression" : "shade"];
  document.querySelector("main").classList.toggle("regression", ui.state.task === "regression");   // the points' rings
  if (ui.state.task === "regression") { renderTargetLegend(words); return; }
  const classes = Array.from({length: ui.state.classes}, (_, k) => k);
  $("class-legend").innerHTML = classes.map((k) =>
    `<span><i class="dot" style="background:${COLORS[k % COLORS.length]}"></i>${classLabel(k, words)}</span>`).join("");
}

// An uploaded set's own label for class k ("cat"); "class k" otherwise.
export function classLabel(k, words) {
  const names = ui.state.data_source === "uploaded" ? ui.state.class_names : null;
  return names ? names[k] : words.class_name(k);
}

export function renderTargetLegend(words) {
  const m = targetScale(ui.state, ui.data), stops = [-1, -0.5, 0, 0.5, 1];
  const gradient = stops.map((t) => `rgb(${targetColor(t * m, m)})`).join(", ");
  $("class-legend").innerHTML = `<span>${words.target_axis}</span><span>−${m.toFixed(2)}</span>` +
    `<i class="scale" style="background:linear-gradient(to right, ${gradient})"></i><span>${m.toFixed(2)}</span>`;
}
