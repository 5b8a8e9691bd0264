"""The playground's web server: a starlette app, JSON over HTTP, static files served locally.

    GET    /                                 the page (static/index.html)
    GET    /static/…                         app.js, style.css (no CDN)
    GET    /api/options                      choices, defaults and limits for the page's controls
    POST   /api/sessions                     settings (JSON) → 201 {id, state with the points}; with
                                             "data_from": id, the new session keeps that session's data;
                                             with "edits": the point edits of a session's data
                                             (state["data"]["edits"]), the data generated with them replayed
    GET    /api/sessions/{id}                the state again, with the points
    POST   /api/sessions/{id}/step?batches=N train N mini-batches → a frame: only what a step changes
                                             (batches, epoch, costs, history, weights, biases, ...), the
                                             boundary and neuron pictures as base64 bytes (``Session.frame``)
    POST   /api/sessions/{id}/reset          fresh weights (body {"seed": s} optional) → the state
    GET    /api/sessions/{id}/neuron?layer=l&j=j[&lang=zh][&sample=i][&row=r]
                                             BP1–BP4 for neuron j of layer l (see ``neuron``)
    DELETE /api/sessions/{id}                204

    POST   /api/sessions/{id}/points         {x1, x2, label | target, part} → the state with the points
                                             and "change": {"added": point} (see ``data``)
    POST   /api/sessions/{id}/points/remove  {x1, x2, part?, within?}: the nearest point → the state
                                             with the points and "change": {"removed": point}
    POST   /api/sessions/{id}/data           {csv, task?, test_fraction?, label_column?} (≤ 1 MiB): your
                                             own data, a new network → the state with the points and
                                             "notes" (settings fitted to it; see ``uploads``)
    GET    /api/sessions/{id}/data.csv       the data as CSV (x1,x2,label|target,part), an attachment
    GET    /api/sessions/{id}/model          the network as a bprop model file, an attachment
    POST   /api/sessions/{id}/model          {model: base64 of a model file} (≤ 1 MiB) → the state
    GET    /api/sessions/{id}/share          {share, batches, chars}: the setup as a URL-safe string
    POST   /api/shares                       {share} → 201 {id, state with the points}: the setup
                                             replayed bit for bit (see ``share``)
    POST   /api/sessions/{id}/weight         {layer, j, k?, value, preview?} → {edit: ∂C/∂p·Δp beside
                                             ΔC, state} (see ``edits``)
    GET    /api/sessions/{id}/trace[?sample=i]
                                             one sample's forward pass, BP1, BP2, BP3/BP4 and the
                                             SGD update, stage by stage (see ``trace``)

A refused request answers 4xx with ``{"error": message, "words": {"en": …, "zh": …},
"parameter": name}``; the message names the value seen and what is accepted, in the
language the request's Accept-Language prefers (English or Chinese; the page sends
its own), and ``words`` holds it in both. Before any handler,
``guard.RequestGuard`` refuses other web sites (Host, Origin), bodies that are
not JSON and bodies over 16 KiB (1 MiB for the two uploads). Sessions are
counted per client (``client_of``) so that one client cannot evict another's
(``store``). Every handler's work runs in the thread pool, so a long step
never blocks the event loop.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import BpropError
from ..teaching.explanation.terms import TERMS
from . import data as session_data
from . import edits, features, neuron, share, trace, uploads
from . import settings as settings_module
from .guard import MAX_BODY, RequestGuard
from .session import MAX_BATCHES
from .settings import SettingError, Settings, checked_seed, checked_settings, preferred_language
from .store import SessionStore, locked

STATIC = Path(__file__).parent / "static"
CLIENT_COOKIE = "bprop_client"
UPLOADS = tuple(("POST", re.compile(rf"/api/sessions/[^/]+/{name}"), uploads.MAX_UPLOAD) for name in ("data", "model"))
log = logging.getLogger("bprop.playground")


def create_app(store: SessionStore | None = None, host_names: tuple[str, ...] = ()) -> Starlette:
    """The ASGI app; ``app.state.store`` holds its sessions.

    ``host_names``: names besides 127.0.0.1, localhost and [::1] that the Host
    header may use (``serve`` adds the ``--host`` it listens on).
    """
    store = SessionStore() if store is None else store

    async def index(request):
        page = FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})
        return with_client_cookie(request, page)

    async def options(request):
        return JSONResponse(_options())

    async def create(request):
        body = await _json_body(request)
        if isinstance(body, dict) and "data_from" in body:
            body = dict(body)
            source = _source_of(store, body.pop("data_from"))
            s, data = await run_in_threadpool(_kept, source, body)
        elif isinstance(body, dict) and "edits" in body:
            body = dict(body)
            edits = body.pop("edits")
            s = checked_settings(body)
            data = await run_in_threadpool(_edited, s, edits)
        else:
            s, data = checked_settings(body), None
        session = await run_in_threadpool(store.create, s, client_of(request), data)
        state = JSONResponse(await run_in_threadpool(_state, session, True), status_code=201)
        return with_client_cookie(request, state)

    async def show(request):
        session = store.get(request.path_params["sid"])
        return JSONResponse(await run_in_threadpool(_state, session, True))

    async def step(request):
        batches = _int_query(request, "batches", 1)
        session = store.get(request.path_params["sid"])
        return JSONResponse(await run_in_threadpool(_step, session, batches))

    async def reset(request):
        body = await _json_body(request) or {}
        if not isinstance(body, dict) or set(body) - {"seed"}:
            raise SettingError(
                "body", 'reset takes an empty body or {"seed": s}; change other settings by creating a new session.'
            )
        seed = None
        if body.get("seed") is not None:
            seed = checked_seed(body["seed"])
        session = store.get(request.path_params["sid"])
        return JSONResponse(await run_in_threadpool(_reset, session, seed))

    async def neuron_panel(request):
        q = request.query_params
        layer, j = _int_query(request, "layer"), _int_query(request, "j")
        sample = _int_query(request, "sample", None)
        row = _int_query(request, "row", 0)
        lang = q.get("lang", "en")
        session = store.get(request.path_params["sid"])
        return JSONResponse(await run_in_threadpool(_panel, session, layer, j, lang, sample, row))

    async def delete(request):
        store.delete(request.path_params["sid"])
        return Response(status_code=204)

    async def add_point(request):
        body = await _json_body(request)
        session = store.get(request.path_params["sid"])
        return JSONResponse(
            await run_in_threadpool(_edit_points, session, lambda data: session_data.checked_add(data, body))
        )

    async def remove_point(request):
        body = await _json_body(request)
        session = store.get(request.path_params["sid"])
        return JSONResponse(
            await run_in_threadpool(_edit_points, session, lambda data: session_data.checked_remove(body))
        )

    async def upload_data(request):
        body = await _json_body(request)
        session = store.get(request.path_params["sid"])
        return JSONResponse(await run_in_threadpool(_upload_data, session, body))

    async def download_data(request):
        session = store.get(request.path_params["sid"])
        text = await run_in_threadpool(_locked_call, session, lambda: session_data.to_csv(session.data))
        return Response(text, media_type="text/csv", headers=_attachment("playground-data.csv"))

    async def download_model(request):
        session = store.get(request.path_params["sid"])
        raw = await run_in_threadpool(_locked_call, session, lambda: uploads.model_bytes(session))
        return Response(raw, media_type="application/octet-stream", headers=_attachment(uploads.FILENAME))

    async def upload_model(request):
        body = await _json_body(request)
        session = store.get(request.path_params["sid"])
        return JSONResponse(await run_in_threadpool(_upload_model, session, body))

    async def share_of(request):
        session = store.get(request.path_params["sid"])
        return JSONResponse(await run_in_threadpool(_locked_call, session, lambda: share.encode(session)))

    async def open_share(request):
        body = await _json_body(request)
        if not isinstance(body, dict) or set(body) != {"share"}:
            raise SettingError("share", 'send {"share": "<the string from GET /api/sessions/{id}/share>"}.')
        session = await run_in_threadpool(
            lambda: store.add(share.restore(store.new_id(), body["share"]), client_of(request))
        )
        state = JSONResponse(await run_in_threadpool(_state, session, True), status_code=201)
        return with_client_cookie(request, state)

    async def set_weight(request):
        body = await _json_body(request)
        session = store.get(request.path_params["sid"])
        return JSONResponse(await run_in_threadpool(_set_weight, session, body))

    async def trace_sample(request):
        sample = _int_query(request, "sample", None)
        session = store.get(request.path_params["sid"])
        return JSONResponse(await run_in_threadpool(_locked_call, session, lambda: trace.trace(session, sample)))

    routes = [
        Route("/", index),
        Route("/api/options", options),
        Route("/api/sessions", create, methods=["POST"]),
        Route("/api/sessions/{sid}", show, methods=["GET"]),
        Route("/api/sessions/{sid}", delete, methods=["DELETE"]),
        Route("/api/sessions/{sid}/step", step, methods=["POST"]),
        Route("/api/sessions/{sid}/reset", reset, methods=["POST"]),
        Route("/api/sessions/{sid}/neuron", neuron_panel, methods=["GET"]),
        Route("/api/sessions/{sid}/points", add_point, methods=["POST"]),
        Route("/api/sessions/{sid}/points/remove", remove_point, methods=["POST"]),
        Route("/api/sessions/{sid}/data", upload_data, methods=["POST"]),
        Route("/api/sessions/{sid}/data.csv", download_data, methods=["GET"]),
        Route("/api/sessions/{sid}/model", download_model, methods=["GET"]),
        Route("/api/sessions/{sid}/model", upload_model, methods=["POST"]),
        Route("/api/sessions/{sid}/share", share_of, methods=["GET"]),
        Route("/api/shares", open_share, methods=["POST"]),
        Route("/api/sessions/{sid}/weight", set_weight, methods=["POST"]),
        Route("/api/sessions/{sid}/trace", trace_sample, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    handlers = {
        SettingError: _setting_error,
        BpropError: _bprop_error,
        HTTPException: _http_error,
        Exception: _internal_error,
    }
    guard = Middleware(RequestGuard, max_body=MAX_BODY, host_names=host_names, larger_bodies=UPLOADS)
    app = Starlette(routes=routes, middleware=[guard], exception_handlers=handlers)
    app.state.store = store
    return app


# -- work done in the thread pool, under the session's lock ---------------------------


def _state(session, data):
    with locked(session):
        return session.state(data=data)


def _step(session, batches):
    with locked(session):
        session.step(batches)
        return session.frame()


def _reset(session, seed):
    with locked(session):
        session.reset(seed)
        return session.state()


def _panel(session, layer, j, lang, sample, row):
    with locked(session):
        return neuron.panel(session, layer, j, lang=lang, sample=sample, row=row)


def _locked_call(session, work):
    with locked(session):
        return work()


def _source_of(store, sid):
    if not isinstance(sid, str):
        raise SettingError("data_from", f"data_from must be the id of a session, got {sid!r}.")
    try:
        return store.get(sid)
    except SettingError as error:
        raise SettingError("data_from", error.message, status=error.status) from None


def _kept(source, body):
    """(settings, data) of a new session that keeps ``source``'s data (``data.keep``)."""
    with locked(source):
        data, source_settings = source.data, source.settings
    return session_data.keep(data, source_settings, body), data


