"""The playground end to end in real headless Chromium (Debian's ``chromium``, driven by Playwright).

Load the page, press play, see the test cost fall and the boundary image
change, click a neuron and see its δ (the very number the API gives), switch to
中文. Change every control as a user would and read, from the server, that the
session trains what the controls say; type refused values and see them revert
with a message; delete the session behind the page's back and keep working.
The layout: no sideways scroll from 1024 to 1920 px, the neuron panel whole in
the window, sharp canvases at devicePixelRatio 2, 8 layers × 16 neurons without
overlapping boxes, and no English left on the Chinese page.
Screenshots are kept under tmp/artifacts/playground/<test>/ (or
$BPROP_ARTIFACTS/playground/<test>/). Skipped, with the reason, where Chromium
or Playwright is missing; Playwright never downloads a browser here.
"""

import os
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.browser  # drives headless Chromium; run with -m browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = (
    Path(os.environ.get("BPROP_ARTIFACTS", Path(__file__).resolve().parents[1] / "tmp" / "artifacts")) / "playground"
)

if not Path(CHROMIUM).exists():
    pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)"
)
pytest.importorskip("uvicorn", reason="uvicorn is not installed (pip install 'bprop[playground]')")

from bprop.playground import create_app  # noqa: E402
from live_server import LiveServer  # noqa: E402


@pytest.fixture
def shots(request):
    """A fresh folder for this test's screenshots."""
    folder = ARTIFACTS / request.node.name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def browser():
    """A live server and Chromium; ``browser.open(width, height, scale)`` gives a page on the server."""
    with LiveServer(create_app()) as live, sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:

            def open_page(width=1400, height=900, scale=1):
                page = chromium.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
                page.live = live
                page.problems = []
                page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
                page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
                page.on("request", lambda r: r.url.startswith(live.url) or page.problems.append(f"external: {r.url}"))
                return page

            chromium.open = open_page
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    return browser.open()


def loaded(page):
    """Open the playground and wait until its first session is drawn and nothing is pending."""
    page.goto(page.live.url + "/")
    page.wait_for_function("() => window.bpPlayground.state && window.bpPlayground.data && !window.bpPlayground.busy")
    return page


def click_neuron(page, layer, j):
    """Click neuron j of layer l on the diagram (its box's centre, in CSS pixels of the canvas)."""
    spot = page.evaluate(f"() => window.bpPlayground.positions.find(p => p.layer === {layer} && p.j === {j})")
    box = page.locator("#diagram").bounding_box()
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    page.wait_for_selector(f"#panel-body section[data-section={'bp2' if layer < len(sizes(page)) else 'bp1'}]")
    settled(page)


def sizes(page):
    return page.evaluate("() => window.bpPlayground.state.sizes")


def test_play_watch_the_cost_fall_click_a_neuron_and_read_it_in_chinese(page, shots):
    page.goto(page.live.url + "/")
    page.wait_for_function("() => window.bpPlayground.state && window.bpPlayground.data")
    first_cost = float(page.text_content("#test-cost"))
    first_image = page.evaluate("() => document.getElementById('boundary').toDataURL()")
    page.screenshot(path=str(shots / "1-loaded.png"))

    page.click("#play")
    page.wait_for_function("() => window.bpPlayground.state.batches >= 300", timeout=20_000)
    page.click("#play")  # pause
    page.wait_for_function("() => !window.bpPlayground.playing && !window.bpPlayground.busy")
    cost = float(page.text_content("#test-cost"))
    assert cost < 0.7 * first_cost, (first_cost, cost)
    assert page.evaluate("() => document.getElementById('boundary').toDataURL()") != first_image
    page.screenshot(path=str(shots / "2-trained.png"))

    click_neuron(page, 2, 1)  # j = 1 of layer 2, on the diagram canvas
    panel = page.text_content("#panel")
    assert "δ" in panel and "BP2" in panel and "BP3" in panel and "BP4" in panel
    shown = float(page.get_attribute("#panel-body", "data-delta"))
    sid = page.evaluate("() => window.bpPlayground.state.id")
    api = page.request.get(f"{page.live.url}/api/sessions/{sid}/neuron?layer=2&j=1").json()
    assert shown == api["delta"][0]
    session = page.live.app.state.store.get(sid)
    rows = session.next_batch()
    grads = session.net.backprop(
        session.X_train[rows], session.y_train[rows], l2=session.settings.l2, n=len(session.y_train)
    )
    assert shown == grads.deltas[0][0, 0]  # δ^2_1 of row 0: backprop's own number
    page.locator("#panel").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "3-neuron.png"), full_page=True)

    page.click("#lang")
    page.wait_for_function("() => document.querySelector('#panel-body').textContent.includes('公式2')")
    assert page.text_content("#lang") == "English"
    assert "运行" in page.text_content("#play") and "误差" in page.text_content("#panel-body")
    page.screenshot(path=str(shots / "4-chinese.png"), full_page=True)
    assert not page.problems, page.problems


