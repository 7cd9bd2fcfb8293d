"""The reconnect iterator, ``async for ws in pyws.connect(...)``, as a Hypothesis state machine
over a fake network that accepts, refuses and drops connections, in virtual time.

The promise checked (the README's "Long-lived connections" and ``connect``'s docstring):
each step yields a new open connection; the one yielded before is closed first; a failed
attempt (refused, timed out) is retried after ``backoff.delay(attempt)`` seconds, exactly,
while the default ``process_exception`` retries it; any other error (here: the URL function
raising ``ValueError``) is raised at once; after ``max_retries`` failures in a row the last
one is raised; the backoff starts over only after a connection stayed open ``min_uptime``
seconds, and one dropped sooner is followed by a backoff, as after a failure; the URL
function is called before every attempt; ``break`` (the iterator let go) closes the current
connection, and nothing opens after it. The machine's own :class:`~pyws.Backoff` draws from
a twin of the loop's random generator, so it knows each delay.
"""

from __future__ import annotations

import asyncio
import gc
import math
import random
from typing import Any
from unittest import mock

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import pyws
from pyws import _platform
from pyws._transport import BinaryType, Events
from pyws._validation import ParsedURL
from tests.model.settings import run_machine
from tests.model.sim import Sim
from tests.model.test_reconnecting import NetSocket

OPEN_TIMEOUT = 5.0
CLOSE_TIMEOUT = 2.0
STEPS = st.sampled_from([0.25, 1.0, 3.0, 6.0])
DROPS = st.sampled_from([(1006, "", False), (1011, "boom", True), (1000, "", True)])


def backoff(seed: int) -> pyws.Backoff:
    return pyws.Backoff(initial=1.0, factor=2.0, max_delay=4.0, rng=random.Random(seed))


class IteratorMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.sim = Sim()
        self.sockets: list[NetSocket] = []
        self.attempted_at: list[float] = []  # when the URL function was asked
        self.url_fails = False
        self.next: asyncio.Task[Any] | None = None
        self.held: pyws.WebSocket | None = None  # the connection the app holds
        self.ended = False
        # The model
        self.attempts = 0  # attempts made
        self.tries = 0  # the backoff's attempt number
        self.failures = 0  # failed attempts in a row
        self.due: float | None = None  # when the next attempt is due, while waiting
        self.opened_at = 0.0
        self.closed_at: float | None = None  # when the held connection closed
        self.expect_end: type[BaseException] | None = None

    def transport(
        self, url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> NetSocket:
        cls = type("Sock", (NetSocket,), {"sim": self.sim})
        sock: NetSocket = cls(url, protocols, binary_type, events)
        self.sockets.append(sock)
        return sock

    def url(self) -> str:
        self.attempted_at.append(self.sim.loop.time())
        if self.url_fails:
            raise ValueError("no server to connect to")
        return "ws://model/"

    @initialize(
        seed=st.integers(0, 3),
        min_uptime=st.sampled_from([0.0, 5.0]),
        max_retries=st.sampled_from([None, 0, 2]),
    )
    def start(self, seed: int, min_uptime: float, max_retries: int | None) -> None:
        loop = self.sim.loop
        parse = lambda url: ParsedURL(url, "ws", "model")  # noqa: E731
        backend = _platform.Backend(self.transport, parse, True, asyncio.sleep, loop.time)
        self.model_backoff = backoff(seed)
        self.min_uptime = min_uptime
        self.max_retries = max_retries
        with mock.patch.object(_platform, "backend", lambda: backend):
            connect = pyws.connect(
                self.url,
                backoff=backoff(seed),
                min_uptime=min_uptime,
                max_retries=max_retries,
                open_timeout=OPEN_TIMEOUT,
                close_timeout=CLOSE_TIMEOUT,
            )
        self.it: Any = aiter(connect)

    # -- the model -----------------------------------------------------------------------

    def pending(self) -> NetSocket | None:
        sock = self.sockets[-1] if self.sockets else None
        if sock is not None and sock.ready_state == pyws.State.CONNECTING and not sock.released:
            return sock
        return None

    def now(self) -> float:
        return self.sim.loop.time()

    def wait(self) -> None:
        """A backoff wait starts now: the next attempt is due after the model's own draw."""
        self.due = self.now() + self.model_backoff.delay(self.tries)
        self.tries += 1

    def failed(self, exc_type: type[BaseException]) -> None:
        self.failures += 1
        if self.max_retries is not None and self.failures > self.max_retries:
            self.expect_end = exc_type
        else:
            self.wait()

    def attempt(self) -> None:
        """The model makes an attempt now: it must have been made, now."""
        self.due = None
        self.attempts += 1
        assert len(self.attempted_at) == self.attempts, (
            f"{len(self.attempted_at)} attempts; the model made {self.attempts}"
        )
        assert math.isclose(self.attempted_at[-1], self.now()), (
            f"the attempt due at {self.now():.4f} was made at {self.attempted_at[-1]:.4f}"
        )
        if self.url_fails:
            self.expect_end = ValueError

    def settle(self) -> None:
        """Run the loop; check the app's anext() once it ended."""
        self.sim.settle()
        task = self.next
        if task is None or not task.done():
            return
        self.next = None
        exc = task.exception()
        if exc is None:
            ws = task.result()
            assert ws._transport is self.sockets[-1], "anext() returned another connection"
            assert ws.state is pyws.State.OPEN, f"anext() returned a {ws.state.name} one"
            self.held = ws
        else:
            expected = self.expect_end
            assert expected is not None and isinstance(exc, expected), (
                f"anext() raised {exc!r}; the model expected {expected}"
            )
            self.ended = True

    @invariant()
    def attempts_as_the_model_says(self) -> None:
        assert len(self.attempted_at) == self.attempts, (
            f"{len(self.attempted_at)} attempts at {self.attempted_at}; the model made "
            f"{self.attempts} (next due: {self.due})"
        )
        if self.held is not None:
            assert self.sockets[-1] is self.held._transport, (
                "a connection was attempted while the app holds one"
            )

    # -- the network ---------------------------------------------------------------------

    @precondition(lambda self: self.pending() is not None)
    @rule()
    def network_accepts(self) -> None:
        sock = self.pending()
        assert sock is not None
        self.sim.call(sock.open)
        self.failures = 0
        self.opened_at = self.now()
        self.closed_at = None
        self.settle()
        assert self.held is not None, "anext() did not return the open connection"

    @precondition(lambda self: self.pending() is not None)
    @rule()
    def network_refuses(self) -> None:
        sock = self.pending()
        assert sock is not None
        self.sim.call(sock.refuse)
        self.failed(pyws.InvalidHandshake)
        self.settle()

    @precondition(lambda self: self.held is not None and self.held.close_code is None)
    @rule(close=DROPS)
    def server_drops(self, close: tuple[int, str, bool]) -> None:
        assert self.held is not None
        sock = self.held._transport
        assert isinstance(sock, NetSocket)
        self.closed_at = self.now()
        self.sim.call(sock.closed, *close)
        self.settle()

    @rule(delta=STEPS)
    def clock_advances(self, delta: float) -> None:
        target = self.now() + delta
        while True:
            events = [t for t in self.deadlines() if t <= target]
            if not events:
                break
            when = min(events)
            self.sim.advance(when - self.now())
            if self.due is not None and math.isclose(self.due, when):
                self.attempt()
            else:  # the pending attempt timed out
                self.failed(TimeoutError)
            self.settle()
        self.sim.advance(target - self.now())
        self.settle()

    def deadlines(self) -> list[float]:
        times = []
        if self.due is not None and self.next is not None:
            times.append(self.due)
        if self.pending() is not None:
            times.append(self.attempted_at[-1] + OPEN_TIMEOUT)
        return times

    # -- the application ------------------------------------------------------------------

    @precondition(lambda self: self.next is None and not self.ended and hasattr(self, "it"))
    @rule()
    def app_next(self) -> None:
        """``async for`` asks for the next connection: the one held is closed first."""
        held = self.held
        self.held = None
        self.next = self.sim.loop.create_task(anext(self.it))
        self.sim.tasks.append(self.next)
        self.sim.settle()
        if held is not None:
            assert held.close_code is not None, "the previous connection is still open"
            end = self.closed_at if self.closed_at is not None else self.now()
            if end - self.opened_at >= self.min_uptime:
                self.tries = 0
                self.due = self.now()
            else:  # dropped sooner than min_uptime: back off as after a failure
                self.wait()
        elif self.attempts == 0:
            self.due = self.now()
        if self.due is not None and math.isclose(self.due, self.now()):
            self.attempt()
        self.settle()

    # Rare on purpose (each would end most examples early): after a few attempts only.
    @precondition(lambda self: not self.url_fails and self.attempts >= 3)
    @rule()
    def url_starts_failing(self) -> None:
        self.url_fails = True

    @precondition(lambda self: self.held is not None and self.attempts >= 3 and hasattr(self, "it"))
    @rule()
    def app_breaks(self) -> None:
        """``break``: the app lets go of the iterator; the held connection closes."""
        held, before = self.held, len(self.attempted_at)
        self.held = None
        del self.it
        gc.collect(0)
        self.sim.settle()
        self.ended = True
        if held is not None:
            sock = held._transport
            assert isinstance(sock, NetSocket)
            assert sock.closes or held.close_code is not None, "break left the connection open"
        self.sim.advance(CLOSE_TIMEOUT + OPEN_TIMEOUT + 10)
        assert len(self.attempted_at) == before, "a connection was attempted after break"

    def teardown(self) -> None:
        try:
            if hasattr(self, "it"):
                if self.next is not None:
                    self.next.cancel()
                    self.sim.settle()
                    self.next = None
                self.app_breaks()
        finally:
            self.sim.close()


def test_reconnect_iterator() -> None:
    run_machine(IteratorMachine)
