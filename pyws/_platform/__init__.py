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
from typing import Any, NamedTuple

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
    honours: frozenset[str] = frozenset()
    """Options of ``websockets.connect`` this platform honours (CPython: ``ssl``,
    ``server_hostname``); a browser honours none, and they are warned about."""
    configure: Callable[[dict[str, Any]], TransportFactory] | None = None
    """The transport factory for values of :attr:`honours` (checking them)."""

    def transport_for(self, options: dict[str, Any]) -> TransportFactory:
        """The transport factory for these honoured options: :attr:`transport` if none."""
        if not options or self.configure is None:
            return self.transport
        return self.configure(options)


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
    return Backend(
        cpython.StreamTransport,
        cpython.parse_url,
        False,
        honours=cpython.HONOURED,
        configure=cpython.configure,
    )
