"""The playground's features beyond TensorFlow Playground: points, uploads, a regression set,
model files, shareable links, hand-edited weights and one sample stepped through.

In-process through starlette's TestClient; the numbers are compared with
bprop's own public API (``Network.backprop``, ``bprop.SGD``, ``bprop.load``,
``features.transform``) called independently on the same arrays.
"""

import base64
import io
import json
import socket
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("starlette")
pytest.importorskip("httpx")
from starlette.testclient import TestClient  # noqa: E402

import bprop  # noqa: E402
from bprop.playground import create_app, features, share, uploads  # noqa: E402
from bprop.playground import data as session_data  # noqa: E402
from bprop.playground.store import SessionStore  # noqa: E402
from live_server import LiveServer  # noqa: E402
from playground_api import BAD_CSVS, new_session, session_of  # noqa: E402

MiB = 2**20


@pytest.fixture
def client():
    with TestClient(create_app(SessionStore(max_sessions=16))) as c:
        yield c


def refused(response, status, parameter, *words):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["parameter"] == parameter, body
    assert all(w in body["error"] for w in words), body["error"]
    return body


def same_parameters(a, b):
    return all(np.array_equal(x, y) for x, y in zip([*a.weights, *a.biases], [*b.weights, *b.biases]))


# -- points: added and removed, the features follow ------------------------------------------


def test_a_point_added_then_removed_updates_the_data_and_its_features(client):
    feats = ["x1", "x2", "x1sq", "sin2"]
    s = new_session(client, features=feats, hidden=[3])
    session = session_of(client, s["id"])
    X_before, y_before = session.X_train.copy(), session.y_train.copy()

    r = client.post(f"/api/sessions/{s['id']}/points", json={"x1": 0.02, "x2": -0.01, "label": 1, "part": "train"})
    assert r.status_code == 200, r.text
    state = r.json()
    assert state["change"]["added"] == {"x1": 0.02, "x2": -0.01, "label": 1, "part": "train", "index": 200}
    assert state["counts"] == {"train": 201, "test": 200} and state["data_source"] == "edited"
    assert state["data"]["train"]["points"][-1] == [0.02, -0.01] and state["data"]["train"]["labels"][-1] == 1
    assert np.array_equal(session.X_train[-1], features.transform([[0.02, -0.01]], features.checked(feats))[0])
    assert session.y_train[-1] == 1 and sorted(session.order) == list(range(201))

    r = client.post(f"/api/sessions/{s['id']}/points/remove", json={"x1": 0.0, "x2": 0.0})
    assert r.json()["change"]["removed"] == {"x1": 0.02, "x2": -0.01, "label": 1, "part": "train", "index": 200}
    assert np.array_equal(session.X_train, X_before) and np.array_equal(session.y_train, y_before)


def test_points_can_go_to_the_test_set_and_regression_points_carry_a_target(client):
    s = new_session(client, dataset="wave", hidden=[3])
    r = client.post(f"/api/sessions/{s['id']}/points", json={"x1": 1.0, "x2": 1.0, "target": 0.75, "part": "test"})
    assert r.json()["counts"] == {"train": 200, "test": 201}
    assert r.json()["data"]["test"]["labels"][-1] == 0.75
    assert session_of(client, s["id"]).y_test[-1].tolist() == [0.75]


def test_bad_points_are_refused_with_the_parameter(client):
    sid = new_session(client, hidden=[2])["id"]
    add, remove = f"/api/sessions/{sid}/points", f"/api/sessions/{sid}/points/remove"
    cases = [
        (add, {"x1": 0, "x2": 0, "label": 2}, 400, "label", "from 0 to 1"),
        (add, {"x1": 0, "x2": 0, "label": True}, 400, "label", "whole number"),
        (add, {"x1": 0, "x2": 0, "target": 0.5}, 400, "target", "label"),
        (add, {"x1": "a", "x2": 0, "label": 0}, 400, "x1", "finite number"),
        (add, {"x1": 1e9, "x2": 0, "label": 0}, 400, "x1", "out of range"),
        (add, {"x1": 0, "x2": 0, "label": 0, "part": "validation"}, 400, "part", "train or test"),
        (add, {"x1": 0, "x2": 0, "label": 0, "colour": "red"}, 400, "colour", "not known"),
        (add, [0, 0], 400, "body", "JSON object"),
        (remove, {"x1": 50, "x2": 50, "within": 0.1}, 404, "within", "nothing was removed"),
        (remove, {"x1": 0, "x2": 0, "within": -1}, 400, "within", "greater than 0"),
    ]
    for url, body, status, parameter, words in cases:
        refused(client.post(url, json=body), status, parameter, words)
    assert session_of(client, sid).data.size == 400  # nothing changed


