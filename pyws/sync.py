"""A blocking API over the async core, modelled on ``websockets.sync.client``::

    import pyws.sync

    with pyws.sync.connect("ws://127.0.0.1:8000/echo") as ws:
        ws.send("hello")
        print(ws.recv(timeout=5))

There is one implementation: each call runs the matching coroutine of
:class:`pyws.WebSocket` to completion and returns its result, so the semantics (what is
queued, what is lost, which exception) are the async API's to the letter.

- In Pyodide the call blocks with ``pyodide.ffi.run_sync``: JavaScript Promise Integration
  (JSPI) suspends the WebAssembly stack while the browser's event loop runs on. That needs
  a runtime with JSPI (Chromium, Firefox, Safari from 27, Node 20 with
  ``--experimental-wasm-stack-switching``; not WebKitGTK 2.50 nor Safari before 27)
  and a call stack that may suspend: Python entered from ``runPythonAsync``, from an asyncio
  task (an async function called from JS, an async event handler) or from
  ``callPromising``.
- In a Web Worker of a runtime without JSPI (Safari's engine), the call blocks on
  ``Atomics.wait`` while the socket lives in the page, which relays it through a
  ``SharedArrayBuffer`` ring: the page calls ``hostRelays(worker)`` from ``pyws-relay.mjs``
  once and is cross-origin isolated (docs/sync-relay.md). :func:`set_mode` forces the
  relay where JSPI exists; :func:`mode` tells which way is in use.
  Elsewhere every call raises :exc:`RuntimeError` naming what is missing.
- In CPython (``pip install "pyws[cpython]"``) the coroutines run on an event loop in a
  daemon thread, ``pyws.sync``, shared by every connection; the caller's thread waits.
  Calling pyws.sync from that thread (a callback of that loop) would deadlock, and raises
  :exc:`RuntimeError` instead.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, Literal, overload

from . import _platform
from ._members import ClosesOnExitSync, forward, settable
from ._options import warn_browser_cannot
from ._platform import TransportName
from ._redact import redact
from ._transport import BinaryType
from .bounds import Overflow, QueueBound
from .client import DEFAULT_WRITE_LIMIT
from .client import connect as _async_connect
from .connection import Data, State
from .connection import WebSocket as AsyncWebSocket
from .exceptions import ConnectionClosedOK
from .heartbeat import Heartbeat

__all__ = ["Mode", "WebSocket", "connect", "mode", "set_mode"]

HOW_TO_CALL = (
    "call it from code run by pyodide.runPythonAsync(), from an async function (an asyncio "
    "task, an async event handler), or from a function called with callPromising(); or use "
    "the async API, `await pyws.connect(...)`"
)


Mode = Literal["thread", "jspi", "relay"]
"""How pyws.sync blocks: a thread (CPython), JSPI, or the relay (a worker, Atomics.wait)."""
MODES = ("auto", "relay")


def set_mode(mode: Literal["auto", "relay"]) -> None:
    """Choose how pyws.sync blocks in Pyodide from now on: ``"auto"`` (JSPI where the
    runtime has it, else the relay) or ``"relay"`` (the relay even where JSPI exists, e.g.
    to test it in Chromium or Firefox). Connections already open keep their way. Raises
    :exc:`ValueError` for another value; in CPython (a thread) it changes nothing."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, not {mode!r}")
    if _platform.IN_PYODIDE:
        from ._platform import relay

        relay.forced = mode == "relay"


def mode() -> Mode:
    """How pyws.sync blocks here: ``"thread"`` in CPython, ``"jspi"`` where the runtime has
    JSPI (unless the relay is forced), else ``"relay"``. Raises :exc:`RuntimeError`, naming
    what is missing and how to add it, where neither can work (a page's main thread
    without JSPI, a page that is not cross-origin isolated, Node without JSPI). Whether the
    page hosts the relay is known at the first connect (it raises then, if not)."""
    if not _platform.IN_PYODIDE:
        return "thread"
    from ._platform import relay

    if not relay.wanted():
        return "jspi"
    problem = relay.why_not()
    if problem is not None:
        raise RuntimeError(problem)
    return "relay"


