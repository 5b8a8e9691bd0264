"""The playground's features beyond TensorFlow Playground, used with the mouse and keyboard in
real headless Chromium: points clicked onto the plot, a shareable link, files out and in, a
hand-edited weight, one sample stepped through.

Each test reads what happened from the server (the API, or the session in the live app's store)
and compares it with what the page shows. Screenshots go under tmp/artifacts/playground/<test>/.
"""

import json
import re

import numpy as np
import pytest

pytestmark = pytest.mark.browser  # drives headless Chromium; run with -m browser

import test_playground_browser as browser_tests  # noqa: E402  (skips this module too where Chromium is missing)
from test_playground_browser import (  # noqa: E402
    VISIBLE_TEXT,
    english_left,
    expected_console_errors,
    loaded,
    server_state,
    settled,
    type_into,
)

browser, page, shots = browser_tests.browser, browser_tests.page, browser_tests.shots  # the same fixtures


def session(page):
    """The page's session object in the live server's store."""
    return page.live.app.state.store.get(page.evaluate("() => window.bpPlayground.state.id"))


def click_plot(page, x1, x2, shift=False):
    """Click (or shift-click) the boundary plot where the point (x₁, x₂) is drawn."""
    px, py = page.evaluate(f"() => window.bpPlayground.boundaryPlot.pixel([{x1}, {x2}])")
    box = page.locator("#boundary").bounding_box()
    if shift:
        page.keyboard.down("Shift")
    page.mouse.click(box["x"] + px, box["y"] + py)
    if shift:
        page.keyboard.up("Shift")
    settled(page)


# -- 1. points clicked onto the plot --------------------------------------------------------------


def test_clicks_add_and_remove_points_and_the_points_survive_a_changed_setting(page, shots):
    loaded(page)
    assert server_state(page)["counts"] == {"train": 200, "test": 200}

    page.select_option("#point-class", "1")
    click_plot(page, 0.5, -0.5)
    state = server_state(page)
    assert state["counts"] == {"train": 201, "test": 200} and state["data_source"] == "edited"
    x1, x2 = state["data"]["train"]["points"][-1]
    assert state["data"]["train"]["labels"][-1] == 1
    assert x1 == pytest.approx(0.5, abs=0.02) and x2 == pytest.approx(-0.5, abs=0.02)
    assert page.evaluate("() => window.bpPlayground.data.train.points.at(-1)") == [x1, x2]  # drawn from it

    page.select_option("#point-class", "0")
    page.select_option("#point-part", "test")
    click_plot(page, -1.2, 1.1)
    state = server_state(page)
    assert state["counts"] == {"train": 201, "test": 201} and state["data"]["test"]["labels"][-1] == 0
    assert state["data"]["test"]["points"][-1] == pytest.approx([-1.2, 1.1], abs=0.02)
    page.screenshot(path=str(shots / "1-two-points-added.png"))

    click_plot(page, x1, x2, shift=True)  # shift-click: the nearest goes
    assert server_state(page)["counts"] == {"train": 200, "test": 201}
    assert not any(np.allclose(p, [x1, x2]) for p in session(page).points["train"])
    page.check("#point-remove")  # the same with the toggle
    click_plot(page, -1.2, 1.1)
    assert server_state(page)["counts"] == {"train": 200, "test": 200}
    click_plot(page, 1.45, 1.45)  # nothing near the corner: nothing removed, and the page says so
    assert server_state(page)["counts"] == {"train": 200, "test": 200}
    assert "No point near there" in page.text_content("#status")
    page.uncheck("#point-remove")

    page.select_option("#point-part", "train")
    click_plot(page, 0.0, 0.0)
    before = server_state(page)
    type_into(page, "#learning-rate", "0.1")  # a setting that does not make data: the points stay
    after = server_state(page)
    assert after["id"] != before["id"] and after["settings"]["learning_rate"] == 0.1
    assert after["data"] == before["data"] and after["data_source"] == "edited"
    page.check("#features input[value=x1sq]")
    settled(page)
    assert server_state(page)["data"] == before["data"]
    page.select_option("#dataset", value='"moons"')  # a setting that makes data: new data
    settled(page)
    assert server_state(page)["data_source"] == "generated"
    assert "points you clicked in or out were replaced" in page.text_content("#status")  # said, not silent
    page.click("#lang")
    assert "点击添加或删除的点已被新数据取代" in page.text_content("#status")
    page.click("#lang")
    click_plot(page, 0.0, 0.0)
    assert server_state(page)["data_source"] == "edited"
    page.fill("#noise", "0.3")  # the noise slider moved (fill fires input and change): new data, and the line again
    settled(page)
    assert server_state(page)["settings"]["noise"] == 0.3 and server_state(page)["data_source"] == "generated"
    assert "replaced" in page.text_content("#status")
    page.fill("#noise", "0.2")  # generated data made again: nothing clicked, nothing to say
    settled(page)
    assert server_state(page)["settings"]["noise"] == 0.2 and page.text_content("#status") == ""
    assert not expected_console_errors(page.problems), page.problems