# -- every control round-trips through the server ------------------------------------------


def test_frames_draw_the_servers_pictures_and_leave_a_field_being_typed_in_alone(page):
    """A step answers a frame (its pictures as bytes, session.frame): the page draws what the state
    holds, to one 8-bit step, and a frame is not a new state, so it never resets the controls."""
    loaded(page)
    page.click("#play")
    typed = page.input_value("#learning-rate")
    page.fill("#learning-rate", "0.0")  # typed, not yet committed (no change event)
    page.wait_for_function("() => window.bpPlayground.frames >= 10", timeout=20_000)
    assert page.input_value("#learning-rate") == "0.0"
    page.fill("#learning-rate", typed)  # as it was, so that leaving the field changes nothing
    page.click("#play")  # pause
    page.wait_for_function("() => !window.bpPlayground.playing && !window.bpPlayground.busy")
    drawn = page.evaluate("() => window.bpPlayground.state")
    state = server_state(page)
    assert drawn["batches"] == state["batches"] and drawn["weights"] == state["weights"]
    assert "data" not in drawn and page.evaluate("() => window.bpPlayground.data.train.labels.length") > 0
    for picture, whole in zip(drawn["neurons"]["layers"], state["neurons"]["layers"], strict=True):
        assert np.allclose(picture, whole, atol=np.ptp(whole) / 255 + 1e-2)
    b = state["boundary"]
    assert np.allclose(drawn["boundary"]["values"], np.ravel(b["values"]), atol=np.ptp(b["values"]) / 255 + 2e-3)


# Counts the step requests in flight (the most at once), how far the steps asked ran ahead of the frames
# drawn (2: the next asked before the last was drawn), and the step counts the page showed, in order.
WATCH_STEPS = """
window.__steps = {now: 0, most: 0, sent: 0, ahead: 0, shown: []};
const fetched = window.fetch;
window.fetch = async (...args) => {
  const step = String(args[0]).includes("/step");
  if (step) {
    __steps.now += 1; __steps.most = Math.max(__steps.most, __steps.now);
    __steps.sent += 1; __steps.ahead = Math.max(__steps.ahead, __steps.sent - window.bpPlayground.frames);
  }
  try { return await fetched(...args); } finally { if (step) __steps.now -= 1; }
};
addEventListener("DOMContentLoaded", () => new MutationObserver(() => __steps.shown.push(
  Number(document.getElementById("batches").textContent))).observe(document.getElementById("batches"), {childList: true}));
"""


