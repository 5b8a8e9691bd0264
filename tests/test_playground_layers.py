"""The playground's σ per hidden layer, dropout and L1, and an imported model that outlives its session.

A σ per hidden layer is checked once at the edge (``settings.hidden_sigmas``),
trained by bprop's own ``Network(activation=[…])`` (compared here with one
built and stepped independently), shown per layer by the neuron panel and the
trace, carried by shareable links (old links with one σ still open) and by
model files both ways. A page that lost an imported model's session imports
the file again (server.js, ``recreateSession``): the state says where its
network came from, and importing the same bytes into the recreated session
gives the imported weights back, bit for bit. Dropout and L1 train as an
independent network with the same masks does, and links carry them.

In-process through starlette's TestClient.
"""

import base64
import re

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")
from starlette.testclient import TestClient  # noqa: E402

import bprop  # noqa: E402
from bprop.playground import create_app  # noqa: E402
from bprop.playground.settings import SettingError, checked_settings  # noqa: E402
from bprop.playground.store import SessionStore  # noqa: E402
from playground_api import new_session, session_of  # noqa: E402


@pytest.fixture
def client():
    with TestClient(create_app(SessionStore(max_sessions=16))) as c:
        yield c


def parameters(net):
    return [*net.weights, *net.biases]


def same_parameters(a, b):
    return all(np.array_equal(x, y) for x, y in zip(parameters(a), parameters(b), strict=True))


# -- settings: one σ per hidden layer, checked at the edge ------------------------------------------


def test_a_list_of_sigmas_gives_each_hidden_layer_its_own_and_equal_ones_read_as_one():
    assert checked_settings({"hidden": [3, 2, 4], "activation": ["relu", "tanh", "relu"]}).activation == [
        "relu",
        "tanh",
        "relu",
    ]
    assert checked_settings({"hidden": [3, 2], "activation": ["relu", "relu"]}).activation == "relu"
    assert checked_settings({"hidden": [3, 2], "activation": "sigmoid"}).activation == "sigmoid"
    assert checked_settings({"hidden": []}).activation == "tanh"  # no hidden layer: the one name stays


@pytest.mark.parametrize(
    "body, parameter, english, chinese",
    [
        ({"hidden": [3, 2], "activation": ["relu"]}, "activation", "lists 1 σ, but hidden has 2", "列出了 1 个 σ"),
        ({"hidden": [], "activation": ["relu"]}, "activation", "hidden has 0 layer(s)", "有 0 个隐藏层"),
        ({"hidden": [3], "activation": []}, "activation", "lists 0 σ", "列出了 0 个 σ"),
        ({"hidden": [3, 2], "activation": ["relu", "swish"]}, "activation[1]", "'swish' is not known", "不认识"),
        ({"hidden": [3, 2], "activation": ["relu", ["tanh"]]}, "activation[1]", "['tanh']", "['tanh']"),
        ({"hidden": [3], "activation": {"relu": 1}}, "activation", "is not known", "不认识"),
        ({"hidden": [3], "activation": ["softmax"]}, "activation[0]", "use one of tanh", "之一"),
    ],
)
def test_a_wrong_list_of_sigmas_is_refused_naming_the_entry_in_both_languages(body, parameter, english, chinese):
    with pytest.raises(SettingError) as refused:
        checked_settings(body)
    assert refused.value.parameter == parameter
    words = refused.value.words()
    assert english in words["en"] and chinese in words["zh"], words


def test_the_api_refuses_a_wrong_list_in_the_pages_language(client):
    body = {"hidden": [4, 4], "activation": ["relu", "tanh", "relu"]}
    for language, words in (("en", "lists 3 σ, but hidden has 2"), ("zh", "列出了 3 个 σ")):
        r = client.post("/api/sessions", json=body, headers={"Accept-Language": language})
        assert r.status_code == 400 and r.json()["parameter"] == "activation"
        assert words in r.json()["error"]


