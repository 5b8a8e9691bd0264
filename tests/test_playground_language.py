"""The playground's refusals in the page's language: every refusal a user can trigger from the
page (a bad CSV, a model file that is not one or does not fit, a refused setting, a body too
large) comes in Chinese when the request asks for it with Accept-Language, and in English
otherwise; ``words`` always holds both.
"""

import base64
import re

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")
from starlette.testclient import TestClient  # noqa: E402

import bprop  # noqa: E402
from bprop.playground import create_app, uploads  # noqa: E402
from bprop.playground.settings import preferred_language  # noqa: E402
from bprop.playground.store import SessionStore  # noqa: E402
from playground_api import BAD_CSVS, new_session  # noqa: E402

ZH = {"Accept-Language": "zh"}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def client():
    with TestClient(create_app(SessionStore(max_sessions=16))) as c:
        yield c


def in_chinese(response, status, parameter):
    """The refusal's body, checked to be worded in Chinese, with its English beside it in ``words``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["parameter"] == parameter, body
    assert HAN.search(body["error"]), body["error"]
    assert body["words"]["zh"] == body["error"]
    assert not HAN.search(body["words"]["en"]) and body["words"]["en"] != body["error"]
    return body


def english_sentences(text):
    """The runs of text with at least three English words in a row and no Chinese: an untranslated sentence."""
    return [
        run
        for run in re.split(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+", text)
        if len(re.findall(r"[A-Za-z]{2,}", run)) >= 3
    ]


@pytest.mark.parametrize("text, words", BAD_CSVS)
def test_every_bad_csv_is_refused_in_chinese_when_asked(client, text, words):
    sid = new_session(client, hidden=[2])["id"]
    body = in_chinese(client.post(f"/api/sessions/{sid}/data", json={"csv": text}, headers=ZH), 400, "csv")
    assert all(w in body["words"]["en"] for w in words), body["words"]["en"]
    assert not english_sentences(body["error"]), body["error"]
    english = client.post(f"/api/sessions/{sid}/data", json={"csv": text}).json()
    assert english["error"] == body["words"]["en"]  # no Accept-Language: English


def test_a_number_the_user_wrote_is_quoted_in_the_chinese_refusal(client):
    sid = new_session(client, hidden=[2])["id"]
    body = in_chinese(
        client.post(f"/api/sessions/{sid}/data", json={"csv": "a,b,c\n0,1,x\n1,zwei,y\n"}, headers=ZH), 400, "csv"
    )
    assert "第 2 行" in body["error"] and "'zwei'" in body["error"] and "'b'" in body["error"]


def test_every_model_file_refusal_comes_in_chinese_when_asked(client, tmp_path):
    three = new_session(client, features=["x1", "x2", "x1sq"], hidden=[3])["id"]
    spiral = new_session(client, dataset="spiral", classes=3, hidden=[3])["id"]
    plain = new_session(client, hidden=[3])["id"]
    model_of = {
        sid: base64.b64encode(client.get(f"/api/sessions/{sid}/model").content).decode() for sid in (three, spiral)
    }
    wide = bprop.Network([3, 4, 1], activation="tanh", output="sigmoid", cost="cross_entropy", seed=0)
    deep = bprop.Network([2] + [4] * 7 + [1], activation="tanh", output="sigmoid", cost="cross_entropy", seed=0)
    files = {
        name: base64.b64encode(net.save(tmp_path / f"{name}.bprop").read_bytes()).decode()
        for name, net in (("wide", wide), ("deep", deep))
    }
    cases = [
        (model_of[three], "x1sq"),  # trained on other features
        (model_of[spiral], "3 个输出"),  # outputs that do not fit the data
        (files["wide"], "3 个输入"),  # the wrong input width, no playground metadata
        (files["deep"], "隐藏层"),
        ("not base64!", "base64"),
        (base64.b64encode(b"hello").decode(), "bprop"),  # not a bprop model
    ]
    for model, words in cases:
        body = in_chinese(client.post(f"/api/sessions/{plain}/model", json={"model": model}, headers=ZH), 400, "model")
        assert words in body["error"] and not english_sentences(body["error"]), body["error"]


@pytest.mark.parametrize(
    "change, parameter",
    [
        ({"learning_rate": 1000}, "learning_rate"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"batch_size": 5000}, "batch_size"),
        ({"l2": -1}, "l2"),
        ({"dataset": "spiral", "classes": 9}, "classes"),
        ({"hidden": [4] * 7}, "hidden"),
        ({"hidden": [4, 40]}, "hidden[1]"),
        ({"features": []}, "features"),
        ({"dataset": "wave", "cost": "cross_entropy"}, "cost"),
        ({"optimizer": "rmsprop"}, "optimizer"),
    ],
)
def test_a_refused_setting_comes_in_chinese_when_asked(client, change, parameter):
    body = in_chinese(client.post("/api/sessions", json=change, headers=ZH), 400, parameter)
    assert not english_sentences(body["error"]), body["error"]


def test_point_and_weight_refusals_come_in_chinese(client):
    sid = new_session(client, hidden=[2], samples=20)["id"]
    far = client.post(f"/api/sessions/{sid}/points", json={"x1": 1e7, "x2": 0, "label": 0, "part": "train"}, headers=ZH)
    in_chinese(far, 400, "x1")
    weight = client.post(f"/api/sessions/{sid}/weight", json={"layer": 2, "j": 1, "k": 1, "value": 1e9}, headers=ZH)
    in_chinese(weight, 400, "value")


def test_an_upload_larger_than_the_limit_is_refused_in_chinese(client):
    sid = new_session(client, hidden=[2])["id"]
    big = "x1,x2,label\n" + "0.123456789,0.123456789,0\n" * (uploads.MAX_UPLOAD // 20)
    body = in_chinese(client.post(f"/api/sessions/{sid}/data", json={"csv": big}, headers=ZH), 413, "Content-Length")
    assert str(uploads.MAX_UPLOAD) in body["error"]


def test_a_lost_session_is_named_in_chinese(client):
    in_chinese(client.post("/api/sessions/nope/step", headers=ZH), 404, "id")


@pytest.mark.parametrize(
    "header, language",
    [
        (None, "en"),
        ("", "en"),
        ("zh", "zh"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh;q=0.8", "en"),
        ("fr, zh-TW;q=0.5", "zh"),
        ("de", "en"),
        ("en;q=0.2, zh;q=0.7", "zh"),
        ("zh;q=oops, en", "en"),
    ],
)
def test_the_preferred_language_is_read_from_accept_language(header, language):
    assert preferred_language(header) == language
