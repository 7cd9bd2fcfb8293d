"""Contender: pyws with its receive queue on the JS side (an experiment, issue 13).

pyws today calls into Python once per message: the JS handler passes ``e.data`` to the
connection, which queues it and, if ``recv()`` waits, resumes it inline. Here the JS
handler only pushes ``e.data`` onto a JS array, and calls into Python (the same handler
as today) only when a ``recv()`` is waiting, so the first message of a burst still wakes
the reader at once. ``recv()`` then moves everything queued in JS into Python in one
crossing: one per burst instead of one per message.

It runs over pyws's own wake-up, inline, with which no burst forms (issue 13: the reader
is armed again before each next message). In issue 16's runs A-C, while pyws resumed a
reader that only reads one loop iteration later when messages came back to back, bursts
did form here: 5.6-6.5 messages per crossing, and no faster (docs/benchmarks.md).

pyws itself is unchanged: this plugs into :class:`pyws.connection.WebSocket` through the
transport seam. :class:`JsQueueTransport` is pyws's ``BrowserTransport`` with its message
handler wrapped, and :class:`JsQueue` replaces the connection's message deque, pulling
from JS whenever the connection looks at it while it is empty. A real implementation
would also have to count JS-queued messages for ``max_queue``/``max_queue_bytes`` and
tell the heartbeat about them; the benchmark uses neither.
"""

from __future__ import annotations

import contextlib
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import bench_pyws
from pyodide.code import run_js
from pyodide.ffi import JsBuffer

import pyws
from pyws._platform.browser import JsBlob
from pyws._platform.websocket import BrowserTransport
from pyws._transport import BinaryType, Events
from pyws.connection import Data, WebSocket

# Wraps the handler pyws attached (which calls Python with e.data): it now runs only when
# Python has said that it waits (`armed`); otherwise e.data goes onto the JS queue.
# Returns take(): the queued messages as one array (and an empty queue), or, when there
# are none, undefined after arming, so that the next message goes to Python at once.
_install = run_js(
    """
    (ws) => {
        const deliver = ws.onmessage;
        let queue = [];
        let armed = false;
        ws.onmessage = (e) => {
            if (armed) {
                armed = false;
                deliver(e);
            } else {
                queue.push(e.data);
            }
        };
        return () => {
            if (queue.length === 0) {
                armed = true;
                return undefined;
            }
            const taken = queue;
            queue = [];
            return taken;
        };
    }
    """
)


CROSSINGS = dict.fromkeys(("handler_calls", "takes", "empty_takes", "taken"), 0)
"""Where messages crossed into Python in the current run: ``handler_calls`` (one message
each, the first of a burst), ``takes`` (calls of take(); ``empty_takes`` of them found
nothing and armed JS), and ``taken`` (messages moved by the takes that found some)."""


class JsQueue(deque[Data]):
    """The connection's message deque, refilled from the JS queue when found empty.

    While armed, messages come to Python one by one through :meth:`append` (the JS queue
    then stays empty), so an armed, empty queue needs no crossing to know it is empty.
    """

    def __init__(self, take: Callable[[], Any]) -> None:
        super().__init__()
        self._take = take
        self._armed = False

    def append(self, data: Data, /) -> None:
        self._armed = False  # the JS handler disarmed itself before delivering this
        CROSSINGS["handler_calls"] += 1
        super().append(data)

    def __len__(self) -> int:
        if not _size(self) and not self._armed:
            self._refill()
        return _size(self)

    def __bool__(self) -> bool:
        return _size(self) > 0 or (not self._armed and self._refill())

    def _refill(self) -> bool:
        """Take what JS queued, in one crossing; arm JS (and return False) if nothing."""
        taken = self._take()
        CROSSINGS["takes"] += 1
        if taken is None:
            self._armed = True
            CROSSINGS["empty_takes"] += 1
            return False
        # depth=1 converts the array only: str arrives as str, binary stays a JS proxy.
        self.extend(
            item if isinstance(item, str) else _binary(item) for item in taken.to_py(depth=1)
        )
        CROSSINGS["taken"] += len(taken)
        return True


_size = deque.__len__


def _binary(data: Any) -> Data:
    return bytes(data.to_bytes()) if isinstance(data, JsBuffer) else JsBlob(data)


class JsQueueTransport(BrowserTransport):
    """pyws's browser transport with the JS-side queue in front of its message handler."""

    def __init__(
        self, url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> None:
        super().__init__(url, protocols, binary_type, events)
        self.queue = JsQueue(_install(self._ws))


class JsQueueWebSocket(WebSocket):
    """A pyws connection whose message queue is the transport's :class:`JsQueue`."""

    __slots__ = ()

    def __init__(self, url: str, binary_type: BinaryType) -> None:
        super().__init__(
            JsQueueTransport,
            url,
            [],
            binary_type=binary_type,
            close_timeout=10.0,
            write_limit=pyws.DEFAULT_WRITE_LIMIT,
        )
        self._messages = cast(JsQueueTransport, self._transport).queue


@contextlib.asynccontextmanager
async def _open(url: str, binary_type: str) -> AsyncIterator[WebSocket]:
    """What ``pyws.connect(url, binary_type=...)`` does for an absolute URL."""
    ws = JsQueueWebSocket(url, "blob" if binary_type == "blob" else "bytes")
    await ws._wait_open(10.0)
    async with ws:
        yield ws


async def run(scenario: str, options_json: str) -> str:
    """Called by bench.js: run one scenario, return its result as JSON, with the counts
    of :data:`CROSSINGS` (warm-up included) under ``"crossings"``."""
    for key in CROSSINGS:
        CROSSINGS[key] = 0
    result = json.loads(await bench_pyws.run(scenario, options_json, _open))
    result["crossings"] = dict(CROSSINGS)
    return json.dumps(result)