def test_the_regression_set_takes_points_with_a_target_and_shades_the_plot_by_value(page, shots):
    loaded(page)
    page.select_option("#dataset", value='"wave"')
    settled(page)
    state = server_state(page)
    assert state["task"] == "regression" and (state["settings"]["output"], state["settings"]["cost"]) == (
        "identity",
        "quadratic",
    )
    assert page.is_hidden("#point-class-row") and page.is_visible("#point-target-row")
    page.click("#step")
    settled(page)
    page.fill("#point-target", "-0.75")
    click_plot(page, 0.25, 0.5)
    state = server_state(page)
    assert state["counts"]["train"] == 201 and state["data"]["train"]["labels"][-1] == -0.75
    assert "target t" in page.text_content("#class-legend")
    assert "aᴸ" in page.text_content("#shade-hint") and "^" not in page.text_content("#shade-hint")  # no TeX caret
    # a target near 0 is a mid grey, not white: visible on the page and on the shade around it
    assert (
        page.evaluate("() => document.querySelector('#class-legend .scale').style.background").count(
            "rgb(150, 150, 150)"
        )
        == 1
    )
    scale = page.evaluate(
        "async () => { const d = await import('/static/draw.js'); return [-1, -0.05, 0, 0.05, 1].map(v => d.targetColor(v, 1)); }"
    )
    assert scale[0] == [0xF5, 0x93, 0x22] and scale[-1] == [0x08, 0x77, 0xBD]  # orange < 0 < blue
    assert all(max(c) <= 160 for c in scale[1:4])  # near 0: a mid grey, far from the white page
    page.screenshot(path=str(shots / "1-regression.png"))
    page.select_option("#dataset", value='"xor"')  # back to classes: a classification output again
    settled(page)
    s = server_state(page)["settings"]
    assert (s["output"], s["cost"]) == ("sigmoid", "cross_entropy") and page.is_visible("#point-class-row")
    assert not expected_console_errors(page.problems), page.problems


# -- 2. a shareable link ------------------------------------------------------------------------------


def same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip([*a.net.weights, *a.net.biases], [*b.net.weights, *b.net.biases]))