def _pyodide_run[T](coroutine: Coroutine[Any, Any, T]) -> T:
    from ._platform import browser

    if not browser.can_run_sync():
        coroutine.close()
        if not browser.jspi_supported():
            raise RuntimeError(
                "pyws.sync cannot block here: this JavaScript runtime lacks JavaScript Promise "
                "Integration (JSPI), which pyodide.ffi.run_sync needs. JSPI exists in Chromium, "
                "Firefox and Safari from 27 (not in earlier Safari, nor in WebKitGTK 2.50), and "
                "in Node 20 with --experimental-wasm-stack-switching; where it is available, "
                f"{HOW_TO_CALL}"
            )
        raise RuntimeError(
            "pyws.sync cannot block here: this Python call stack was entered synchronously "
            "from JavaScript (pyodide.runPython(), a synchronous JS callback or event "
            "handler; also a coroutine that pyws resumed inside a socket's message handler, "
            "until its next `await asyncio.sleep(0)`), which JSPI cannot suspend; "
            f"{HOW_TO_CALL}"
        )
    return browser.run_sync(coroutine)


class _LoopThread:
    """CPython: an event loop in a daemon thread, started on first use.

    A child made by ``os.fork()`` inherits the loop but not its thread, so it starts
    afresh (:meth:`reset`, registered with :func:`os.register_at_fork`); the connections
    it inherited stay the parent's: using one raises :exc:`RuntimeError`.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=loop.run_forever, name="pyws.sync", daemon=True
                )
                self._thread.start()
                self._loop = loop
            return self._loop

    def run[T](self, coroutine: Coroutine[Any, Any, T], owner: AsyncWebSocket | None) -> T:
        loop = self._running_loop()
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError(
                "pyws.sync was called from its own event loop's thread, where it would wait "
                "for itself forever; use the async API there"
            )
        if owner is not None and owner._loop is not loop:
            coroutine.close()
            raise RuntimeError(
                f"{redact(owner.url)} was opened by pyws.sync in the parent process, before "
                "os.fork(): its event loop does not run in this child, where it would wait "
                "forever; open a new connection in the child"
            )
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        try:
            return future.result()
        except BaseException:
            # KeyboardInterrupt (or another exception) in the waiting thread: cancel the
            # coroutine, as cancelling the async call would (recv() then loses nothing).
            future.cancel()
            raise


_loop_thread = _LoopThread()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_loop_thread.reset)


def _run[T](coroutine: Coroutine[Any, Any, T], owner: AsyncWebSocket | None = None) -> T:
    """Run ``coroutine`` (of connection ``owner``) to completion and return its result,
    blocking the caller."""
    if _platform.IN_PYODIDE:
        from ._platform import relay

        if owner is not None and relay.owns(owner._loop):
            return relay.run(coroutine)
        if owner is None and relay.wanted():  # no connection's: the way in use now
            try:
                mode()  # raises where the relay cannot run
                relay.channel()  # raises where no host answers
            except BaseException:
                coroutine.close()
                raise
            return relay.run(coroutine)
        return _pyodide_run(coroutine)
    return _loop_thread.run(coroutine, owner)


class WebSocket(ClosesOnExitSync):
    """A blocking WebSocket connection, made by :func:`pyws.sync.connect`.

    Each method blocks until the matching :class:`pyws.WebSocket` coroutine finishes, with
    the same results, exceptions and guarantees: received messages wait in a queue, a
    :meth:`recv` timeout loses none, and after a close every queued message is returned
    before :exc:`~pyws.ConnectionClosed` is raised. Only one thread may be in
    :meth:`recv` at a time (else :exc:`~pyws.ConcurrencyError`). :attr:`aio` is the
    underlying async connection.
    """

    __slots__ = ("aio",)

    def __init__(self, aio: AsyncWebSocket) -> None:
        self.aio = aio
        """The async :class:`pyws.WebSocket` this one drives."""

    # -- attributes: those of the async WebSocket ----------------------------------------

    url = forward[str]("aio", "The absolute URL the socket connected to.")
    subprotocol = forward[str | None]("aio", "The subprotocol the server selected, or None.")
    extensions = forward[str]("aio", 'The extensions the server selected, or ``""``.')
    state = forward[State]("aio", "The live ready state: CONNECTING, OPEN, CLOSING or CLOSED.")
    buffered_amount = forward[int](
        "aio", "Bytes sent that the platform has not yet put on the network."
    )
    binary_type = settable[BinaryType](
        "aio", '``"bytes"`` or ``"blob"``; setting it applies to messages that arrive afterwards.'
    )
    dropped = forward[int](
        "aio", 'Messages dropped by ``overflow="drop_oldest"`` or ``"drop_newest"``; else 0.'
    )
    close_code = forward[int | None](
        "aio", "The close code once closed (1006 when the connection was lost), else None."
    )
    close_reason = forward[str | None]("aio", "The close reason once closed, else None.")
    was_clean = forward[bool | None](
        "aio", "Whether the closing handshake completed, once closed; else None."
    )

    def __repr__(self) -> str:
        return f"<pyws.sync.WebSocket {redact(self.url)} {self.state.name}>"

    # -- blocking calls -------------------------------------------------------------------

    @overload
    def recv(self, timeout: float | None = None, decode: None = None) -> Data: ...
    @overload
    def recv(self, timeout: float | None = None, *, decode: Literal[True]) -> str: ...
    @overload
    def recv(self, timeout: float | None = None, *, decode: Literal[False]) -> bytes: ...
    @overload
    def recv(self, timeout: float | None = None, decode: bool | None = None) -> Data: ...

    def recv(self, timeout: float | None = None, decode: bool | None = None) -> Data:
        """Return the next message: str for text, bytes or :class:`pyws.Blob` for binary.

        ``decode=True`` turns binary into str, ``decode=False`` text into bytes. Raises
        :exc:`TimeoutError` after ``timeout`` seconds (the message that arrives later is
        not lost), and :exc:`~pyws.ConnectionClosed` once the queue is empty and the
        connection closed.
        """
        return _run(self.aio.recv(timeout, decode), self.aio)

    def __iter__(self) -> Iterator[Data]:
        """Messages until the connection closes: ends on a normal close
        (:exc:`~pyws.ConnectionClosedOK`), raises :exc:`~pyws.ConnectionClosedError` on an
        abnormal one."""
        while True:
            try:
                yield self.recv()
            except ConnectionClosedOK:
                return

    def send(self, message: Any) -> None:
        """Send one message: str as text; bytes-like or :class:`pyws.Blob` as binary.

        Returns once the platform has taken it; waits first while more than
        ``write_limit`` bytes are buffered. Raises :exc:`~pyws.ConnectionClosed` once the
        connection is closing or closed.
        """
        _run(self.aio.send(message), self.aio)

    def drain(self) -> None:
        """Wait until everything sent is on the network; :exc:`~pyws.ConnectionClosed` if
        the connection closes first."""
        _run(self.aio.drain(), self.aio)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close and wait up to ``close_timeout`` for the closing handshake.

        Only code 1000 or 3000-4999 and a reason of at most 123 UTF-8 bytes are allowed
        (else :exc:`ValueError`), as for a page. Idempotent; a handshake that does not end
        in time leaves the connection closed with 1006.
        """
        _run(self.aio.close(code, reason), self.aio)

    def wait_closed(self) -> None:
        """Return once the connection is closed; it does not close it."""
        _run(self.aio.wait_closed(), self.aio)


