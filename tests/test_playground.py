"""The playground's server: sessions, training, the neuron panel, refusals, and a bounded load test.

In-process through starlette's TestClient (server exceptions re-raised, so a
500 fails the test), plus one load test against uvicorn on loopback.
"""

import base64
import json
import re
import socket
import threading
import time

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st
from starlette.testclient import TestClient  # noqa: E402

from bprop.errors import InvalidArgument  # noqa: E402
from bprop.playground import create_app  # noqa: E402
from bprop.playground.server import STATIC  # noqa: E402
from bprop.playground.session import FRAME_KEYS, MAX_HISTORY  # noqa: E402
from bprop.playground.store import SessionStore  # noqa: E402
from bprop.teaching.explanation.terms import term  # noqa: E402
from live_server import LiveServer  # noqa: E402
from playground_api import new_session, session_of  # noqa: E402


@pytest.fixture
def client():
    with TestClient(create_app(SessionStore(max_sessions=8))) as c:
        yield c


# -- sessions and training ----------------------------------------------------------


def test_create_returns_an_id_the_network_the_data_and_the_pictures(client):
    s = new_session(client, hidden=[3, 2], features=["x1", "x2", "x1sq"])
    assert s["sizes"] == [3, 3, 2, 1] and s["feature_labels"] == ["x₁", "x₂", "x₁²"]
    assert len(s["boundary"]["values"]) == s["boundary"]["size"] ** 2
    assert [len(layer) for layer in s["neurons"]["layers"]] == s["sizes"]
    assert len(s["neurons"]["layers"][1][0]) == s["neurons"]["size"] ** 2
    assert [np.shape(w) for w in s["weights"]] == [(3, 3), (2, 3), (1, 2)]
    assert len(s["data"]["train"]["points"]) == 200 and len(s["data"]["test"]["labels"]) == 200
    assert s["batches"] == 0 and s["history"]["batch"] == [0]
    assert client.get(f"/api/sessions/{s['id']}").json()["weights"] == s["weights"]


def test_steps_lower_the_test_cost_on_circles(client):
    s = new_session(client)
    after = client.post(f"/api/sessions/{s['id']}/step?batches=400").json()
    assert after["batches"] == 400 and after["epochs"] == 20
    assert after["costs"]["test"] < 0.5 * s["costs"]["test"]
    assert after["costs"]["test_accuracy"] > 0.9
    assert after["history"]["batch"] == [0, 400]
    assert client.get(f"/api/sessions/{s['id']}").json()["boundary"]["values"] != s["boundary"]["values"]


# -- the step answer: a frame, only what a step changes, its pictures as bytes ---------------------


def unpacked(packed, length):
    """The rows of a packed picture (``session._packed``), as the page decodes them."""
    codes = np.frombuffer(base64.b64decode(packed["bytes"]), dtype=np.uint8).reshape(-1, length)
    lo, hi = np.array(packed["lo"]), np.array(packed["hi"])
    return lo[:, None] + codes / 255 * (hi - lo)[:, None]


def test_a_step_answers_a_frame_whose_pictures_are_the_states_to_a_byte(client):
    s = new_session(client, dataset="spiral", classes=3, output="softmax", cost="log_likelihood", hidden=[5, 3])
    frame = client.post(f"/api/sessions/{s['id']}/step?batches=7").json()
    state = client.get(f"/api/sessions/{s['id']}").json()
    assert set(frame) == {*FRAME_KEYS, "boundary", "neurons"}
    assert {key: frame[key] for key in FRAME_KEYS} == {key: state[key] for key in FRAME_KEYS}
    b, cells = frame["boundary"], state["boundary"]["size"] ** 2
    assert (b["size"], b["outputs"]) == (state["boundary"]["size"], 3)
    values = np.array(state["boundary"]["values"])  # (cells, outputs), to 3 decimals
    assert np.allclose(unpacked(b["packed"], cells).T, values, atol=(values.max() - values.min()) / 255 + 2e-3)
    n = frame["neurons"]["size"] ** 2
    for packed, layer in zip(frame["neurons"]["layers"], state["neurons"]["layers"], strict=True):
        layer = np.array(layer)  # (neurons, cells), to 2 decimals
        step = (layer.max(axis=1) - layer.min(axis=1))[:, None] / 255
        assert np.all(np.abs(unpacked(packed, n) - layer) <= step + 1e-2)


