"""The playground's status line in real headless Chromium: in view at 1024×768 and 1920×1080, in
English and Chinese, without scrolling; and play riding out a server that stops answering for a
few seconds (a restart: its sessions lost), going on with the same settings once it answers.

A server that does not answer is played by the browser itself: Playwright aborts the step
requests (the page's fetch fails as it does when nothing listens), and the session is deleted as
a restart would lose it. Screenshots go under tmp/artifacts/playground/<test>/.
"""

import re

import pytest

pytestmark = pytest.mark.browser  # drives headless Chromium; run with -m browser

import test_playground_browser as browser_tests  # noqa: E402  (skips this module too where Chromium is missing)
from test_playground_browser import expected_console_errors, loaded, server_state, settled  # noqa: E402

browser, page, shots = browser_tests.browser, browser_tests.page, browser_tests.shots  # the same fixtures

STEPS = re.compile(r"/api/sessions/[^/]+/step\?")
STATUS_BOX = "() => document.getElementById('status').getBoundingClientRect().toJSON()"
# What a click at the status line's centre reaches: never the line itself (clicks go through it).
UNDER_STATUS = """() => { const b = document.getElementById('status').getBoundingClientRect();
  return document.elementFromPoint((b.left + b.right) / 2, (b.top + b.bottom) / 2).id; }"""


def in_view(page):
    """The status line's box, asserted non-empty and whole inside the window."""
    box = page.evaluate(STATUS_BOX)
    size = page.viewport_size
    assert box["width"] > 0 and box["height"] > 0, box
    assert 0 <= box["left"] and box["right"] <= size["width"], (box, size)
    assert 0 <= box["top"] and box["bottom"] <= size["height"], (box, size)
    return box


def lose_session(page):
    """Delete the page's session behind its back (as an expiry or a restart does); its state."""
    lost = server_state(page)
    assert page.request.delete(f"{page.live.url}/api/sessions/{lost['id']}").status == 204
    return lost


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1920, 1080)])
def test_the_status_line_is_whole_in_the_window_in_both_languages(browser, width, height, shots):
    page = loaded(browser.open(width, height))
    page.evaluate("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")  # wherever the page is
    assert page.evaluate("() => window.scrollY") > 0 or height > 900
    lost = lose_session(page)
    page.click("#step")
    page.wait_for_function(f"() => window.bpPlayground.state.id !== {lost['id']!r}")
    settled(page)
    assert "The session had expired" in page.text_content("#status")
    in_view(page)
    assert page.evaluate(UNDER_STATUS) != "status"
    page.screenshot(path=str(shots / f"expired-en-{width}.png"))
    page.click("#lang")
    assert "会话已过期" in page.text_content("#status")
    in_view(page)
    page.screenshot(path=str(shots / f"expired-zh-{width}.png"))

    page.route(STEPS, lambda route: route.abort())  # the server gone for good: play stops and says so
    page.click("#play")
    page.wait_for_function("() => !window.bpPlayground.playing", timeout=30_000)
    assert "演示服务器没有响应；“bprop playground” 还在运行吗？" == page.text_content("#status")
    assert page.get_attribute("#status", "class") == "error"
    in_view(page)
    page.screenshot(path=str(shots / f"unreachable-zh-{width}.png"))
    assert not [p for p in expected_console_errors(page.problems) if "ERR_FAILED" not in p], page.problems


def test_play_goes_on_when_the_server_answers_again(page, shots):
    loaded(page)
    page.click("#play")
    page.wait_for_function("() => window.bpPlayground.state.batches >= 10", timeout=20_000)
    page.route(STEPS, lambda route: route.abort())  # the server stops answering (restarting) …
    lost = lose_session(page)  # … and comes back without the session
    page.wait_for_function("() => document.getElementById('status').textContent.includes('trying again (2 of')")
    in_view(page)
    assert page.evaluate("() => window.bpPlayground.playing")
    page.screenshot(path=str(shots / "1-retrying.png"))
    page.unroute(STEPS)
    page.wait_for_function(f"() => window.bpPlayground.state.id !== {lost['id']!r}", timeout=20_000)
    page.wait_for_function("() => window.bpPlayground.state.batches >= 10", timeout=20_000)  # played on
    assert page.evaluate("() => window.bpPlayground.playing")
    assert "answers again; play goes on" in page.text_content("#status")
    in_view(page)
    page.screenshot(path=str(shots / "2-back.png"))
    page.click("#play")  # pause
    page.wait_for_function("() => !window.bpPlayground.playing && !window.bpPlayground.busy")
    settled(page)
    state = server_state(page)
    drawn = page.evaluate("() => window.bpPlayground.state")
    assert state["settings"] == lost["settings"] and (drawn["id"], drawn["batches"]) == (state["id"], state["batches"])
    assert not [p for p in expected_console_errors(page.problems) if "ERR_FAILED" not in p], page.problems
