"""The playground end to end in real headless Chromium (Debian's ``chromium``, driven by Playwright).

Load the page, press play, see the test cost fall and the boundary image
change, click a neuron and see its δ (the very number the API gives), switch to
中文. Change every control as a user would and read, from the server, that the
session trains what the controls say; type refused values and see them revert
with a message; delete the session behind the page's back and keep working.
Screenshots (1400×900) are kept under tmp/artifacts/playground/<test>/ (or
$BPROP_ARTIFACTS/playground/<test>/). Skipped, with the reason, where Chromium
or Playwright is missing; Playwright never downloads a browser here.
"""

import os
import shutil
import time
from pathlib import Path

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
def page():
    with LiveServer(create_app()) as live, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.live = live
            page.problems = []
            page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
            page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
            page.on("request", lambda r: r.url.startswith(live.url) or page.problems.append(f"external: {r.url}"))
            yield page
        finally:
            browser.close()


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

    # click neuron j = 1 of layer 2 on the diagram canvas
    spot = page.evaluate("() => window.bpPlayground.positions.find(p => p.layer === 2 && p.j === 1)")
    box = page.locator("#diagram").bounding_box()
    page.mouse.click(box["x"] + spot["x"] * box["width"] / 600, box["y"] + spot["y"] * box["height"] / 400)
    page.wait_for_selector("#panel-body section[data-section=bp2]")
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

    page.select_option("#dataset", label="spiral")
    settled(page)
    type_into(page, "#classes", "3")
    for _ in range(2):  # the keyboard moves a slider one step and fires change each time
        page.press("#noise", "ArrowRight")
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
    page.select_option("#activation", label="relu")
    page.select_option("#output-cost", label="softmax / log_likelihood")
    page.select_option("#optimizer", label="adam")
    settled(page)
    type_into(page, "#learning-rate", "0.03")
    type_into(page, "#batch-size", "25")
    type_into(page, "#l2", "0.001")

    state = server_state(page)
    s = state["settings"]
    assert s["dataset"] == "spiral" and s["classes"] == 3 and state["classes"] == 3
    assert s["noise"] == pytest.approx(0.07) and s["test_fraction"] == pytest.approx(0.4)
    assert s["features"] == ["x1", "x2", "x1sq", "sin1"]
    assert s["hidden"] == [3, 4, 4]
    assert (s["activation"], s["output"], s["cost"], s["optimizer"]) == ("relu", "softmax", "log_likelihood", "adam")
    assert (s["learning_rate"], s["batch_size"], s["l2"]) == (0.03, 25, 0.001)
    assert state["sizes"] == [4, 3, 4, 4, 3]  # 4 features in, 3 classes out
    assert state["id"] != first["id"]
    assert page.live.app.state.store.get(state["id"]).settings.to_dict() == s

    # what trains is what the controls say: bprop's own objects, and one step of 25 samples
    session = page.live.app.state.store.get(state["id"])
    net = session.net
    assert (net.activation.name, net.output.name, net.cost.name) == ("relu", "softmax", "log_likelihood")
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
    shown = {f: page.input_value(f) for f in ("#classes", "#learning-rate", "#batch-size", "#l2", "#noise")}
    assert shown == {"#classes": "3", "#learning-rate": "0.03", "#batch-size": "25", "#l2": "0.001", "#noise": "0.07"}
    assert page.text_content("#hidden-count") == "3"
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
    assert page.text_content("#hidden-count") == "6"
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
