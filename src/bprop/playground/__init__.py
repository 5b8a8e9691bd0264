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
    from threadpoolctl import threadpool_limits

    # A frame's products are small (at most 2304 × 16 · 16 × 16): one BLAS thread computes them
    # 3-5× faster than OpenBLAS's pool on a busy 2-core machine (step(5) and the frame of a 6×16
    # network: 9 ms against 26-54 ms), and the thread pool already runs sessions side by side.
    threadpool_limits(1, user_api="blas")
    uvicorn.run(create_app(host_names=(host,)), host=host, port=port, log_level=log_level)
