"""Contenders: pyws with each receive-path design of issue 16, counting its bursts.

pyws resumes a waiting ``recv()`` inline, inside the message handler (``pyws.connection``).
These variants differ from it in ``_on_message`` (and, for the clocked ones, in noting when
the reader began to wait), and all count how many messages each resume of the reader took,
so they can be compared with each other pair by pair (the counting costs each the same):

- ``pyws_inline``: always inline, as pyws;
- ``pyws_defer``: always one loop iteration later (``set_result()``, as the naive wrapper's
  ``asyncio.Queue`` does);
- ``pyws_timed``: deferred whenever the reader began to wait less than ``BACK_TO_BACK``
  ago (round trips included), else inline;
- ``pyws_adaptive``: as ``pyws_timed``, except for a reader that sent since it last
  waited (a round trip), which is always resumed inline.

A *burst* is the messages from one resume of the reader to the next: the first found the
reader waiting (and resumed it), the others were queued before it waited again.

And pyws with each send-path design of issue 29 (``pyws_send_*``). pyws's ``send()`` is a
coroutine that calls ``_send_now``, which tests the type, calls the transport's
``send_text``, which calls the JS function bound to the socket, and stores the buffer size
it returns (through ``WebSocket.__setattr__``: 0.36 us a set). Each design changes one
thing, and takes pyws's own path for anything it does not handle:

- ``pyws_send_flat``: ``send()`` calls a JS sender bound once per connection through one
  method of its own (``_sent_flat``, which ``pyws_send_sync`` shares), for a str: no
  ``_send_now``, no transport method, no type chain. The JS side compares the buffer with
  ``write_limit`` and answers 0 while it is under, so Python stores nothing per send.
- ``pyws_send_sync``: as flat, with ``send()`` a plain function returning a future that
  is already done: no coroutine frame when nothing waits.
- ``pyws_send_batch``: strings sent in one task are coalesced into one crossing, made one
  loop iteration later (or when the send phase ends, or before any other send or the
  close): a list converted once (``to_js``), sent by a JS loop. ``send()`` returns before
  the browser has the data, so ``buffered_amount`` lags, and a close from the server in
  between loses what was coalesced: the price of the design.
- ``pyws_send_view``: binary handed over with no intermediate copy: JS takes a view of the
  bytes in Pyodide's memory (``getBuffer``) and ``WebSocket.send`` copies from it, one
  crossing, where pyws fills its scratch buffer first (three crossings and a memcpy).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import bench_common
import bench_pyws
from pyodide.code import run_js
from pyodide.ffi import to_js

import pyws
from pyws._platform.websocket import BrowserTransport
from pyws._transport import BinaryType
from pyws.connection import Data, WebSocket


class Bursts:
    """Burst sizes of the current run: how many messages each resume of the reader took."""

    def __init__(self) -> None:
        self.sizes: Counter[int] = Counter()
        self.current = 0

        self.gaps: Counter[int] = Counter()
        """How long the reader had waited when a message resumed it, in 10 us steps."""

    def reset(self) -> None:
        self.sizes.clear()
        self.gaps.clear()
        self.current = 0

    def counts(self) -> dict[str, int]:
        if self.current:
            self.sizes[self.current] += 1
            self.current = 0
        return {str(size): count for size, count in sorted(self.sizes.items())}


BURSTS = Bursts()


def _resumed() -> None:
    if BURSTS.current:
        BURSTS.sizes[BURSTS.current] += 1
    BURSTS.current = 1


class Inline(WebSocket):
    __slots__ = ()

    def _on_message(self, data: Data) -> None:
        self._messages.append(data)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            _resumed()
            self._wake(waiter, self._loop)
        else:
            BURSTS.current += 1


class Defer(WebSocket):
    __slots__ = ()

    def _on_message(self, data: Data) -> None:
        self._messages.append(data)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            _resumed()
            waiter.set_result(None)
        else:
            BURSTS.current += 1


BACK_TO_BACK = 0.0001
"""A message that reaches recv() less than this after it began to wait came back to back
with the one before it: the browser likely holds more, each dispatched as a task of its own.
Loopback round trips took 130-300 us here; a page without cross-origin isolation reads the
clock in 100 us steps."""


class Clocked(WebSocket):
    """Records when ``recv()`` began to wait (``armed``) and whether ``send()`` sent since
    the reader last began to wait (``replying``), without touching pyws: ``_waiter`` is
    shadowed by a property that notes the time when recv() sets it."""

    __slots__ = ("_waiting", "armed", "replying", "sent")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._waiting: asyncio.Future[None] | None = None
        self.armed = 0.0
        self.sent = self.replying = False
        super().__init__(*args, **kwargs)

    @property
    def _waiter(self) -> asyncio.Future[None] | None:
        return self._waiting

    @_waiter.setter
    def _waiter(self, waiter: asyncio.Future[None] | None) -> None:
        if waiter is not None:
            self.armed = self._loop.time()
            self.replying, self.sent = self.sent, False
        self._waiting = waiter

    def _send_now(self, message: Any) -> None:
        super()._send_now(message)
        self.sent = True


class Timed(Clocked):
    """The first prototype: deferred whenever the reader began to wait under
    :data:`BACK_TO_BACK` ago, even right after it sent (so a fast round trip is too)."""

    __slots__ = ()

    def _on_message(self, data: Data) -> None:
        self._messages.append(data)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            _resumed()
            loop = self._loop
            waited = loop.time() - self.armed
            BURSTS.gaps[min(int(waited * 100_000), 100)] += 1
            if waited < BACK_TO_BACK:
                waiter.set_result(None)
            else:
                self._wake(waiter, loop)
        else:
            BURSTS.current += 1


class Adaptive(Clocked):
    """As :class:`Timed`, except that a reader that sent since it last began to wait (a
    round trip: its next message is a reply) is always resumed inline."""

    __slots__ = ()

    def _on_message(self, data: Data) -> None:
        self._messages.append(data)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            _resumed()
            loop = self._loop
            waited = loop.time() - self.armed
            BURSTS.gaps[min(int(waited * 100_000), 100)] += 1
            if not self.replying and waited < BACK_TO_BACK:
                waiter.set_result(None)
            else:
                self._wake(waiter, loop)
        else:
            BURSTS.current += 1


# The send designs' JS halves. ``s`` is the transport's sender state (its ``_s``: the
# socket, and ``last``, the chain of a JS Blob being read, which the designs leave to pyws).
# Each returns undefined when the socket is not OPEN, -1 to hand the message to pyws.
_flat = run_js(
    """
    (s, limit, data) => {
        if (s.last !== null) return -1;
        const ws = s.ws;
        if (ws.readyState !== 1) return undefined;
        ws.send(data);
        const buffered = ws.bufferedAmount;
        return buffered > limit ? buffered : 0;
    }
    """
)
_many = run_js(
    """
    (s, texts) => {
        const ws = s.ws;
        if (ws.readyState !== 1) return undefined;
        for (const text of texts) ws.send(text);
        return ws.bufferedAmount;
    }
    """
)
_view = run_js(
    """
    (s, data) => {
        if (s.last !== null) return -1;
        const ws = s.ws;
        if (ws.readyState !== 1) return undefined;
        const buffer = data.getBuffer("u8");
        try { ws.send(buffer.data); } finally { buffer.release(); }
        return ws.bufferedAmount;
    }
    """
)


class SendFlat(WebSocket):
    __slots__ = ("_flat",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state = self._transport._s  # type: ignore[attr-defined]
        self._flat = _flat.bind(None, state, self._write_limit)

    def _sent_flat(self, message: Any) -> bool:
        """Whether the flat path sent ``message``: a str, the buffer under the limit, OPEN
        and no JS Blob being read (else pyws's own path sends it, or raises)."""
        if (
            type(message) is str
            and message.isascii()
            and self._buffered <= self._write_limit
            and not self._send_lock.locked()
        ):
            answer = self._flat(message)
            if answer == 0:
                return True
            if answer is not None and answer > 0:
                self._buffered = answer
                return True
        return False

    async def send(self, message: Any) -> None:
        if not self._sent_flat(message):
            await super().send(message)


_DONE: dict[asyncio.AbstractEventLoop, asyncio.Future[None]] = {}


def _done(loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
    """One future per loop, done: awaiting it returns at once, any number of times."""
    future = _DONE.get(loop)
    if future is None:
        future = _DONE[loop] = loop.create_future()
        future.set_result(None)
    return future


class SendSync(SendFlat):
    __slots__ = ("_done",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._done = _done(self._loop)

    def send(self, message: Any) -> Awaitable[None]:  # type: ignore[override]
        if self._sent_flat(message):
            return self._done
        return WebSocket.send(self, message)  # the coroutine: raises when awaited


class SendBatch(WebSocket):
    __slots__ = ("_batch", "_batch_bytes", "_many")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._batch: list[str] = []
        self._batch_bytes = [0]  # a cell: no __setattr__ per send
        self._many = _many.bind(None, self._transport._s)  # type: ignore[attr-defined]

    async def send(self, message: Any) -> None:
        batch = self._batch
        if (
            type(message) is str
            and message.isascii()
            and self._buffered + self._batch_bytes[0] <= self._write_limit
            and not self._send_lock.locked()
            and self._close_exc is None
            and self._transport.ready_state == pyws.State.OPEN
            and self._transport._s.last is None  # type: ignore[attr-defined]
        ):
            batch.append(message)
            self._batch_bytes[0] += len(message)
            if len(batch) == 1:
                self._loop.call_soon(self.handed_over)
            return
        self.handed_over()
        await super().send(message)

    def handed_over(self) -> None:
        """Hand what was coalesced to the browser now (bench_common calls it at the end
        of the send phase, so the phase includes the crossing)."""
        batch = self._batch
        if not batch:
            return
        texts = to_js(batch)
        batch.clear()
        self._batch_bytes[0] = 0
        answer = self._many(texts)
        if answer is not None:
            self._buffered = answer

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.handed_over()
        await super().close(code, reason)


class SendView(WebSocket):
    __slots__ = ("_view",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._view = _view.bind(None, self._transport._s)  # type: ignore[attr-defined]

    async def send(self, message: Any) -> None:
        if (
            type(message) is bytes
            and self._buffered <= self._write_limit
            and not self._send_lock.locked()
        ):
            answer = self._view(message)  # bytes go to JS as a proxy, not a copy
            if answer is None:
                raise self._not_open()
            if answer >= 0:
                self._buffered = answer
                return
        await super().send(message)


def opener(cls: type[WebSocket]) -> bench_common.Opener:
    @contextlib.asynccontextmanager
    async def open_(url: str, binary_type: str) -> AsyncIterator[WebSocket]:
        """What ``pyws.connect(url, binary_type=...)`` does for an absolute URL."""
        kind: BinaryType = "blob" if binary_type == "blob" else "bytes"
        ws = cls(
            BrowserTransport,
            url,
            [],
            binary_type=kind,
            close_timeout=10.0,
            write_limit=pyws.DEFAULT_WRITE_LIMIT,
        )
        await ws._wait_open(10.0)
        async with ws:
            yield ws

    return open_


VARIANTS = {"inline": Inline, "defer": Defer, "timed": Timed, "adaptive": Adaptive}
SEND_VARIANTS: dict[str, type[WebSocket]] = {
    "flat": SendFlat,
    "sync": SendSync,
    "batch": SendBatch,
    "view": SendView,
}


async def run(variant: str, scenario: str, options_json: str) -> str:
    """Called by bench.js: run one scenario, return its result as JSON, with the burst
    sizes (warm-up included) under ``"bursts"``: {size: how many resumes took that many}."""
    BURSTS.reset()
    result: dict[str, Any] = json.loads(
        await bench_pyws.run(scenario, options_json, opener(VARIANTS[variant]))
    )
    result["bursts"] = BURSTS.counts()
    if BURSTS.gaps:
        result["waited_10us"] = {str(k): v for k, v in sorted(BURSTS.gaps.items())}
    return json.dumps(result)


async def run_send(variant: str, scenario: str, options_json: str) -> str:
    """Called by bench.js: run one scenario with a send design of :data:`SEND_VARIANTS`."""
    return await bench_pyws.run(scenario, options_json, opener(SEND_VARIANTS[variant]))