def test_the_share_button_puts_the_setup_in_the_url_and_the_link_restores_it(browser, page, shots):
    loaded(page)
    page.select_option("#dataset", value='"spiral"')
    settled(page)
    page.select_option("#activation", label="ReLU")
    settled(page)
    click_plot(page, 0.3, 0.3)
    for _ in range(3):
        page.click("#step")
    settled(page)
    page.click("#share")
    settled(page)
    link = page.input_value("#share-link")
    assert "#s=1." in link and page.evaluate("() => location.href") == link
    page.screenshot(path=str(shots / "2-shared.png"))
    original = session(page)

    other = browser.open()
    other.goto(link)
    other.wait_for_function("() => window.bpPlayground.state && !window.bpPlayground.busy")
    restored = session(other)
    assert restored.id != original.id and same_weights(restored, original)
    assert restored.settings == original.settings and restored.batches == original.batches == 3
    assert other.input_value("#activation") == '"relu"' and other.input_value("#dataset") == '"spiral"'
    assert "Opened the shared setup" in other.text_content("#status")
    other.screenshot(path=str(shots / "2-restored.png"))
    type_into(other, "#learning-rate", "0.1")  # another session: the URL no longer names its setup
    assert other.evaluate("() => location.hash") == "" and other.is_hidden("#share-box")

    broken = browser.open()  # a damaged link: the page says so and starts the defaults
    broken.goto(link[:-10])
    broken.wait_for_function("() => window.bpPlayground.state && !window.bpPlayground.busy")
    assert "could not be opened" in broken.text_content("#status")
    assert server_state(broken)["settings"]["dataset"] == "circles"

    csv = "x1,x2,label\n0,0,a\n1,1,b\n2,2,a\n3,3,b\n"  # uploaded data cannot be replayed from a link
    r = page.request.post(f"{page.live.url}/api/sessions/{original.id}/data", data=json.dumps({"csv": csv}),
                          headers={"Content-Type": "application/json"})  # fmt: skip
    assert r.ok, r.text()
    page.click("#share")
    settled(page)
    assert page.is_hidden("#share-link") and "its data was uploaded" in page.text_content("#share-why")
    page.click("#lang")
    assert "数据是上传的" in page.text_content("#share-why")
    assert english_left(page.evaluate(VISIBLE_TEXT)) == []
    page.screenshot(path=str(shots / "2-unshareable-zh.png"))
    unexpected = [p for p in expected_console_errors(page.problems + other.problems) if "status of 409" not in p]
    assert not unexpected, unexpected  # Chromium logs the refused share (409) as an error


# -- 3. files: the data and the model out, a CSV and a model file in ---------------------------------------


def three_classes_csv(path):
    """90 rows: three blobs named cat, dog and eel."""
    rng = np.random.default_rng(0)
    centres = {"cat": (-1.0, -1.0), "dog": (1.0, -1.0), "eel": (0.0, 1.2)}
    rows = ["x1,x2,label"] + [
        f"{cx + 0.3 * rng.standard_normal():.4f},{cy + 0.3 * rng.standard_normal():.4f},{name}"
        for _ in range(30)
        for name, (cx, cy) in centres.items()
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_csv_upload_trains_and_the_model_exports_and_imports_again(page, shots, tmp_path):
    import bprop

    loaded(page)
    page.select_option("#output-cost", label="softmax + log-likelihood")
    settled(page)
    page.set_input_files("#upload-csv", str(three_classes_csv(tmp_path / "three.csv")))
    settled(page)
    state = server_state(page)
    assert state["data_source"] == "uploaded" and state["classes"] == 3 and state["sizes"][-1] == 3
    assert state["class_names"] == ["cat", "dog", "eel"] and sum(state["counts"].values()) == 90
    assert "three.csv" in page.text_content("#upload-notes") and "eel" in page.text_content("#class-legend")
    assert page.input_value("#dataset") == '"uploaded"' and "your data" in page.text_content("#dataset")
    page.select_option("#speed", "50")
    page.click("#play")
    page.wait_for_function("() => window.bpPlayground.state.batches >= 200", timeout=20_000)
    page.click("#play")
    settled(page)
    trained = server_state(page)
    assert trained["costs"]["test_accuracy"] > 0.9  # it learned the three blobs
    page.screenshot(path=str(shots / "3-uploaded.png"))

    with page.expect_download() as download:
        page.click("#download-data")
    download.value.save_as(tmp_path / "data.csv")
    text = (tmp_path / "data.csv").read_text()
    assert text.startswith("x1,x2,label,part\n") and len(text.splitlines()) == 91 and ",eel," in text
    with page.expect_download() as download:
        page.click("#download-model")
    download.value.save_as(tmp_path / "model.bprop")
    net = bprop.load(tmp_path / "model.bprop")
    exported = session(page)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, exported.net.weights))

    page.click("#reset")  # fresh weights, then the file's again
    settled(page)
    assert not np.array_equal(session(page).net.weights[0], net.weights[0])
    page.set_input_files("#upload-model", str(tmp_path / "model.bprop"))
    settled(page)
    imported = session(page)
    assert all(np.array_equal(a, b) for a, b in zip([*net.weights, *net.biases], [*imported.net.weights, *imported.net.biases]))  # fmt: skip
    assert "Imported model.bprop" in page.text_content("#status")
    assert server_state(page)["costs"]["test_accuracy"] == trained["costs"]["test_accuracy"]

    (tmp_path / "bad.csv").write_text("x1,x2,label\n0,1,a\n1,oops,b\n")  # refused: the reason beside the field
    page.set_input_files("#upload-csv", str(tmp_path / "bad.csv"))
    settled(page)
    assert "'oops'" in page.text_content("[data-refusal~=csv]")
    assert server_state(page)["class_names"] == ["cat", "dog", "eel"]  # nothing changed
    page.screenshot(path=str(shots / "3-refused-csv.png"))
    page.select_option("#dataset", value='"moons"')  # a generated set again: "your data" goes
    settled(page)
    assert server_state(page)["data_source"] == "generated" and "your data" not in page.text_content("#dataset")
    assert not expected_console_errors(page.problems), page.problems