def test_play_asks_the_next_step_while_drawing_one_at_a_time_and_in_order(page):
    """Play is pipelined (app.js, loop): one step in flight while the last frame is drawn, never two,
    frames in order; a reset, a change or a lost session while playing take effect and leave the page
    showing what the server has."""
    page.add_init_script(WATCH_STEPS)
    loaded(page)

    def play(frames):
        start = page.evaluate("() => window.bpPlayground.frames")
        page.evaluate("() => { window.__steps.shown = []; }")
        if not page.evaluate("() => window.bpPlayground.playing"):
            page.click("#play")
        page.wait_for_function(f"() => window.bpPlayground.frames >= {start + frames}", timeout=20_000)

    def in_order(restarts=0):
        shown = page.evaluate("() => window.__steps.shown")
        back = [b for a, b in zip(shown, shown[1:]) if b <= a]
        assert len(shown) >= 10 and back == [0] * restarts, shown  # a new session starts at 0

    def drawn_is_the_servers():
        page.wait_for_function("() => !window.bpPlayground.playing && !window.bpPlayground.busy")
        drawn, state = page.evaluate("() => window.bpPlayground.state"), server_state(page)
        assert (drawn["id"], drawn["batches"], drawn["weights"]) == (state["id"], state["batches"], state["weights"])
        return state

    play(15)
    in_order()
    assert page.evaluate("() => [window.__steps.most, window.__steps.ahead]") == [1, 2]  # before a lost session's retry
    page.click("#reset")  # while a step is in flight
    assert drawn_is_the_servers()["batches"] == 0

    play(15)
    in_order()
    type_into(page, "#learning-rate", "0.1")  # a change while playing: a new session, nothing of the old one drawn
    state = drawn_is_the_servers()
    assert state["settings"]["learning_rate"] == 0.1 and state["batches"] == 0
    assert page.input_value("#learning-rate") == "0.1"

    play(15)
    lost = server_state(page)
    assert page.request.delete(f"{page.live.url}/api/sessions/{lost['id']}").status == 204  # while playing
    page.wait_for_function(f"() => window.bpPlayground.state.id !== {lost['id']!r}")
    page.wait_for_function("() => window.bpPlayground.state.batches >= 30", timeout=20_000)
    in_order(restarts=1)
    page.click("#play")  # pause
    state = drawn_is_the_servers()
    assert state["settings"] == lost["settings"] and "The session had expired" in page.text_content("#status")
    assert page.evaluate("() => window.__steps.most") == 1
    assert not expected_console_errors(page.problems), page.problems


def settled(page):
    """Wait until the page has no call to the server pending; the page's state then is the server's."""
    page.wait_for_function("() => !window.bpPlayground.busy")


def server_state(page):
    """The state of the page's session, read from the API (not from the page)."""
    sid = page.evaluate("() => window.bpPlayground.state.id")
    response = page.request.get(f"{page.live.url}/api/sessions/{sid}")
    assert response.ok, response.text()
    return response.json()


def type_into(page, field, text):
    page.fill(field, text)
    page.press(field, "Enter")  # commits the value: a change event
    settled(page)


def refusal(page, parameter):
    return page.text_content(f"[data-refusal~={parameter}]")


def expected_console_errors(problems):
    """Chromium logs every 400 (a refused setting) and 404 (the deleted session) as a console error."""
    return [p for p in problems if not ("status of 400" in p or "status of 404" in p)]


