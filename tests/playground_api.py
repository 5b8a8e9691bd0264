"""What the playground's API tests share: make a session through the API, reach its server-side object."""


def new_session(client, **settings):
    """POST /api/sessions with these settings; the 201 answer's JSON."""
    r = client.post("/api/sessions", json=settings)
    assert r.status_code == 201, r.text
    return r.json()


def session_of(client, sid):
    """The server's Session behind id ``sid`` (a TestClient's app)."""
    return client.app.state.store.get(sid)
