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

//
// The page's parts, one module each: state.js (shared state), server.js (calls, lost sessions),
// messages.js, controls.js, training.js, layout.js (drawing and legends), panel.js, features.js.

import {buildControls, setLang} from "./controls.js";
import {installFeatures} from "./features.js";
import {drawNetwork} from "./layout.js";
import {say, showRefusal} from "./messages.js";
import {closePanel, openPanel} from "./panel.js";
import {api, ApiError, callSession, serially, sessionPath, startSession} from "./server.js";
import {$, features, setFeatures, ui} from "./state.js";
import {setPlaying, show} from "./training.js";

window.bpPlayground = ui;           // for tests and the curious

setFeatures(installFeatures({
  ui, $, api, ApiError, serially, callSession, sessionPath, show, say, setPlaying, drawNetwork, openPanel,
  closePanel, showRefusal,
}));

// A link with a setup (#s=…) opens it; otherwise the defaults.
serially(async function start() {
  ui.options = await api("GET", "/api/options");
  buildControls();
  setLang("en");
  if (!(await features.openSharedSetup())) await startSession(ui.options.defaults);
});