# -- 4. a hand-edited weight: ∂C/∂w·Δw beside ΔC ------------------------------------------------------------


def click_weight(page, layer, j, k):
    """Click the diagram's line of w^l_jk where it is farthest from every other line."""
    edges = page.evaluate("() => window.bpPlayground.edges")
    (edge,) = [e for e in edges if (e["layer"], e["j"], e["k"]) == (layer, j, k)]
    others = [e for e in edges if e is not edge]
    a, b = np.array(edge["from"]), np.array(edge["to"])
    spots = [a + t * (b - a) for t in np.linspace(0.1, 0.9, 33)]
    spot = max(spots, key=lambda p: min(distance_to_segment(p, e["from"], e["to"]) for e in others))
    box = page.locator("#diagram").bounding_box()
    page.mouse.click(box["x"] + spot[0], box["y"] + spot[1])


def distance_to_segment(p, a, b):
    a, b = np.array(a), np.array(b)
    t = np.clip(np.dot(p - a, b - a) / max(np.dot(b - a, b - a), 1e-12), 0, 1)
    return float(np.linalg.norm(p - a - t * (b - a)))


def shown_edit(page):
    return {key: float(page.get_attribute(f"#weight-{key}", "data-value")) for key in ("predicted", "actual", "delta")}


def preview_by_api(page, value):
    sid = page.evaluate("() => window.bpPlayground.state.id")
    body = {"layer": 2, "j": 1, "k": 2, "value": value, "preview": True}
    r = page.request.post(f"{page.live.url}/api/sessions/{sid}/weight", data=json.dumps(body),
                          headers={"Content-Type": "application/json"})  # fmt: skip
    assert r.ok, r.text()
    return r.json()["edit"]


