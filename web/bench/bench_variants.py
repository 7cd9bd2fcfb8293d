"""Contenders: pyws with each receive-path design of issue 16, counting its bursts.

pyws itself wakes a waiting ``recv()`` adaptively (``pyws.connection``): inline, inside the
message handler, when the reader has been waiting; one loop iteration later when it began
to wait moments ago, so that messages dispatched meanwhile queue up and one resume takes
them all. These variants differ from it in ``_on_message`` only, and all count how many
messages each resume of the reader took, so they can be compared with each other pair by
pair (the counting costs each of them the same):

- ``pyws_inline``: always inline, pyws before issue 16;
- ``pyws_defer``: always one loop iteration later (``set_result()``, as the naive wrapper's
  ``asyncio.Queue`` does);
- ``pyws_timed``: the first prototype, deferred whenever the reader began to wait less
  than ``_BACK_TO_BACK`` ago (round trips included);
- ``pyws_adaptive``: pyws's own rule, counted: as ``pyws_timed``, except for a reader that
  sent since it last waited (a round trip), which is always resumed inline.

A *burst* is the messages from one resume of the reader to the next: the first found the
reader waiting (and resumed it), the others were queued before it waited again.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import bench_common
import bench_pyws

import pyws
from pyws import connection
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


class Timed(WebSocket):
    """The first prototype: deferred whenever the reader began to wait moments ago, even
    right after it sent (so a fast round trip could be deferred too)."""

    __slots__ = ()

    def _on_message(self, data: Data) -> None:
        self._messages.append(data)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            _resumed()
            loop = self._loop
            waited = loop.time() - self._armed
            BURSTS.gaps[min(int(waited * 100_000), 100)] += 1
            if waited < connection._BACK_TO_BACK:
                waiter.set_result(None)
            else:
                self._wake(waiter, loop)
        else:
            BURSTS.current += 1


class Adaptive(WebSocket):
    """pyws's own rule (``connection.WebSocket._on_message``), counted."""

    __slots__ = ()

    def _on_message(self, data: Data) -> None:
        self._messages.append(data)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            _resumed()
            loop = self._loop
            waited = loop.time() - self._armed
            BURSTS.gaps[min(int(waited * 100_000), 100)] += 1
            if not self._replying and waited < connection._BACK_TO_BACK:
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
