// Messages: the status line and the refusal beside a field, in the page's language.

import {ApiError} from "./server.js";
import {$, ui} from "./state.js";
import {setPlaying} from "./training.js";
import {REFUSALS, WORDS} from "./words.js";

// The status line (style.css, #status: over the page under the top bar). A notice fades after
// FADE_MS, still there to read for a screen reader and the DOM; an error stays until the next
// action says something else or clears it (say(null)).
export const FADE_MS = 12000;
let fading = null;

export function say(text, kind = "error") {
  clearTimeout(fading);
  const message = text && {text, kind, faded: false};
  ui.message = message;
  renderMessages();
  if (message && kind === "notice") {
    fading = setTimeout(() => { message.faded = true; renderMessages(); }, FADE_MS);
  }
}

export function showError(error) {
  setPlaying(false);
  if (error instanceof ApiError) say(error.words);
  else say({en: WORDS.en.server_unreachable, zh: WORDS.zh.server_unreachable});
}

export const baseParameter = (parameter) => (parameter || "").replace(/\[\d+\]$/, "");    // hidden[2] → hidden

export function refusalText(error, wanted) {
  const words = REFUSALS[baseParameter(error.parameter)];
  if (!words) return {en: error.words.en, zh: `${WORDS.zh.not_accepted}：${error.words.zh}`};
  const limits = {...ui.options.limits, train: ui.data.train.labels.length};
  return words(limits, wanted[error.parameter]);
}

export function showRefusal(error, wanted) {
  ui.refusal = {parameter: baseParameter(error.parameter), text: refusalText(error, wanted)};
  renderMessages();
}

export function renderMessages() {
  const status = $("status");
  status.textContent = ui.message ? ui.message.text[ui.lang] : "";
  status.className = ui.message ? `${ui.message.kind}${ui.message.faded ? " faded" : ""}` : "";
  for (const slot of document.querySelectorAll("[data-refusal]")) slot.textContent = "";
  if (!ui.refusal) return;
  const slot = document.querySelector(`[data-refusal~="${ui.refusal.parameter}"]`) || status;
  slot.textContent = ui.refusal.text[ui.lang];
  if (slot === status) status.className = "";                     // a refusal is no fading notice
}