def test_a_weight_typed_or_dragged_shows_the_predicted_and_the_actual_change_of_the_cost(page, shots):
    loaded(page)
    for _ in range(4):
        page.click("#step")
    settled(page)
    click_weight(page, 2, 1, 2)
    page.wait_for_selector("#weight-edit:not([hidden])")
    assert page.evaluate("() => window.bpPlayground.marks.weight") == {"layer": 2, "j": 1, "k": 2}
    w = float(session(page).net.weights[0][0, 1])
    assert float(page.input_value("#weight-value")) == round(w, 4) != w  # shown rounded

    page.press("#weight-value", "Enter")  # applying the value as shown, unchanged: nothing changes
    page.click("#weight-apply")
    settled(page)
    assert float(session(page).net.weights[0][0, 1]) == w
    assert not [entry for entry in session(page).log if entry[0] == "set"]
    assert page.text_content("#weight-state") == "Type a value or drag; Enter applies it."
    page.click("#step")  # training moves w under the open editor: the value shown, applied, is an edit again
    settled(page)
    assert float(session(page).net.weights[0][0, 1]) != w
    page.press("#weight-value", "Enter")
    settled(page)
    assert float(session(page).net.weights[0][0, 1]) == round(w, 4)
    assert [entry for entry in session(page).log if entry[0] == "set"] == [["set", 2, 1, 2, round(w, 4)]]
    w = round(w, 4)

    page.fill("#weight-value", f"{w + 0.05:.6f}")  # typing previews
    settled(page)
    expected = preview_by_api(page, float(f"{w + 0.05:.6f}"))
    assert shown_edit(page) == {key: expected[key] for key in ("predicted", "actual", "delta")}
    assert page.text_content("#weight-predicted") != "–" and "preview" in page.text_content("#weight-state")
    assert float(session(page).net.weights[0][0, 1]) == w  # a preview changes nothing
    page.screenshot(path=str(shots / "4-preview.png"))

    value = float(f"{w - 0.4:.6f}")  # a large change: the linear estimate misses by the second-order term
    page.fill("#weight-value", str(value))
    settled(page)
    expected = preview_by_api(page, value)
    page.press("#weight-value", "Enter")  # Enter applies
    settled(page)
    assert shown_edit(page) == {key: expected[key] for key in ("predicted", "actual", "delta")}
    assert float(session(page).net.weights[0][0, 1]) == value and page.text_content("#weight-state") == "applied"
    assert server_state(page)["weights"][0][0][1] == round(value, 4)
    page.screenshot(path=str(shots / "4-applied.png"))

    page.focus("#weight-slider")  # dragging (here: the slider's keys) previews, letting go applies
    page.keyboard.press("ArrowRight")
    settled(page)
    assert float(session(page).net.weights[0][0, 1]) == pytest.approx(value + 0.01, abs=1e-9)
    assert shown_edit(page)["delta"] == pytest.approx(0.01, abs=1e-9)
    page.click("#lang")
    assert page.text_content("#weight-state") == "已应用"
    assert english_left(page.evaluate(VISIBLE_TEXT)) == []
    page.click("#weight-close")
    assert page.is_hidden("#weight-edit") and page.evaluate("() => window.bpPlayground.marks.weight") is None

    for width, height in [(1024, 768), (1400, 900), (1920, 1080)]:  # the editor opens in view, without scrolling
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)  # a resize redraws on the next frame
        for layer, j, k in [(2, 1, 2), (3, 4, 4)]:  # a line near the diagram's top, one near its bottom
            click_weight(page, layer, j, k)
            page.wait_for_selector("#weight-edit:not([hidden])")
            box = page.locator("#weight-edit").bounding_box()
            assert page.evaluate("() => window.scrollY") == 0
            assert box["x"] >= 0 and box["y"] >= 0, (width, height, box)
            assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, (width, height, box)
            page.screenshot(path=str(shots / f"4-editor-{width}x{height}-w{layer}{j}{k}.png"))
            page.click("#weight-close")
    assert not expected_console_errors(page.problems), page.problems


# -- 5. one sample, stage by stage ----------------------------------------------------------------------------------

TRACE_KEYS = ("a_prev", "z", "a", "y", "sigma_prime", "delta", "grad_w", "grad_b", "w_before", "w_after", "b_before", "b_after")  # fmt: skip
SHOWN_STAGE = """() => ({
  index: Number(document.getElementById('panel-body').dataset.stage),
  stage: document.querySelector('#panel-body section').dataset.section,
  layer: Number(document.querySelector('#panel-body section').dataset.layer),
  marked: window.bpPlayground.marks.layer,
  values: Object.fromEntries([...document.querySelectorAll('#panel-body .trace-value')]
    .map(e => [e.dataset.key, JSON.parse(e.dataset.values)])),
})"""


