"""Bounded receive memory: ``max_queue``, ``max_queue_bytes`` and the ``overflow`` policy.

``websockets`` bounds memory by not reading: past ``max_queue`` TCP holds the server back.
pyws does the same with ``overflow="pause"`` where the transport can stop reading:

- ``"pause"``: at the high-water mark (``max_queue`` messages or ``max_queue_bytes``
  bytes queued) stop reading, so the sender is held back; resume once ``recv()`` took the
  queue down to the low-water marks (``max_queue=(high, low)``; by default low = high //
  4, as in ``websockets``). Nothing is dropped or closed. It needs Chromium's
  ``WebSocketStream`` (``transport="stream"``, which ``"auto"`` then picks) or CPython.

A ``WebSocket`` cannot stop reading: it has no backpressure in any browser (Firefox ESR
153, WebKit and Node 20 have no ``WebSocketStream``; see
tests/reliability/test_websocketstream_canary.py). There pyws can only bound its own
queue, say what happened, and let the app choose:

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

Overflow = Literal["close", "drop_oldest", "drop_newest", "pause"]
OVERFLOWS: tuple[Overflow, ...] = ("close", "drop_oldest", "drop_newest", "pause")
WITHOUT_BACKPRESSURE: tuple[Overflow, ...] = ("close", "drop_oldest", "drop_newest")
"""The policies that work where no transport can stop reading."""
QueueBound = int | tuple[int, int | None]
"""A high-water mark, or (high, low); low defaults to high // 4."""
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


class WatchedQueue(MeteredQueue):
    """The receive queue of ``overflow="pause"``: tells :attr:`on_take` after each
    message taken, so reading resumes below the low-water mark. Counts bytes only when
    ``metered``."""

    def __init__(self, metered: bool) -> None:
        super().__init__()
        self._metered = metered
        self.on_take: Callable[[], None] | None = None

    def append(self, message: Any) -> None:
        if self._metered:
            super().append(message)
        else:
            deque.append(self, message)

    def appendleft(self, message: Any) -> None:
        if self._metered:
            super().appendleft(message)
        else:
            deque.appendleft(self, message)

    def popleft(self) -> Any:
        message = super().popleft() if self._metered else deque.popleft(self)
        if self.on_take is not None:
            self.on_take()
        return message


@dataclass(frozen=True)
class Bounds:
    max_queue: int | None
    """The high-water mark in messages; with ``overflow="pause"``, reading stops there."""
    max_queue_bytes: int | None
    overflow: Overflow
    low_queue: int | None = None
    """``overflow="pause"`` resumes reading once the queue is down to this many messages."""
    low_queue_bytes: int | None = None

    @property
    def active(self) -> bool:
        return self.max_queue is not None or self.max_queue_bytes is not None

    @property
    def pauses(self) -> bool:
        """Whether these bounds need a transport that can stop reading."""
        return self.active and self.overflow == "pause"

    def new_queue(self) -> deque[Any]:
        if self.pauses:
            return WatchedQueue(metered=self.max_queue_bytes is not None)
        return MeteredQueue() if self.max_queue_bytes is not None else deque()


def _high_low(name: str, value: object) -> tuple[int | None, int | None]:
    """``value`` as (high, low): an int is the high-water mark, low then high // 4 (as in
    ``websockets``); a tuple (high, low) gives both, (high, None) the default low."""
    if value is None:
        return None, None
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int, a (high, low) tuple or None, not {value!r}")
        high, low = value
    else:
        high, low = value, None
    if not isinstance(high, int) or isinstance(high, bool):
        raise TypeError(f"{name} must be an int, a (high, low) tuple or None, not {value!r}")
    if high < 1:
        raise ValueError(f"{name} must be >= 1 or None (unbounded), not {value!r}")
    if low is None:
        return high, high // 4
    if not isinstance(low, int) or isinstance(low, bool):
        raise TypeError(f"{name}'s low-water mark must be an int or None, not {low!r}")
    if not 0 <= low <= high:
        raise ValueError(
            f"{name}={value!r}: the low-water mark must be between 0 and the high one ({high})"
        )
    return high, low