# -- the session trains exactly that network -----------------------------------------------------------


def test_the_session_trains_the_sigmas_it_reports_as_an_independent_network_does(client):
    sigmas = ["relu", "tanh", "leaky_relu"]
    state = new_session(client, hidden=[3, 2, 4], activation=sigmas, batch_size=10, learning_rate=0.5, seed=3)
    assert state["settings"]["activation"] == sigmas and state["sizes"] == [2, 3, 2, 4, 1]
    session = session_of(client, state["id"])
    assert [s.name for s in session.net.hidden_activations] == sigmas
    reference = bprop.Network(
        [2, 3, 2, 4, 1], activation=sigmas, output="sigmoid", cost="cross_entropy", init="xavier", seed=3,
        dtype="float64",
    )  # fmt: skip
    assert same_parameters(reference, session.net)
    rows = session.next_batch()
    grads = reference.backprop(session.X_train[rows], session.y_train[rows])
    bprop.SGD(lr=0.5).step(reference, grads)
    stepped = client.post(f"/api/sessions/{state['id']}/step?batches=1")
    assert stepped.status_code == 200
    assert same_parameters(reference, session.net)


def test_the_trace_and_the_neuron_panel_use_each_layers_own_sigma(client):
    sid = new_session(client, hidden=[3, 2], activation=["relu", "tanh"])["id"]
    stages = client.get(f"/api/sessions/{sid}/trace?sample=0").json()["stages"]
    z = {s["layer"]: np.array(s["z"]) for s in stages if s["stage"] == "forward" and "z" in s}
    bp2 = {s["layer"]: np.array(s["sigma_prime"]) for s in stages if s["stage"] == "BP2"}
    assert np.array_equal(bp2[2], (z[2] > 0).astype(float))  # ReLU′
    assert np.allclose(bp2[3], 1 - np.tanh(z[3]) ** 2)  # tanh′
    panel = client.get(f"/api/sessions/{sid}/neuron?layer=2&j=1").json()
    assert set(panel["sigma_prime"]) <= {0.0, 1.0}
    assert np.allclose(panel["sigma_prime"], (np.array(panel["z"]) > 0).astype(float))


# -- links: a σ per layer round-trips, and links made before it still open ------------------------------


def test_a_link_carries_a_sigma_per_layer_and_restores_the_weights_bit_for_bit(client):
    sid = new_session(client, hidden=[4, 3], activation=["leaky_relu", "sigmoid"], optimizer="adam", seed=9)["id"]
    client.post(f"/api/sessions/{sid}/step?batches=37")
    text = client.get(f"/api/sessions/{sid}/share").json()["share"]
    r = client.post("/api/shares", json={"share": text})
    assert r.status_code == 201, r.text
    assert r.json()["settings"]["activation"] == ["leaky_relu", "sigmoid"]
    original, restored = session_of(client, sid), session_of(client, r.json()["id"])
    assert [s.name for s in restored.net.hidden_activations] == ["leaky_relu", "sigmoid"]
    assert restored.batches == 37 and same_parameters(original.net, restored.net)


# Made by the playground before a σ per layer (main at 6a4928b): moons, hidden [3, 2], relu, seed 7, 12 batches.
OLD_LINK = (
    "1.eNolj-FqhEAMhN9lfi9FvZaCryIi2zXnBXRXNlFsj3v3Ju2vJJNvQuaJE30bIOifmKNGIUWPrZQsCMiFhdA3b47EbV_JwPemCVASne41JuWSnfgISG"
    "sUcaILuFPUo_ow4Grt1NVhDHjwPJPxwy10Nrr9jP8nUGk9DCyH7oc_IbxshWeTUhEXUi0iE2WtZf82mTO7fMWTqbpzV974x3ozL25cKdbMeZlq1L8ct4"
    "CvqOkxiXGW3JKsnS-sEaIZ_ecrwDaDfVesDBClHaHtxvH1C4pbXww"
)