def test_stepping_through_one_sample_shows_every_stage_of_the_trace_and_marks_its_layer(page, shots):
    loaded(page)
    page.click("#step")
    settled(page)
    page.fill("#trace-sample", "17")
    page.click("#trace-open")
    settled(page)
    sid = page.evaluate("() => window.bpPlayground.state.id")
    trace = page.request.get(f"{page.live.url}/api/sessions/{sid}/trace?sample=17").json()
    stages = trace["stages"]
    assert len(stages) == 16 and "Sample 17" in page.text_content("#panel-title")
    for i, stage in enumerate(stages):
        shown = page.evaluate(SHOWN_STAGE)
        assert (shown["index"], shown["stage"], shown["layer"]) == (i, stage["stage"], stage["layer"])
        assert shown["marked"] == stage["layer"]  # the diagram highlights the stage's layer
        numbers = {key: stage[key] for key in TRACE_KEYS if stage.get(key) is not None}
        assert shown["values"] == numbers and numbers  # backprop's own numbers, every one of them
        if stage["stage"] == "BP2":
            page.screenshot(path=str(shots / f"5-stage-{i}-BP2.png"))
        if i % 2:
            page.keyboard.press("ArrowRight")  # the arrow keys step too
        else:
            page.click("#trace-next")
    assert page.is_disabled("#trace-next") and page.evaluate(SHOWN_STAGE)["stage"] == "update"
    page.click("#trace-prev")
    assert page.evaluate(SHOWN_STAGE)["index"] == 14
    page.click("#lang")
    assert "样本 17" in page.text_content("#panel-title") and "更新" in page.text_content("#panel-body h3")
    assert english_left(page.evaluate(VISIBLE_TEXT)) == []
    page.screenshot(path=str(shots / "5-update-zh.png"))
    page.click("#panel-close")
    assert page.is_hidden("#panel") and page.evaluate("() => window.bpPlayground.marks.layer") is None
    assert not expected_console_errors(page.problems), page.problems


def test_stepping_through_with_l1_and_dropout_shows_their_terms_and_says_no_mask_is_drawn(page):
    loaded(page)
    type_into(page, "#l1", "0.01")
    type_into(page, "#dropout", "0.2")
    settled(page)
    page.fill("#trace-sample", "3")
    page.click("#trace-open")
    settled(page)
    stages = []
    while True:
        shown = page.evaluate(SHOWN_STAGE)
        stages.append((shown["stage"], shown["layer"], page.text_content("#panel-body")))
        if page.is_disabled("#trace-next"):
            break
        page.click("#trace-next")
    hidden_layers = {layer for stage, layer, _ in stages if stage == "forward"} - {1, max(s[1] for s in stages)}
    for stage, layer, text in stages:
        says_no_mask = "acts in training steps only" in text and "p = 0.2" in text
        assert says_no_mask == (stage == "forward" and layer in hidden_layers), (stage, layer, text)
        if stage == "BP3":  # the gradient shown includes (λ₁/n) sgn(w), and the equation says so
            assert "sgn(w" in text and "λ₁ = 0.01" in text, text
    page.click("#trace-prev")
    while page.evaluate(SHOWN_STAGE)["layer"] not in hidden_layers or page.evaluate(SHOWN_STAGE)["stage"] != "forward":
        page.click("#trace-prev")
    page.click("#lang")
    assert "只在训练步中起作用" in page.text_content("#panel-body")
    assert not expected_console_errors(page.problems), page.problems


def test_your_own_data_hides_the_sliders_that_would_generate_other_data(page, tmp_path):
    """Noise and the test share make generated data: with an upload they would silently drop it."""
    loaded(page)
    assert page.is_visible("#noise") and page.is_visible("#test-fraction")
    page.set_input_files("#upload-csv", str(three_classes_csv(tmp_path / "three.csv")))
    settled(page)
    assert server_state(page)["data_source"] == "uploaded"
    assert page.is_hidden("#noise") and page.is_hidden("#test-fraction") and page.is_hidden("#classes")
    type_into(page, "#learning-rate", "0.1")  # a setting that keeps the data
    assert server_state(page)["data_source"] == "uploaded" and page.is_hidden("#noise")
    page.select_option("#dataset", value='"moons"')  # back to generated data: the sliders come back
    settled(page)
    assert server_state(page)["data_source"] == "generated"
    assert page.is_visible("#noise") and page.is_visible("#test-fraction")


# -- 6. a lost session comes back with the user's data; refusals in the page's language ------------