def _edited(s, edits):
    """The data ``s`` generate with the point edits of a lost session replayed (``share.edited_data``)."""
    try:
        return share.edited_data(s, edits)
    except SettingError as error:
        message = error.message.replace("the shared link cannot be opened", "the edits cannot be replayed")
        raise SettingError("edits", message, zh="无法重放这些点的改动。") from None


def _edit_points(session, edit_of):
    """``edit_of(data)``: the checked point edit, made from the request against the session's data."""
    with locked(session):
        change = session.edit_points(edit_of(session.data))
        return {**session.state(data=True), "change": change}


def _upload_data(session, body):
    with locked(session):
        data, s, notes = uploads.data_from_csv(body, session.settings)
        session.replace_data(data, s)
        return {**session.state(data=True), "notes": notes}


def _upload_model(session, body):
    with locked(session):
        net, s = uploads.network_from_upload(session, body)
        session.use_network(net, s)
        return session.state()


def _set_weight(session, body):
    with locked(session):
        result = edits.edit(session, body)
        return {"edit": result, "state": None if result["preview"] else session.state()}


# -- requests -----------------------------------------------------------------------


def client_of(request: Request) -> tuple[str, str | None]:
    """Whose session this is, for the store's per-client quota: (remote address, ``bprop_client`` cookie).

    The page sets the cookie (``with_client_cookie``), so each browser is one
    client; a request without it (a program, or a first call before the page)
    counts as its address alone.
    """
    address = request.client.host if request.client else None
    return address, request.cookies.get(CLIENT_COOKIE)


