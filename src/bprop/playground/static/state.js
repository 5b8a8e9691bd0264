// The page's state, shared by its modules: `ui` (window.bpPlayground, for tests and the curious),
// `$` for an element by id, and `features` (features.js: points, files, the link, edits, the trace).

export const $ = (id) => document.getElementById(id);
export const ui = {
  options: null, lang: "en", state: null, data: null, playing: false, looping: false,
  busy: false, pending: 0, queue: Promise.resolve(), painted: Promise.resolve(),
  message: null, refusal: null, selected: null, frames: 0,
  positions: [],        // the diagram's neuron boxes {layer, j, x, y, size}: centre and side in CSS px
  featureLabels: [],    // where the input labels were written {text, left, right, y}, CSS px
  columnX: null,        // layer index (from 0) → the x of its column in the diagram, CSS px
  edges: [],            // the diagram's weight lines {layer, j, k, from, to}, CSS px
  boundaryPlot: null,   // {at(x, y) → [x₁, x₂], pixel([x₁, x₂]) → [x, y]} of the boundary canvas
  marks: {},            // what the diagram highlights: {weight, layer} (features.js)
  importedModel: null,  // the last model file imported, as a data: URL (features.js, server.js)
};
export let features = null;
export function setFeatures(installed) { features = installed; }