def same_data(a, b):
    return all(
        np.array_equal(a.points[part], b.points[part]) and np.array_equal(a.data.y[part], b.data.y[part])
        for part in ("train", "test")
    )


def lose_the_session_and_play(page):
    """Delete the page's session behind its back, play until the new one trained, pause; the new session."""
    lost = server_state(page)["id"]
    assert page.request.delete(f"{page.live.url}/api/sessions/{lost}").status == 204
    page.click("#play")
    page.wait_for_function(f"() => window.bpPlayground.state.id !== {lost!r} && window.bpPlayground.state.batches >= 5")
    page.click("#play")
    settled(page)
    assert "The session had expired" in page.text_content("#status")
    return session(page)


def test_a_lost_session_comes_back_with_the_points_clicked_in_or_out(page, shots, tmp_path):
    loaded(page)
    page.select_option("#point-class", "1")
    click_plot(page, 0.7, -0.3)
    click_plot(page, -0.9, 0.8)
    click_plot(page, 0.7, -0.3, shift=True)  # and one removed again
    before = session(page)
    assert server_state(page)["counts"] == {"train": 201, "test": 200}
    again = lose_the_session_and_play(page)
    assert again.id != before.id and same_data(before, again) and again.data.source == "edited"
    assert again.settings == before.settings and again.batches >= 5
    assert server_state(page)["counts"] == {"train": 201, "test": 200}
    page.screenshot(path=str(shots / "1-recreated-with-points.png"))

    page.set_input_files("#upload-csv", str(three_classes_csv(tmp_path / "three.csv")))  # an upload, then a click
    settled(page)
    click_plot(page, 0.2, 0.2)
    before = session(page)
    assert before.data.source == "uploaded" and before.data.size == 91
    again = lose_the_session_and_play(page)
    assert same_data(before, again) and again.data.class_names == ["cat", "dog", "eel"]
    assert again.settings == before.settings and "your data" in page.text_content("#dataset")
    assert not expected_console_errors(page.problems), page.problems


def test_a_lost_session_comes_back_with_the_imported_model_not_fresh_weights(page, shots, tmp_path):
    import bprop

    loaded(page)
    api = page.request
    made = api.post(f"{page.live.url}/api/sessions", data={"hidden": [5, 3], "activation": ["relu", "tanh"], "seed": 4})
    source = made.json()["id"]
    api.post(f"{page.live.url}/api/sessions/{source}/step?batches=60")
    (tmp_path / "model.bprop").write_bytes(api.get(f"{page.live.url}/api/sessions/{source}/model").body())
    model = bprop.load(tmp_path / "model.bprop")
    page.set_input_files("#upload-model", str(tmp_path / "model.bprop"))
    settled(page)
    assert server_state(page)["network"] == "imported"
    assert server_state(page)["settings"]["activation"] == ["relu", "tanh"]
    lost = server_state(page)["id"]
    assert page.request.delete(f"{page.live.url}/api/sessions/{lost}").status == 204
    page.click("#step")  # the page recreates the session, imports the file again, then trains one batch
    page.wait_for_function(f"() => window.bpPlayground.state.id !== {lost!r}")
    settled(page)
    again = session(page)
    assert again.network == "imported" and again.batches == 1
    assert [s.name for s in again.net.hidden_activations] == ["relu", "tanh"]
    assert "the model you imported" in page.text_content("#status")
    page.screenshot(path=str(shots / "recreated-with-the-model.png"))
    reference = bprop.load(tmp_path / "model.bprop").copy("float64")  # the file's network, one SGD step on that batch
    rows = again.order[:10]
    bprop.SGD(lr=again.settings.learning_rate).step(reference, reference.backprop(again.X_train[rows], again.y_train[rows]))  # fmt: skip
    assert all(np.array_equal(a, b) for a, b in zip([*reference.weights, *reference.biases], [*again.net.weights, *again.net.biases]))  # fmt: skip
    assert not np.array_equal(model.weights[0], again.net.weights[0])  # it did train one step from the file's weights
    page.click("#reset")  # a reset forgets the model: a later loss brings fresh weights, as reset did
    settled(page)
    assert server_state(page)["network"] == "initialized"
    assert not expected_console_errors(page.problems), page.problems


