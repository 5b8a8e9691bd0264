"""The playground refuses other web sites, non-JSON and oversized bodies, and one client cannot evict another's session.

Against uvicorn on loopback (``LiveServer``) so that Host, Origin and the
connection are real; the two body-size tests run the server in a subprocess
to read its own peak memory (VmHWM) from /proc. Every loop is bounded.
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
httpx = pytest.importorskip("httpx")

import bprop  # noqa: E402
from bprop.playground import create_app  # noqa: E402
from bprop.playground.guard import MAX_BODY  # noqa: E402
from bprop.playground.settings import SettingError, checked_settings  # noqa: E402
from bprop.playground.store import SessionStore  # noqa: E402
from live_server import LiveServer  # noqa: E402

SMALL = {"samples": 40, "batch_size": 4, "hidden": [2]}
MiB = 2**20


@pytest.fixture(scope="module")
def live():
    with LiveServer(create_app(SessionStore())) as server:
        yield server


@pytest.fixture
def http(live):
    with httpx.Client(base_url=live.url, timeout=20) as client:
        yield client


def refused(response, status, parameter, *words):
    """``response`` is the JSON refusal ``status`` naming ``parameter`` and containing ``words``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["parameter"] == parameter, body
    assert all(w in body["error"] for w in words), body
    return body


# -- Host: the name the browser used must be this server's (DNS rebinding) ---------------


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"])
def test_the_loopback_names_with_the_port_are_accepted(http, live, name):
    assert http.get("/api/options", headers={"Host": f"{name}:{live.port}"}).status_code == 200


@pytest.mark.parametrize(
    "host",
    ["attacker.example", "attacker.example:{port}", "127.0.0.1:{other}", "127.0.0.1", "evil@127.0.0.1:{port}"],
)
@pytest.mark.parametrize("path", ["/", "/static/app.js", "/api/options"])
def test_another_host_name_or_port_is_refused_everywhere(http, live, host, path):
    host = host.format(port=live.port, other=live.port + 1)
    body = refused(http.get(path, headers={"Host": host}), 421, "Host", repr(host), f"127.0.0.1:{live.port}")
    assert "DNS rebinding" in body["error"]


def test_a_rebinding_page_cannot_create_a_session(http, live):
    r = http.post("/api/sessions", json=SMALL, headers={"Host": f"attacker.example:{live.port}"})
    refused(r, 421, "Host")


# -- Origin: only the page the server serves -----------------------------------------------


@pytest.mark.parametrize(
    "origin", ["http://attacker.example", "null", "http://127.0.0.1:{other}", "https://127.0.0.1:{port}", "file://"]
)
def test_a_foreign_origin_is_refused_and_changes_nothing(http, live, origin):
    origin = origin.format(port=live.port, other=live.port + 1)
    sid = http.post("/api/sessions", json=SMALL).json()["id"]
    before = len(live.app.state.store)
    for method, url, body in [
        ("POST", "/api/sessions", SMALL),
        ("POST", f"/api/sessions/{sid}/step?batches=1", None),
        ("POST", f"/api/sessions/{sid}/reset", None),
        ("DELETE", f"/api/sessions/{sid}", None),
        ("GET", f"/api/sessions/{sid}", None),
        ("GET", f"/api/sessions/{sid}/neuron?layer=2&j=1", None),
    ]:
        r = http.request(method, url, json=body, headers={"Origin": origin})
        refused(r, 403, "Origin", repr(origin), f"http://127.0.0.1:{live.port}")
    assert len(live.app.state.store) == before
    assert http.get(f"/api/sessions/{sid}").json()["batches"] == 0


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_the_pages_own_origin_is_accepted(http, live, name):
    origin = {"Origin": f"http://{name}:{live.port}"}
    r = http.post("/api/sessions", json=SMALL, headers=origin)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert http.post(f"/api/sessions/{sid}/step?batches=2", headers=origin).json()["batches"] == 2
    assert http.delete(f"/api/sessions/{sid}", headers=origin).status_code == 204


# -- Content-Type: a body is JSON, declared so -----------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]
)
def test_a_body_that_is_not_declared_json_is_refused_before_anything_runs(http, live, content_type):
    before = len(live.app.state.store)
    headers = {} if content_type is None else {"Content-Type": content_type}
    r = http.post("/api/sessions", content=b'{"dataset": "xor"}', headers=headers)
    refused(r, 415, "Content-Type", "application/json")
    assert len(live.app.state.store) == before