def test_every_control_changes_what_the_server_trains(page, shots):
    page.goto(page.live.url + "/")
    page.wait_for_function("() => window.bpPlayground.state && window.bpPlayground.data")
    settled(page)
    first = server_state(page)
    assert first["settings"]["dataset"] == "circles" and first["settings"]["activation"] == "tanh"

    page.select_option("#dataset", value='"spiral"')  # values are the server's names, as JSON
    settled(page)
    type_into(page, "#classes", "3")
    for _ in range(2):  # the keyboard moves a slider one step and fires change each time
        page.press("#noise", "ArrowRight")
        settled(page)  # each answer redraws both sliders from the server: press again after it
        page.press("#test-fraction", "ArrowLeft")
        settled(page)
    page.check("#features input[value=x1sq]")
    settled(page)
    page.check("#features input[value=sin1]")
    settled(page)
    for button in ("#add-layer", "#add-layer", "#remove-layer"):  # [4, 4] → [4, 4, 2, 2] → [4, 4, 2]
        page.click(button)
    width = "#width-buttons .widths:nth-child({}) button[data-d='{}']"
    for button in (width.format(3, 1), width.format(3, 1), width.format(1, -1)):  # → [3, 4, 4]
        page.click(button)
    settled(page)
    page.select_option("#activation", label="ReLU")  # the names shown are the human ones
    settled(page)
    layer_sigma = "#width-buttons .widths:nth-child({}) select.layer-sigma"
    assert [page.input_value(layer_sigma.format(i)) for i in (1, 2, 3)] == ['"relu"'] * 3  # all layers
    page.select_option(layer_sigma.format(2), label="tanh")  # layer l = 3 only
    page.select_option("#output-cost", label="softmax + log-likelihood")
    page.select_option("#optimizer", label="Adam")
    settled(page)
    type_into(page, "#learning-rate", "0.03")
    type_into(page, "#batch-size", "25")
    type_into(page, "#l2", "0.001")
    type_into(page, "#l1", "0.01")
    type_into(page, "#dropout", "0.2")

    state = server_state(page)
    s = state["settings"]
    assert s["dataset"] == "spiral" and s["classes"] == 3 and state["classes"] == 3
    assert s["noise"] == pytest.approx(0.07) and s["test_fraction"] == pytest.approx(0.4)
    assert s["features"] == ["x1", "x2", "x1sq", "sin1"]
    assert s["hidden"] == [3, 4, 4]
    assert s["activation"] == ["relu", "tanh", "relu"]  # one σ per hidden layer, l = 2, 3, 4
    assert (s["output"], s["cost"], s["optimizer"]) == ("softmax", "log_likelihood", "adam")
    assert (s["learning_rate"], s["batch_size"], s["l2"], s["l1"], s["dropout"]) == (0.03, 25, 0.001, 0.01, 0.2)
    assert state["sizes"] == [4, 3, 4, 4, 3]  # 4 features in, 3 classes out
    assert state["id"] != first["id"]
    assert page.live.app.state.store.get(state["id"]).settings.to_dict() == s

    # what trains is what the controls say: bprop's own objects, and one step of 25 samples
    session = page.live.app.state.store.get(state["id"])
    net = session.net
    assert [sigma.name for sigma in net.hidden_activations] == ["relu", "tanh", "relu"]
    assert (net.output.name, net.cost.name) == ("softmax", "log_likelihood")
    assert type(session.optimizer).__name__ == "Adam" and session.optimizer.lr == 0.03
    train_size = len(state["data"]["train"]["labels"])
    assert train_size == 240 and set(state["data"]["train"]["labels"]) == {0, 1, 2}
    page.click("#step")
    settled(page)
    stepped = server_state(page)
    assert stepped["batches"] == 1 and stepped["epoch"] * train_size == pytest.approx(25)
    page.click("#reset")
    settled(page)
    assert server_state(page)["batches"] == 0 and page.text_content("#batches") == "0"

    # the page shows the server's settings, and keeps one session
    fields = ("#classes", "#learning-rate", "#batch-size", "#l2", "#l1", "#dropout", "#noise")
    shown = {f: page.input_value(f) for f in fields}
    assert shown == dict(zip(fields, ["3", "0.03", "25", "0.001", "0.01", "0.2", "0.07"]))
    assert page.text_content("#hidden-count") == "3"
    assert [page.input_value(layer_sigma.format(i)) for i in (1, 2, 3)] == ['"relu"', '"tanh"', '"relu"']
    assert page.evaluate("() => document.getElementById('activation').selectedOptions[0].textContent") == (
        "differs by layer (see each layer)"
    )
    deadline = time.monotonic() + 5
    while len(page.live.app.state.store) > 1 and time.monotonic() < deadline:  # old ones deleted
        time.sleep(0.05)
    assert len(page.live.app.state.store) == 1
    page.screenshot(path=str(shots / "1-every-control-changed.png"))

    # refused values revert to the server's, with a message beside the field
    sid = state["id"]
    type_into(page, "#learning-rate", "-1")
    assert page.input_value("#learning-rate") == "0.03"
    assert "greater than 0" in refusal(page, "learning_rate") and "“-1”" in refusal(page, "learning_rate")
    type_into(page, "#learning-rate", "fast")
    assert page.input_value("#learning-rate") == "0.03" and "“fast”" in refusal(page, "learning_rate")
    type_into(page, "#batch-size", "9999")
    assert page.input_value("#batch-size") == "25" and "1 to 240" in refusal(page, "batch_size")
    type_into(page, "#dropout", "1")  # p = 1 would drop every neuron
    assert page.input_value("#dropout") == "0.2" and "from 0 to 0.9" in refusal(page, "dropout")
    assert refusal(page, "learning_rate") == ""  # one message at a time: the latest refusal
    for name in ("x1", "x2", "x1sq"):
        page.uncheck(f"#features input[value={name}]")
        settled(page)
    page.click("#features input[value=sin1]")  # the last one cannot go: the page checks it again
    settled(page)
    assert page.is_checked("#features input[value=sin1]")
    assert "at least one feature" in refusal(page, "features")
    assert server_state(page)["settings"]["features"] == ["sin1"]
    for _ in range(4):  # 3 hidden layers + 4 > 6
        page.click("#add-layer")
    settled(page)
    assert "At most 6 hidden layers" in refusal(page, "hidden")
    assert server_state(page)["settings"]["hidden"] == [3, 4, 4, 2, 2, 2]
    assert server_state(page)["settings"]["activation"] == ["relu", "tanh", "relu", "relu", "relu", "relu"]
    assert page.text_content("#hidden-count") == "6"
    page.select_option("#activation", label="sigmoid")  # "all layers": every hidden layer's σ at once
    settled(page)
    assert server_state(page)["settings"]["activation"] == "sigmoid"
    assert {page.input_value(layer_sigma.format(i)) for i in range(1, 7)} == {'"sigmoid"'}
    type_into(page, "#learning-rate", "-1")
    page.screenshot(path=str(shots / "2-refused.png"))
    page.click("#lang")
    assert "η 须为大于 0" in refusal(page, "learning_rate")  # the message follows the page's language
    page.screenshot(path=str(shots / "3-refused-zh.png"))
    assert server_state(page)["settings"]["learning_rate"] == 0.03 and sid != server_state(page)["id"]

    # a session deleted behind the page's back: the next step starts a new one with the same settings
    for button, lang, words in (("#step", "zh", "会话已过期"), ("#play", "en", "The session had expired")):
        if page.evaluate("() => window.bpPlayground.lang") != lang:
            page.click("#lang")
        lost = server_state(page)
        assert page.request.delete(f"{page.live.url}/api/sessions/{lost['id']}").status == 204
        page.click(button)
        page.wait_for_function(f"() => window.bpPlayground.state.id !== {lost['id']!r}")
        if button == "#play":
            page.wait_for_function("() => window.bpPlayground.state.batches >= 30", timeout=20_000)
            page.click("#play")
        settled(page)
        again = server_state(page)
        assert again["settings"] == lost["settings"] and again["batches"] >= 1
        assert words in page.text_content("#status")
        page.screenshot(path=str(shots / f"4-recovered-{lang}.png"))
    page.click("#step")  # and it keeps working
    settled(page)
    assert server_state(page)["batches"] == again["batches"] + 1
    assert not expected_console_errors(page.problems), page.problems


