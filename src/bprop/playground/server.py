"""The playground's web server: a starlette app, JSON over HTTP, static files served locally.

    GET    /                                 the page (static/index.html)
    GET    /static/…                         app.js, style.css (no CDN)
    GET    /api/options                      choices, defaults and limits for the page's controls
    POST   /api/sessions                     settings (JSON) → 201 {id, state with the points}
    GET    /api/sessions/{id}                the state again, with the points
    POST   /api/sessions/{id}/step?batches=N train N mini-batches → the state
    POST   /api/sessions/{id}/reset          fresh weights (body {"seed": s} optional) → the state
    GET    /api/sessions/{id}/neuron?layer=l&j=j[&lang=zh][&sample=i][&row=r]
                                             BP1–BP4 for neuron j of layer l (see ``neuron``)
    DELETE /api/sessions/{id}                204

A refused request answers 4xx with ``{"error": message, "parameter": name}``;
the message names the value seen and what is accepted. Before any handler,
``guard.RequestGuard`` refuses other web sites (Host, Origin), bodies that are
not JSON and bodies over 16 KiB. Sessions are counted per client (``client_of``)
so that one client cannot evict another's (``store``). Every handler's work
runs in the thread pool, so a long step never blocks the event loop.
"""

from __future__ import annotations

import json
import logging
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
from . import features, neuron
from . import settings as settings_module
from .guard import MAX_BODY, RequestGuard
from .session import MAX_BATCHES
from .settings import SettingError, Settings, checked_seed, checked_settings
from .store import SessionStore, locked

STATIC = Path(__file__).parent / "static"
CLIENT_COOKIE = "bprop_client"
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
        s = checked_settings(body)
        session = await run_in_threadpool(store.create, s, client_of(request))
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

    routes = [
        Route("/", index),
        Route("/api/options", options),
        Route("/api/sessions", create, methods=["POST"]),
        Route("/api/sessions/{sid}", show, methods=["GET"]),
        Route("/api/sessions/{sid}", delete, methods=["DELETE"]),
        Route("/api/sessions/{sid}/step", step, methods=["POST"]),
        Route("/api/sessions/{sid}/reset", reset, methods=["POST"]),
        Route("/api/sessions/{sid}/neuron", neuron_panel, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    handlers = {
        SettingError: _setting_error,
        BpropError: _bprop_error,
        HTTPException: _http_error,
        Exception: _internal_error,
    }
    guard = Middleware(RequestGuard, max_body=MAX_BODY, host_names=host_names)
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
        return session.state()


def _reset(session, seed):
    with locked(session):
        session.reset(seed)
        return session.state()


def _panel(session, layer, j, lang, sample, row):
    with locked(session):
        return neuron.panel(session, layer, j, lang=lang, sample=sample, row=row)


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
            )
        },
    }


# -- errors ------------------------------------------------------------------------


def _error(status, message, parameter=None):
    return JSONResponse({"error": message, "parameter": parameter}, status_code=status)


async def _setting_error(request, exc: SettingError):
    return _error(exc.status, exc.message, exc.parameter)


async def _bprop_error(request, exc: BpropError):
    """A setting the core refuses (e.g. cost='log_likelihood' with output='sigmoid'): its own message."""
    return _error(400, str(exc))


async def _http_error(request, exc: HTTPException):
    return _error(exc.status_code, exc.detail)


async def _internal_error(request, exc: Exception):
    log.exception("playground: unexpected error on %s %s", request.method, request.url.path)
    return _error(500, f"internal error ({type(exc).__name__}); the server keeps running.")
