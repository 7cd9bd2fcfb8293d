"""The connection: a browser WebSocket as an asyncio object.

Everything here is plain Python over a :class:`~pyws._transport.Transport`, so it runs and
is unit-tested in CPython too; ``pyws._platform`` supplies the browser's transports.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import copy
import enum
from collections import deque
from collections.abc import Callable
from typing import Any, Literal, overload

from . import _wakeup
from ._members import ClosesOnExit, forward
from ._redact import redact
from ._transport import BinaryType, Events, Transport, TransportFactory
from ._validation import check_binary_type, check_close, check_timeout
from .blob import Blob
from .bounds import Bounds, Limiter
from .exceptions import (
    Close,
    ConcurrencyError,
    ConnectionClosed,
    ConnectionClosedOK,
    InvalidHandshake,
)
from .heartbeat import Heartbeat, Monitor
from .heartbeat import check_binary_type as check_heartbeat

__all__ = ["Data", "State", "WebSocket"]

Data = str | bytes | Blob
"""What :meth:`WebSocket.recv` returns: str for text, bytes (or Blob) for binary."""

_BYTES_LIKE = (bytes, bytearray, memoryview, array.array)
# bufferedAmount has no "drained" event in the browser, so it is polled, backing off.
_POLL_FIRST = 0.001
_POLL_MAX = 0.02


class State(enum.IntEnum):
    """The browser's ``readyState``, with its values: what :attr:`WebSocket.state` reads,
    live, from the platform's socket (in CPython, from the ``websockets`` protocol)."""

    CONNECTING = 0
    """The handshake has not completed. :func:`pyws.connect` returns a :class:`WebSocket`
    only once it is open; :attr:`pyws.ReconnectingWebSocket.state` reads CONNECTING
    while it reconnects."""
    OPEN = 1
    """Messages can be sent and received."""
    CLOSING = 2
    """A close frame was sent or received; ``send()`` raises
    :exc:`~pyws.ConnectionClosed`, while ``recv()`` still returns what is queued."""
    CLOSED = 3
    """The connection is closed: :attr:`WebSocket.close_code`, ``close_reason`` and
    ``was_clean`` are set; ``recv()`` returns what is queued, then raises."""


def _or_none(protocol: str) -> str | None:
    """A subprotocol as pyws reports it: None where the browser says ``""``."""
    return protocol or None


