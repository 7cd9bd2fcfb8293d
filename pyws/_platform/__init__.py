"""The platform, detected in one place: which transport carries a connection.

One module per transport: in Pyodide (a browser page, a worker, Node) the platform's own
``WebSocket``, through :mod:`.websocket`, or Chromium's ``WebSocketStream``, through
:mod:`.stream`, over what every browser transport shares (:mod:`.browser`); in CPython
:mod:`.cpython`, over the ``websockets`` library's Sans-I/O protocol, installed with
``pip install "pyws[cpython]"``, with HTTP proxies in :mod:`.proxy` (and the browser's URL
parser played by :mod:`pyws._url`). Only these modules touch ``js`` or sockets.

:func:`choose` picks the transport of ``connect(transport=...)``; the rule for ``"auto"``
is there, with the measurement behind it.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal, NamedTuple

from .._transport import BinaryType, Events, Transport, TransportFactory
from .._validation import URLParser
from ..bounds import WITHOUT_BACKPRESSURE, Bounds

TransportName = Literal["auto", "websocket", "stream"]
TRANSPORTS: tuple[TransportName, ...] = ("auto", "websocket", "stream")

IN_PYODIDE = sys.platform == "emscripten"

CallLater = Callable[[float, Callable[[], None]], Callable[[], None]]
"""``call_later(delay, callback)`` returns a cancel that frees the timer at once."""


def _loop_call_later(delay: float, callback: Callable[[], None]) -> Callable[[], None]:
    return asyncio.get_running_loop().call_later(delay, callback).cancel


class Backend(NamedTuple):
    """What :func:`pyws.connect` needs from a platform."""

    transport: TransportFactory
    parse_url: URLParser
    has_location: bool
    """Whether relative URLs resolve against a page or worker location."""
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep
    """Waits between reconnection attempts; may end early (a browser coming online)."""
    now: Callable[[], float] = time.monotonic
    stream: TransportFactory | None = None
    """The ``WebSocketStream`` transport, where the runtime has it."""
    can_pause: bool = False
    """Whether :attr:`transport` (the default one) can stop reading: in CPython."""
    honours: frozenset[str] = frozenset()
    """Options of ``websockets.connect`` this platform honours (CPython: ``ssl``,
    ``server_hostname``); a browser honours none, and they are warned about."""
    configure: Callable[[dict[str, Any]], TransportFactory] | None = None
    """The transport factory for values of :attr:`honours` (checking them)."""
    call_later: CallLater = _loop_call_later
    """A timer whose cancel frees it at once (Pyodide's loop keeps cancelled ones alive
    until due: there, ``setTimeout``)."""

    def transport_for(self, options: dict[str, Any]) -> TransportFactory:
        """The transport factory for these honoured options: :attr:`transport` if none."""
        if not options or self.configure is None:
            return self.transport
        return self.configure(options)


auto_prefers: TransportName | None = None
"""What ``transport="auto"`` picks when nothing needs one transport; None: the measured
rule of :func:`choose`. The ``chromium-stream`` suite target sets it to ``"stream"``."""


def choose(backend: Backend, transport: TransportName, bounds: Bounds) -> TransportFactory:
    """The transport factory for ``connect(transport=...)`` with these ``bounds``.

    ``"auto"`` keeps ``js.WebSocket`` unless ``overflow="pause"`` needs a transport that
    can stop reading; then it picks ``WebSocketStream``. Measured in the bench (2 runs,
    2026-11-30 11:42-12:03 UTC, pair by pair; docs/benchmarks.md), pyws over the stream
    ran at 1.28 of pyws over ``WebSocket`` on 1 MiB binary, but 0.89 on RTT, 0.71
    pipelined and 0.81 on fan-in; "auto" must never be slower than the ``WebSocket``
    default, so it picks the stream only where it is needed.

    Raises :exc:`ValueError` for ``"stream"`` where there is no ``WebSocketStream``, and
    for ``overflow="pause"`` where the chosen transport cannot stop reading.
    """
    if transport not in TRANSPORTS:
        allowed = ", ".join(map(repr, TRANSPORTS))
        raise ValueError(f"transport must be one of {allowed}, not {transport!r}")
    stream = backend.stream
    if transport == "stream" and stream is None:
        raise ValueError(
            f"transport='stream' needs WebSocketStream, and {_runtime()} has none "
            "(Chromium-based browsers have it; Firefox, WebKit/Safari, Node and CPython do "
            "not): use transport='websocket' or 'auto'"
        )
    if transport == "auto":
        # Needed (pause) or asked for (the chromium-stream target), where it exists.
        wanted = (bounds.pauses and not backend.can_pause) or auto_prefers == "stream"
        transport = "stream" if wanted and stream is not None else "websocket"
    factory = stream if transport == "stream" and stream is not None else backend.transport
    if bounds.pauses and not (backend.can_pause or factory is stream):
        policies = ", ".join(map(repr, WITHOUT_BACKPRESSURE))
        if stream is None:
            raise ValueError(
                f"overflow='pause' needs a transport that can stop reading, and {_runtime()} "
                "cannot hold a sender back: its WebSocket has no backpressure and it has no "
                f"WebSocketStream. Use overflow={policies} here (they bound the queue by "
                "closing or dropping)"
            )
        raise ValueError(
            "overflow='pause' needs a transport that can stop reading, and "
            "transport='websocket' cannot (js.WebSocket has no backpressure): use "
            f"transport='stream' or 'auto', or overflow={policies}"
        )
    return factory


def _stream(url: str, protocols: list[str], binary_type: BinaryType, events: Events) -> Transport:
    """The ``WebSocketStream`` transport, its module imported on first use."""
    from .stream import StreamTransport

    return StreamTransport(url, protocols, binary_type, events)


def _runtime() -> str:
    """This runtime, as messages name it."""
    if not IN_PYODIDE:
        return "CPython"
    import js

    if getattr(js, "process", None) is not None and getattr(js, "document", None) is None:
        return "this runtime (Node)"
    return "this browser"


relaying = False
"""Set by :func:`pyws.sync.connect` while it makes a connection that goes through the relay
(:mod:`.relay`): :func:`backend` is then the relay's."""


def backend() -> Backend:
    """This platform's backend; imported lazily, so pyws imports everywhere."""
    if IN_PYODIDE and relaying:
        from . import browser, relay

        # The socket lives in the page: its js.WebSocket, relayed (no WebSocketStream).
        return Backend(relay.transport, browser.parse_url, browser.has_location(), browser.pause)
    if IN_PYODIDE:
        import js

        from . import browser, websocket

        return Backend(
            websocket.BrowserTransport,
            browser.parse_url,
            browser.has_location(),
            browser.pause,
            stream=_stream if getattr(js, "WebSocketStream", None) is not None else None,
            call_later=lambda delay, callback: browser.Timer(delay, callback).cancel,
        )
    from .. import _url

    try:
        from . import cpython
    except ImportError as exc:
        raise RuntimeError(
            "pyws in CPython runs over the `websockets` library, which is not installed "
            f"({exc}): pip install 'pyws[cpython]'"
        ) from None
    return Backend(
        cpython.StreamTransport,
        _url.parse_url,
        False,
        can_pause=True,
        honours=cpython.HONOURED,
        configure=cpython.configure,
    )
