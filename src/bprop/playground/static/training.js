// Training: play (pipelined), step, reset; each frame unpacked and shown (show).

import {renderControls} from "./controls.js";
import {drawAll, renderClassLegend} from "./layout.js";
import {say} from "./messages.js";
import {showPanel} from "./panel.js";
import {api, ApiError, callSession, lostSession, serially, sessionPath} from "./server.js";
import {$, features, ui} from "./state.js";
import {both, WORDS} from "./words.js";

export function reset() {
  setPlaying(false);
  return serially(async () => { show(await callSession("POST", "/reset")); await showPanel(); });
}

export function setPlaying(playing) {
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
export async function loop() {
  ui.looping = true;
  let ahead = null;            // the task of the step already asked for
  while (ui.playing || ahead) {
    const done = await (ahead || serially(() => playFrame(askStep())));
    ahead = done ? done.ahead : null;             // nothing when it failed (serially showed why)
  }
  ui.looping = false;
}

export const stepAction = () => `/step?batches=${Number($("speed").value)}`;

// The answer to one step, as {frame} or {error}: it may come before its task awaits it.
export function askStep() {
  const action = stepAction();
  return api("POST", sessionPath(action)).then((frame) => ({frame, action}), (error) => ({error, action}));
}

export async function playFrame(request) {
  const {frame: answer, error, action} = await request;
  let frame = answer;
  if (error instanceof ApiError) {
    if (!lostSession(error)) throw error;
    frame = await callSession("POST", action);    // the session is made again, then asked again
  } else if (error) {
    frame = await playThrough(error, action);
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

// Waits between tries while playing and the server does not answer (a restart): about 10 s in all.
export const RETRY_MS = [500, 1000, 2000, 3000, 3500];

// While playing, a server that does not answer (fetch's TypeError) is asked again after each wait
// of RETRY_MS, the status line saying so; when it answers, a session it lost (restarted) is made
// again with the settings and data (callSession) and play goes on. Paused meanwhile, or no answer
// after the last wait: the error, as before (showError: "does not answer").
async function playThrough(error, action) {
  for (const [i, wait] of RETRY_MS.entries()) {
    if (!ui.playing) break;
    say(both("server_retrying", i + 1, RETRY_MS.length), "notice");
    await new Promise((resolve) => setTimeout(resolve, wait));
    if (!ui.playing) break;
    try {
      const frame = await callSession("POST", action);
      say(both("server_back"), "notice");
      return frame;
    } catch (again) {
      if (again instanceof ApiError) throw again;
    }
  }
  throw error;
}

// After the browser has painted what was drawn (rAF runs just before a paint; the timeout after it).
export const afterPaint = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));

export function showFrame(frame) {
  const state = unpackFrame(frame);
  show(state);
  ui.painted = afterPaint();
  if (state.diverged) { say(divergedWords(state)); setPlaying(false); }
  ui.frames += 1;
}

export async function trainFrame(batches) {
  showFrame(await callSession("POST", `/step?batches=${batches}`));
  if (ui.selected && (!ui.playing || ui.frames % 5 === 0)) await showPanel();
}

// A step answers only what a step changes (server.py, Session.frame), its two pictures as bytes:
// the state to draw is the one the page has with the frame's keys, the pictures as state sends them.
// Not what came with the last answer only (the points, an edit's change, an upload's notes): a
// frame is not a fresh state (show).
export function unpackFrame(frame) {
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
export function unpacked({lo, hi, bytes}, length) {
  const raw = atob(bytes);
  return lo.map((low, row) => {
    const step = (hi[row] - low) / 255, values = new Array(length);
    for (let i = 0; i < length; i++) values[i] = low + raw.charCodeAt(row * length + i) * step;
    return values;
  });
}

// Draw a state; a new session's, or one whose settings or data changed, also sets every control.
export function show(state) {
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
export function divergedWords(state) {
  const words = (lang) => WORDS[lang].diverged(state.batches + 1, state.settings.learning_rate);
  return {en: words("en"), zh: words("zh")};
}