def test_a_cross_site_form_post_is_refused_even_without_a_body(http, live):
    sid = http.post("/api/sessions", json=SMALL).json()["id"]
    r = http.post(f"/api/sessions/{sid}/step?batches=5", headers={"Content-Type": "text/plain"})
    refused(r, 415, "Content-Type", "'text/plain'")
    assert http.get(f"/api/sessions/{sid}").json()["batches"] == 0


def test_json_with_a_charset_and_empty_posts_without_a_type_are_accepted(http):
    r = http.post("/api/sessions", content=b"{}", headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 201, r.text
    assert http.post(f"/api/sessions/{r.json()['id']}/step?batches=1").status_code == 200  # as the page sends it


# -- every refusal speaks the page's language (Accept-Language), like the app's own ----------------

CJK = re.compile(r"[\u4e00-\u9fff]")


def guard_refusals(live, sid):
    """(status, parameter, request) for each refusal of the guard; each request takes extra headers."""
    big = b'{"x": "' + b"y" * MAX_BODY + b'"}'
    json_type = {"Content-Type": "application/json"}
    return [
        (421, "Host", lambda http, h: http.get("/api/options", headers={**h, "Host": "attacker.example"})),
        (403, "Origin", lambda http, h: http.post(f"/api/sessions/{sid}/reset", headers={**h, "Origin": "null"})),
        (
            415,
            "Content-Type",
            lambda http, h: http.post("/api/sessions", content=b"{}", headers={**h, "Content-Type": "text/plain"}),
        ),  # fmt: skip
        (413, "Content-Length", lambda http, h: http.post("/api/sessions", content=big, headers={**h, **json_type})),
        (413, "body", lambda http, h: http.post("/api/sessions", content=iter([big]), headers={**h, **json_type})),
    ]


@pytest.mark.parametrize("which", range(5), ids=["Host", "Origin", "Content-Type", "Content-Length", "streamed"])
def test_the_guards_refusals_answer_in_the_language_the_request_asks_for(http, live, which):
    sid = http.post("/api/sessions", json=SMALL).json()["id"]
    status, parameter, request = guard_refusals(live, sid)[which]
    english = refused(request(http, {}), status, parameter)  # no Accept-Language: English
    assert not CJK.search(english["error"]) and english["error"] == english["words"]["en"]
    for header in ("zh-CN,zh;q=0.9,en;q=0.8", "zh"):
        chinese = refused(request(http, {"Accept-Language": header}), status, parameter)
        assert CJK.search(chinese["error"]) and chinese["error"] == chinese["words"]["zh"], chinese
        assert chinese["words"]["en"] == english["error"]
    assert refused(request(http, {"Accept-Language": "en-GB,zh;q=0.5"}), status, parameter)["error"] == english["error"]
    assert http.get(f"/api/sessions/{sid}").json()["batches"] == 0  # nothing ran


# -- body size: refused by its declared length, or cut off while streaming ------------------


@pytest.fixture(scope="module")
def served():
    """The playground in its own process: (port, peak_memory_in_bytes())."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = Path(bprop.__file__).parents[1]  # the bprop these tests import, whichever it is
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(source), os.environ.get("PYTHONPATH", "")])}
    code = f"from bprop.playground import serve; serve(port={port})"
    server = subprocess.Popen([sys.executable, "-c", code], env=env)

    def peak_memory():
        status = Path(f"/proc/{server.pid}/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) * 1024

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the playground did not start"
                time.sleep(0.05)
        yield port, peak_memory
    finally:
        server.terminate()
        server.wait(10)


def send_body(port, headers, pieces):
    """POST /api/sessions on a raw socket, sending ``pieces`` until the server stops reading; → (reply, bytes sent)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        head = f"POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        s.sendall((head + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode())
        try:
            for piece in pieces:
                s.sendall(piece)
                sent += len(piece)
        except OSError:  # the server answered and closed the connection: it reads no more
            pass
        return read_reply(s), sent


def read_reply(s):
    """What the server sent before it closed the connection (up to 1 MiB)."""
    reply = b""
    try:
        while len(reply) < MiB and (data := s.recv(65536)):
            reply += data
    except OSError:  # reset after the reply: what arrived is kept
        pass
    return reply.decode()


def chunks(total, size=64 * 1024):
    """A chunked-encoding body of ``total`` bytes, made as it is sent (never held whole)."""
    piece = b"x" * size
    for _ in range(total // size):
        yield b"%x\r\n%s\r\n" % (size, piece)
    yield b"0\r\n\r\n"


needs_proc = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")


@needs_proc
def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(served):
    port, peak_memory = served
    before = peak_memory()
    reply, _ = send_body(port, {"Content-Length": 400 * MiB}, [])  # not one byte of body: a 413 must not wait for it
    assert reply.startswith("HTTP/1.1 413"), reply
    assert '"parameter":"Content-Length"' in reply and f"at most {MAX_BODY} bytes" in reply
    assert "connection: close" in reply.lower()
    reply, sent = send_body(port, {"Content-Length": 400 * MiB}, (b"x" * MiB for _ in range(400)))
    assert reply.startswith("HTTP/1.1 413") and sent < 64 * MiB, (reply[:80], sent)
    assert peak_memory() - before < 16 * MiB


@needs_proc
def test_a_streamed_body_is_cut_off_past_the_limit_and_never_read_whole(served):
    port, peak_memory = served
    before = peak_memory()
    reply, sent = send_body(port, {"Transfer-Encoding": "chunked"}, chunks(400 * MiB))
    assert reply.startswith("HTTP/1.1 413"), reply
    assert sent < 64 * MiB, f"the server read {sent / MiB:.0f} MiB of a refused body"
    assert peak_memory() - before < 16 * MiB, f"peak memory grew by {(peak_memory() - before) / MiB:.0f} MiB"
    assert '"parameter":"body"' in reply and f"passed {MAX_BODY} bytes" in reply


# -- sessions per client: a flood evicts only the flooder's own ------------------------------


def test_the_page_gives_each_browser_a_client_cookie(http):
    cookie = http.get("/").headers["set-cookie"].lower()
    assert "bprop_client=" in cookie and "httponly" in cookie and "samesite=strict" in cookie


@pytest.mark.slow  # 34 sessions
def test_33_sessions_of_another_client_do_not_evict_a_users_session():
    store = SessionStore()  # the defaults: 32 sessions, 16 per client
    with LiveServer(create_app(store)) as live:
        with httpx.Client(base_url=live.url, timeout=20) as user, httpx.Client(base_url=live.url, timeout=20) as other:
            user.get("/")  # each gets its own bprop_client cookie, as a browser does
            other.get("/")
            sid = user.post("/api/sessions", json=SMALL).json()["id"]
            for _ in range(33):  # the user's tab sits idle meanwhile: the least recently used of all
                assert other.post("/api/sessions", json=SMALL).status_code == 201
            r = user.post(f"/api/sessions/{sid}/step?batches=1")
            assert r.status_code == 200 and r.json()["batches"] == 1, r.text
            assert len(store) == 1 + store.per_client


@pytest.mark.slow  # 33 sessions
def test_33_clients_that_each_make_a_session_do_not_evict_a_users_session():
    store = SessionStore()
    with LiveServer(create_app(store)) as live, httpx.Client(base_url=live.url, timeout=20) as user:
        user.get("/")
        sid = user.post("/api/sessions", json=SMALL).json()["id"]
        answers = []
        for i in range(33):
            with httpx.Client(base_url=live.url, timeout=20, cookies={"bprop_client": f"flood{i}"}) as one:
                answers.append(one.post("/api/sessions", json=SMALL))
        assert [r.status_code for r in answers] == [201] * 31 + [503] * 2
        refused(answers[-1], 503, None, "32 sessions", "try again")
        assert user.post(f"/api/sessions/{sid}/step?batches=1").status_code == 200
        assert user.post("/api/sessions", json=SMALL).status_code == 201  # the user replaces one of their own


def test_the_store_evicts_a_session_idle_past_the_protected_minutes_for_a_newcomer():
    now = [0.0]
    store = SessionStore(max_sessions=2, per_client=2, protected_seconds=60, clock=lambda: now[0])
    settings = checked_settings(SMALL)
    old, kept = store.create(settings, client="a"), store.create(settings, client="b")
    with pytest.raises(SettingError, match="all used in the last 1 minutes"):
        store.create(settings, client="c")
    now[0] = 61
    store.get(kept.id)
    store.create(settings, client="c")  # `old` has been idle 61 s: it goes
    assert [s for s in (old.id, kept.id) if _alive(store, s)] == [kept.id]


def test_a_client_at_its_quota_gives_up_its_own_oldest_session():
    store = SessionStore(max_sessions=10, per_client=2)
    settings = checked_settings(SMALL)
    mine = [store.create(settings, client="a") for _ in range(3)]
    theirs = store.create(settings, client="b")
    assert [_alive(store, s.id) for s in (*mine, theirs)] == [False, True, True, True]


def _alive(store, sid):
    try:
        store.get(sid)
        return True
    except SettingError:  # 404: evicted
        return False
