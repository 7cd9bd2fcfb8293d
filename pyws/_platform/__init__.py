"""The platform, detected in one place: which transport carries a connection.

One module per transport: in Pyodide (a browser page, a worker, Node) the platform's own
``WebSocket``, through :mod:`.websocket`, over what every browser transport shares
(:mod:`.browser`); in CPython :mod:`.cpython`, over the ``websockets`` library's Sans-I/O
protocol, installed with ``pip install "pyws[cpython]"``. Only these modules touch ``js``
or sockets.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from .._transport import TransportFactory
from .._validation import URLParser

IN_PYODIDE = sys.platform == "emscripten"


class Backend(NamedTuple):
    """What :func:`pyws.connect` needs from a platform."""

    transport: TransportFactory
    parse_url: URLParser
    has_location: bool
    """Whether relative URLs resolve against a page or worker location."""
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep
    """Waits between reconnection attempts; may end early (a browser coming online)."""
    now: Callable[[], float] = time.monotonic
    with_proxy: Callable[[object], TransportFactory] | None = None
    """The transport through a given proxy (``connect(proxy=...)``); None where the
    platform applies its own proxy settings (a browser)."""


def backend() -> Backend:
    """This platform's backend; imported lazily, so pyws imports everywhere."""
    if IN_PYODIDE:
        from . import browser, websocket

        return Backend(
            websocket.BrowserTransport, browser.parse_url, browser.has_location(), browser.pause
        )
    try:
        from . import cpython
    except ImportError as exc:
        raise RuntimeError(
            "pyws in CPython runs over the `websockets` library, which is not installed "
            f"({exc}): pip install 'pyws[cpython]'"
        ) from None
    return Backend(cpython.StreamTransport, cpython.parse_url, False, with_proxy=cpython.with_proxy)