def test_a_six_by_sixteen_frame_stays_small(client):
    """All 7 features, 6 hidden layers of 16 neurons, a full cost history: ≤ 80 KB a frame (measured ~70 KB:
    neurons 37.5, history 16, weights 12, boundary 3), where the whole state is ~190 KB."""
    s = new_session(client, hidden=[16] * 6, features=["x1", "x2", "x1sq", "x2sq", "x1x2", "sin1", "sin2"])
    session = session_of(client, s["id"])
    with session.lock:
        for _ in range(MAX_HISTORY + 10):  # every step records a point: the history at its longest
            session.step(1)
    for _ in range(3):
        r = client.post(f"/api/sessions/{s['id']}/step?batches=5")
        assert r.status_code == 200 and len(r.content) < 80_000
    assert len(r.json()["history"]["batch"]) > MAX_HISTORY / 2
    assert len(client.get(f"/api/sessions/{s['id']}").content) > 150_000


def test_a_diverged_frame_packs_its_pictures_as_finite_bytes(client):
    s = new_session(client, activation="relu", output="identity", cost="quadratic", learning_rate=100, hidden=[8])
    frame = client.post(f"/api/sessions/{s['id']}/step?batches=50").json()
    assert frame["diverged"]
    for packed in [frame["boundary"]["packed"], *frame["neurons"]["layers"]]:
        assert np.isfinite(packed["lo"]).all() and np.isfinite(packed["hi"]).all()


def test_softmax_on_three_spiral_arms_has_three_outputs(client):
    s = new_session(client, dataset="spiral", classes=3, output="softmax", cost="log_likelihood", hidden=[8])
    assert s["sizes"] == [2, 8, 3] and s["boundary"]["outputs"] == 3
    assert np.allclose(np.sum(s["boundary"]["values"], axis=1), 1, atol=1e-2)


def test_the_state_reports_the_noise_it_used_so_the_page_can_show_it(client):
    assert new_session(client, dataset="gaussians")["settings"]["noise"] == 0.6  # the data set's default
    assert new_session(client, dataset="gaussians", noise=None)["settings"]["noise"] == 0.6
    assert new_session(client, dataset="moons", noise=0.25)["settings"]["noise"] == 0.25


def test_reset_restores_the_initial_weights_and_history(client):
    s = new_session(client, optimizer="adam", learning_rate=0.03)
    client.post(f"/api/sessions/{s['id']}/step?batches=50")
    again = client.post(f"/api/sessions/{s['id']}/reset").json()
    assert again["weights"] == s["weights"] and again["batches"] == 0 and again["history"] == s["history"]
    other = client.post(f"/api/sessions/{s['id']}/reset", json={"seed": 7}).json()
    assert other["weights"] != s["weights"]


def test_a_diverging_learning_rate_is_reported_not_raised(client):
    s = new_session(
        client,
        activation="relu",
        output="identity",
        cost="quadratic",
        learning_rate=100,
        hidden=[16, 16],
        features=["x1", "x2", "x1sq", "x2sq"],
    )
    r = client.post(f"/api/sessions/{s['id']}/step?batches=50")
    assert r.status_code == 200
    state = r.json()
    assert "diverged" in state["diverged"] and "smaller learning rate" in state["diverged"]
    assert np.isfinite(np.array(state["weights"][0])).all()
    json.dumps(state, allow_nan=False)  # still valid JSON