def test_a_link_made_before_a_sigma_per_layer_still_opens_the_same_setup(client):
    r = client.post("/api/shares", json={"share": OLD_LINK})
    assert r.status_code == 201, r.text
    state = r.json()
    s = state["settings"]
    assert (s["dataset"], s["hidden"], s["activation"], s["seed"]) == ("moons", [3, 2], "relu", 7)
    assert state["batches"] == 12
    assert state["weights"][0] == [[0.5251, 0.7496], [0.474, -0.5583], [-0.5198, 0.8772]]  # as that server showed
    again = new_session(client, dataset="moons", hidden=[3, 2], activation="relu", seed=7)["id"]
    client.post(f"/api/sessions/{again}/step?batches=12")
    assert same_parameters(session_of(client, again).net, session_of(client, state["id"]).net)


# -- model files: a σ per layer out and in ----------------------------------------------------------------


def model_of(client, sid) -> str:
    return base64.b64encode(client.get(f"/api/sessions/{sid}/model").content).decode()


def test_a_model_file_carries_a_sigma_per_layer_out_and_back_in(client, tmp_path):
    a = new_session(client, hidden=[5, 3], activation=["relu", "tanh"], seed=2)["id"]
    client.post(f"/api/sessions/{a}/step?batches=20")
    path = tmp_path / "m.bprop"
    path.write_bytes(client.get(f"/api/sessions/{a}/model").content)
    net = bprop.load(path)
    assert [s.name for s in net.hidden_activations] == ["relu", "tanh"]
    assert net.metadata["playground"]["settings"]["activation"] == ["relu", "tanh"]
    b = new_session(client, hidden=[2], activation="sigmoid")["id"]
    r = client.post(f"/api/sessions/{b}/model", json={"model": model_of(client, a)})
    assert r.status_code == 200, r.text
    assert r.json()["settings"]["activation"] == ["relu", "tanh"] and r.json()["settings"]["hidden"] == [5, 3]
    assert same_parameters(net, session_of(client, b).net)
    assert [s.name for s in session_of(client, b).net.hidden_activations] == ["relu", "tanh"]


# -- an imported model survives a lost session: the page imports its bytes again ---------------------------


def test_the_state_says_whether_the_network_was_imported_and_a_reset_forgets_it(client):
    a = new_session(client, hidden=[6], seed=1)["id"]
    client.post(f"/api/sessions/{a}/step?batches=30")
    assert client.get(f"/api/sessions/{a}").json()["network"] == "initialized"
    b = new_session(client, hidden=[2])["id"]
    assert client.post(f"/api/sessions/{b}/model", json={"model": model_of(client, a)}).json()["network"] == "imported"
    assert client.post(f"/api/sessions/{b}/step?batches=3").status_code == 200
    assert client.get(f"/api/sessions/{b}").json()["network"] == "imported"  # trained since, still that model's
    assert client.post(f"/api/sessions/{b}/reset").json()["network"] == "initialized"


def test_a_lost_session_recreated_as_the_page_does_gets_the_imported_model_back(client):
    """What server.js's recreateSession sends: the lost settings (with its point edits), then the file again."""
    a = new_session(client, hidden=[4, 3], activation=["tanh", "relu"], seed=5)["id"]
    client.post(f"/api/sessions/{a}/step?batches=80")
    model = "data:application/octet-stream;base64," + model_of(client, a)
    b = new_session(client, hidden=[2], seed=8)["id"]
    client.post(f"/api/sessions/{b}/points", json={"x1": 0.4, "x2": -0.2, "label": 1, "part": "train"})
    imported = client.post(f"/api/sessions/{b}/model", json={"model": model}).json()
    client.post(f"/api/sessions/{b}/step?batches=10")
    lost = client.get(f"/api/sessions/{b}").json()
    lost_data = session_of(client, b).data
    assert client.delete(f"/api/sessions/{b}").status_code == 204

    fresh = client.post("/api/sessions", json={**lost["settings"], "edits": lost["data"]["edits"]})
    assert fresh.status_code == 201, fresh.text
    c = fresh.json()["id"]
    assert fresh.json()["network"] == "initialized"
    assert not same_parameters(session_of(client, a).net, session_of(client, c).net)  # fresh weights: the bug
    again = client.post(f"/api/sessions/{c}/model", json={"model": model})
    assert again.status_code == 200, again.text
    state = again.json()
    assert state["network"] == "imported" and state["settings"] == lost["settings"]
    assert state["weights"] == imported["weights"] and state["batches"] == 0
    assert same_parameters(session_of(client, a).net, session_of(client, c).net)
    assert np.array_equal(session_of(client, c).data.y["train"], lost_data.y["train"])  # the point clicked in