def with_client_cookie(request: Request, response: Response) -> Response:
    """``response``, setting a fresh ``bprop_client`` cookie when the request came without one."""
    if CLIENT_COOKIE not in request.cookies:
        response.set_cookie(CLIENT_COOKIE, secrets.token_urlsafe(12), httponly=True, samesite="strict")
    return response


async def _json_body(request: Request):
    """The body as JSON (None when empty); ``guard`` has already bounded its length and checked its type."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw, parse_constant=lambda name: float(name))
    except (ValueError, RecursionError):
        raise SettingError(
            "body",
            'the request body is not valid JSON; send an object such as {"dataset": "circles", "hidden": [4, 4]}.',
        ) from None


def _attachment(filename):
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


def _int_query(request, name, default=...):
    value = request.query_params.get(name)
    if value is None:
        if default is ...:
            raise SettingError(name, f"the query parameter {name} is missing; add ?{name}=N.")
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingError(name, f"{name}={value!r} is not a whole number.") from None


def _options():
    defaults = Settings().to_dict()
    return {
        "defaults": defaults,
        "datasets": list(settings_module.DATASETS),
        "regression_datasets": list(settings_module.REGRESSION_DATASETS),
        "features": [{"name": k, "label": label} for k, (label, _) in features.FEATURES.items()],
        "activations": list(settings_module.ACTIVATIONS),
        "outputs": list(settings_module.OUTPUTS),
        "costs": list(settings_module.COSTS),
        "optimizers": list(settings_module.OPTIMIZERS),
        "inits": list(settings_module.INITS),
        "limits": {
            "hidden_layers": settings_module.MAX_HIDDEN_LAYERS,
            "width": settings_module.MAX_WIDTH,
            "samples": [settings_module.MIN_SAMPLES, settings_module.MAX_SAMPLES],
            "classes": settings_module.MAX_CLASSES,
            "batches": MAX_BATCHES,
            "learning_rate": settings_module.MAX_LEARNING_RATE,
            "l2": settings_module.MAX_L2,
            "l1": settings_module.MAX_L1,
            "dropout": settings_module.MAX_DROPOUT,
            "points": session_data.MAX_POINTS,
            "coordinate": session_data.MAX_COORDINATE,
            "upload_bytes": uploads.MAX_UPLOAD,
            "upload_classes": uploads.MAX_CLASSES,
            "share_chars": share.MAX_CHARS,
            "share_batches": share.MAX_REPLAY_BATCHES,
            "share_samples": share.MAX_REPLAY_SAMPLES,
            "weight_value": edits.MAX_VALUE,
        },
        "terms": {
            key: {"en": TERMS[key][0], "zh": TERMS[key][1]}
            for key in (
                "weight",
                "bias",
                "weighted_input",
                "activation",
                "error",
                "cost",
                "learning_rate",
                "forward_pass",
                "backward_pass",
                "hidden_sigma",
                "output_sigma",
                "cost_function",
                "network",
                "dropout_rate",
                "l1_lambda",
            )
        },
    }


# -- errors ------------------------------------------------------------------------


def _error(request, status, words, parameter=None):
    """``{"error": the message in the request's language, "words": {"en", "zh"}, "parameter": name}``."""
    body = {"error": words[preferred_language(request.headers.get("accept-language"))], "words": words}
    body["parameter"] = parameter
    return JSONResponse(body, status_code=status)


def _same_words(message):
    return {"en": message, "zh": message}


async def _setting_error(request, exc: SettingError):
    return _error(request, exc.status, exc.words(), exc.parameter)


async def _bprop_error(request, exc: BpropError):
    """A setting the core refuses (e.g. cost='log_likelihood' with output='sigmoid'): its own message."""
    return _error(request, 400, _same_words(str(exc)))


async def _http_error(request, exc: HTTPException):
    return _error(request, exc.status_code, _same_words(exc.detail))


async def _internal_error(request, exc: Exception):
    log.exception("playground: unexpected error on %s %s", request.method, request.url.path)
    message = f"internal error ({type(exc).__name__}); the server keeps running."
    return _error(request, 500, {"en": message, "zh": f"服务器内部错误（{type(exc).__name__}）；服务器仍在运行。"})
