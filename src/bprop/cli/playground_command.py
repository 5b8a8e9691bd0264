"""``bprop playground``: start the web playground on this machine and print its URL.

The server (starlette on uvicorn) runs until Ctrl-C; every session lives in its
memory. Registered in ``app.py`` with ``app.command()(playground)``. The web
packages are imported only when the command runs (``pip install bprop[playground]``).
"""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from ..errors import InvalidArgument


def playground(
    port: Annotated[int, typer.Option(help="TCP port to listen on (0: any free port).")] = 8000,
    host: Annotated[
        str, typer.Option(help="Address to listen on; keep 127.0.0.1 unless you mean to share it.")
    ] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open-browser", help="Open the page in the default browser.")] = False,
):
    """Watch backpropagation in the browser: the data, the network, and BP1–BP4 for any neuron."""
    if not 0 <= port <= 65535:
        raise InvalidArgument(f"--port {port} is not a TCP port; use a number between 1 and 65535 (0: any free port).")
    try:
        import uvicorn  # noqa: F401

        from .. import playground as web
    except ImportError as error:
        raise InvalidArgument(
            f"the playground needs the web packages ({error.name} is missing); "
            "install them with: pip install 'bprop[playground]'."
        ) from None
    port = _free_to_listen(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    typer.echo(f"bprop playground: {url}  (Ctrl-C to stop)")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    web.serve(host=host, port=port)


def _free_to_listen(host, port) -> int:
    """``port`` (or a free one for 0) after checking that it can be listened on; InvalidArgument if not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise InvalidArgument(
                f"cannot listen on {host}:{port} ({error.strerror or error}); choose another "
                "--port, or --host 127.0.0.1."
            ) from None
        return probe.getsockname()[1]
