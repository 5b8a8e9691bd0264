"""What the playground's API tests share: make a session through the API, reach its server-side object."""


def new_session(client, **settings):
    """POST /api/sessions with these settings; the 201 answer's JSON."""
    r = client.post("/api/sessions", json=settings)
    assert r.status_code == 201, r.text
    return r.json()


def session_of(client, sid):
    """The server's Session behind id ``sid`` (a TestClient's app)."""
    return client.app.state.store.get(sid)


# CSV uploads the playground refuses, each with words its English message must hold.
BAD_CSVS = [
    ("x1,x2,label\n0,1,a\n1,oops,b\n", ["row 2", "'oops'", "not a number"]),
    ("x1,x2,x3,label\n0,1,2,a\n", ["4 columns", "needs 3"]),
    ("x1,label\n0,a\n", ["2 columns", "needs 3"]),
    ("x1,x2,label\n0,1,a\n1,2\n", ["row 2 has 2 fields"]),
    ("x1,x2,label\n0,nan,a\n1,1,b\n", ["nan", "finite"]),
    ("x1,x2,label\n0,inf,a\n1,1,b\n", ["inf", "finite"]),
    ("x1,x2,label\n0,1,a\n1,1,a\n", ["every label is 'a'", "at least 2 classes"]),
    ("x1,x2,label\n" + "".join(f"{i},0,{i}\n" for i in range(11)), ["11 distinct labels", "at most 10"]),
    ("x1,x2,label,part\n0,1,0,train\n1,1,1,dev\n", ["part 'dev'"]),
    ("x1,x2,label,part\n0,1,0,train\n1,1,1,train\n", ["at least one train row and one test row"]),
    ("x1,x2,label\n", ["no data rows"]),
    ("", ["empty"]),
    ("x1,x2,label\n" + "0,0,0\n1,1,1\n" * 1001, ["2002 rows", "at most 2000"]),
    ("x1,x2,label\n0,1,\n1,1,b\n", ["empty label"]),
    ("x1,x2,label\n0,1,a\n", ["1 data rows", "at least 2"]),
    ("x1,x2,label\n0,1e9,a\n1,1,b\n", ["1000000000", "within"]),
]
