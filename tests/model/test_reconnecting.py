"""``ReconnectingWebSocket`` and the reconnect loop under it, as a Hypothesis state machine
over a fake network that accepts, refuses, times out and drops connections.

The promise checked (``ReconnectingWebSocket``'s docstring): what ``send()`` accepted goes
out in order, each exactly once, or is still queued (``queued``, and ``close()``'s count, are
exact); ``recv()`` returns every message each connection received, in order, a connection's
before the next one's, however late the reader; ``attempt`` counts the failed attempts since
the last open; once the loop gives up, the loop's exception is raised; ``close()`` leaves no
task or timer behind, and a refused ``close()`` changes nothing.
"""

from __future__ import annotations

import asyncio
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
from tests.model.sim import Sim, SimTransport

OPEN_TIMEOUT = 5.0
STEPS = st.sampled_from([0.25, 1.0, 6.0])
SERVER_CLOSES = st.sampled_from([(1011, "boom", True), (1000, "", True), (1006, "", False)])
BAD_SENDS = st.sampled_from(["bad \ud800", 5, None])


class NetSocket(SimTransport):
    """One connection attempt; the network decides, through the machine's rules."""

    answer_close = True
    opened = False

    def open(self) -> None:
        self.opened = True
        super().open()

    def refuse(self) -> None:
        self.ready_state = 3
        self.events.on_error()
        self.events.on_close(1006, "", False)


class ReconnectingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.sim = Sim()
        self.sockets: list[NetSocket] = []
        self.received: list[str] = []  # every message a connection got, in order
        self.read = 0  # how many of them recv() returned
        self.accepted: list[object] = []
        self.reader: asyncio.Task[Any] | None = None
        self.sender: tuple[asyncio.Task[None], object] | None = None
        self.closed = False
        self.failures_at_close = 0
        self.counter = 0

    def transport(
        self, url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> NetSocket:
        cls = type("Sock", (NetSocket,), {"sim": self.sim})
        sock: NetSocket = cls(url, protocols, binary_type, events)
        self.sockets.append(sock)
        return sock

    @initialize(
        max_queued=st.sampled_from([1, 3]),
        min_uptime=st.sampled_from([0.0, 5.0]),
        max_retries=st.sampled_from([None, None, 2]),
    )
    def start(self, max_queued: int, min_uptime: float, max_retries: int | None) -> None:
        loop = self.sim.loop
        backend = _platform.Backend(
            self.transport,
            lambda url: ParsedURL(url, "ws", "model"),
            True,
            asyncio.sleep,
            loop.time,
        )
        self.max_retries = max_retries
        with mock.patch.object(_platform, "backend", lambda: backend):
            self.rws = pyws.ReconnectingWebSocket(
                "ws://model/",
                max_queued=max_queued,
                backoff=pyws.Backoff(initial=1.0, max_delay=2.0, rng=random.Random(0)),
                min_uptime=min_uptime,
                max_retries=max_retries,
                open_timeout=OPEN_TIMEOUT,
                close_timeout=2.0,
                write_limit=2**40,
            )
        self.sim.run(self.rws.__aenter__())

    # -- the network ---------------------------------------------------------------------

    def pending(self) -> NetSocket | None:
        sock = self.sockets[-1] if self.sockets else None
        if sock is not None and sock.ready_state == pyws.State.CONNECTING and not sock.released:
            return sock
        return None

    def current(self) -> NetSocket | None:
        for sock in self.sockets:
            if sock.ready_state == pyws.State.OPEN and not sock.released:
                return sock
        return None

    @precondition(lambda self: self.pending() is not None)
    @rule()
    def network_accepts(self) -> None:
        sock = self.pending()
        assert sock is not None
        self.sim.call(sock.open)
        self.settle()

    @precondition(lambda self: self.pending() is not None)
    @rule()
    def network_refuses(self) -> None:
        sock = self.pending()
        assert sock is not None
        self.sim.call(sock.refuse)
        self.settle()

    @precondition(lambda self: self.current() is not None)
    @rule()
    def server_sends(self) -> None:
        sock = self.current()
        assert sock is not None
        message = f"c{self.sockets.index(sock)}-m{len(self.received)}"
        self.received.append(message)
        self.sim.call(sock.receive, message)
        self.settle()

    @precondition(lambda self: self.current() is not None)
    @rule(close=SERVER_CLOSES)
    def server_closes(self, close: tuple[int, str, bool]) -> None:
        sock = self.current()
        assert sock is not None
        self.sim.call(sock.closed, *close)
        self.settle()

    @rule(delta=STEPS)
    def clock_advances(self, delta: float) -> None:
        self.sim.advance(delta)
        self.settle()

    # -- the application ------------------------------------------------------------------

    @precondition(lambda self: self.sender is None)
    @rule()
    def app_sends(self) -> None:
        self.counter += 1
        message = f"s{self.counter}"
        task = self.sim.spawn(self.rws.send(message))
        self.sender = (task, message)
        self.settle()

    @precondition(lambda self: self.sender is None)
    @rule(data=BAD_SENDS)
    def app_sends_bad_data(self, data: object) -> None:
        task = self.sim.spawn(self.rws.send(data))
        assert task.done(), f"send({data!r}) waits instead of refusing it"
        exc = task.exception()
        allowed: tuple[type[BaseException], ...] = (
            UnicodeEncodeError if isinstance(data, str) else TypeError,
        )
        if self.closed or self.gave_up():
            allowed += (pyws.ConnectionClosedOK, pyws.InvalidHandshake, TimeoutError)
        assert isinstance(exc, allowed), f"send({data!r}) gave {exc!r}, not one of {allowed}"
        self.settle()

    @precondition(lambda self: self.reader is None)
    @rule()
    def app_recv(self) -> None:
        self.reader = self.sim.spawn(self.rws.recv())
        self.settle()

    @precondition(lambda self: self.reader is not None)
    @rule()
    def app_recv_is_cancelled(self) -> None:
        assert self.reader is not None
        self.reader.cancel()
        self.settle()

    @precondition(lambda self: not self.closed)
    @rule(code=st.sampled_from([1000, 4000, 1001, 1006]))
    def app_closes(self, code: int) -> None:
        failures = self.failures()
        task = self.sim.spawn(self.rws.close(code))
        if code not in (1000, 4000):
            assert task.done() and isinstance(task.exception(), ValueError), (
                f"close({code}) gave {task!r}, not ValueError"
            )
            self.settle()
            return
        assert task.done(), "close() did not finish"
        unsent = len(self.accepted) - len(self.sent())
        if not self.closed:
            assert task.result() == unsent, f"close() said {task.result()} unsent; {unsent} were"
        self.closed = True
        self.failures_at_close = failures  # close() ends a pending attempt: not a failure
        self.settle()
        assert self.reader is None and self.sender is None, "recv() or send() waits after close()"
        leftover = self.sim.leftover_tasks()
        assert not leftover, f"close() left tasks behind: {leftover}"
        assert not self.sim.timers(), f"close() left timers behind: {self.sim.timers()}"
        for sock in self.sockets:
            assert sock.released, f"close() left a socket in state {sock.ready_state}"

    # -- the model -----------------------------------------------------------------------

    def sent(self) -> list[object]:
        return [m for sock in self.sockets for m in sock.sent]

    def failures(self) -> int:
        """Failed attempts since the last open: sockets that ended without opening."""
        if self.closed:
            return self.failures_at_close
        count = 0
        for sock in reversed(self.sockets):
            if sock.opened:
                break
            if sock.released:
                count += 1
        return count

    def gave_up(self) -> bool:
        return self.max_retries is not None and self.failures() > self.max_retries

    def settle(self) -> None:
        """Check the app's pending send and recv against the model."""
        if self.sender is not None:
            task, message = self.sender
            if task.done():
                self.sender = None
                exc = task.exception()
                if exc is None:
                    assert not self.closed, f"send({message!r}) accepted after close()"
                    self.accepted.append(message)
                else:
                    self.check_ended(exc, f"send({message!r})")
        reader = self.reader
        if reader is None:
            return
        if not reader.done():
            assert self.read == len(self.received), (
                f"recv() still waits while {self.received[self.read]} was received"
            )
            return
        self.reader = None
        if reader.cancelled():
            return
        exc = reader.exception()
        if exc is None:
            got = reader.result()
            assert self.read < len(self.received), f"recv() returned {got!r}: nothing was due"
            assert got == self.received[self.read], (
                f"recv() returned {got!r}; the model's next is {self.received[self.read]!r} "
                f"(received so far: {self.received})"
            )
            self.read += 1
            return
        assert self.read == len(self.received), (
            f"recv() raised {exc!r} while {self.received[self.read]!r} was never returned"
        )
        self.check_ended(exc, "recv()")

    def check_ended(self, exc: BaseException, call: str) -> None:
        """Once the loop gave up, its exception (also after close()); after close() alone,
        ConnectionClosedOK; never anything else."""
        if self.gave_up():
            assert isinstance(exc, pyws.InvalidHandshake | TimeoutError), f"{call}: {exc!r}"
        else:
            assert self.closed, f"{call} raised {exc!r}"
            assert isinstance(exc, pyws.ConnectionClosedOK), f"{call} after close(): {exc!r}"

    @invariant()
    def sent_in_order_once(self) -> None:
        if not hasattr(self, "rws"):
            return
        sent = self.sent()
        assert sent == self.accepted[: len(sent)], (
            f"sent {sent}; send() accepted {self.accepted}: out of order or twice"
        )
        if not self.closed and not self.gave_up():
            assert len(sent) + self.rws.queued == len(self.accepted), (
                f"sent {sent} and {self.rws.queued} queued; send() accepted {self.accepted}"
            )

    @invariant()
    def attempts_counted(self) -> None:
        if hasattr(self, "rws") and not self.closed:
            assert self.rws.attempt == self.failures(), (
                f"attempt is {self.rws.attempt}; {self.failures()} attempts failed since an open"
            )

    def teardown(self) -> None:
        try:
            if hasattr(self, "rws"):
                if not self.closed:
                    self.app_closes(1000)
                for _ in range(len(self.received) - self.read + 1):
                    self.app_recv()  # the unread messages, then ConnectionClosedOK
                    assert self.reader is None, "recv() waits after close()"
        finally:
            self.sim.close()


def test_reconnecting() -> None:
    run_machine(ReconnectingMachine)