def test_delete_then_the_session_is_gone(client):
    s = new_session(client)
    assert client.delete(f"/api/sessions/{s['id']}").status_code == 204
    assert client.get(f"/api/sessions/{s['id']}").status_code == 404


# -- the neuron panel: backprop's own numbers --------------------------------------


def backprop_of(session, rows):
    """An independent backward pass on the same rows at the same weights, through the public API."""
    net = session.net.copy()
    return net.backprop(session.X_train[rows], session.y_train[rows], l2=session.settings.l2, n=len(session.y_train))


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"l2": 0.1, "activation": "sigmoid", "output": "sigmoid", "cost": "quadratic"},
        {"output": "softmax", "cost": "log_likelihood", "activation": "relu"},
    ],
)
@pytest.mark.parametrize("mode", ["batch", "sample"])
def test_every_number_of_the_panel_is_backprops(client, extra, mode):
    s = new_session(client, hidden=[3, 2], batch_size=7, **extra)
    client.post(f"/api/sessions/{s['id']}/step?batches=9")
    session = session_of(client, s["id"])
    for layer in (2, 3, 4):
        for j in range(1, session.net.sizes[layer - 1] + 1):
            query = f"layer={layer}&j={j}" + ("&sample=5" if mode == "sample" else "")
            p = client.get(f"/api/sessions/{s['id']}/neuron?{query}").json()
            rows = np.array(p["rows"])
            assert (rows == ([5] if mode == "sample" else session.next_batch())).all()
            g, i, jj = backprop_of(session, rows), layer - 2, j - 1
            assert p["z"] == g.zs[i][:, jj].tolist()
            assert p["a"] == g.activations[i + 1][:, jj].tolist()
            assert p["delta"] == g.deltas[i][:, jj].tolist()  # BP1 / BP2
            assert p["grad_b"] == g.biases[i][jj]  # BP4
            assert [w["grad_w"] for w in p["incoming"]] == g.weights[i][jj].tolist()  # BP3
            assert [w["a_prev"] for w in p["incoming"]] == g.activations[i][0].tolist()
            assert [w["w"] for w in p["incoming"]] == session.net.weights[i][jj].tolist()
            assert p["rule"] == ("BP1" if layer == 4 else "BP2")
            if layer < 4:  # the BP2 sum, term by term, for row 0
                assert [t["delta"] for t in p["terms"]] == g.deltas[i + 1][0].tolist()
                assert [t["w"] for t in p["terms"]] == session.net.weights[i + 1][:, jj].tolist()
                assert p["sum"] * p["sigma_prime"][0] == pytest.approx(p["delta"][0], rel=1e-12, abs=1e-15)
            assert p["grad_b"] == pytest.approx(np.mean(p["delta"]), rel=1e-12, abs=1e-15)


def test_with_sgd_the_update_shown_is_the_step_taken(client):
    s = new_session(client, hidden=[4], batch_size=5, learning_rate=0.3)
    panel = client.get(f"/api/sessions/{s['id']}/neuron?layer=2&j=3").json()
    assert panel["eta"] == 0.3
    client.post(f"/api/sessions/{s['id']}/step?batches=1")
    net = session_of(client, s["id"]).net
    assert [w["w_new"] for w in panel["incoming"]] == net.weights[0][2].tolist()
    assert panel["bias_new"] == net.biases[0][2]


def test_the_panel_speaks_chinese_with_the_terms_of_explain(client):
    s = new_session(client, hidden=[2])
    zh = client.get(f"/api/sessions/{s['id']}/neuron?layer=2&j=1&lang=zh").json()
    en = client.get(f"/api/sessions/{s['id']}/neuron?layer=2&j=1").json()
    headings = " ".join(section["heading"] for section in zh["sections"])
    for key in ("title.bp2", "title.bp3", "title.bp4", "title.update"):
        assert term(key, "zh") in headings
    assert zh["labels"]["error"] == "误差" and en["labels"]["error"] == "error"
    assert "带权输入" in zh["sections"][0]["lines"][0] and "weighted input" in en["sections"][0]["lines"][0]
    assert zh["delta"] == en["delta"]
    out = client.get(f"/api/sessions/{s['id']}/neuron?layer=3&j=1&lang=zh").json()
    assert out["rule"] == "BP1" and term("title.bp1", "zh") in out["sections"][1]["heading"]