def test_a_setting_changed_after_the_session_was_lost_takes_effect_on_the_same_data(page, shots, tmp_path):
    """A change whose session the server lost (idle, evicted, restarted) is the first call after it: the data
    come back (clicked points, an upload), the change is made on top, and the page says so in its words."""
    import time

    loaded(page)
    click_plot(page, 0.7, -0.3)  # edited data: a change of η keeps it (data_from the lost session)
    before = session(page)
    assert page.request.delete(f"{page.live.url}/api/sessions/{before.id}").status == 204
    type_into(page, "#learning-rate", "0.05")
    again = session(page)
    assert again.id != before.id and same_data(before, again) and again.data.source == "edited"
    assert again.settings.learning_rate == 0.05 and page.input_value("#learning-rate") == "0.05"
    status = page.text_content("#status")
    assert "The session had expired" in status and "/api/" not in status, status
    page.screenshot(path=str(shots / "1-changed-after-the-loss.png"))

    page.set_input_files("#upload-csv", str(three_classes_csv(tmp_path / "three.csv")))  # an upload, then +layer
    settled(page)
    before = session(page)
    assert page.request.delete(f"{page.live.url}/api/sessions/{before.id}").status == 204
    page.click("#add-layer")
    settled(page)
    again = session(page)
    assert same_data(before, again) and again.data.class_names == ["cat", "dog", "eel"]
    assert again.settings.hidden == [*before.settings.hidden, 2] and page.text_content("#hidden-count") == "3"
    assert "The session had expired" in page.text_content("#status")
    deadline = time.monotonic() + 5
    while len(page.live.app.state.store) > 1 and time.monotonic() < deadline:  # the one made again is deleted
        time.sleep(0.05)
    assert len(page.live.app.state.store) == 1
    assert not expected_console_errors(page.problems), page.problems


# An English sentence left on the Chinese page: three or more Latin words in a row with no Chinese.
def english_sentences(text):
    runs = re.split(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+", text)
    return [run for run in runs if len(re.findall(r"[A-Za-z]{2,}", run)) >= 3]


def test_a_refused_upload_is_explained_in_chinese_on_the_chinese_page(page, shots, tmp_path):
    loaded(page)
    page.click("#lang")
    assert (
        page.text_content("#upload-csv + .file-button") == "选择文件…"
    )  # the page's own file button, not the browser's
    with page.expect_file_chooser() as chooser:
        page.click("#upload-csv + .file-button")
    assert chooser.value.element.get_attribute("id") == "upload-csv"
    bad = {
        "columns.csv": "x1,x2,x3,label\n0,1,2,a\n1,1,1,b\n",
        "word.csv": "x1,x2,label\n0,1,a\n1,oops,b\n",
        "nan.csv": "x1,x2,label\n0,nan,a\n1,1,b\n",
        "rows.csv": "x1,x2,label\n" + "0,0,0\n1,1,1\n" * 1001,
        "one.csv": "x1,x2,label\n0,1,a\n1,1,a\n",
    }
    for i, (name, text) in enumerate(bad.items()):
        (tmp_path / name).write_text(text)
        page.set_input_files("#upload-csv", str(tmp_path / name))
        settled(page)
        shown = page.text_content("[data-refusal~=csv]")
        assert shown.startswith("未被接受：上传的") and not english_sentences(shown), shown
        page.screenshot(path=str(shots / f"{i}-{name}.png"))
    (tmp_path / "model.bprop").write_bytes(b"not a model at all, only words")
    page.set_input_files("#upload-model", str(tmp_path / "model.bprop"))
    settled(page)
    shown = page.text_content("[data-refusal~=model]")
    assert "不是 bprop 能读取的模型文件" in shown and not english_sentences(shown), shown
    page.screenshot(path=str(shots / "model-refused.png"))
    assert server_state(page)["data_source"] == "generated"
    assert not expected_console_errors(page.problems), page.problems