def connect(
    url: str,
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
    **browser_cannot: Any,
) -> WebSocket:
    """Connect, blocking until the socket is open; the options of :func:`pyws.connect` for
    one connection (its reconnection options belong to ``async for``).

    ::

        with pyws.sync.connect(url) as ws:
            ws.send("hello")

    Raises what :func:`pyws.connect` raises (:exc:`~pyws.InvalidURI`, :exc:`ValueError`,
    :exc:`~pyws.InvalidHandshake`, :exc:`TimeoutError` after ``open_timeout``), and
    :exc:`RuntimeError` where it cannot block (see :mod:`pyws.sync`); arguments are checked
    first, also there. Options of ``websockets`` a browser cannot honour are accepted with
    a :exc:`RuntimeWarning`.
    """
    honoured = warn_browser_cannot(browser_cannot, _platform.backend().honours)
    relayed = _platform.IN_PYODIDE and _relay_wanted()
    _platform.relaying = relayed
    try:
        opening = _async_connect(
            url,
            subprotocols=subprotocols,
            binary_type=binary_type,
            open_timeout=open_timeout,
            close_timeout=close_timeout,
            write_limit=write_limit,
            heartbeat=heartbeat,
            max_queue=max_queue,
            max_queue_bytes=max_queue_bytes,
            overflow=overflow,
            transport=transport,
            **honoured,
        )
    finally:
        _platform.relaying = False
    if not relayed:
        return WebSocket(_run(_open(opening)))
    from ._platform import relay

    mode()  # raises where the relay cannot run, naming what is missing
    relay.channel()  # raises where no host answers
    return WebSocket(relay.run(_open(opening)))


def _relay_wanted() -> bool:
    from ._platform import relay

    return relay.wanted()


async def _open(opening: _async_connect) -> AsyncWebSocket:
    return await opening