# -- refusals: 4xx with the parameter and the fix, never a 500 ----------------------


@pytest.mark.parametrize(
    "body, parameter, words",
    [
        ({"dataset": "mnist"}, "dataset", "xor, circles"),
        ({"hidden": [1_000_000]}, "hidden[0]", "between 1 and 16"),
        ({"hidden": [4] * 1000}, "hidden", "at most 6"),
        ({"hidden": "4,4"}, "hidden", "list"),
        ({"learning_rate": -0.1}, "learning_rate", "greater than 0"),
        ({"learning_rate": 0}, "learning_rate", "greater than 0"),
        ({"learning_rate": "fast"}, "learning_rate", "finite number"),
        ({"learning_rate": True}, "learning_rate", "finite number"),
        ({"learning_rate": None}, "learning_rate", "finite number"),
        ({"batch_size": 0}, "batch_size", "between 1 and 200"),
        ({"batch_size": 10**9}, "batch_size", "training set has 200"),
        ({"batch_size": 2.5}, "batch_size", "whole number"),
        ({"samples": 10**8}, "samples", "between 20 and 2000"),
        ({"noise": -1}, "noise", "at least 0"),
        ({"l2": -1}, "l2", "at least 0"),
        ({"features": []}, "features", "at least one"),
        ({"features": ["x3"]}, "features", "x1, x2"),
        ({"activation": "softmax"}, "activation", "tanh, sigmoid"),
        ({"classes": 3}, "classes", "spiral or gaussians"),
        ({"lr": 0.1}, "lr", "learning_rate"),
        ([1, 2], "body", "JSON object"),
    ],
)
def test_bad_settings_are_refused_with_the_parameter_and_the_fix(client, body, parameter, words):
    r = client.post("/api/sessions", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["parameter"] == parameter and words in r.json()["error"]


@pytest.mark.parametrize(
    "raw, words",
    [
        (b'{"learning_rate": NaN}', "finite number"),
        (b'{"learning_rate": Infinity}', "finite number"),
        (b'{"dataset": ', "not valid JSON"),
        (b"[" * 100_000, "bytes"),
    ],
)
def test_malformed_bodies_are_refused(client, raw, words):
    r = client.post("/api/sessions", content=raw, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500 and words in r.json()["error"]


def test_a_cost_that_does_not_fit_the_output_gets_the_cores_message(client):
    r = client.post("/api/sessions", json={"output": "sigmoid", "cost": "log_likelihood"})
    assert r.status_code == 400 and "output='softmax'" in r.json()["error"]


def test_bad_requests_on_a_session(client):
    sid = new_session(client, hidden=[2])["id"]
    cases = [
        ("post", f"/api/sessions/{sid}/step?batches=0", "batches"),
        ("post", f"/api/sessions/{sid}/step?batches=10000000", "batches"),
        ("post", f"/api/sessions/{sid}/step?batches=x", "batches"),
        ("get", f"/api/sessions/{sid}/neuron?layer=1&j=1", "layer"),
        ("get", f"/api/sessions/{sid}/neuron?layer=9&j=1", "layer"),
        ("get", f"/api/sessions/{sid}/neuron?layer=2&j=0", "j"),
        ("get", f"/api/sessions/{sid}/neuron?layer=2", "j"),
        ("get", f"/api/sessions/{sid}/neuron?layer=2&j=1&lang=fr", "lang"),
        ("get", f"/api/sessions/{sid}/neuron?layer=2&j=1&sample=100000", "sample"),
        ("get", f"/api/sessions/{sid}/neuron?layer=2&j=1&row=99", "row"),
        ("post", f"/api/sessions/{sid}/reset", "body"),
    ]
    for method, url, parameter in cases:
        kwargs = {"json": {"hidden": [3]}} if url.endswith("reset") else {}
        r = getattr(client, method)(url, **kwargs)
        assert r.status_code == 400 and r.json()["parameter"] == parameter, (url, r.text)


def test_a_session_that_does_not_exist_is_a_404_everywhere(client):
    for method, url in [
        ("get", "/api/sessions/nope"),
        ("post", "/api/sessions/nope/step"),
        ("post", "/api/sessions/nope/reset"),
        ("get", "/api/sessions/nope/neuron?layer=2&j=1"),
        ("delete", "/api/sessions/nope"),
    ]:
        r = getattr(client, method)(url)
        assert r.status_code == 404 and "POST /api/sessions" in r.json()["error"] or "no session" in r.json()["error"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
setting_values = st.fixed_dictionaries(
    {},
    optional={
        "dataset": st.sampled_from(["xor", "circles", "moons", "spiral", "gaussians", "digits", ""]) | json_values,
        "hidden": st.lists(st.integers(-2, 20), max_size=7) | json_values,
        "learning_rate": st.floats() | json_values,
        "batch_size": st.integers(-5, 500) | json_values,
        "features": st.lists(st.sampled_from(["x1", "x2", "x1sq", "sin2", "x7"]), max_size=4) | json_values,
        "output": st.sampled_from(["sigmoid", "softmax", "tanh", "relu"]),
        "cost": st.sampled_from(["quadratic", "log_likelihood", "cross_entropy", "x"]),
        "classes": st.integers(0, 9) | json_values,
        "noise": st.floats() | json_values,
        "l2": st.floats() | json_values,
        "samples": st.integers(0, 3000) | json_values,
        "test_fraction": st.floats() | json_values,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=setting_values)
def test_random_settings_never_make_a_500(client, body):
    raw = json.dumps(body, allow_nan=True)
    r = client.post("/api/sessions", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code in (201, 400), r.text
    if r.status_code == 201:
        step = client.post(f"/api/sessions/{r.json()['id']}/step?batches=3")
        assert step.status_code == 200
        json.dumps(step.json(), allow_nan=False)


# -- the store: bounded in number and idle time --------------------------------------


def test_the_store_evicts_the_least_recently_used_beyond_its_bound():
    with TestClient(create_app(SessionStore(max_sessions=3))) as c:
        ids = [new_session(c, samples=40, batch_size=4)["id"] for _ in range(3)]
        c.get(f"/api/sessions/{ids[0]}")  # ids[1] is now the least recently used
        ids.append(new_session(c, samples=40, batch_size=4)["id"])
        assert len(c.app.state.store) == 3
        assert c.get(f"/api/sessions/{ids[1]}").status_code == 404
        assert all(c.get(f"/api/sessions/{i}").status_code == 200 for i in (ids[0], ids[2], ids[3]))


def test_idle_sessions_expire():
    now = [0.0]
    with TestClient(create_app(SessionStore(idle_seconds=60, clock=lambda: now[0]))) as c:
        sid = new_session(c, samples=40, batch_size=4)["id"]
        now[0] = 59
        assert c.get(f"/api/sessions/{sid}").status_code == 200
        now[0] = 59 + 61
        r = c.get(f"/api/sessions/{sid}")
        assert r.status_code == 404 and "expired" in r.json()["error"]


# -- the page is served locally, with no CDN -------------------------------------------


def test_the_page_and_its_files_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    modules = sorted(path.name for path in STATIC.glob("*.js"))  # ES modules: the browser runs them only as JavaScript
    assert {"app.js", "server.js", "controls.js", "training.js", "panel.js", "draw.js", "words.js"} <= set(modules)
    for name, kind in [(m, "javascript") for m in modules] + [("style.css", "text/css")]:
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"]
    for path in STATIC.iterdir():
        assert not re.search(r"(src|href)=[\"']?(https?:)?//|@import|https?://", path.read_text()), path.name
    options = client.get("/api/options").json()
    assert options["terms"]["error"] == {"en": "error", "zh": "误差"}
    assert options["defaults"]["dataset"] in options["datasets"]


# -- the command ----------------------------------------------------------------------


def test_the_command_prints_the_url_and_serves(monkeypatch, capsys):
    from bprop import playground as web
    from bprop.cli.playground_command import playground

    seen = {}
    monkeypatch.setattr(web, "serve", lambda host, port: seen.update(host=host, port=port))
    playground(port=0, host="127.0.0.1", open_browser=False)
    assert seen["host"] == "127.0.0.1" and seen["port"] > 0
    assert f"http://127.0.0.1:{seen['port']}/" in capsys.readouterr().out


def test_the_command_refuses_a_port_in_use():
    from bprop.cli.playground_command import playground

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(InvalidArgument, match="choose another --port"):
            playground(port=busy.getsockname()[1], host="127.0.0.1", open_browser=False)
    with pytest.raises(InvalidArgument, match="between 1 and 65535"):
        playground(port=70000, host="127.0.0.1", open_browser=False)


# -- load: many tabs at once on loopback -------------------------------------------------


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.mark.slow  # many sessions at once
@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/statm"), reason="needs /proc to measure memory")
def test_many_concurrent_sessions_stay_correct_responsive_and_bounded():
    import httpx

    clients, seconds, cap = 12, 3.0, 16
    store = SessionStore(max_sessions=cap)
    errors, requests, slowest = [], [0], [0.0]

    def tab(index, http):
        try:
            r = http.post(
                "/api/sessions",
                json={
                    "dataset": ["xor", "moons", "spiral"][index % 3],
                    "hidden": [8, 8],
                    "samples": 400,
                    "seed": index,
                },
            )
            if r.status_code != 201:
                errors.append(r.text)
                return
            sid, end = r.json()["id"], time.monotonic() + seconds
            while time.monotonic() < end:
                for method, url in (
                    ("post", f"/api/sessions/{sid}/step?batches=5"),
                    ("get", f"/api/sessions/{sid}/neuron?layer=2&j=1"),
                ):
                    r = getattr(http, method)(url)
                    requests[0] += 1
                    if r.status_code != 200:
                        errors.append(f"{url}: {r.status_code} {r.text}")
                        return
            http.delete(f"/api/sessions/{sid}")
        except Exception as error:  # noqa: BLE001 — any failure of a tab is a test failure
            errors.append(repr(error))

    with LiveServer(create_app(store)) as live:
        with httpx.Client(base_url=live.url, timeout=20) as warm:
            assert warm.get("/api/options").status_code == 200
        before = rss_bytes()
        https = [httpx.Client(base_url=live.url, timeout=20) for _ in range(clients)]
        threads = [threading.Thread(target=tab, args=(i, h)) for i, h in enumerate(https)]
        for t in threads:
            t.start()
        with httpx.Client(base_url=live.url, timeout=20) as probe:  # the server stays responsive meanwhile
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                start = time.monotonic()
                assert probe.get("/api/options").status_code == 200
                slowest[0] = max(slowest[0], time.monotonic() - start)
                time.sleep(0.1)
        for t in threads:
            t.join(30)
        for h in https:
            h.close()
        with httpx.Client(base_url=live.url, timeout=20) as extra:  # more tabs than the bound
            for i in range(2 * cap):
                assert extra.post("/api/sessions", json={"samples": 100, "seed": i}).status_code == 201
        grown = rss_bytes() - before
    assert not errors, errors[:3]
    assert requests[0] > 2 * clients
    assert len(store) <= cap
    assert slowest[0] < 2.0, f"an options request took {slowest[0]:.2f} s under load"
    assert grown < 200 * 2**20, f"memory grew by {grown / 2**20:.0f} MiB"
