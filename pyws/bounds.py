"""Bounded receive memory: ``max_queue``, ``max_queue_bytes`` and the ``overflow`` policy.

A page using ``WebSocket`` cannot stop reading: it has no backpressure in any browser
(``WebSocketStream`` has some in Chromium 156, none in Node's undici, issue 5503, and
Firefox ESR 153 lacks it; see tests/reliability/test_websocketstream_canary.py). So where
``websockets`` bounds memory by not reading, pyws can only bound its own queue, say what
happened, and let the app choose:

- ``"close"``: close the connection with :data:`OVERFLOW_CODE` and the reason "receive
  queue overflow"; the messages queued before are still returned by ``recv()``, then
  :exc:`~pyws.ConnectionClosedError` is raised with that code and reason.
- ``"drop_oldest"`` / ``"drop_newest"``: keep the connection, drop a message, and count
  it in ``ws.dropped``.

Nothing is lost silently: a message is delivered, counted in ``dropped``, or the
connection is closed with a reason. That holds only while a bound is set: without one
(None, the default, as before) the limit is the memory itself. Measured on 2026-11-27:
an unread Chromium 156 page on Pyodide 314 queued 2 020 of 3 072 pushed 1 MiB messages,
its wasm heap then at 2 108 MiB, and the other 1 052 never reached Python, with no error
raised there and a clean close after. So set a bound well below the heap (a few hundred
MiB at most) wherever a producer can outrun the reader.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .blob import Blob

__all__ = ["OVERFLOW_CODE", "OVERFLOW_REASON", "Overflow"]

Overflow = Literal["close", "drop_oldest", "drop_newest"]
OVERFLOWS: tuple[Overflow, ...] = ("close", "drop_oldest", "drop_newest")
OVERFLOW_CODE = 4009
"""In the 4000 range that RFC 6455 leaves to applications; 1009 is "message too big"."""
OVERFLOW_REASON = "receive queue overflow"


def size_of(message: Any) -> int:
    """The bytes a queued message holds: UTF-8 length for text (as it came on the wire)."""
    if isinstance(message, str):
        return len(message) if message.isascii() else len(message.encode("utf-8", "replace"))
    if isinstance(message, Blob):
        return message.size
    return len(message)


class MeteredQueue(deque[Any]):
    """The receive queue, counting the bytes it holds (used only with ``max_queue_bytes``)."""

    def __init__(self) -> None:
        super().__init__()
        self.nbytes = 0

    def append(self, message: Any) -> None:
        super().append(message)
        self.nbytes += size_of(message)

    def appendleft(self, message: Any) -> None:
        super().appendleft(message)
        self.nbytes += size_of(message)

    def popleft(self) -> Any:
        message = super().popleft()
        self.nbytes -= size_of(message)
        return message


@dataclass(frozen=True)
class Bounds:
    max_queue: int | None
    max_queue_bytes: int | None
    overflow: Overflow

    @property
    def active(self) -> bool:
        return self.max_queue is not None or self.max_queue_bytes is not None

    def new_queue(self) -> deque[Any]:
        return MeteredQueue() if self.max_queue_bytes is not None else deque()


def check_bounds(max_queue: object, max_queue_bytes: object, overflow: object) -> Bounds:
    for name, value in (("max_queue", max_queue), ("max_queue_bytes", max_queue_bytes)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise TypeError(f"{name} must be an int or None, not {value!r}")
        if isinstance(value, int) and value < 1:
            raise ValueError(f"{name} must be >= 1 or None (unbounded), not {value!r}")
    if overflow not in OVERFLOWS:
        allowed = ", ".join(map(repr, OVERFLOWS))
        raise ValueError(f"overflow must be one of {allowed}, not {overflow!r}")
    return Bounds(max_queue, max_queue_bytes, overflow)  # type: ignore[arg-type]


class Limiter:
    """Sits before the connection's ``_on_message`` and applies the bounds."""

    def __init__(
        self,
        bounds: Bounds,
        queue: deque[Any],
        deliver: Callable[[Any], None],
        close: Callable[[int, str], None],
    ) -> None:
        self._bounds = bounds
        self._queue = queue
        self._deliver = deliver
        self._close = close
        self.dropped = 0
        self._closed = False

    def _over(self, extra: int) -> bool:
        bounds, queue = self._bounds, self._queue
        if bounds.max_queue is not None and len(queue) + 1 > bounds.max_queue:
            return True
        nbytes = getattr(queue, "nbytes", 0)
        return bounds.max_queue_bytes is not None and nbytes + extra > bounds.max_queue_bytes

    def on_message(self, message: Any) -> None:
        if self._closed:
            return  # closing for overflow: the browser may still report some
        size = size_of(message) if self._bounds.max_queue_bytes is not None else 0
        if not self._over(size):
            self._deliver(message)
            return
        overflow = self._bounds.overflow
        if overflow == "close":
            self._closed = True
            self._close(OVERFLOW_CODE, OVERFLOW_REASON)
        elif overflow == "drop_newest":
            self.dropped += 1
        else:
            while self._queue and self._over(size):
                self._queue.popleft()
                self.dropped += 1
            if self._over(size):  # alone over max_queue_bytes: it cannot be kept
                self.dropped += 1
            else:
                self._deliver(message)