# -- dropout and L1 (issue 17's terms) in the playground ------------------------------------------------


@pytest.mark.parametrize(
    "body, parameter, words",
    [
        ({"dropout": 1.0}, "dropout", "at most 0.9"),
        ({"dropout": -0.1}, "dropout", "at least 0"),
        ({"dropout": True}, "dropout", "finite number"),
        ({"l1": 101}, "l1", "at most 100"),
        ({"l1": "much"}, "l1", "finite number"),
    ],
)
def test_dropout_and_l1_are_checked_at_the_edge(body, parameter, words):
    with pytest.raises(SettingError) as refused:
        checked_settings(body)
    assert refused.value.parameter == parameter and words in refused.value.message


def test_a_step_with_dropout_and_l1_is_the_one_an_independent_network_takes(client):
    """The masks come from the session's generator after its batch order, as bprop.train draws them."""
    from bprop.core.dropout import draw_masks

    body = {"hidden": [6, 5], "activation": ["relu", "tanh"], "dropout": 0.3, "l1": 0.05, "l2": 0.01, "seed": 12}
    state = new_session(client, **body, batch_size=8, learning_rate=0.4)
    session = session_of(client, state["id"])
    n = len(session.y_train)
    reference = bprop.Network([2, 6, 5, 1], activation=["relu", "tanh"], output="sigmoid", cost="cross_entropy",
                              init="xavier", seed=12, dtype="float64")  # fmt: skip
    rng = np.random.default_rng(12)
    order = rng.permutation(n)
    for b in range(3):
        rows = order[8 * b : 8 * (b + 1)]
        masks = draw_masks([0.3, 0.3], reference.sizes, 8, rng, np.float64)
        assert any((mask == 0).any() for mask in masks)  # some neurons dropped
        g = reference.backprop(session.X_train[rows], session.y_train[rows], l2=0.01, n=n, l1=0.05, masks=masks)
        bprop.SGD(lr=0.4).step(reference, g)
    client.post(f"/api/sessions/{state['id']}/step?batches=3")
    assert same_parameters(reference, session.net)
    without = new_session(client, **{**body, "dropout": 0.0}, batch_size=8, learning_rate=0.4)["id"]
    client.post(f"/api/sessions/{without}/step?batches=3")
    assert not same_parameters(session_of(client, without).net, session.net)  # the masks made a difference


def test_dropout_without_a_hidden_layer_drops_nothing_and_trains(client):
    sid = new_session(client, hidden=[], dropout=0.5, seed=3)["id"]
    plain = new_session(client, hidden=[], dropout=0.0, seed=3)["id"]
    for s in (sid, plain):
        assert client.post(f"/api/sessions/{s}/step?batches=20").status_code == 200
    assert same_parameters(session_of(client, sid).net, session_of(client, plain).net)


