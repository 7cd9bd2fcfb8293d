"""A deterministic asyncio world with real loopback sockets: a virtual clock, and a loop
run step by step until it is idle, for the differential machine of the aiohttp patch
(tests/model/test_aiohttp_patch.py), where the real aiohttp needs real sockets.

Time moves only when a rule calls :meth:`NetSim.advance`: timers then fire one deadline at
a time, in order, at their exact virtual times. The selector only polls (it never blocks for
a virtual timeout); the loop counts as idle once nothing is ready to run and a few polls in a
row find no socket ready. On Linux, what one loopback TCP socket sends is in its peer's
receive queue when ``send()`` returns, so a poll right after sees it.

:meth:`NetSim.turn` runs one loop iteration: a rule can let a message in and move the clock
a set number of iterations later (a read that times out just after its message arrived),
deterministically.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any

from tests.model.sim import IDLE_LIMIT, Clocked, VirtualClock

QUIET_POLLS = 3
"""Polls in a row that find nothing to do before the loop counts as idle."""
CONNECT_WAIT = 0.01
"""Real seconds one blocking poll may wait while a rule waits for the network (connecting)."""


class PollingSelector(selectors.DefaultSelector):
    """The platform's selector, polling only (or waiting at most :data:`CONNECT_WAIT` real
    seconds while :attr:`blocking`); it counts the events each poll found."""

    blocking = False
    found = 0

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        wait = 0.0
        if self.blocking:
            wait = CONNECT_WAIT if timeout is None else min(timeout, CONNECT_WAIT)
        events = super().select(wait)
        self.found = len(events)
        return events


class ClockLoop(VirtualClock, asyncio.SelectorEventLoop):
    """A selector loop whose clock moves only when told to."""

    def __init__(self) -> None:
        self.selector = PollingSelector()
        super().__init__(self.selector)


class NetSim(Clocked):
    """One example's loop and clock, driven by the machine's rules."""

    def __init__(self) -> None:
        self.loop = ClockLoop()

    def turn(self) -> bool:
        """One loop iteration; whether it did or found anything."""
        loop = self.loop
        loop.call_soon(loop.stop)
        loop.run_forever()
        return bool(loop._ready) or loop.selector.found > 0  # type: ignore[attr-defined]

    def settle(self) -> None:
        """Run the loop until it is idle; fail if it never gets there."""
        quiet = 0
        for _ in range(IDLE_LIMIT):
            quiet = 0 if self.turn() else quiet + 1
            if quiet >= QUIET_POLLS:
                return
        raise AssertionError(f"the loop never went idle in {IDLE_LIMIT} iterations: a spin")

    def wait[T](self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` to its end without moving the clock, letting the network take real
        time (for connecting: aiohttp's connector may resolve in a thread)."""
        self.loop.selector.blocking = True
        try:
            return self.loop.run_until_complete(coro)
        finally:
            self.loop.selector.blocking = False

    def close(self) -> None:
        for task in asyncio.all_tasks(self.loop):
            task.cancel()
        self.settle()
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()


def step_now(coro: Coroutine[Any, Any, None]) -> None:
    """Run ``coro`` to its end here and now, outside the loop: it must not suspend (the
    server writing a small frame). Nothing else runs meanwhile: what it sends is in the
    client's socket for the next loop iteration to find."""
    try:
        coro.send(None)
    except StopIteration:
        return
    coro.close()
    raise AssertionError(f"{coro!r} suspended: it cannot run outside the loop")