# -- the layout: every width from 1024 to 1920 px, sharp canvases, big networks, Chinese ---------

NO_SIDEWAYS_SCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"
PANEL_RECT = "() => document.getElementById('panel').getBoundingClientRect().toJSON()"
SMALLEST_SCRIPT = """() => Math.min(...[...document.querySelectorAll('#panel-body sup, #panel-body sub')]
    .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
# The symbols of the panel split across lines: each sub/superscript must sit in one unbreakable
# symbol (.sym, math.js) that is on one line, and beside its base (its box within the symbol's).
SPLIT_SYMBOLS = """() => [...document.querySelectorAll('#panel sup, #panel sub')].filter(e => {
  const sym = e.closest('.sym'), rects = sym ? sym.getClientRects() : [];
  if (rects.length !== 1) return true;
  const s = rects[0], b = e.getBoundingClientRect(), middle = (b.top + b.bottom) / 2;
  return !(s.left <= b.left + 0.5 && b.right <= s.right + 0.5 && s.top - 4 <= middle && middle <= s.bottom + 4);
}).map(e => (e.closest('.sym') || e.parentElement).textContent)"""
CANVAS_SCALES = """() => [...document.querySelectorAll('canvas')].map(c =>
    [c.id, c.width / c.getBoundingClientRect().width, c.height / c.getBoundingClientRect().height])"""


def test_a_width_click_survives_a_new_state_arriving_between_mouse_down_and_up(page):
    """A quick user clicks + while an earlier change is still on its way: the state that comes back
    between the press and the release must not swallow the click (the buttons stay the same elements)."""
    loaded(page)
    box = page.locator("#width-buttons .widths:nth-child(1) button[data-d='1']").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.evaluate(
        "() => { const f = document.getElementById('l2'); f.value = '0.001'; f.dispatchEvent(new Event('change')); }"
    )
    page.wait_for_function("() => window.bpPlayground.state.settings.l2 === 0.001")
    settled(page)
    page.mouse.up()
    settled(page)
    state = server_state(page)
    assert state["settings"]["l2"] == 0.001 and state["settings"]["hidden"] == [5, 4]
    assert page.text_content("#width-buttons .widths:nth-child(1) button[data-d='1']") == "+"


def test_the_hidden_sigma_leaves_with_the_last_hidden_layer_and_comes_back_with_one(page):
    """With no hidden layer the hidden σ acts on nothing: its field goes rather than take a change that does nothing."""
    loaded(page)
    assert page.is_visible("#activation")
    for _ in server_state(page)["settings"]["hidden"]:
        page.click("#remove-layer")
    settled(page)
    assert server_state(page)["settings"]["hidden"] == [] and page.is_hidden("#activation")
    assert page.is_visible("#output-cost")  # the output's σ and cost still apply
    page.click("#add-layer")
    settled(page)
    assert server_state(page)["settings"]["hidden"] == [2] and page.is_visible("#activation")


# For each select of the controls column (width: 100%): its widest option's text width (the select's own
# font, measured on a canvas) and the room its box leaves beside the padding and a 20 px dropdown arrow.
SELECT_ROOM = """() => { const c = document.createElement('canvas').getContext('2d');
  return [...document.querySelectorAll('.controls select')].filter(s => s.offsetParent).map(s => {
    const cs = getComputedStyle(s); c.font = cs.font;
    const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20;
    const texts = [...s.options].filter(o => !o.hidden).map(o => o.textContent);
    return [s.id, Math.max(...texts.map(t => c.measureText(t).width)), room]; }); }"""


def test_the_controls_selects_show_their_options_whole_at_1024_px_in_both_languages(browser, shots):
    page = loaded(browser.open(1024, 768))
    for lang in ("en", "zh"):
        fits = page.evaluate(SELECT_ROOM)
        assert "optimizer" in [name for name, _, _ in fits]
        assert [(name, round(text), round(room)) for name, text, room in fits if text > room] == [], lang
        page.screenshot(path=str(shots / f"controls-1024-{lang}.png"))
        page.click("#lang")


@pytest.mark.parametrize("width, height, scale", [(1024, 768, 1), (1920, 1080, 1), (1400, 900, 2)])
def test_no_sideways_scroll_and_the_neuron_panel_whole_in_the_window(browser, width, height, scale, shots):
    page = loaded(browser.open(width, height, scale))
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    click_neuron(page, 3, 2)
    page.wait_for_timeout(100)  # the columns settle, the canvases redraw at their new widths
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    panel = page.evaluate(PANEL_RECT)
    assert panel["left"] >= 0 and panel["top"] >= 0, panel
    assert panel["right"] <= width and panel["bottom"] <= height, panel
    diagram = page.locator("#diagram").bounding_box()  # the panel is beside the network, not over it
    assert panel["right"] <= diagram["x"] or panel["left"] >= diagram["x"] + diagram["width"]
    assert diagram["y"] + diagram["height"] <= height
    assert page.evaluate(SMALLEST_SCRIPT) >= 12  # readable sub/superscripts
    assert page.evaluate("() => document.querySelectorAll('#panel .sym').length") > 20
    assert page.evaluate(SPLIT_SYMBOLS) == []  # no b²₁ with its b on one line and its ²₁ on the next
    for name, sx, sy in page.evaluate(CANVAS_SCALES):  # a device pixel per device pixel: sharp
        assert sx == pytest.approx(scale, abs=0.02) and sy == pytest.approx(scale, abs=0.02), name
    page.screenshot(path=str(shots / f"{width}x{height}-scale{scale}.png"))
    page.click("#panel-close")
    page.wait_for_timeout(100)
    assert page.evaluate(NO_SIDEWAYS_SCROLL) and page.is_visible("#dataset")
    assert not page.problems, page.problems


def grow_to_eight_layers_of_sixteen(page):
    """All 7 features, 6 hidden layers of 16 neurons, 6 classes: sizes [7, 16, 16, 16, 16, 16, 16, 6]."""
    page.select_option("#dataset", value='"spiral"')
    settled(page)
    type_into(page, "#classes", "6")
    for box in page.query_selector_all("#features input:not(:checked)"):
        box.check()
        settled(page)
    for _ in range(4):
        page.click("#add-layer")
    settled(page)
    for i, width in enumerate(server_state(page)["settings"]["hidden"], start=1):
        for _ in range(16 - width):
            page.click(f"#width-buttons .widths:nth-child({i}) button[data-d='1']")
        settled(page)
    assert sizes(page) == [7, 16, 16, 16, 16, 16, 16, 6]


BOXES_ON_PAGE = """() => {
  const c = document.getElementById('diagram').getBoundingClientRect(), u = window.bpPlayground;
  return {canvas: c.toJSON(),
          boxes: u.positions.map(p => ({layer: p.layer, j: p.j, left: c.left + p.x - p.size / 2,
                                        top: c.top + p.y - p.size / 2, size: p.size})),
          labels: u.featureLabels.map(l => ({text: l.text, left: c.left + l.left, right: c.left + l.right}))};
}"""


def overlapping(boxes):
    """The pairs of boxes whose rectangles share some area."""
    return [
        (a["layer"], a["j"], b["layer"], b["j"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["left"] < b["left"] + b["size"]
        and b["left"] < a["left"] + a["size"]
        and a["top"] < b["top"] + b["size"]
        and b["top"] < a["top"] + a["size"]
    ]


@pytest.mark.parametrize("width, height", [(1400, 900), (1024, 768)])
def test_eight_layers_of_sixteen_neurons_fit_without_overlap(browser, width, height, shots):
    page = loaded(browser.open(width, height))
    grow_to_eight_layers_of_sixteen(page)
    if width == 1024:
        click_neuron(page, 8, 1)  # the panel open: the narrowest diagram
        page.wait_for_timeout(100)
    drawn = page.evaluate(BOXES_ON_PAGE)
    canvas, boxes, labels = drawn["canvas"], drawn["boxes"], drawn["labels"]
    assert len(boxes) == 7 + 6 * 16 + 6
    assert not overlapping(boxes)
    assert min(b["size"] for b in boxes) >= 8
    for b in boxes:  # inside the canvas
        assert canvas["left"] <= b["left"] and b["left"] + b["size"] <= canvas["right"], b
        assert canvas["top"] <= b["top"] and b["top"] + b["size"] <= canvas["bottom"], b
    inputs = min(b["left"] for b in boxes if b["layer"] == 1)
    assert [label["text"] for label in labels] == ["x₁", "x₂", "x₁²", "x₂²", "x₁x₂", "sin(x₁)", "sin(x₂)"]
    for label in labels:  # whole, and left of the input boxes
        assert canvas["left"] <= label["left"] and label["right"] <= inputs, label
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=str(shots / f"8x16-{width}.png"))
    assert not page.problems, page.problems


# English that must not be left on the Chinese page: the option identifiers the server takes, and
# the words of the page's own labels. Case matters: "Adam" and "SGD" are names, "adam" is a value.
IDENTIFIERS = set(
    "leaky_relu relu cross_entropy log_likelihood quadratic identity circles spiral moons gaussians xor "
    "sgd momentum nesterov adam".split()
)
ENGLISH = set(
    "train test training cost batches hidden layers class input output points play reset step epoch "
    "noise features dataset optimizer".split()
)
KEPT = set(
    "bprop English tanh sigmoid softmax ReLU Leaky SGD Adam Nesterov XOR sin CSV dropout".split()
)  # kept in Latin letters
VISIBLE_TEXT = """() => {
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const texts = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (n.textContent.trim() && (el.tagName === 'OPTION' ? shown(el.parentElement) : shown(el))) texts.push(n.textContent);
  }
  return texts;
}"""


def english_left(texts):
    """The identifiers, listed English words and other Latin words of 3+ letters not KEPT, in `texts`."""
    words = set(re.findall(r"[A-Za-z_]+", " ".join(texts)))
    return sorted(w for w in words if w in IDENTIFIERS or w.lower() in ENGLISH or (len(w) >= 3 and w not in KEPT))


def test_the_chinese_page_names_every_option_and_label_in_chinese(page, shots):
    loaded(page)
    page.click("#lang")
    page.select_option("#optimizer", value='"adam"')  # its panel note names the optimizer
    settled(page)
    page.select_option("#dataset", value='"spiral"')  # the class legend, the classes field
    settled(page)
    click_neuron(page, 2, 1)
    page.wait_for_function("() => document.querySelector('#panel-body').textContent.includes('公式2')")
    page.click("#step")
    settled(page)
    assert english_left(page.evaluate(VISIBLE_TEXT)) == []
    assert "2 个隐藏层" in page.text_content(".layers-buttons").replace("\n", " ")
    assert "Leaky ReLU" in page.text_content("#activation") and "交叉熵" in page.text_content("#output-cost")
    page.screenshot(path=str(shots / "zh-panel.png"))
    page.click("#panel-close")
    assert english_left(page.evaluate(VISIBLE_TEXT)) == []  # the controls, back in their column
    page.click("#lang")  # and the English page names them in words, not identifiers
    english = " ".join(" ".join(page.evaluate(VISIBLE_TEXT)).split())
    for name in ("Leaky ReLU", "sigmoid + cross-entropy", "softmax + log-likelihood", "Gaussian blobs"):
        assert name in english, name
    assert "2 hidden layers" in english
    assert not {"leaky_relu", "cross_entropy", "log_likelihood", "gaussians"} & set(re.findall(r"[a-z_]+", english))
    assert not page.problems, page.problems
