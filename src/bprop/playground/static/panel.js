// The neuron panel: BP1–BP4 with backprop's own numbers.

import {drawNetwork} from "./layout.js";
import {keepSymbolsWhole} from "./math.js";
import {callSession, serially} from "./server.js";
import {$, features, ui} from "./state.js";

export function refreshPanel() { return serially(showPanel); }

export async function showPanel() {
  if (!ui.selected || !ui.state) return;
  const {layer, j} = ui.selected;
  let query = `layer=${layer}&j=${j}&lang=${ui.lang}`;
  if ($("panel-mode").value === "sample") query += `&sample=${Number($("panel-sample").value) || 0}`;
  const panel = await callSession("GET", `/neuron?${query}`);
  if (ui.selected) renderPanel(panel);                // unless it was closed meanwhile
}

// The panel takes its own column beside the network (style.css: main.panel-open).
export function openPanel() {
  $("panel").hidden = false;
  document.querySelector("main").classList.add("panel-open");
}

export function closePanel() {
  ui.selected = null;
  features.closeTrace();
  $("panel").hidden = true;
  document.querySelector("main").classList.remove("panel-open");
  drawNetwork();
}

export function renderPanel(p) {
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
