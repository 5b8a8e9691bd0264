"""The playground end to end in real headless Chromium (Debian's ``chromium``, driven by Playwright).

Load the page, press play, see the test cost fall and the boundary image
change, click a neuron and see its δ (the very number the API gives), switch to
中文. Screenshots are kept under tmp/artifacts/playground/ (or
$BPROP_ARTIFACTS/playground/). Skipped, with the reason, where Chromium or
Playwright is missing; Playwright never downloads a browser here.
"""

import os
import shutil
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
def page():
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    with LiveServer(create_app()) as live, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1100})
            page.live = live
            page.problems = []
            page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
            page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
            page.on("request", lambda r: r.url.startswith(live.url) or page.problems.append(f"external: {r.url}"))
            yield page
        finally:
            browser.close()


def test_play_watch_the_cost_fall_click_a_neuron_and_read_it_in_chinese(page):
    page.goto(page.live.url + "/")
    page.wait_for_function("() => window.bpPlayground.state && window.bpPlayground.data")
    first_cost = float(page.text_content("#test-cost"))
    first_image = page.evaluate("() => document.getElementById('boundary').toDataURL()")
    page.screenshot(path=str(ARTIFACTS / "1-loaded.png"))

    page.click("#play")
    page.wait_for_function("() => window.bpPlayground.state.batches >= 300", timeout=20_000)
    page.click("#play")  # pause
    page.wait_for_function("() => !window.bpPlayground.playing && !window.bpPlayground.busy")
    cost = float(page.text_content("#test-cost"))
    assert cost < 0.7 * first_cost, (first_cost, cost)
    assert page.evaluate("() => document.getElementById('boundary').toDataURL()") != first_image
    page.screenshot(path=str(ARTIFACTS / "2-trained.png"))

    # click neuron j = 1 of layer 2 on the diagram canvas
    spot = page.evaluate("() => window.bpPlayground.positions.find(p => p.layer === 2 && p.j === 1)")
    box = page.locator("#diagram").bounding_box()
    page.mouse.click(box["x"] + spot["x"] * box["width"] / 600, box["y"] + spot["y"] * box["height"] / 400)
    page.wait_for_selector("#panel-body section[data-section=bp2]")
    panel = page.text_content("#panel")
    assert "δ" in panel and "BP2" in panel and "BP3" in panel and "BP4" in panel
    shown = float(page.get_attribute("#panel-body", "data-delta"))
    sid = page.evaluate("() => window.bpPlayground.session")
    api = page.request.get(f"{page.live.url}/api/sessions/{sid}/neuron?layer=2&j=1").json()
    assert shown == api["delta"][0]
    session = page.live.app.state.store.get(sid)
    rows = session.next_batch()
    grads = session.net.backprop(
        session.X_train[rows], session.y_train[rows], l2=session.settings.l2, n=len(session.y_train)
    )
    assert shown == grads.deltas[0][0, 0]  # δ^2_1 of row 0: backprop's own number
    page.locator("#panel").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "3-neuron.png"), full_page=True)

    page.click("#lang")
    page.wait_for_function("() => document.querySelector('#panel-body').textContent.includes('公式2')")
    assert page.text_content("#lang") == "English"
    assert "运行" in page.text_content("#play") and "误差" in page.text_content("#panel-body")
    page.screenshot(path=str(ARTIFACTS / "4-chinese.png"), full_page=True)
    assert not page.problems, page.problems