def test_the_number_of_points_is_bounded_and_each_part_keeps_one(client, monkeypatch):
    sid = new_session(client, samples=20, batch_size=2, hidden=[2])["id"]
    monkeypatch.setattr(session_data, "MAX_POINTS", 20)
    r = client.post(f"/api/sessions/{sid}/points", json={"x1": 0, "x2": 0, "label": 0})
    refused(r, 400, "x1", "20 points", "remove some")
    for _ in range(9):
        assert (
            client.post(f"/api/sessions/{sid}/points/remove", json={"x1": 0, "x2": 0, "part": "test"}).status_code
            == 200
        )
    r = client.post(f"/api/sessions/{sid}/points/remove", json={"x1": 0, "x2": 0, "part": "test"})
    refused(r, 400, "part", "last of the test set")


# -- CSV upload ----------------------------------------------------------------------------------


def test_a_csv_with_named_classes_and_a_part_column_becomes_the_data(client):
    sid = new_session(client, hidden=[4], output="softmax", cost="log_likelihood")["id"]
    rows = ["x1,x2,label,part"] + [
        f"{i / 10},{-i / 10},{['cat', 'dog', 'eel'][i % 3]},{'test' if i % 4 == 0 else 'train'}" for i in range(30)
    ]
    r = client.post(f"/api/sessions/{sid}/data", json={"csv": "\n".join(rows)})
    assert r.status_code == 200, r.text
    state = r.json()
    assert state["task"] == "classification" and state["classes"] == 3
    assert state["class_names"] == ["cat", "dog", "eel"] and state["sizes"] == [2, 4, 3]
    assert state["counts"] == {"train": 22, "test": 8} and state["data_source"] == "uploaded"
    assert state["data"]["test"]["points"][0] == [0.0, -0.0] and state["data"]["test"]["labels"][0] == 0
    assert client.post(f"/api/sessions/{sid}/step?batches=20").json()["costs"]["train"] is not None


def test_real_targets_make_a_regression_set_and_the_cost_follows(client):
    sid = new_session(client, hidden=[4], batch_size=50)["id"]  # sigmoid / cross_entropy
    text = "a,b,t\n" + "\n".join(f"{i / 7:.3f},{i % 5},{np.sin(i / 7):.4f}" for i in range(40))
    state = client.post(f"/api/sessions/{sid}/data", json={"csv": text, "test_fraction": 0.25}).json()
    assert state["task"] == "regression" and state["classes"] is None and state["sizes"] == [2, 4, 1]
    assert state["settings"]["output"] == "identity" and state["settings"]["cost"] == "quadratic"
    assert state["settings"]["batch_size"] == 30 and len(state["notes"]) == 2
    assert state["counts"] == {"train": 30, "test": 10}
    assert state["costs"]["train_accuracy"] is None
    integers = client.post(
        f"/api/sessions/{sid}/data", json={"csv": "x,y,t\n0,0,1\n1,1,2\n2,2,3", "task": "regression"}
    )
    assert integers.json()["task"] == "regression"


@pytest.mark.parametrize("text, words", BAD_CSVS)
def test_a_bad_csv_is_refused_with_a_clear_message(client, text, words):
    sid = new_session(client, hidden=[2])["id"]
    refused(client.post(f"/api/sessions/{sid}/data", json={"csv": text}), 400, "csv", *words)
    assert session_of(client, sid).data.source == "generated"


def test_a_regression_label_that_is_not_a_number_is_quoted_as_the_user_wrote_it(client):
    sid = new_session(client, hidden=[2])["id"]
    body = {"csv": "x1,x2,t\n0,0,0.5\n1,1,oops", "task": "regression"}
    error = refused(client.post(f"/api/sessions/{sid}/data", json=body), 400, "csv", "row 2", "'oops'")["error"]
    assert "np." not in error


def test_bad_upload_requests_name_the_parameter(client):
    sid = new_session(client, hidden=[2])["id"]
    for body, parameter in [
        ({"text": "x"}, "csv"),
        ({"csv": 5}, "csv"),
        ({"csv": "x1,x2,l\n0,0,0\n1,1,1", "task": "clustering"}, "task"),
        ({"csv": "x1,x2,l\n0,0,0\n1,1,1", "test_fraction": 1.5}, "test_fraction"),
        ({"csv": "x1,x2,l\n0,0,0\n1,1,1", "sep": ";"}, "sep"),
        ({"csv": "x1,x2,l\n0,0,0\n1,1,1", "label_column": "y"}, "label_column"),
        ({"csv": "x1,x2,l\n0,0,0.5\n1,1,b", "task": "regression"}, "csv"),
    ]:
        assert client.post(f"/api/sessions/{sid}/data", json=body).json()["parameter"] == parameter, body


