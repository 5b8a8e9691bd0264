// Talking to the server: JSON calls in the page's language, run one at a time (serially), and a
// session the server lost made again with the same settings and data (callSession).

import {say, showError} from "./messages.js";
import {closePanel} from "./panel.js";
import {$, ui} from "./state.js";
import {show} from "./training.js";
import {WORDS} from "./words.js";

const DATA_SETTINGS = ["dataset", "noise", "samples", "test_fraction", "classes", "seed"];   // data.DATA_SETTINGS

// A refusal: `message` is the server's English (what the page matches on), `words` the refusal in
// both languages ({en, zh}: server.py, _error), shown in the page's.
export class ApiError extends Error {
  constructor(status, json) {
    const words = json.words || {en: json.error || `HTTP ${status}`, zh: json.error || `HTTP ${status}`};
    super(words.en);
    this.status = status; this.parameter = json.parameter ?? null; this.words = words;
  }
}

export async function api(method, path, body) {
  const init = {method, headers: {"Accept-Language": ui.lang}};      // refusals come in the page's language
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const response = await fetch(path, init);              // a TypeError when the server does not answer
  if (response.status === 204) return null;
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

// Run `task` after every task asked before it; its error is shown, and never blocks the next.
export function serially(task) {
  ui.pending += 1; ui.busy = true;
  const run = ui.queue.then(task).catch(showError).finally(() => {
    ui.pending -= 1; ui.busy = ui.pending > 0;
  });
  ui.queue = run;
  return run;
}

export const sessionPath = (action = "") => `/api/sessions/${ui.state.id}${action}`;

// A call on this tab's session. When the server no longer has it, start it again with the same
// settings and data, say so, and make the call once more.
export async function callSession(method, action, body) {
  try {
    return await api(method, sessionPath(action), body);
  } catch (error) {
    if (!lostSession(error)) throw error;
    const key = (await recreateSession()) ? "session_expired_model" : "session_expired";
    say({en: WORDS.en[key], zh: WORDS.zh[key]}, "notice");
    return await api(method, sessionPath(action), body);
  }
}

export const MAX_EDITS_CHARS = 12000;    // point edits that fit in a settings request (guard.MAX_BODY, 16 KiB)

// The lost session made again, training on the same data: generated data comes back from the
// settings; points clicked in or out are replayed from the edits the server last sent
// (session.py, state["data"]["edits"]), bit for bit; an uploaded set (or too many edits) is
// sent again as CSV, from the points the page holds (the server sends them exactly). A network
// imported from a model file (state "network": "imported") is imported again from the file's
// bytes, which the page keeps (ui.importedModel, features.js): the model as imported, without
// the training since. True when it did so.
export async function recreateSession() {
  const lost = ui.state, data = ui.data, source = lost.data_source;
  const edits = source === "edited" && data.edits;
  if (edits && JSON.stringify(edits).length <= MAX_EDITS_CHARS) {
    await startSession({...lost.settings, edits});
  } else {
    await startSession(lost.settings);
    if (source !== "generated") {
      show(await api("POST", sessionPath("/data"), {csv: csvOf(data, lost), task: lost.task}));
    }
  }
  if (lost.network !== "imported" || !ui.importedModel) return false;
  show(await api("POST", sessionPath("/model"), {model: ui.importedModel}));
  return true;
}

// The points as CSV (x1,x2,label or target,part), the format of the upload and of data.csv.
export function csvOf(data, state) {
  const quoted = (text) => (/[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const label = (y) => (state.task === "regression" ? String(y) : quoted(state.class_names[y]));
  const lines = [state.task === "regression" ? "x1,x2,target,part" : "x1,x2,label,part"];
  for (const part of ["train", "test"]) {
    data[part].points.forEach(([x1, x2], i) => lines.push(`${x1},${x2},${label(data[part].labels[i])},${part}`));
  }
  return lines.join("\n") + "\n";
}

export const lostSession = (error) => error instanceof ApiError && error.status === 404 && error.parameter === "id";

export async function startSession(settings) {
  show(await api("POST", "/api/sessions", settings));
}

// New settings mean a new session; the old one is deleted (it may be gone already). When the
// settings that make the data did not change, the new session keeps the old one's data
// (data_from), with the points the user added, removed or uploaded. When the server has lost
// the old one meanwhile (404 on data_from), its data is made again first (recreateSession), the
// page says so, and the new settings are asked for again on top of it.
// A setting that makes data (noise, test share, classes, data set, seed) makes new data, and the
// points clicked in or out are not carried over: they were placed against the old points (to fill
// a gap, or take one out), which are gone, and a removal means nothing on the new ones. The page
// says so in one line rather than let them vanish silently.
export async function replaceSession(settings) {
  let old = ui.state.id;
  const sameData = DATA_SETTINGS.every((key) => settings[key] === ui.state.settings[key]);
  if (!sameData) {
    const clicked = ui.state.data_source === "edited";
    await startSession(settings);
    if (clicked) say({en: WORDS.en.points_replaced, zh: WORDS.zh.points_replaced}, "notice");
  } else {
    try {
      await startSession({...settings, data_from: old});
    } catch (error) {
      if (!lostSource(error)) throw error;
      await recreateSession();
      say({en: WORDS.en.session_expired, zh: WORDS.zh.session_expired}, "notice");
      old = ui.state.id;
      await startSession({...settings, data_from: old});
    }
  }
  closePanel();
  api("DELETE", `/api/sessions/${old}`).catch(() => {});
}

const lostSource = (error) => error instanceof ApiError && error.status === 404 && error.parameter === "data_from";