def check_bounds(max_queue: object, max_queue_bytes: object, overflow: object) -> Bounds:
    """The bounds, checked. ``max_queue`` and ``max_queue_bytes`` are an int, a (high, low)
    tuple, or None; the low-water mark matters to ``overflow="pause"`` only."""
    high, low = _high_low("max_queue", max_queue)
    high_bytes, low_bytes = _high_low("max_queue_bytes", max_queue_bytes)
    if overflow not in OVERFLOWS:
        allowed = ", ".join(map(repr, OVERFLOWS))
        raise ValueError(f"overflow must be one of {allowed}, not {overflow!r}")
    return Bounds(high, high_bytes, overflow, low, low_bytes)


class Limiter:
    """Sits before the connection's ``_on_message`` and applies the bounds.

    With ``overflow="pause"`` it delivers every message and calls ``pause`` once the queue
    reaches a high-water mark (``max_queue`` messages or ``max_queue_bytes`` bytes), so the
    transport stops reading; ``resume`` once ``recv()`` took it down to the low-water marks.
    """

    def __init__(
        self,
        bounds: Bounds,
        queue: deque[Any],
        deliver: Callable[[Any], None],
        close: Callable[[int, str], None],
        pause: Callable[[], None] | None = None,
        resume: Callable[[], None] | None = None,
    ) -> None:
        self._bounds = bounds
        self._queue = queue
        self._deliver = deliver
        self._close = close
        self.dropped = 0
        self._closed = False
        self.paused = False
        self.pauses = 0
        """How many times reading was paused."""
        if bounds.pauses:
            if pause is None or resume is None or not isinstance(queue, WatchedQueue):
                raise ValueError('overflow="pause" needs a transport that can pause reading')
            self._pause, self._resume = pause, resume
            queue.on_take = self._taken
            self.on_message = self._on_message_pausing  # type: ignore[method-assign]

    def _over(self, extra: int) -> bool:
        bounds, queue = self._bounds, self._queue
        if bounds.max_queue is not None and len(queue) + 1 > bounds.max_queue:
            return True
        nbytes = getattr(queue, "nbytes", 0)
        return bounds.max_queue_bytes is not None and nbytes + extra > bounds.max_queue_bytes

    def _at_high(self) -> bool:
        bounds, queue = self._bounds, self._queue
        if bounds.max_queue is not None and len(queue) >= bounds.max_queue:
            return True
        nbytes: int = getattr(queue, "nbytes", 0)
        return bounds.max_queue_bytes is not None and nbytes >= bounds.max_queue_bytes

    def _at_low(self) -> bool:
        bounds, queue = self._bounds, self._queue
        if bounds.low_queue is not None and len(queue) > bounds.low_queue:
            return False
        nbytes: int = getattr(queue, "nbytes", 0)
        return bounds.low_queue_bytes is None or nbytes <= bounds.low_queue_bytes

    def _on_message_pausing(self, message: Any) -> None:
        self._deliver(message)
        if not self.paused and self._at_high():
            self.paused = True
            self.pauses += 1
            self._pause()

    def detach(self) -> None:
        """Let go of the connection's callbacks, and the queue of this limiter, once the
        connection closed: nothing comes in any more, and held, they would keep it in a
        reference cycle. What it counted (:attr:`dropped`, :attr:`pauses`) stays."""
        self._deliver = self._close = self._pause = self._resume = _nothing
        if isinstance(self._queue, WatchedQueue):
            self._queue.on_take = None
        vars(self).pop("on_message", None)  # the bound _on_message_pausing: a cycle too

    def _taken(self) -> None:
        # Below the high mark too: with low == high, resuming at the mark would overshoot.
        if self.paused and self._at_low() and not self._at_high():
            self.paused = False
            self._resume()  # may deliver held messages at once, and pause again

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


def _nothing(*_: object) -> None:
    """What a detached limiter calls instead of its connection."""