def test_the_data_exported_as_csv_uploads_back_unchanged(client):
    sid = new_session(client, dataset="spiral", classes=3, hidden=[4])["id"]
    client.post(f"/api/sessions/{sid}/points", json={"x1": 0.123456789, "x2": -1 / 3, "label": 2, "part": "test"})
    r = client.get(f"/api/sessions/{sid}/data.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"] and r.text.startswith("x1,x2,label,part\n")
    before = session_of(client, sid).data
    other = new_session(client, hidden=[4])["id"]
    assert client.post(f"/api/sessions/{other}/data", json={"csv": r.text}).status_code == 200
    after = session_of(client, other).data
    for part in ("train", "test"):
        assert np.array_equal(after.points[part], before.points[part])
        assert np.array_equal(after.y[part], before.y[part])
    wave = new_session(client, dataset="wave", hidden=[2])["id"]
    text = client.get(f"/api/sessions/{wave}/data.csv").text
    assert text.startswith("x1,x2,target,part\n")
    assert client.post(f"/api/sessions/{other}/data", json={"csv": text}).json()["task"] == "regression"
    assert np.array_equal(session_of(client, other).y_train, session_of(client, wave).y_train)


def test_an_upload_may_be_larger_than_a_settings_body_but_is_bounded(client):
    sid = new_session(client, hidden=[2])["id"]
    text = "x1,x2,label\n" + "0.1234567890123,0.9876543210987,0\n1.1234567890123,1.9876543210987,1\n" * 1000
    assert len(text) > 64 * 1024  # four times the limit of other requests
    r = client.post(f"/api/sessions/{sid}/data", json={"csv": text})
    assert r.status_code == 200, r.text
    refused(client.post("/api/sessions", json={"hidden": [2], "pad": text}), 413, "Content-Length", "16384 bytes")
    big = json.dumps({"csv": "x" * (uploads.MAX_UPLOAD + 1)})
    r = client.post(f"/api/sessions/{sid}/data", content=big, headers={"Content-Type": "application/json"})
    refused(r, 413, "Content-Length", f"at most {uploads.MAX_UPLOAD} bytes", "1024 KiB")


