"""Which requests reach the playground: an ASGI middleware that refuses the rest before any work runs.

The playground listens on 127.0.0.1, but a web page open in the same browser
can still reach it: by DNS rebinding (a name of the attacker's that resolves to
127.0.0.1) or by a cross-site form or ``fetch``. So, in this order:

1. **Host** (421): the Host header must name this server — 127.0.0.1,
   localhost or [::1], the address the connection arrived on, or a name given
   to ``create_app(host_names=…)`` — with the port it listens on. A rebinding
   page sends its own name (``Host: attacker.example``) and is refused.
2. **Origin** (403): when a request carries an Origin (browsers send one with
   every POST/DELETE and every cross-origin ``fetch``), it must be this server,
   by the same rule as Host. ``Origin: null`` (sandboxed frames, files) is
   foreign.
3. **Content-Type** (415): a request with a body, or one that declares a
   content type, must declare ``application/json``. A cross-site page can only
   send that type after a CORS preflight, which this server never grants, so a
   ``text/plain`` form or ``fetch`` POST is refused before anything runs.
4. **Content-Length** (413): a declared length over ``max_body`` is refused
   before a byte of the body is read; a streamed (chunked) body is read at most
   ``max_body`` bytes, then refused with 413. Refusals close the connection
   (``Connection: close``), so the rest of a refused body is never read.
   ``larger_bodies`` names the few routes that take uploads (method, path
   pattern, their own limit): the same two checks, with that limit.

Every refusal is ``{"error": message, "words": {"en": …, "zh": …}, "parameter":
header}``, the message naming what was seen and what is accepted, in the
language the request's Accept-Language prefers, like the app's other refusals.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from .settings import SettingError, preferred_language

MAX_BODY = 16 * 1024
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")  # listen on every address: not a name a page should use
DEFAULT_PORTS = {"http": 80, "https": 443}
AUTHORITY = re.compile(r"(?P<name>\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?", re.IGNORECASE)
ORIGIN = re.compile(r"(?P<scheme>https?)://(?P<authority>[^/?#]*)", re.IGNORECASE)


class RequestGuard:
    """ASGI middleware: ``RequestGuard(app, max_body=…, host_names=…, larger_bodies=…)`` lets through only the requests above.

    larger_bodies : ((method, compiled path pattern, limit in bytes), …): the
        routes whose bodies may be longer than ``max_body``, up to ``limit``.
    """

    def __init__(self, app, max_body: int = MAX_BODY, host_names: tuple[str, ...] = (), larger_bodies=()):
        self.app, self.max_body = app, max_body
        self.host_names = tuple(_name(n) for n in host_names if _name(n) not in WILDCARDS)
        self.larger_bodies = tuple(larger_bodies)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            check_host(headers.get("host"), scope, self.host_names)
            check_origin(headers.get("origin"), scope, self.host_names)
            check_content_type(headers)
            limit = self.limit_for(scope)
            check_content_length(headers.get("content-length"), limit)
        except SettingError as refusal:
            words = refusal.words()
            language = preferred_language(headers.get("accept-language"))
            body = {"error": words[language], "words": words, "parameter": refusal.parameter}
            response = JSONResponse(body, refusal.status)
            response.headers["Connection"] = "close"  # so that a refused body is not read
            await response(scope, receive, send)
            return
        body = BoundedBody(receive, send, limit)
        await self.app(scope, body.receive, body.send)

    def limit_for(self, scope) -> int:
        """The most bytes this request's body may have: its route's from ``larger_bodies``, else ``max_body``."""
        for method, path, limit in self.larger_bodies:
            if scope["method"] == method and path.fullmatch(scope["path"]):
                return limit
        return self.max_body


# -- the four checks, each a SettingError naming the header ------------------------------


def check_host(host: str | None, scope, extra_names=()) -> None:
    """SettingError 421 unless the Host header names this server with its port (see the module docstring)."""
    accepted = _accepted(scope, extra_names)
    if not host:
        raise SettingError(
            "Host",
            f"the request has no Host header; send Host: {accepted[0]}.",
            status=421,
            zh=f"请求没有 Host 头；请发送 Host: {accepted[0]}。",
        )
    if _address(host, scope["scheme"]) not in _addresses(scope, extra_names):
        raise SettingError(
            "Host",
            f"Host: {host!r} does not name this server, which answers to {', '.join(accepted)}; "
            "open the playground at one of those (other names are refused, against DNS rebinding).",
            status=421,
            zh=f"Host: {host!r} 不是本服务器的名称，本服务器只应答 {'、'.join(accepted)}；"
            "请用其中之一打开演示（其他名称一律拒绝，以防 DNS 重绑定）。",
        )


def check_origin(origin: str | None, scope, extra_names=()) -> None:
    """SettingError 403 when an Origin header is present and is not this server."""
    if origin is None:
        return
    match = ORIGIN.fullmatch(origin)
    same_scheme = match is not None and match["scheme"].lower() == scope["scheme"]
    if not same_scheme or _address(match["authority"], scope["scheme"]) not in _addresses(scope, extra_names):
        accepted = ", ".join(f"{scope['scheme']}://{a}" for a in _accepted(scope, extra_names))
        raise SettingError(
            "Origin",
            f"Origin: {origin!r} is another site; the playground answers only its own page ({accepted}), "
            "so open that page rather than calling the playground from another site.",
            status=403,
            zh=f"Origin: {origin!r} 是另一个网站；演示只应答它自己的页面（{'、'.join(accepted.split(', '))}），"
            "请打开那个页面，不要从其他网站调用演示。",
        )


def check_content_type(headers: Headers) -> None:
    """SettingError 415 when a body comes without ``Content-Type: application/json``, or another type is declared."""
    declared = headers.get("content-type")
    has_body = headers.get("content-length", "0").strip() != "0" or "transfer-encoding" in headers
    if declared is None and not has_body:
        return
    if (declared or "").split(";", 1)[0].strip().lower() != "application/json":
        seen = f"Content-Type: {declared!r}" if declared is not None else "a body without a Content-Type"
        seen_zh = f" Content-Type: {declared!r}" if declared is not None else "没有 Content-Type 的请求体"
        raise SettingError(
            "Content-Type",
            f"{seen} is not accepted; send the body as Content-Type: application/json.",
            status=415,
            zh=f"不接受{seen_zh}；请以 Content-Type: application/json 发送请求体。",
        )


def check_content_length(length: str | None, max_body: int) -> None:
    """SettingError 413 when the declared body is longer than ``max_body`` (400 when it is not a number)."""
    if length is None:
        return
    if not length.strip().isdigit():
        raise SettingError(
            "Content-Length",
            f"Content-Length: {length!r} is not a number of bytes.",
            zh=f"Content-Length: {length!r} 不是字节数。",
        )
    if int(length) > max_body:
        en, zh = _too_long(f"has {int(length)} bytes", max_body, f"有 {int(length)} 字节")
        raise SettingError("Content-Length", en, status=413, zh=zh)


class BoundedBody:
    """One request's ``receive``/``send``: the body stops at ``max_body`` bytes, and then the connection closes.

    ``receive`` raises SettingError 413 once the body passes ``max_body``; the
    app's error handler answers it, and ``send`` adds ``Connection: close`` so
    that the server drops the connection instead of reading the rest.
    """

    def __init__(self, receive, send, max_body: int):
        self._receive, self._send, self.max_body = receive, send, max_body
        self.received, self.overflowed = 0, False

    async def receive(self):
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.max_body:
                self.overflowed = True
                en, zh = _too_long(f"passed {self.max_body} bytes", self.max_body, f"超过了 {self.max_body} 字节")
                raise SettingError("body", en, status=413, zh=zh)
        return message

    async def send(self, message):
        if self.overflowed and message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
        await self._send(message)


# -- addresses ------------------------------------------------------------------------


def _too_long(seen: str, max_body: int, seen_zh: str) -> tuple[str, str]:
    """(English, Chinese): the body is longer than this route takes."""
    what = "settings are a small JSON object" if max_body <= MAX_BODY else f"an upload may have {max_body // 1024} KiB"
    what_zh = "设置是一个很小的 JSON 对象" if max_body <= MAX_BODY else f"上传最多 {max_body // 1024} KiB"
    return (
        f"the request body {seen}; the playground accepts at most {max_body} bytes here ({what}).",
        f"请求体{seen_zh}；演示在这里最多接受 {max_body} 字节（{what_zh}）。",
    )


def _addresses(scope, extra_names) -> set[tuple[str, int]]:
    """(name, port) pairs that mean this server: the loopback names, the address connected to, ``extra_names``."""
    server_name, port = _server(scope)
    return {(name, port) for name in (*LOOPBACK_NAMES, server_name, *extra_names)}


def _accepted(scope, extra_names) -> list[str]:
    """The Host values this server answers to, as a person would type them."""
    server_name, port = _server(scope)
    names = dict.fromkeys((*LOOPBACK_NAMES, server_name, *extra_names))  # ordered, without repeats
    return [f"[{n}]:{port}" if ":" in n else f"{n}:{port}" for n in names]


def _server(scope) -> tuple[str, int]:
    """The address the connection arrived on (under uvicorn, the listening socket's), name normalized."""
    host, port = scope.get("server") or ("127.0.0.1", DEFAULT_PORTS[scope["scheme"]])
    return _name(host), port


def _address(authority: str, scheme: str) -> tuple[str, int] | None:
    """``name[:port]`` (a Host header, an Origin's authority) → (name, port); None when it is not one."""
    match = AUTHORITY.fullmatch(authority.strip())
    if match is None:
        return None
    return _name(match["name"]), int(match["port"]) if match["port"] else DEFAULT_PORTS.get(scheme, 80)


def _name(host: str) -> str:
    """A host name compared as DNS does: lower case, no trailing dot, IPv6 without brackets."""
    return host.strip("[]").rstrip(".").lower()
