"""The bprop playground: watch backpropagation in the browser, equations included.

``serve()`` starts the web app (starlette on uvicorn); ``create_app()`` builds
it for tests. The web packages are imported only here, never by ``import bprop``.
"""

from __future__ import annotations


def create_app(store=None, host_names=()):
    """The starlette app (see ``bprop.playground.server``)."""
    from .server import create_app as _create_app

    return _create_app(store, host_names)


def serve(host: str = "127.0.0.1", port: int = 8000, log_level: str = "warning") -> None:
    """Run the playground until Ctrl-C."""
    import uvicorn

    uvicorn.run(create_app(host_names=(host,)), host=host, port=port, log_level=log_level)