def test_a_streamed_upload_is_cut_off_past_its_limit():
    with LiveServer(create_app(SessionStore())) as live:
        import httpx

        sid = httpx.post(f"{live.url}/api/sessions", json={"hidden": [2]}).json()["id"]
        sent, reply = 0, b""
        with socket.create_connection(("127.0.0.1", live.port), timeout=10) as s:
            head = (
                f"POST /api/sessions/{sid}/data HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            s.sendall(head.encode())
            piece = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)
            try:
                for _ in range(64 * MiB // len(piece)):
                    s.sendall(piece)
                    sent += len(piece)
            except OSError:  # the server answered and closed: it reads no more
                pass
            try:
                while data := s.recv(65536):
                    reply += data
            except OSError:
                pass
    reply = reply.decode()
    assert reply.startswith("HTTP/1.1 413"), reply[:200]
    assert f"passed {uploads.MAX_UPLOAD} bytes" in reply and sent < 32 * MiB


# -- the regression set, and multi-class softmax ------------------------------------------------------


def test_the_wave_regression_set_trains_with_an_identity_output_and_the_quadratic_cost(client):
    s = new_session(client, dataset="wave", hidden=[8, 8], learning_rate=0.03)
    assert s["task"] == "regression" and s["classes"] is None and s["sizes"] == [2, 8, 8, 1]
    assert s["settings"]["output"] == "identity" and s["settings"]["cost"] == "quadratic"
    assert all(isinstance(t, float) for t in s["data"]["train"]["labels"])
    after = client.post(f"/api/sessions/{s['id']}/step?batches=1000").json()
    assert after["costs"]["test"] < 0.25 * s["costs"]["test"] and after["costs"]["test_accuracy"] is None


@pytest.mark.parametrize(
    "body, parameter, words",
    [
        ({"dataset": "wave", "cost": "cross_entropy"}, "cost", "quadratic"),
        ({"dataset": "wave", "output": "softmax"}, "output", "identity"),
        ({"dataset": "wave", "classes": 3}, "classes", "regression set"),
    ],
)
def test_the_regression_set_refuses_classification_settings(client, body, parameter, words):
    refused(client.post("/api/sessions", json=body), 400, parameter, words)


def test_softmax_classifies_many_classes(client):
    s = new_session(client, dataset="gaussians", classes=5, output="softmax", cost="log_likelihood", hidden=[8])
    assert s["sizes"][-1] == 5 and s["classes"] == 5
    after = client.post(f"/api/sessions/{s['id']}/step?batches=300").json()
    assert after["costs"]["test_accuracy"] > 0.8


# -- keeping the data when the settings change -----------------------------------------------------------


def test_a_new_session_can_keep_the_data_of_another(client):
    sid = new_session(client, hidden=[2], seed=3)["id"]
    client.post(f"/api/sessions/{sid}/points", json={"x1": 0.5, "x2": 0.5, "label": 0})
    kept = client.post("/api/sessions", json={"hidden": [5], "activation": "relu", "data_from": sid})
    assert kept.status_code == 201, kept.text
    state = kept.json()
    assert state["settings"]["seed"] == 3 and state["data_source"] == "edited" and state["sizes"] == [2, 5, 1]
    assert state["data"] == client.get(f"/api/sessions/{sid}").json()["data"]
    refused(client.post("/api/sessions", json={"seed": 4, "data_from": sid}), 400, "seed", "leave out data_from")
    refused(client.post("/api/sessions", json={"data_from": "nope"}), 404, "data_from", "no session")


# -- model files: export, import ---------------------------------------------------------------------


def test_the_exported_model_loads_with_bprop_and_records_the_features(client, tmp_path):
    feats = ["x1", "x2", "x1x2"]
    s = new_session(client, features=feats, hidden=[5, 3])
    client.post(f"/api/sessions/{s['id']}/step?batches=40")
    r = client.get(f"/api/sessions/{s['id']}/model")
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    assert "playground.bprop" in r.headers["content-disposition"]
    path = tmp_path / "m.bprop"
    path.write_bytes(r.content)
    net = bprop.load(path)
    session = session_of(client, s["id"])
    assert same_parameters(net, session.net) and net.sizes == session.net.sizes
    kept = net.metadata["playground"]
    assert kept["features"] == feats and kept["feature_labels"] == ["x₁", "x₂", "x₁x₂"] and kept["batches"] == 40
    points = np.array([[0.3, -0.7], [1.2, 0.4]])
    X = features.transform(points, kept["features"])  # the feature map used again, from the metadata
    assert np.array_equal(net.feedforward(X), session.net.feedforward(X))


def test_an_imported_model_becomes_the_sessions_network(client):
    a = new_session(client, hidden=[6], activation="relu", seed=1)["id"]
    client.post(f"/api/sessions/{a}/step?batches=60")
    model = base64.b64encode(client.get(f"/api/sessions/{a}/model").content).decode()
    b = new_session(client, hidden=[2], seed=2)["id"]
    r = client.post(f"/api/sessions/{b}/model", json={"model": "data:application/octet-stream;base64," + model})
    assert r.status_code == 200, r.text
    state = r.json()
    assert state["sizes"] == [2, 6, 1] and state["settings"]["hidden"] == [6]
    assert state["settings"]["activation"] == "relu" and state["unshareable"]
    assert same_parameters(session_of(client, a).net, session_of(client, b).net)
    assert client.post(f"/api/sessions/{b}/step?batches=5").status_code == 200


def zip_with(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, content in members.items():
            z.writestr(name, content)
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_model_that_does_not_fit_or_is_not_a_model_is_refused(client):
    three = new_session(client, features=["x1", "x2", "x1sq"], hidden=[3])["id"]
    spiral = new_session(client, dataset="spiral", classes=3, hidden=[3])["id"]
    plain = new_session(client, hidden=[3])["id"]
    model_of = {
        sid: base64.b64encode(client.get(f"/api/sessions/{sid}/model").content).decode() for sid in (three, spiral)
    }
    cases = [
        (model_of[three], ["trained on the features x1, x2, x1sq"]),
        (model_of[spiral], ["3 outputs", "needs 1"]),
        ("not base64!", ["not valid base64"]),
        (base64.b64encode(b"hello").decode(), ["not a bprop model file"]),
        (zip_with({"header.json": "{}", "data.pkl": b"\x80\x04K\x01."}), ["the uploaded model file"]),
    ]
    for model, words in cases:
        refused(client.post(f"/api/sessions/{plain}/model", json={"model": model}), 400, "model", *words)
    refused(client.post(f"/api/sessions/{plain}/model", json={"file": "x"}), 400, "model", "base64")
    assert session_of(client, plain).net.sizes == [2, 3, 1]


def test_a_model_without_playground_metadata_is_checked_by_its_sizes(client, tmp_path):
    sid = new_session(client, hidden=[3])["id"]
    for sizes, fits in (([2, 4, 1], True), ([3, 4, 1], False), ([2] + [4] * 7 + [1], False)):
        net = bprop.Network(sizes, activation="tanh", output="sigmoid", cost="cross_entropy", seed=0)
        path = net.save(tmp_path / "n.bprop")
        r = client.post(f"/api/sessions/{sid}/model", json={"model": base64.b64encode(path.read_bytes()).decode()})
        assert (r.status_code == 200) == fits, r.text
        if not fits:
            refused(r, 400, "model", "the model")


# -- shareable links -----------------------------------------------------------------------------------------


def replay_equals_original(client, sid):
    """The link of ``sid`` opened as a new session: same weights, data, optimizer state and counts, bit for bit."""
    link = client.get(f"/api/sessions/{sid}/share")
    assert link.status_code == 200, link.text
    text = link.json()["share"]
    assert set(text[2:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    r = client.post("/api/shares", json={"share": text})
    assert r.status_code == 201, r.text
    a, b = session_of(client, sid), session_of(client, r.json()["id"])
    assert same_parameters(a.net, b.net)
    assert a.settings == b.settings and (a.batches, a.epochs, a.cursor) == (b.batches, b.epochs, b.cursor)
    assert np.array_equal(a.order, b.order) and a.diverged == b.diverged
    for part in ("train", "test"):
        assert np.array_equal(a.points[part], b.points[part]) and np.array_equal(a.data.y[part], b.data.y[part])
    for key, buffer in a.optimizer.state.items():
        assert np.array_equal(buffer, b.optimizer.state[key])
    assert client.get(f"/api/sessions/{r.json()['id']}/share").json()["share"] == text  # the same link again
    return text


def test_a_link_restores_the_setup_and_the_weights_bit_for_bit(client):
    sid = new_session(
        client, dataset="spiral", classes=3, noise=0.1, features=["x1", "x2", "sin1"], hidden=[5, 4],
        activation="relu", output="softmax", cost="log_likelihood", optimizer="adam", learning_rate=0.02,
        batch_size=7, l2=0.01, seed=11,
    )["id"]  # fmt: skip
    for batches in (3, 1000, 250):
        client.post(f"/api/sessions/{sid}/step?batches={batches}")
    client.post(f"/api/sessions/{sid}/points", json={"x1": 0.2, "x2": 0.1, "label": 2})
    client.post(f"/api/sessions/{sid}/step?batches=17")
    client.post(f"/api/sessions/{sid}/points/remove", json={"x1": -0.3, "x2": 0.2, "part": "train"})
    client.post(f"/api/sessions/{sid}/weight", json={"layer": 3, "j": 2, "k": 4, "value": 0.3125})
    client.post(f"/api/sessions/{sid}/weight", json={"layer": 2, "j": 1, "value": -1.5})
    client.post(f"/api/sessions/{sid}/step?batches=40")
    text = replay_equals_original(client, sid)
    assert len(text) < 1000
    client.post(f"/api/sessions/{sid}/reset", json={"seed": 5})
    client.post(f"/api/sessions/{sid}/step?batches=9")
    replay_equals_original(client, sid)


def test_a_link_replays_a_divergence_as_it_happened(client):
    sid = new_session(client, hidden=[16, 16], activation="relu", output="identity", cost="quadratic",
                      learning_rate=0.05, features=["x1", "x2", "x1sq", "x2sq"])["id"]  # fmt: skip
    client.post(f"/api/sessions/{sid}/step?batches=30")
    client.post(f"/api/sessions/{sid}/weight", json={"layer": 2, "j": 1, "k": 3, "value": 900.0})
    for _ in range(3):
        client.post(f"/api/sessions/{sid}/step?batches=20")
    assert session_of(client, sid).diverged
    replay_equals_original(client, sid)


def test_a_session_with_kept_data_shares_the_edits_made_before_it(client):
    a = new_session(client, dataset="moons", hidden=[3], seed=4)["id"]
    client.post(f"/api/sessions/{a}/step?batches=10")
    client.post(f"/api/sessions/{a}/points", json={"x1": 2.5, "x2": 0.5, "label": 1})
    client.post(f"/api/sessions/{a}/points/remove", json={"x1": 0, "x2": 0})
    b = client.post("/api/sessions", json={"dataset": "moons", "seed": 4, "hidden": [6], "data_from": a}).json()["id"]
    client.post(f"/api/sessions/{b}/step?batches=33")
    replay_equals_original(client, b)


def test_sessions_a_link_cannot_rebuild_say_why(client, monkeypatch):
    sid = new_session(client, hidden=[2])["id"]
    client.post(f"/api/sessions/{sid}/data", json={"csv": "x1,x2,l\n0,0,0\n1,1,1\n2,2,0\n3,3,1"})
    refused(client.get(f"/api/sessions/{sid}/share"), 409, "id", "uploaded", "export")
    kept = client.post("/api/sessions", json={"hidden": [3], "batch_size": 2, "data_from": sid}).json()["id"]
    refused(client.get(f"/api/sessions/{kept}/share"), 409, "id", "uploaded")
    long = new_session(client, hidden=[2])["id"]
    monkeypatch.setattr(share, "MAX_REPLAY_BATCHES", 50)
    client.post(f"/api/sessions/{long}/step?batches=51")
    refused(client.get(f"/api/sessions/{long}/share"), 409, "id", "51 batches", "at most 50")


def packed(payload):
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return "1." + base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


def test_malformed_and_oversized_links_are_refused(client):
    sid = new_session(client, hidden=[2])["id"]
    client.post(f"/api/sessions/{sid}/step?batches=3")
    good = client.get(f"/api/sessions/{sid}/share").json()["share"]
    payload = json.loads(zlib.decompress(base64.urlsafe_b64decode(good[2:] + "==")))
    bomb = "1." + base64.urlsafe_b64encode(zlib.compress(b" " * (share.MAX_JSON + 10))).decode()
    cases = [
        (None, "expected the link's string"),
        (good[:-12], "damaged"),
        (good[:10] + "!" + good[11:], "base64url"),
        ("2." + good[2:], "does not start with '1.'"),
        ("1." + "A" * (share.MAX_CHARS + 1), "characters"),
        ("1." + base64.urlsafe_b64encode(b"not zlib").decode().rstrip("="), "damaged"),
        (bomb.rstrip("="), "inflates to more than"),
        (packed([1, 2]), "not a playground setup"),
        (packed({**payload, "v": 2}), "version 2"),
        (packed({**payload, "s": {**payload["s"], "hidden": [99]}}), "hidden[0]"),
        (packed({**payload, "o": [["step", share.MAX_REPLAY_BATCHES + 1]]}), "at most 20000 batches"),
        (packed({**payload, "o": [["step", 10**9], ["step", -(10**9)]]}), "at least 1"),
        (packed({**payload, "o": [["step", 2.5]]}), "whole number"),
        (packed({**payload, "o": [["explode"]]}), "not a change"),
        (packed({**payload, "o": [["set", 9, 1, 1, 0.5]]}), "layer=9"),
        (packed({**payload, "o": [["reset", -1]]}), "seed"),
        (packed({**payload, "e": [["add", 0, 0, 7, "train"]]}), "label=7"),
        (packed({**payload, "o": [["points", ["remove", 9, 9, None, 0.001]]]}), "nothing was removed"),
    ]
    for text, words in cases:
        r = client.post("/api/shares", json={"share": text})
        refused(r, 400, "share", "cannot be opened", words)
    refused(client.post("/api/shares", json={"link": good}), 400, "share", "send")
    assert client.post("/api/shares", json={"share": good}).status_code == 201


# -- a hand-edited weight: ∂C/∂w·Δw beside ΔC -----------------------------------------------------------------


def edit(client, sid, **body):
    r = client.post(f"/api/sessions/{sid}/weight", json=body)
    assert r.status_code == 200, r.text
    return r.json()["edit"]


def test_for_a_small_change_the_gradient_predicts_the_cost_to_first_order(client):
    sid = new_session(client, hidden=[4], l2=0.05)["id"]
    client.post(f"/api/sessions/{sid}/step?batches=30")
    session = session_of(client, sid)
    g = session.net.backprop(session.X_train, session.y_train, l2=0.05, n=len(session.y_train))
    j, k = np.unravel_index(np.argmax(np.abs(g.weights[0])), g.weights[0].shape)  # the steepest weight of layer 2
    w = float(session.net.weights[0][j, k])
    gaps = {}
    for h in (1e-3, 1e-4):
        e = edit(client, sid, layer=2, j=int(j) + 1, k=int(k) + 1, value=w + h, preview=True)
        assert e["gradient"] == g.weights[0][j, k] and e["cost_before"] == g.cost  # backprop's own numbers
        assert e["predicted"] == pytest.approx(e["gradient"] * h, rel=1e-9)
        assert e["actual"] == pytest.approx(e["predicted"], rel=1e-2)  # agree to first order
        gaps[h] = e["actual"] - e["predicted"]
    assert 70 < gaps[1e-3] / gaps[1e-4] < 130  # the gap shrinks as Δw²: it is the second-order term
    assert session.net.weights[0][j, k] == w  # a preview changes nothing


def test_for_a_large_change_the_gap_is_the_second_order_term(client):
    sid = new_session(client, hidden=[4])["id"]
    client.post(f"/api/sessions/{sid}/step?batches=30")
    w = float(session_of(client, sid).net.weights[0][0, 1])
    e = edit(client, sid, layer=2, j=1, k=2, value=w + 0.3)
    gap = e["actual"] - e["predicted"]
    assert abs(gap) > abs(e["predicted"])  # the linear estimate is off by more than its own size
    # ½ ∂²C/∂w² Δw², with ∂²C/∂w² ≈ (∂C/∂w after − before)/Δw, accounts for most of the gap
    second_order = 0.5 * (e["gradient_after"] - e["gradient"]) * e["delta"]
    assert abs(gap - second_order) < 0.3 * abs(gap)
    session = session_of(client, sid)
    assert session.net.weights[0][0, 1] == w + 0.3 and e["cost_after"] == pytest.approx(
        session.net.backprop(session.X_train, session.y_train).cost, rel=1e-12
    )


def test_a_bias_can_be_set_and_the_state_comes_back(client):
    sid = new_session(client, hidden=[3])["id"]
    r = client.post(f"/api/sessions/{sid}/weight", json={"layer": 3, "j": 1, "value": 0.75}).json()
    assert r["edit"]["parameter"] == "b" and r["edit"]["k"] is None and r["state"]["biases"][1] == [0.75]
    preview = client.post(f"/api/sessions/{sid}/weight", json={"layer": 3, "j": 1, "value": 2.0, "preview": True})
    assert preview.json()["state"] is None and session_of(client, sid).net.biases[1][0] == 0.75


def test_bad_weight_edits_are_refused(client):
    sid = new_session(client, hidden=[3])["id"]
    for body, parameter in [
        ({"layer": 1, "j": 1, "k": 1, "value": 0}, "layer"),
        ({"layer": 4, "j": 1, "k": 1, "value": 0}, "layer"),
        ({"layer": 2, "j": 4, "k": 1, "value": 0}, "j"),
        ({"layer": 2, "j": 1, "k": 3, "value": 0}, "k"),
        ({"layer": 2, "j": 1, "k": 1, "value": 1e6}, "value"),
        ({"layer": 2, "j": 1, "k": 1, "value": "big"}, "value"),
        ({"layer": 2, "j": 1, "k": 1, "value": 0, "preview": "yes"}, "preview"),
        ({"layer": 2, "j": 1, "k": 1, "value": 0, "w": 1}, "w"),
    ]:
        refused(client.post(f"/api/sessions/{sid}/weight", json=body), 400, parameter)


# -- step through one sample ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [{}, {"output": "softmax", "cost": "log_likelihood", "activation": "relu", "l2": 0.1}, {"dataset": "wave"}],
)
def test_each_stage_of_one_sample_is_one_backprop_calls_and_the_update_is_sgds(client, extra):
    sid = new_session(client, hidden=[4, 3], optimizer="momentum", learning_rate=0.2, **extra)["id"]
    client.post(f"/api/sessions/{sid}/step?batches=12")
    session = session_of(client, sid)
    weights_before = [w.copy() for w in session.net.weights]
    r = client.get(f"/api/sessions/{sid}/trace?sample=17")
    assert r.status_code == 200, r.text
    t = r.json()
    net = session.net.copy()
    g = net.backprop(session.X_train[17:18], session.y_train[17:18], l2=session.settings.l2, n=len(session.y_train))
    stepped = net.copy()
    bprop.SGD(lr=0.2).step(stepped, g)
    order = [(s["stage"], s["layer"]) for s in t["stages"]]
    assert order == [("forward", 1), ("forward", 2), ("forward", 3), ("forward", 4), ("BP1", 4), ("BP2", 3),
                     ("BP2", 2), ("BP3", 4), ("BP4", 4), ("BP3", 3), ("BP4", 3), ("BP3", 2), ("BP4", 2),
                     ("update", 2), ("update", 3), ("update", 4)]  # fmt: skip
    stage = {(s["stage"], s["layer"]): s for s in t["stages"]}
    assert stage["forward", 1]["a"] == session.X_train[17].tolist() and t["cost"] == g.cost
    for l in (2, 3, 4):
        i = l - 2
        assert (
            stage["forward", l]["z"] == g.zs[i][0].tolist()
            and stage["forward", l]["a"] == g.activations[i + 1][0].tolist()
        )
        assert stage["BP1" if l == 4 else "BP2", l]["delta"] == g.deltas[i][0].tolist()
        assert stage["BP3", l]["grad_w"] == g.weights[i].tolist() and stage["BP4", l]["grad_b"] == g.biases[i].tolist()
        assert stage["BP3", l]["delta"] == g.deltas[i][0].tolist()  # both factors of a^{l−1}_k δ^l_j are shown
        shown = {key: np.array(value) for key, value in stage["BP3", l].items() if key not in ("stage", "layer")}
        expected = np.outer(shown["delta"], shown["a_prev"])  # ∂C/∂w^l_jk = a^{l−1}_k δ^l_j, from the page's numbers
        if session.settings.l2:
            assert stage["BP3", l]["w_before"] == net.weights[i].tolist()  # the w of (λ/n) w
            expected = expected + session.settings.l2 / len(session.y_train) * shown["w_before"]
        else:
            assert "w_before" not in stage["BP3", l]
        np.testing.assert_allclose(shown["grad_w"], expected, rtol=1e-6, atol=1e-9)
        assert stage["update", l]["w_before"] == net.weights[i].tolist()
        assert stage["update", l]["w_after"] == stepped.weights[i].tolist()
        assert stage["update", l]["b_after"] == stepped.biases[i].tolist()
    assert t["eta"] == 0.2 and t["optimizer"] == "momentum"
    assert all(np.array_equal(a, b) for a, b in zip(weights_before, session.net.weights))  # the session is unchanged
    assert client.get(f"/api/sessions/{sid}/trace").json()["sample"] == int(session.next_batch()[0])


def test_a_sample_out_of_range_is_refused(client):
    sid = new_session(client, hidden=[2])["id"]
    refused(client.get(f"/api/sessions/{sid}/trace?sample=200"), 400, "sample", "from 0 to 199")
    refused(client.get(f"/api/sessions/{sid}/trace?sample=x"), 400, "sample", "whole number")


def test_every_new_route_answers_404_for_a_missing_session(client):
    for method, url in [
        ("post", "/api/sessions/nope/points"),
        ("post", "/api/sessions/nope/points/remove"),
        ("post", "/api/sessions/nope/data"),
        ("get", "/api/sessions/nope/data.csv"),
        ("get", "/api/sessions/nope/model"),
        ("post", "/api/sessions/nope/model"),
        ("get", "/api/sessions/nope/share"),
        ("post", "/api/sessions/nope/weight"),
        ("get", "/api/sessions/nope/trace"),
    ]:
        r = getattr(client, method)(url, **({"json": {}} if method == "post" else {}))
        assert r.status_code == 404 and r.json()["parameter"] == "id", (url, r.text)


def test_the_options_name_the_new_limits(client):
    options = client.get("/api/options").json()
    assert options["regression_datasets"] == ["wave"] and "wave" in options["datasets"]
    assert options["limits"]["upload_bytes"] == uploads.MAX_UPLOAD
    assert options["limits"]["share_batches"] == share.MAX_REPLAY_BATCHES


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
bodies = json_values | st.fixed_dictionaries(
    {},
    optional={
        "x1": st.floats() | json_values,
        "x2": st.floats(-3, 3),
        "label": st.integers(-1, 3) | json_values,
        "target": st.floats(),
        "part": st.sampled_from(["train", "test", "x"]),
        "within": st.floats(),
        "layer": st.integers(0, 5),
        "j": st.integers(0, 5),
        "k": st.integers(0, 5) | st.none(),
        "value": st.floats() | json_values,
        "preview": st.booleans(),
        "csv": st.text(alphabet="x12,.\n-ab", max_size=60),
        "task": st.sampled_from(["auto", "regression", "classification", "x"]),
        "model": st.text(max_size=20),
        "share": st.text(max_size=30) | st.just("1.eNqrVkrOSQ"),
    },
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(["points", "points/remove", "data", "model", "weight", "share"]), body=bodies)
def test_random_bodies_on_the_new_routes_never_make_a_500(client, route, body):
    if not hasattr(client, "sid"):
        client.sid = new_session(client, samples=40, batch_size=4, hidden=[2])["id"]
    url = "/api/shares" if route == "share" else f"/api/sessions/{client.sid}/{route}"
    r = client.post(url, content=json.dumps(body, allow_nan=True), headers={"Content-Type": "application/json"})
    assert r.status_code in (200, 201, 400, 404, 413), r.text
    if r.status_code in (200, 201):
        json.dumps(r.json(), allow_nan=False)
        if route in ("data", "model"):  # a session of its own again for the next example
            client.sid = new_session(client, samples=40, batch_size=4, hidden=[2])["id"]


# -- a lost session made again with its data ------------------------------------------------------


def test_a_session_made_from_another_ones_edits_has_the_same_data_bit_for_bit(client):
    s = new_session(client, dataset="moons", hidden=[3], seed=4)
    sid = s["id"]
    client.post(f"/api/sessions/{sid}/points", json={"x1": 0.123456789, "x2": -0.5, "label": 1, "part": "train"})
    client.post(f"/api/sessions/{sid}/points", json={"x1": -1.1, "x2": 0.75, "label": 0, "part": "test"})
    state = client.post(f"/api/sessions/{sid}/points/remove", json={"x1": 0.0, "x2": 0.0}).json()
    assert state["data_source"] == "edited" and len(state["data"]["edits"]) == 3
    again = client.post("/api/sessions", json={**state["settings"], "edits": state["data"]["edits"]})
    assert again.status_code == 201, again.text
    a, b = session_of(client, sid), session_of(client, again.json()["id"])
    for part in ("train", "test"):
        assert np.array_equal(a.points[part], b.points[part]) and np.array_equal(a.data.y[part], b.data.y[part])
    assert b.data.source == "edited" and b.settings == a.settings
    assert client.get(f"/api/sessions/{b.id}/share").status_code == 200  # still a link
    bad = client.post("/api/sessions", json={**state["settings"], "edits": [["add", "x", 0, 0, None]]})
    refused(bad, 400, "edits", "cannot be replayed")


def test_the_points_the_state_sends_are_exact_so_an_upload_of_them_is_the_same_data(client):
    sid = new_session(client, hidden=[2])["id"]
    quoted_dog = '"dog, big"'
    text = "x1,x2,label,part\n" + "".join(
        f"{np.sin(i) / 3},{np.cos(i * 1.7) / 7},{'cat' if i % 3 else quoted_dog},{'test' if i % 4 == 0 else 'train'}\n"
        for i in range(40)
    )
    state = client.post(f"/api/sessions/{sid}/data", json={"csv": text}).json()
    names = state["class_names"]
    rows = ["x1,x2,label,part"]  # what the page sends again (app.js, csvOf): the points as the state gave them
    for part in ("train", "test"):
        for (x1, x2), y in zip(state["data"][part]["points"], state["data"][part]["labels"]):
            name = f'"{names[y]}"' if "," in names[y] else names[y]
            rows.append(f"{x1!r},{x2!r},{name},{part}")
    other = new_session(client, hidden=[2])["id"]
    client.post(f"/api/sessions/{other}/data", json={"csv": "\n".join(rows), "task": state["task"]})
    a, b = session_of(client, sid), session_of(client, other)
    for part in ("train", "test"):
        assert np.array_equal(a.points[part], b.points[part]) and np.array_equal(a.data.y[part], b.data.y[part])
    assert a.data.class_names == b.data.class_names == ["cat", "dog, big"]
