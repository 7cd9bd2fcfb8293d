""":class:`Heartbeat`: noticing a peer that went away without closing.

A page cannot send protocol pings (the browser's WebSocket has no API for them), so a
half-open connection (the peer gone without a FIN: a sleeping laptop, a dropped NAT
mapping, a server that hangs) stays ``OPEN`` forever. A heartbeat sends an application
message after ``interval`` seconds with nothing received; if nothing at all arrives within
``timeout`` after it, the connection is given up: ``recv()`` raises
:exc:`~pyws.ConnectionClosedError` with code 1006 and the reason "heartbeat timeout".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Heartbeat", "check_binary_type"]

REASON = "heartbeat timeout"


@dataclass(frozen=True)
class Heartbeat:
    """When to send ``message``, and how long to wait for any message after it.

    With ``reply`` set, received messages equal to it count as liveness and are not
    returned by ``recv()``; any other message counts as liveness too and is returned.
    A bytes ``reply`` needs ``binary_type="bytes"``: a connection in blob mode refuses it
    (:exc:`ValueError`), since a Blob cannot be compared as it arrives.
    """

    interval: float = 20.0
    timeout: float = 20.0
    message: str | bytes = "ping"
    reply: str | bytes | None = None

    def __post_init__(self) -> None:
        for name in ("interval", "timeout"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise TypeError(f"Heartbeat {name} must be a number of seconds, not {value!r}")
            if math.isnan(value) or math.isinf(value) or value <= 0:
                raise ValueError(f"Heartbeat {name} must be > 0 seconds, not {value!r}")
        for name in ("message", "reply"):
            value = getattr(self, name)
            if not isinstance(value, str | bytes) and not (name == "reply" and value is None):
                raise TypeError(f"Heartbeat {name} must be str or bytes, not {value!r}")


def check_binary_type(heartbeat: Heartbeat | None, binary_type: str) -> None:
    """Refuse a bytes ``reply`` in blob mode: binary messages then arrive as
    :class:`~pyws.Blob`, whose data a handler cannot compare without reading it (an
    awaited read), so the reply would never be recognised."""
    if heartbeat is not None and isinstance(heartbeat.reply, bytes) and binary_type == "blob":
        raise ValueError(
            f"Heartbeat(reply={heartbeat.reply!r}) cannot be recognised with "
            'binary_type="blob": binary messages then arrive as pyws.Blob, which cannot be '
            'compared as they arrive; use a str reply, or binary_type="bytes"'
        )


class Monitor:
    """One connection's heartbeat: watches what arrives, sends, and gives up.

    ``call_later`` is the transport's (real ``setTimeout`` in a browser, freed on cancel).
    ``send`` sends the heartbeat message; ``give_up`` ends the connection with 1006.
    """

    def __init__(
        self,
        heartbeat: Heartbeat,
        call_later: Callable[[float, Callable[[], None]], Callable[[], None]],
        deliver: Callable[[Any], None],
        send: Callable[[str | bytes], object],
        give_up: Callable[[str], None],
        now: Callable[[], float],
    ) -> None:
        self.heartbeat = heartbeat
        self._call_later = call_later
        self._deliver = deliver
        self._send = send
        self._give_up = give_up
        self._now = now
        self._last = now()
        self._cancel: Callable[[], None] | None = None
        self._answering = False  # the heartbeat was sent: waiting up to timeout for anything
        self._paused = False
        self._stopped = False

    def on_message(self, data: Any) -> None:
        """Record liveness, then pass the message on unless it is the reply."""
        self._last = self._now()
        if self._answering:
            # Answered: the next heartbeat is due interval from now, not when the timeout
            # would have ended (with timeout > interval, up to timeout late; found by
            # tests/model/test_heartbeat.py). Once per heartbeat, not per message.
            self._arm(self.heartbeat.interval, self._check_quiet)
        reply = self.heartbeat.reply
        if reply is None or data != reply:
            self._deliver(data)

    def start(self) -> None:
        self._last = self._now()
        self._arm(self.heartbeat.interval, self._check_quiet)

    def stop(self) -> None:
        """For good: the connection is closing or closed."""
        self._stopped = True
        self._disarm()

    def pause(self) -> None:
        """Reading is paused (``overflow="pause"``): the peer's messages, its answer too,
        wait unread, so silence proves nothing. No heartbeat is sent or timed until
        :meth:`resume`: a paused connection is alive by what it holds."""
        self._paused = True
        self._disarm()

    def resume(self) -> None:
        """Reading again: the peer counts as heard from now, and the heartbeat goes on."""
        if self._paused and not self._stopped:
            self._paused = False
            self._last = self._now()
            self._arm(self.heartbeat.interval, self._check_quiet)

    def _disarm(self) -> None:
        self._answering = False
        if self._cancel is not None:
            self._cancel()
            self._cancel = None

    def _arm(self, delay: float, callback: Callable[[], None]) -> None:
        self._disarm()
        if not self._stopped and not self._paused:
            self._cancel = self._call_later(delay, callback)

    def _check_quiet(self) -> None:
        """``interval`` after the last message, unless one came since: send the heartbeat."""
        self._cancel = None
        quiet = self._now() - self._last
        if quiet < self.heartbeat.interval:
            self._arm(self.heartbeat.interval - quiet, self._check_quiet)
            return
        sent_at = self._now()
        self._send(self.heartbeat.message)
        self._arm(self.heartbeat.timeout, lambda: self._check_answered(sent_at))
        self._answering = True

    def _check_answered(self, sent_at: float) -> None:
        self._cancel = None
        self._answering = False
        if self._last >= sent_at:
            self._check_quiet()
        else:
            self._give_up(REASON)
