"""Opening connections: :func:`connect`, once or again and again."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from . import _platform
from ._members import Opener
from ._options import warn_browser_cannot
from ._platform import TransportName
from ._transport import BinaryType
from ._validation import (
    check_binary_type,
    check_subprotocols,
    check_timeout,
    check_url,
    check_write_limit,
)
from .backoff import Backoff
from .bounds import Overflow, QueueBound, check_bounds
from .connection import WebSocket
from .heartbeat import Heartbeat
from .heartbeat import check_binary_type as check_heartbeat
from .reconnect import (
    Connections,
    ProcessException,
    Status,
    check_policy,
    default_process_exception,
    reconnect,
)

__all__ = ["DEFAULT_WRITE_LIMIT", "URLSource", "connect"]

DEFAULT_WRITE_LIMIT = 64 * 2**20
"""64 MiB. Raw JS never waits on ``bufferedAmount``, and Chromium 156 kept a socket open with
2 GiB buffered towards a server that did not read (measured 2026-11-27: no close, no
error), so the limit is not there to protect the socket but to bound the memory a fast
sender makes the browser hold. At 16 MiB, a burst of 64 x 1 MiB sent all at once waited
for the buffer to drain from the 17th message on (the last send returned at 77 % of the
run, measured by the harness that filed issue 13); 64 MiB lets such a burst go out as
raw JS does, and still stops a sender that never looks at the network."""

URLSource = str | Callable[[], str] | Callable[[], Awaitable[str]]
"""A URL, or a function (plain or async) called before every attempt to get one."""


class connect(Opener[WebSocket]):
    """Connect to a WebSocket server: ``await`` it, use it as ``async with``, or iterate
    over it to reconnect whenever the connection ends.

    ::

        async with pyws.connect("ws://127.0.0.1:8000/echo") as ws:
            await ws.send("hello")
            print(await ws.recv())

        async for ws in pyws.connect(url):  # a new connection after each one ends
            try:
                async for message in ws:
                    ...
            except pyws.ConnectionClosed:
                continue

    ``url`` may be ws, wss, http or https, or relative: it resolves against the page or
    worker as the browser does (Node and CPython have no location: there it must be
    absolute). It may also be a function, plain or async, that returns the URL; it is
    called before every attempt (fresh tokens, a list of servers). ``subprotocols`` are
    offered in order; :attr:`WebSocket.subprotocol` tells which one the server picked.
    ``binary_type`` is ``"bytes"`` or ``"blob"``.

    Returns once the socket is open. Raises :exc:`InvalidURI` or :exc:`ValueError` for bad
    arguments before the browser sees them, :exc:`InvalidHandshake` when the socket fails
    before it opens, and :exc:`TimeoutError` after ``open_timeout`` seconds. On a timeout or
    cancellation the browser socket is closed. ``close_timeout`` bounds
    :meth:`WebSocket.close`; ``send`` waits while more than ``write_limit`` bytes are
    buffered. Leaving ``async with`` closes with code 1000, also on an exception.
    ``heartbeat`` (a :class:`~pyws.Heartbeat`) detects a peer gone without closing.

    A browser cannot stop reading, so pyws bounds its receive queue instead: past
    ``max_queue`` unread messages or ``max_queue_bytes`` unread bytes (None: unbounded),
    ``overflow="close"`` closes with code 4009 and the reason "receive queue overflow"
    (``recv()`` still returns what was queued before, then raises), and
    ``"drop_oldest"`` / ``"drop_newest"`` drop messages, counted in
    :attr:`WebSocket.dropped`, and keep the connection (see :mod:`pyws.bounds`).
    ``overflow="pause"`` instead stops reading at the bound, so the sender is held back,
    and reads again once ``recv()`` took the queue down to a low-water mark
    (``max_queue=(high, low)``, by default high // 4): nothing is dropped or closed. It
    needs a transport that can stop reading: Chromium's ``WebSocketStream``, or CPython;
    elsewhere ``connect()`` raises :exc:`ValueError`.

    ``transport`` is ``"auto"`` (the default), ``"websocket"`` (the browser's
    ``WebSocket``) or ``"stream"`` (``WebSocketStream``, Chromium only: elsewhere a
    :exc:`ValueError`). ``"auto"`` takes ``WebSocket``, or ``WebSocketStream`` where
    ``overflow="pause"`` needs it. In CPython the one transport is ``"websocket"``.
    Chromium 156 crashes the page when a ``WebSocketStream``'s connection is reset (the
    server killed, the network cut) while a write is pending (:attr:`WebSocket.buffered_amount`
    above 0): with ``"stream"``, send only to a server that keeps reading, ``await drain()``
    after a burst, keep ``write_limit`` low, and ``close()`` what you are done with (see
    docs/transports.md).

    Iterating reconnects: failed attempts are retried after ``backoff.delay(attempt)``
    seconds (:class:`~pyws.Backoff`, full jitter) while ``process_exception(exc)`` returns
    None (by default for :exc:`InvalidHandshake`, :exc:`TimeoutError` and
    :exc:`ConnectionClosedError`); it returns the exception to raise instead. The backoff
    starts over only after a connection stayed open ``min_uptime`` seconds. After
    ``max_retries`` failed attempts in a row (None: never) the last exception is raised.
    In a browser, the wait ends early when the page comes back online or becomes visible.
    The connection yielded is closed when the loop moves on, breaks or raises.

    Options of ``websockets.connect`` that a browser cannot honour (``additional_headers``,
    ``origin``, ``compression``, ``ping_interval``, ``max_size``, ``ssl``...) are accepted
    with a :exc:`RuntimeWarning` that says why, so code shared with CPython still runs.
    In CPython, ``ssl`` (an ``ssl.SSLContext``, as ``websockets`` takes it: a private
    certificate authority, a client certificate) and ``server_hostname`` are honoured.
    """

    def __init__(
        self,
        url: URLSource,
        *,
        subprotocols: list[str] | None = None,
        binary_type: BinaryType = "bytes",
        open_timeout: float | None = 10.0,
        close_timeout: float | None = 10.0,
        write_limit: int = DEFAULT_WRITE_LIMIT,
        heartbeat: Heartbeat | None = None,
        max_queue: QueueBound | None = None,
        max_queue_bytes: QueueBound | None = None,
        overflow: Overflow = "close",
        transport: TransportName = "auto",
        backoff: Backoff | None = None,
        max_retries: int | None = None,
        process_exception: ProcessException = default_process_exception,
        min_uptime: float = 5.0,
        **browser_cannot: Any,
    ) -> None:
        self._backend = _platform.backend()
        honoured = warn_browser_cannot(browser_cannot, self._backend.honours)
        # The honoured options (CPython: ssl, server_hostname, proxy) shape the default
        # transport, which choose() then picks or replaces by the stream.
        self._backend = self._backend._replace(transport=self._backend.transport_for(honoured))
        self._url = url if callable(url) else self._check_url(url)
        self._subprotocols = check_subprotocols(subprotocols)
        self._binary_type = check_binary_type(binary_type)
        self._open_timeout = check_timeout("open_timeout", open_timeout)
        self._close_timeout = check_timeout("close_timeout", close_timeout)
        self._write_limit = check_write_limit(write_limit)
        if heartbeat is not None and not isinstance(heartbeat, Heartbeat):
            raise TypeError(f"heartbeat must be a pyws.Heartbeat or None, not {heartbeat!r}")
        check_heartbeat(heartbeat, self._binary_type)
        self._heartbeat = heartbeat
        self._bounds = check_bounds(max_queue, max_queue_bytes, overflow)
        self._transport = _platform.choose(self._backend, transport, self._bounds)
        self._policy = check_policy(
            Backoff() if backoff is None else backoff, max_retries, process_exception, min_uptime
        )

    def _check_url(self, url: object) -> str:
        return check_url(url, self._backend.parse_url, self._backend.has_location)

    async def _fetch_url(self, source: Callable[[], str] | Callable[[], Awaitable[str]]) -> str:
        got = source()
        return self._check_url(await got if inspect.isawaitable(got) else got)

    async def _open(self) -> WebSocket:
        url = self._url if isinstance(self._url, str) else await self._fetch_url(self._url)
        ws = WebSocket(
            self._transport,
            url,
            self._subprotocols,
            binary_type=self._binary_type,
            close_timeout=self._close_timeout,
            write_limit=self._write_limit,
            heartbeat=self._heartbeat,
            bounds=self._bounds,
        )
        await ws._wait_open(self._open_timeout)
        return ws

    def __aiter__(self) -> Connections:
        return self._reconnect(Status())

    def _reconnect(self, status: Status) -> Connections:
        """The reconnect loop, reporting where it stands in ``status``."""
        backend = self._backend
        return Connections(reconnect(self._open, self._policy, backend.pause, backend.now, status))