def test_a_link_carries_dropout_and_l1_and_replays_the_same_masks(client):
    sid = new_session(client, hidden=[5, 4], dropout=0.2, l1=0.02, optimizer="momentum", seed=6)["id"]
    client.post(f"/api/sessions/{sid}/step?batches=55")
    client.post(f"/api/sessions/{sid}/points", json={"x1": 0.1, "x2": 0.3, "label": 0})
    client.post(f"/api/sessions/{sid}/step?batches=9")
    text = client.get(f"/api/sessions/{sid}/share").json()["share"]
    r = client.post("/api/shares", json={"share": text})
    assert r.status_code == 201, r.text
    assert (r.json()["settings"]["dropout"], r.json()["settings"]["l1"]) == (0.2, 0.02)
    assert same_parameters(session_of(client, sid).net, session_of(client, r.json()["id"]).net)


def test_the_panel_trace_and_weight_edit_show_the_gradient_with_the_l1_term(client):
    sid = new_session(client, hidden=[3], l1=0.5, seed=2)["id"]
    session = session_of(client, sid)
    n = len(session.y_train)
    trace = client.get(f"/api/sessions/{sid}/trace?sample=4").json()
    X, y = session.X_train[4:5], session.y_train[4:5]
    expected = session.net.backprop(X, y, n=n, l1=0.5).weights
    bp3 = {s["layer"]: np.array(s["grad_w"]) for s in trace["stages"] if s["stage"] == "BP3"}
    assert np.allclose(bp3[2], expected[0]) and np.allclose(bp3[3], expected[1])
    assert not np.allclose(bp3[2], session.net.backprop(X, y, n=n).weights[0])  # the term is there
    panel = client.get(f"/api/sessions/{sid}/neuron?layer=2&j=1&lang=zh").json()
    text = " ".join(line for section in panel["sections"] for line in section["lines"])
    assert "sgn" in text and "L1" in text
    edit = client.post(f"/api/sessions/{sid}/weight", json={"layer": 2, "j": 1, "k": 1, "value": 0.2, "preview": True})
    full = session.net.backprop(session.X_train, session.y_train, n=n, l1=0.5)
    assert edit.json()["edit"]["gradient"] == pytest.approx(full.weights[0][0, 0])


@pytest.mark.parametrize(
    "l2, l1, shown, hidden",
    [
        (0.0, 0.0, [], ["λ", "sgn"]),
        (0.01, 0.0, ["(λ/n) w", "λ = 0.01", "n = "], ["sgn", "λ₁"]),
        (0.0, 0.5, ["(λ₁/n) sgn(w", "λ₁ = 0.5"], ["(λ/n) w"]),
        (0.01, 0.5, ["(λ/n) w", "(λ₁/n) sgn(w", "λ = 0.01", "λ₁ = 0.5"], []),
    ],
)
def test_the_traces_bp3_equation_names_the_regularization_terms_its_numbers_hold(client, l2, l1, shown, hidden):
    """The step-through's ∂C/∂w includes (λ/n) w and (λ₁/n) sgn(w): its equation must say so, with λ, λ₁, n."""
    sid = new_session(client, hidden=[3], l2=l2, l1=l1, seed=2)["id"]
    trace = client.get(f"/api/sessions/{sid}/trace?sample=4").json()
    text = re.sub(r"<[^>]+>", "", trace["equations"]["BP3"])  # the HTML's text: w<sup>l</sup> → wl
    for fragment in shown:
        assert fragment in text, (fragment, text)
    for fragment in hidden:
        assert fragment not in text, (fragment, text)
    if shown:
        assert f"n = {len(session_of(client, sid).y_train)}" in text


def test_the_panel_says_that_dropout_acts_in_training_steps_only_in_both_languages(client):
    sid = new_session(client, hidden=[3], dropout=0.25)["id"]
    for lang, words in (("en", "Dropout p = 0.25"), ("zh", "随机失活 p = 0.25")):
        panel = client.get(f"/api/sessions/{sid}/neuron?layer=2&j=1&lang={lang}").json()
        assert any(words in line for section in panel["sections"] for line in section["lines"]), lang
    output = client.get(f"/api/sessions/{sid}/neuron?layer=3&j=1").json()  # the output layer has no dropout
    assert not any("Dropout" in line for section in output["sections"] for line in section["lines"])
