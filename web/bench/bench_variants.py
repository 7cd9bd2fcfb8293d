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
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import bench_common
import bench_pyws

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
