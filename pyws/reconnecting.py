""":class:`ReconnectingWebSocket`: one object that lives through reconnects, with a send
queue that survives them."""

from __future__ import annotations

import array
import asyncio
import warnings
from collections import deque
from collections.abc import AsyncIterator
from typing import Any, Literal, overload

from ._members import ClosesOnExit, forward
from ._validation import check_close, check_timeout
from .blob import Blob
from .client import URLSource, connect
from .connection import Data, State, WebSocket
from .exceptions import ConnectionClosed, ConnectionClosedOK
from .reconnect import Status

__all__ = ["ReconnectingWebSocket"]

_BYTES_LIKE = (bytes, bytearray, memoryview, array.array)


class ReconnectingWebSocket(ClosesOnExit):
    """A connection that reconnects by itself; use it as ``async with``.

    ::

        async with pyws.ReconnectingWebSocket(url, heartbeat=pyws.Heartbeat()) as rws:
            await rws.send("hello")  # queued while disconnected, sent after the reconnect
            async for message in rws:  # goes on across reconnects
                ...

    Without ``async with``, the first :meth:`send`, :meth:`recv` or ``async for`` starts
    it (inside a running event loop); then ``await rws.close()`` when done.

    It takes the options of :func:`pyws.connect`, reconnection ones included (``backoff``,
    ``max_retries``, ``process_exception``, ``min_uptime``, ``heartbeat``), and
    ``max_queued``: how many messages :meth:`send` queues while disconnected before it
    waits for room. Queued messages go out in order after the reconnect, each exactly
    once; a message that was on the wire when a connection died may be lost (the
    browser cannot tell), but none is sent twice.

    When the reconnect loop gives up (``max_retries``, or ``process_exception`` raising),
    :meth:`recv` and :meth:`send` raise its exception. :meth:`close` closes for good and
    returns how many queued messages were never sent.
    """

    def __init__(self, url: URLSource, *, max_queued: int = 1000, **options: Any) -> None:
        if not isinstance(max_queued, int) or isinstance(max_queued, bool) or max_queued < 1:
            raise ValueError(f"max_queued must be an int >= 1, not {max_queued!r}")
        self._connect = connect(url, **options)
        self._max_queued = max_queued
        self._status = Status()
        self._outbox: deque[Any] = deque()
        self._ws: WebSocket | None = None
        # The connections recv() reads from, oldest first: the current one, and the closed
        # ones whose queue it has not yet emptied (each leaves once recv() has drained it).
        self._reading: deque[WebSocket] = deque()
        self._ready = False  # connected, and the outbox flushed
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._error: BaseException | None = None
        self._waiters: list[asyncio.Future[None]] = []
        """recv() calls waiting for a connection (woken by :meth:`_set`)."""

    # -- the loop --------------------------------------------------------------------

    async def __aenter__(self) -> ReconnectingWebSocket:
        self._start()
        return self

    def _start(self) -> None:
        """Start the reconnect loop, once (issue 25, defect 9: used without ``async with``,
        send() queued and recv() waited for ever)."""
        if self._task is None and not self._closed:
            self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        connections = self._connect._reconnect(self._status)
        try:
            async for ws in connections:
                self._add_reading(ws)
                await self._set(ws, ready=False)
                await self._flush(ws)
                if ws.state is State.OPEN:
                    await self._set(ws, ready=True)
                await ws.wait_closed()
                await self._set(ws, ready=False)
        except Exception as exc:
            self._error = exc
        finally:
            await connections.aclose()
            self._closed = True
            await self._set(self._ws, ready=False)

    def _add_reading(self, ws: WebSocket) -> None:
        """Read ``ws`` after the connections before it; forget those closed and drained."""
        for old in [old for old in self._reading if old._close_exc is not None]:
            if not old._messages:
                self._reading.remove(old)
        self._reading.append(ws)

    async def _set(self, ws: WebSocket | None, *, ready: bool) -> None:
        async with self._changed:
            self._ws, self._ready = ws, ready
            self._changed.notify_all()
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _flush(self, ws: WebSocket) -> None:
        """Send the queue in order; what a closed connection refuses stays queued.

        Only :exc:`ConnectionClosed` stops it: :meth:`send` queued only what a connection
        takes, so any other error is a message that cannot be sent, now or later; it is
        dropped with a :exc:`RuntimeWarning` that names it, and the rest go on.
        """
        while self._outbox:
            try:
                await ws.send(self._outbox[0])
            except ConnectionClosed:
                return
            except Exception as exc:
                warnings.warn(
                    f"pyws.ReconnectingWebSocket dropped queued message "
                    f"{self._outbox[0]!r:.60} that could not be sent: {exc!r}",
                    RuntimeWarning,
                    stacklevel=1,
                )
            self._outbox.popleft()
            async with self._changed:
                self._changed.notify_all()  # room for senders waiting on max_queued

    def _raise_if_done(self) -> None:
        if self._error is not None:
            raise self._error
        if self._closed:
            raise ConnectionClosedOK(1000, "closed by ReconnectingWebSocket.close()", True)

    # -- status ----------------------------------------------------------------------

    @property
    def state(self) -> State:
        """OPEN while connected; CONNECTING while reconnecting; CLOSED once closed for good."""
        if self._closed:
            return State.CLOSED
        if self._ws is not None and self._ready:
            return self._ws.state
        return State.CONNECTING

    attempt = forward[int]("_status", "Failed attempts since the last successful open.")

    @property
    def next_attempt_in(self) -> float | None:
        """Seconds until the next attempt while waiting for it, else None."""
        at = self._status.next_attempt_at
        return None if at is None else max(0.0, at - self._connect._backend.now())

    @property
    def queued(self) -> int:
        """Messages waiting to be sent after the reconnect."""
        return len(self._outbox)

    @property
    def ws(self) -> WebSocket | None:
        """The current connection, or None before the first one opened."""
        return self._ws

    # -- sending and receiving -------------------------------------------------------

    async def send(self, message: Any) -> None:
        """Send now while connected; else queue it (waiting while ``max_queued`` are).

        What a connected :meth:`pyws.WebSocket.send` refuses is refused here too, queued
        or not: :exc:`TypeError` for other types, :exc:`UnicodeEncodeError` for a str
        with lone surrogates; the object stays usable. Raises the loop's exception (or
        :exc:`ConnectionClosedOK` after :meth:`close`) once it ended.
        """
        message = _sendable(message)
        self._start()
        while True:
            self._raise_if_done()
            ws = self._ws
            if ws is not None and self._ready and not self._outbox:
                try:
                    await ws.send(message)
                    return
                except ConnectionClosed:
                    pass  # not sent: queue it for the next connection
            if len(self._outbox) < self._max_queued:
                self._outbox.append(message)
                return
            async with self._changed:
                await self._changed.wait()

    @overload
    async def recv(self, timeout: float | None = None, decode: None = None) -> Data: ...
    @overload
    async def recv(self, timeout: float | None = None, *, decode: Literal[True]) -> str: ...
    @overload
    async def recv(self, timeout: float | None = None, *, decode: Literal[False]) -> bytes: ...
    @overload
    async def recv(self, timeout: float | None = None, decode: bool | None = None) -> Data: ...

    async def recv(self, timeout: float | None = None, decode: bool | None = None) -> Data:
        """The next message, across reconnects: those a connection received before it
        closed come first. ``timeout`` and ``decode`` are :meth:`pyws.WebSocket.recv`'s:
        :exc:`TimeoutError` after ``timeout`` seconds in all, connected or not, losing
        nothing; ``decode=True`` turns binary into str, ``False`` text into bytes. Binary
        that is not UTF-8 under ``decode=True`` is consumed and fails its connection, as
        there: this call raises that :exc:`ConnectionClosedError` (1007), and the next
        connection follows."""
        timeout = check_timeout("timeout", timeout)
        self._start()
        now = self._connect._backend.now
        deadline = None if timeout is None else now() + timeout
        reading = self._reading
        while True:
            left = None if deadline is None else max(0.0, deadline - now())
            if reading:
                ws = reading[0]
                was_open = ws._close_exc is None
                try:
                    return await ws.recv(left, decode)
                except ConnectionClosed as exc:
                    if was_open and isinstance(exc.__cause__, UnicodeDecodeError):
                        raise  # decode=True met binary that is not UTF-8: 1007
                    # closed and drained: go on with the next connection
                if reading and reading[0] is ws:
                    reading.popleft()
                continue
            if self._closed:
                self._raise_if_done()
            if left == 0:
                raise TimeoutError(f"no message arrived within {timeout} s")
            await self._wait_for_a_connection(left)

    async def _wait_for_a_connection(self, timeout: float | None) -> None:
        """Until the connection changes or the loop ends, or ``timeout`` seconds pass; with
        a timer freed at once (not ``asyncio.wait_for``: Pyodide's loop keeps a cancelled
        timer alive until it is due)."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)

        def wake() -> None:
            if not waiter.done():
                waiter.set_result(None)

        cancel = None if timeout is None else self._connect._backend.call_later(timeout, wake)
        try:
            await waiter
        finally:
            if cancel is not None:
                cancel()
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def __aiter__(self) -> AsyncIterator[Data]:
        return self._messages()

    async def _messages(self) -> AsyncIterator[Data]:
        """Every message until :meth:`close`; raises the loop's exception if it gave up."""
        self._start()
        while True:
            try:
                yield await self.recv()
            except ConnectionClosedOK:
                if self._error is None:
                    return
                raise

    # -- closing ---------------------------------------------------------------------

    async def close(self, code: int = 1000, reason: str = "") -> int:
        """Close for good; return how many queued messages were never sent.

        A code or reason a page may not send raises (:exc:`ValueError`, :exc:`TypeError`)
        and changes nothing. Otherwise the reconnect loop stops, even when closing the
        connection fails.
        """
        code, reason = check_close(code, reason)
        self._closed = True
        ws, task = self._ws, self._task
        if ws is not None:
            ws._close_soon(code, reason)
        # The loop stops before anything awaits: it woke with this close and would open
        # one more connection meanwhile (issue 25, defect 10: one opened 8 ms after).
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if ws is not None:
            await ws.close(code, reason)
        return len(self._outbox)


def _sendable(message: Any) -> str | bytes | Blob:
    """``message`` as it may wait in the queue, checked as a connected send checks it."""
    if isinstance(message, str):
        if not message.isascii():
            message.encode("utf-8")  # raises on lone surrogates, as a connected send does
        return message
    if isinstance(message, bytes | Blob):
        return message
    if isinstance(message, bytearray | memoryview | array.array):
        return memoryview(message).tobytes()  # it may be sent later: copy, in C order
    raise TypeError(
        f"cannot send {type(message).__name__} {message!r:.60} through a "
        "ReconnectingWebSocket: send str, bytes-like or pyws.Blob"
    )
