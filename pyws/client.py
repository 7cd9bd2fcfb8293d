"""Opening a connection: :func:`connect`."""

from __future__ import annotations

from collections.abc import Generator
from types import TracebackType
from typing import Any

from . import _platform
from ._options import warn_browser_cannot
from ._transport import BinaryType
from ._validation import (
    check_binary_type,
    check_subprotocols,
    check_timeout,
    check_url,
    check_write_limit,
)
from .connection import WebSocket

__all__ = ["DEFAULT_WRITE_LIMIT", "connect"]

DEFAULT_WRITE_LIMIT = 16 * 2**20
"""16 MiB: large enough not to slow bulk sends, small enough to stay far below the point
where Chromium gives up on a connection whose send buffer keeps growing."""


class connect:
    """Connect to a WebSocket server; ``await`` it, or use it as ``async with``.

    ::

        async with pyws.connect("ws://127.0.0.1:8000/echo") as ws:
            await ws.send("hello")
            print(await ws.recv())

    ``url`` may be ws, wss, http or https, or relative: it resolves against the page or
    worker as the browser does (Node and CPython have no location: there it must be
    absolute). ``subprotocols`` are offered in order; :attr:`WebSocket.subprotocol`
    tells which one the server picked. ``binary_type`` is ``"bytes"`` or ``"blob"``.

    Returns once the socket is open. Raises :exc:`InvalidURI` or :exc:`ValueError` for bad
    arguments before the browser sees them, :exc:`InvalidHandshake` when the socket fails
    before it opens, and :exc:`TimeoutError` after ``open_timeout`` seconds. On a timeout or
    cancellation the browser socket is closed. ``close_timeout`` bounds
    :meth:`WebSocket.close`; ``send`` waits while more than ``write_limit`` bytes are
    buffered. Leaving ``async with`` closes with code 1000, also on an exception.

    Options of ``websockets.connect`` that a browser cannot honour (``additional_headers``,
    ``origin``, ``compression``, ``ping_interval``, ``max_size``, ``ssl``...) are accepted
    with a :exc:`RuntimeWarning` that says why, so code shared with CPython still runs.
    """

    def __init__(
        self,
        url: str,
        *,
        subprotocols: list[str] | None = None,
        binary_type: BinaryType = "bytes",
        open_timeout: float | None = 10.0,
        close_timeout: float | None = 10.0,
        write_limit: int = DEFAULT_WRITE_LIMIT,
        **browser_cannot: Any,
    ) -> None:
        warn_browser_cannot(browser_cannot)
        self._backend = _platform.backend()
        self._url = check_url(url, self._backend.parse_url, self._backend.has_location)
        self._subprotocols = check_subprotocols(subprotocols)
        self._binary_type = check_binary_type(binary_type)
        self._open_timeout = check_timeout("open_timeout", open_timeout)
        self._close_timeout = check_timeout("close_timeout", close_timeout)
        self._write_limit = check_write_limit(write_limit)
        self._ws: WebSocket | None = None

    async def _open(self) -> WebSocket:
        ws = WebSocket(
            self._backend.transport,
            self._url,
            self._subprotocols,
            binary_type=self._binary_type,
            close_timeout=self._close_timeout,
            write_limit=self._write_limit,
        )
        await ws._wait_open(self._open_timeout)
        return ws

    def __await__(self) -> Generator[Any, None, WebSocket]:
        return self._open().__await__()

    async def __aenter__(self) -> WebSocket:
        self._ws = await self._open()
        return self._ws

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._ws is not None
        await self._ws.close()