class WebSocket(ClosesOnExit):
    """A WebSocket connection, made by :func:`pyws.connect`.

    Received messages wait in a queue until :meth:`recv` takes them, so none is lost on
    cancellation, timeout or close. After the connection closes, :meth:`recv` first returns
    every queued message, then raises :exc:`~pyws.ConnectionClosed`.

    There are no event-handler attributes (``on_message``, ``onmessage``...): messages are
    read with :meth:`recv` or ``async for``, and assigning an unknown attribute raises
    :exc:`AttributeError`.
    """

    __slots__ = (
        "_binary_type",
        "_buffered",
        "_close_exc",
        "_close_timeout",
        "_closed",
        "_failure",
        "_heartbeat",
        "_limiter",
        "_local_close",
        "_loop",
        "_messages",
        "_opened",
        "_recv_busy",
        "_send_lock",
        "_subprotocols",
        "_transport",
        "_waiter",
        "_wake",
        "_write_limit",
    )

    def __init__(
        self,
        transport_factory: TransportFactory,
        url: str,
        subprotocols: list[str],
        *,
        binary_type: BinaryType,
        close_timeout: float | None,
        write_limit: int,
        heartbeat: Heartbeat | None = None,
        bounds: Bounds | None = None,
    ) -> None:
        """Start connecting; :func:`pyws.connect` makes it and waits for it to open."""
        self._binary_type = binary_type
        self._subprotocols = subprotocols
        self._close_timeout = close_timeout
        self._write_limit = write_limit
        self._loop = asyncio.get_running_loop()
        self._messages: deque[Data] = deque() if bounds is None else bounds.new_queue()
        self._waiter: asyncio.Future[None] | None = None
        self._recv_busy = False
        self._opened: asyncio.Future[None] = self._loop.create_future()
        self._closed: asyncio.Future[None] = self._loop.create_future()
        self._close_exc: ConnectionClosed | None = None
        self._failure: BaseException | None = None
        self._local_close: tuple[int, str] | None = None
        self._send_lock = asyncio.Lock()
        self._buffered = 0
        self._wake = _wakeup.wake
        # The message handler: _on_message itself unless bounds or a heartbeat stand before
        # it, so a plain connection pays nothing for them.
        on_message: Callable[[Any], None] = self._on_message
        self._limiter: Limiter | None = None
        if bounds is not None and bounds.active:
            self._limiter = Limiter(
                bounds,
                self._messages,
                on_message,
                self._give_up,
                self._pause_reading,  # overflow="pause" only
                self._resume_reading,
            )
            on_message = self._limiter.on_message
        self._heartbeat: Monitor | None = None
        if heartbeat is not None:
            check_heartbeat(heartbeat, binary_type)
            self._heartbeat = Monitor(
                heartbeat,
                lambda delay, callback: self._transport.call_later(delay, callback),
                on_message,
                self._send_heartbeat,
                lambda reason: self._give_up(1006, reason),
                self._loop.time,
            )
            on_message = self._heartbeat.on_message
        events = Events(self._on_open, on_message, self._on_error, self._on_close)
        self._transport: Transport = transport_factory(url, subprotocols, binary_type, events)

    def __setattr__(self, name: str, value: object) -> None:
        # Costs 0.36 us a set in Pyodide (Node, 200 000 sets: 0.45 against 0.09 us for a
        # plain slot), about 2 us per awaited round trip: worth a helpful error.
        try:
            object.__setattr__(self, name, value)
        except AttributeError:
            if hasattr(type(self), name):
                raise
            raise AttributeError(
                f"pyws.WebSocket has no attribute {name!r} to set: it has no event handlers; "
                "receive with `await ws.recv()` or `async for message in ws`"
            ) from None

    # -- events from the socket: each runs inside its handler (a JS one in a browser) ---

    def _on_open(self) -> None:
        if not self._opened.done():
            self._opened.set_result(None)
            if self._heartbeat is not None:
                self._heartbeat.start()

    def _on_message(self, data: Data) -> None:
        """Queue the message and, if ``recv()`` waits, resume it: possibly right here, so
        user code may run before this returns (see :mod:`pyws._wakeup`).

        Always inline, never one loop iteration later. Deferring the resume of a reader that
        began to wait moments ago, so that back-to-back messages queue up and one resume
        takes them all, formed bursts of 13-48 messages in the pipelined bench, yet measured
        0.46-1.62 of always-inline there over four runs under load, and deferring round trips
        cost them (docs/benchmarks.md, "Issue 16"; web/bench/bench_variants.py keeps them).
        """
        self._messages.append(data)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._wake(waiter, self._loop)

    def _on_error(self, cause: BaseException | None = None) -> None:
        # The browser gives no detail (CPython gives the cause), and a close event follows:
        # act on that. Except before the open event, where the error means the handshake
        # failed: Node 20's WebSocket (undici) then reports no close and stays CONNECTING,
        # so give up on it here.
        if not self._opened.done():
            self._failure = cause
            # Settle first, detaching the handlers: undici fires error again from inside
            # close() on a CONNECTING socket, which would come back here without end.
            self._on_close(1006, "", False)
            if self._transport.ready_state < State.CLOSING:
                self._transport.close(1000, "")

    def _on_close(self, code: int, reason: str, was_clean: bool) -> None:
        """The end, reported once. It also breaks the reference cycles between this
        connection and its parts (the transport, the heartbeat and the bounds hold its
        methods), so a closed connection is freed as soon as nobody holds it, without
        waiting for Python's cycle collector."""
        if self._close_exc is not None:
            return
        sent = None if self._local_close is None else Close(*self._local_close)
        self._close_exc = ConnectionClosed.from_close(code, reason, was_clean, sent)
        self._transport.release()
        if self._heartbeat is not None:
            self._heartbeat.detach()
        if self._limiter is not None:
            self._limiter.detach()
        if not self._opened.done():
            # Kept for _wait_open(), which lets go of it as it raises it (see there).
            self._failure = InvalidHandshake(self._transport.url, code, cause=self._failure)
            self._opened.set_result(None)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        self._closed.set_result(None)

    # -- opening, used by pyws.connect -------------------------------------------------

    async def _wait_open(self, timeout: float | None) -> None:
        """Wait for the open event; on failure, timeout or cancel, abort the browser socket."""
        try:
            opened = await self._wait(self._opened, timeout)
        except BaseException:
            self._abort()
            raise
        if not opened:
            self._abort()
            raise TimeoutError(f"opening {redact(self._transport.url)} timed out after {timeout} s")
        # Closed before opening: raise the InvalidHandshake, held no more. Its traceback
        # holds this frame, and so this connection: held, it would make a reference cycle.
        failure, self._failure = self._failure, None
        if failure is not None:
            try:
                raise failure
            finally:
                del failure  # this frame, in its traceback, would hold it: a cycle
        if self._subprotocols and not self._transport.protocol:
            # WHATWG fails this handshake, and Chromium does; Firefox ESR 153 opens the
            # socket with no subprotocol. pyws makes every platform agree with the standard.
            self._abort()
            raise InvalidHandshake(
                self._transport.url,
                why=f"the server selected none of the offered subprotocols {self._subprotocols}",
            )

    async def _wait(self, future: asyncio.Future[None], timeout: float | None) -> bool:
        """Wait until ``future`` is done, without cancelling it; False after ``timeout`` s.

        Not ``asyncio.timeout``: Pyodide's loop cannot cancel a timer, so each one would stay
        alive until its time came, long after the wait ended.
        """
        if not future.done():
            waiter: asyncio.Future[None] = asyncio.Future(loop=self._loop)
            wake = _waker(waiter)
            future.add_done_callback(wake)
            cancel = None if timeout is None else self._transport.call_later(timeout, wake)
            try:
                await waiter
            finally:
                future.remove_done_callback(wake)
                if cancel is not None:
                    cancel()
        return future.done()

    def _abort(self) -> None:
        """Close the socket now and stop listening to it: closed with 1006."""
        self._give_up(1006, "")

    def _give_up(self, code: int, reason: str) -> None:
        """Close now, as if the close event came with ``code`` and ``reason``: ``recv()``
        returns what is queued, then raises. 1006 sends a plain close to the peer; a code a
        page may not send (1007) is sent as 1000 with the reason; any other with the reason."""
        if self._transport.ready_state < State.CLOSING:
            if code == 1006:
                self._transport.close(1000, "")
            else:
                self._transport.close(code if code >= 3000 else 1000, reason)
        self._on_close(code, reason, False)

    def _pause_reading(self) -> None:
        """``overflow="pause"`` at its high-water mark: stop reading. The heartbeat rests
        meanwhile: what the peer sends waits unread, so its silence says nothing, and a
        paused connection is alive by what it holds (issue 25, defect 3)."""
        if self._heartbeat is not None:
            self._heartbeat.pause()
        self._transport.pause_reading()

    def _resume_reading(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.resume()
        self._transport.resume_reading()  # may deliver held messages, and pause again

    def _send_heartbeat(self, message: str | bytes) -> None:
        """Send at once, ahead of any send waiting on ``write_limit``; nothing if closed."""
        with contextlib.suppress(ConnectionClosed):
            self._send_now(message)

    # -- attributes ----------------------------------------------------------------------

    url = forward[str]("_transport", "The absolute URL the socket connected to.", convert=str)
    subprotocol = forward[str | None](
        "_transport",
        "The subprotocol the server selected, or None when it selected none.",
        name="protocol",
        convert=_or_none,
    )
    extensions = forward[str](
        "_transport",
        'The extensions the server selected, e.g. ``"permessage-deflate"``, or ``""``.',
        convert=str,
    )
    state = forward[State](
        "_transport",
        "The live ``readyState`` of the browser socket.",
        name="ready_state",
        convert=State,
    )
    buffered_amount = forward[int](
        "_transport",
        "Bytes given to :meth:`send` that the browser has not yet put on the network.",
        convert=int,
    )

    @property
    def binary_type(self) -> BinaryType:
        """How binary messages arrive: ``"bytes"`` (default) or ``"blob"`` (:class:`Blob`).

        Setting it applies to messages that arrive afterwards, as in the browser.
        """
        return self._binary_type

    @binary_type.setter
    def binary_type(self, value: BinaryType) -> None:
        check_heartbeat(
            None if self._heartbeat is None else self._heartbeat.heartbeat,
            check_binary_type(value),
        )
        self._binary_type = value
        self._transport.set_binary_type(value)

    @property
    def dropped(self) -> int:
        """Messages dropped by ``overflow="drop_oldest"`` or ``"drop_newest"``; else 0
        (``"pause"`` drops none)."""
        return 0 if self._limiter is None else self._limiter.dropped

    close_code = forward[int | None](
        "_close_exc",
        "The close code, once closed (1006 when the connection was lost); else None.",
        name="code",
    )
    close_reason = forward[str | None](
        "_close_exc", "The close reason, once closed; else None.", name="reason"
    )
    was_clean = forward[bool | None](
        "_close_exc", "Whether the closing handshake completed, once closed; else None."
    )

    def __repr__(self) -> str:
        return f"<pyws.WebSocket {redact(self.url)} {self.state.name}>"

    # -- receiving -----------------------------------------------------------------------

    @overload
    async def recv(self, timeout: float | None = None, decode: None = None) -> Data: ...
    @overload
    async def recv(self, timeout: float | None = None, *, decode: Literal[True]) -> str: ...
    @overload
    async def recv(self, timeout: float | None = None, *, decode: Literal[False]) -> bytes: ...
    @overload
    async def recv(self, timeout: float | None = None, decode: bool | None = None) -> Data: ...

    async def recv(self, timeout: float | None = None, decode: bool | None = None) -> Data:
        """Return the next message: str for text, bytes or :class:`Blob` for binary.

        Returns at once, without suspending, when a message is queued. ``decode=True``
        turns binary into str (UTF-8), ``decode=False`` turns text into bytes. As in
        ``websockets``, a binary message that is not valid UTF-8 is then consumed and the
        connection fails: this call raises :exc:`ConnectionClosedError` with code 1007,
        caused by the :exc:`UnicodeDecodeError`.

        Raises :exc:`TimeoutError` after ``timeout`` seconds, :exc:`ConnectionClosed` once
        the queue is empty and the connection closed, and :exc:`ConcurrencyError` if
        another coroutine is already in ``recv``. Timeouts and cancellation lose no message.
        """
        messages = self._messages
        if messages and decode is None and not self._recv_busy:
            if timeout is not None:
                check_timeout("timeout", timeout)
            return messages.popleft()  # the common case: no suspension, nothing else to do
        timeout = check_timeout("timeout", timeout)
        if self._recv_busy:
            raise ConcurrencyError(
                "recv() is already running in another coroutine; "
                "read from one coroutine only, e.g. with `async for message in ws`"
            )
        self._recv_busy = True
        try:
            if not messages:
                # Inline rather than a helper coroutine: each resume passes every frame.
                if self._close_exc is not None:
                    raise self._closed_error()
                if timeout == 0:
                    raise TimeoutError("no message was queued")
                # _on_message, _on_close and the timer are the only ones to wake the waiter.
                waiter: asyncio.Future[None] = asyncio.Future(loop=self._loop)
                self._waiter = waiter
                cancel = None
                if timeout is not None:
                    cancel = self._transport.call_later(timeout, _waker(waiter))
                try:
                    await waiter
                finally:
                    self._waiter = None
                    if cancel is not None:
                        cancel()
                if not messages:
                    if self._close_exc is not None:
                        raise self._closed_error()
                    raise TimeoutError(f"no message arrived within {timeout} s")
            # Claimed before converting, which awaits for a Blob: a bound can then no longer
            # drop it meanwhile. A cancelled conversion puts it back first in line.
            message = messages.popleft()
            if decode is None:
                return message
            try:
                return await _convert(message, decode)
            except UnicodeDecodeError as exc:
                raise self._invalid_utf8(exc) from exc
            except BaseException:
                messages.appendleft(message)
                raise
        finally:
            self._recv_busy = False

    def _wake_reader(self) -> None:
        """End the ``recv()`` waiting now, if one is: it returns a message queued meanwhile,
        else raises :exc:`TimeoutError` as if its timeout had run out. The aiohttp patch's
        ``close()`` wakes a ``receive()`` waiting in another task so, as aiohttp's does."""
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _invalid_utf8(self, exc: UnicodeDecodeError) -> BaseException:
        """``websockets``' rule for a message ``decode=True`` cannot decode: it is consumed,
        and the connection fails with 1007 (a page may not send that code: the peer gets
        1000 and the reason). On a connection already closed, the error itself."""
        if self._close_exc is not None:
            return exc
        self._give_up(1007, f"{exc.reason} at position {exc.start}")
        return self._closed_error()

    def _closed_error(self) -> ConnectionClosed:
        """The close, as a new exception to raise each time. Raised, the one kept would
        hold in its traceback the frame that raised it, and so this connection: a
        reference cycle that only Python's cycle collector would free."""
        assert self._close_exc is not None
        return copy.copy(self._close_exc)

    def __aiter__(self) -> WebSocket:
        """Iterate over messages until the connection closes.

        Ends quietly on a normal close (:exc:`ConnectionClosedOK`) and raises
        :exc:`ConnectionClosedError` on an abnormal one.
        """
        return self

    async def __anext__(self) -> Data:
        messages = self._messages
        if messages and not self._recv_busy:
            return messages.popleft()  # recv()'s fast path, one call less per message
        try:
            return await self.recv()
        except ConnectionClosedOK:
            raise StopAsyncIteration from None

    # -- sending -------------------------------------------------------------------------

    async def send(self, message: Any) -> None:
        """Send one message: str as text; bytes-like, :class:`Blob` or JS binary as binary.

        Bytes-like means bytes, bytearray, memoryview or array.array. A JS ``Blob``,
        ``ArrayBuffer`` or typed array proxy is sent as is.

        Returns once the browser has taken the data. If :attr:`buffered_amount` is over
        ``write_limit``, first waits until it drains below it; a timeout or cancellation
        while waiting sends nothing and leaves the connection usable.

        Raises :exc:`ConnectionClosed` once the connection is closing or closed (the browser
        would drop the data silently), also once the peer's close arrived while messages
        before it wait unread (``overflow="pause"``; then with the peer's code and reason),
        :exc:`TypeError` for other types, and
        :exc:`UnicodeEncodeError` for a str with lone surrogates.
        """
        # _buffered is what the browser reported after our last send; it only shrinks
        # until the next send, so while it is within the limit there is nothing to wait for.
        if self._buffered > self._write_limit or self._send_lock.locked():
            async with self._send_lock:
                limit = self._write_limit
                await self._wait_buffer(lambda: self._transport.buffered_amount <= limit)
                self._send_now(message)
        else:
            self._send_now(message)

    def _send_now(self, message: Any) -> None:
        if self._close_exc is not None:
            raise self._closed_error()
        transport = self._transport
        if isinstance(message, str):
            if not message.isascii():
                message.encode("utf-8")  # raises on lone surrogates, which JS would mangle
            buffered = transport.send_text(message)
        elif isinstance(message, _BYTES_LIKE):
            view = memoryview(message)
            if not view.c_contiguous:
                view = memoryview(view.tobytes())
            if view.ndim != 1 or view.format != "B":
                view = view.cast("B")  # one flat run of bytes, whatever the shape or format
            buffered = transport.send_bytes(view)
        elif isinstance(message, Blob):
            buffered = transport.send_blob(message)
        elif transport.is_native_binary(message):
            buffered = transport.send_native(message)
        else:
            raise TypeError(
                f"cannot send {type(message).__name__} {message!r:.60}: send str, bytes, "
                "bytearray, memoryview, array.array, pyws.Blob, or a JS Blob, ArrayBuffer "
                "or typed array"
            )
        if buffered is None:
            raise self._not_open()
        self._buffered = buffered

    def _check_sendable(self) -> None:
        if self._close_exc is not None:
            raise self._closed_error()
        if self._transport.ready_state != State.OPEN:
            raise self._not_open()

    def _not_open(self) -> ConnectionClosed:
        """The error for a send once the socket is closing, before its close event: the
        peer's close when it arrived and waits behind unread messages (``overflow="pause"``),
        as ``websockets`` raises it; else the close this side started; else 1006."""
        if self._close_exc is not None:
            return self._closed_error()
        sent = None if self._local_close is None else Close(*self._local_close)
        pending = self._transport.pending_close
        if pending is not None:
            return ConnectionClosed.from_close(*pending, sent)
        code, reason = self._local_close or (1006, "")
        return ConnectionClosed.from_close(code, reason, self._local_close is not None)

    async def drain(self) -> None:
        """Wait until the browser has sent everything given to :meth:`send`.

        Raises :exc:`ConnectionClosed` if the connection closes first.
        """
        await self._wait_buffer(lambda: self._transport.buffered_amount == 0)

    async def _wait_buffer(self, ready: Callable[[], bool]) -> None:
        delay = _POLL_FIRST
        while not ready():
            self._check_sendable()
            await asyncio.sleep(delay)
            delay = min(delay * 2, _POLL_MAX)

    # -- closing -------------------------------------------------------------------------

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake and wait up to ``close_timeout`` for it to finish.

        A page may only send code 1000 or 3000-4999 and a reason of at most 123 UTF-8
        bytes (else :exc:`ValueError`), so unlike the ``websockets`` library, an error
        inside ``async with`` also closes with 1000. Idempotent: closing a closing or
        closed connection only waits. If the handshake does not finish in time, the
        connection is given up as closed with 1006. Messages not yet queued are dropped
        from then on (WHATWG drops what arrives after ``close()``), so with
        ``overflow="pause"`` it reads on, dropping, up to the peer's answer; and when the
        peer's close came first and waits behind unread messages, it drops those and ends.
        """
        await self._close(code, reason)

    async def _close(self, code: int, reason: str) -> bool:
        """:meth:`close`, telling whether the closing handshake finished in time (False:
        it timed out, and the connection was given up as closed with 1006)."""
        self._close_soon(*check_close(code, reason))
        if await self._wait(self._closed, self._close_timeout):
            return True
        self._on_close(1006, "", False)
        return False

    def _close_soon(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake, unless closing already; do not wait for it.

        The heartbeat stops here: the close handshake has ``close_timeout`` of its own, and
        a peer slow to answer it is not a dead one.
        """
        if self._heartbeat is not None:
            self._heartbeat.stop()
        if self._close_exc is not None:
            return
        if self._transport.ready_state < State.CLOSING:
            self._local_close = (code, reason)
            self._transport.close(code, reason)
        elif self._transport.pending_close is not None:
            # The peer's close came first and waits behind unread messages (paused): it
            # is answered already; closing drops what is unread, as after any close().
            self._transport.close(code, reason)

    async def wait_closed(self) -> None:
        """Return once the connection is closed; it does not close it."""
        await self._wait(self._closed, None)


def _waker(waiter: asyncio.Future[None]) -> Callable[..., None]:
    def wake(*_: object) -> None:
        if not waiter.done():
            waiter.set_result(None)

    return wake


async def _convert(message: Data, decode: bool) -> Data:
    if decode:
        if isinstance(message, str):
            return message
        # Strict, in both modes (Blob.text() would replace invalid bytes, as JS does).
        data = await message.bytes() if isinstance(message, Blob) else message
        return data.decode("utf-8")
    if isinstance(message, str):
        return message.encode("utf-8")
    if isinstance(message, Blob):
        return await message.bytes()
    return message
