"""Reconnecting: ``async for ws in pyws.connect(...)`` yields a new open connection each
time the previous one ends, retrying failed attempts with :class:`~pyws.Backoff`.

Which failures are retried is decided by ``process_exception(exc)``, with the meaning it
has in ``websockets``: it returns None to retry, or the exception to raise.
"""

from __future__ import annotations

import functools
import math
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field

from .backoff import Backoff
from .connection import WebSocket
from .exceptions import ConnectionClosedError, InvalidHandshake

__all__ = ["ProcessException", "Status", "default_process_exception"]

ProcessException = Callable[[Exception], Exception | None]


def default_process_exception(exc: Exception) -> Exception | None:
    """Retry what may heal by itself: a failed handshake (the browser hides the HTTP
    status, so a 503 looks like a 403), a timeout, a connection lost; raise the rest
    (:exc:`~pyws.InvalidURI`, :exc:`ValueError`, :exc:`TypeError`...) at once."""
    if isinstance(exc, InvalidHandshake | TimeoutError | ConnectionClosedError):
        return None
    return exc


@dataclass
class Status:
    """Where a reconnect loop stands, for a UI: "reconnecting in 3.2 s (attempt 4)"."""

    attempt: int = 0
    """Failed attempts since the last successful open."""
    next_attempt_at: float | None = None
    """The loop time of the next attempt while waiting for it, else None."""
    last_error: Exception | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Policy:
    backoff: Backoff
    max_retries: int | None
    process_exception: ProcessException
    min_uptime: float


class Connections:
    """The iterator ``async for ws in connect(...)`` uses: :func:`reconnect`, plus a close
    of the current connection as soon as the loop lets go of it (``break``, or an
    exception in the body), rather than when asyncio finalises the generator later."""

    def __init__(self, loop: AsyncGenerator[WebSocket]) -> None:
        self._loop = loop
        self._current: WebSocket | None = None

    def __aiter__(self) -> Connections:
        return self

    async def __anext__(self) -> WebSocket:
        self._current = await anext(self._loop)
        return self._current

    async def aclose(self) -> None:
        """Close the current connection and end the loop."""
        self._current = None
        await self._loop.aclose()

    def __del__(self) -> None:
        if self._current is not None:
            self._current._close_soon()


async def reconnect(
    open_once: Callable[[], Awaitable[WebSocket]],
    policy: Policy,
    pause: Callable[[float], Awaitable[None]],
    now: Callable[[], float],
    status: Status,
) -> AsyncGenerator[WebSocket]:
    """Yield open connections; the one yielded is closed when the loop moves on or ends.

    ``pause(delay)`` waits between attempts (in a browser it ends early when the page
    comes back online or becomes visible). After ``max_retries`` failed attempts in a row
    the last exception is raised.
    """
    tries = 0  # the backoff's attempt number: starts over after min_uptime of uptime
    while True:
        try:
            ws = await open_once()
        except Exception as exc:
            replacement = policy.process_exception(exc)
            if replacement is not None:
                if replacement is exc:
                    raise
                raise replacement from exc
            status.last_error = exc
            status.attempt += 1
            if policy.max_retries is not None and status.attempt > policy.max_retries:
                raise
            await _wait(policy.backoff.delay(tries), pause, now, status)
            tries += 1
            continue
        status.attempt = 0
        opened_at = now()
        closed_at: list[float] = []
        ws._closed.add_done_callback(functools.partial(_record, closed_at, now))
        try:
            yield ws
        finally:
            # The body moved on, broke out, or raised: this connection is done. Start its
            # close without awaiting, which a finalised generator could not do.
            ws._close_soon()
        # Its uptime ends when it closed, or when the body let go of it, whichever came
        # first: not when the body came back for the next one (found by
        # tests/model/test_reconnect_iterator.py: dropped after 0.75 s, the body back at
        # 6.75 s, and the backoff started over with min_uptime 5).
        up = min([now(), *closed_at]) - opened_at
        await ws.close()
        if up >= policy.min_uptime:
            tries = 0
        else:  # opened and dropped at once: back off as after a failure
            await _wait(policy.backoff.delay(tries), pause, now, status)
            tries += 1


def _record(times: list[float], now: Callable[[], float], _: object) -> None:
    times.append(now())


async def _wait(
    delay: float,
    pause: Callable[[float], Awaitable[None]],
    now: Callable[[], float],
    status: Status,
) -> None:
    status.next_attempt_at = now() + delay
    try:
        await pause(delay)
    finally:
        status.next_attempt_at = None


def check_policy(
    backoff: object, max_retries: object, process_exception: object, min_uptime: object
) -> Policy:
    if not isinstance(backoff, Backoff):
        raise TypeError(f"backoff must be a pyws.Backoff, not {backoff!r}")
    if max_retries is not None and (
        not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0
    ):
        raise ValueError(f"max_retries must be an int >= 0 or None, not {max_retries!r}")
    if not callable(process_exception):
        raise TypeError(f"process_exception must be callable, not {process_exception!r}")
    if (
        not isinstance(min_uptime, int | float)
        or isinstance(min_uptime, bool)
        or math.isnan(min_uptime)
        or min_uptime < 0
    ):
        raise ValueError(f"min_uptime must be >= 0 seconds, not {min_uptime!r}")
    return Policy(backoff, max_retries, process_exception, float(min_uptime))
