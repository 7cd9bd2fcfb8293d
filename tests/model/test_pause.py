"""``overflow="pause"`` as a Hypothesis state machine: pyws's real connection over its real
CPython transport, against a ``websockets`` server protocol on a simulated wire
(:mod:`tests.model.wire`), in virtual time.

The promise checked (the README's "Bounded receive memory", ``pyws.bounds``, ``WebSocket``'s
docstrings): reading stops at the high-water mark and starts again at the low one, so the
queue never holds more than ``max_queue`` while open; nothing is dropped: every message the
server sent before its close (or before a frame that broke the protocol) is returned by
``recv()``, in order, then the close; after the app's own ``close()`` what was not yet read
may be dropped, never reordered; ``send()`` either sends (the server gets it) or raises
:exc:`ConnectionClosed`; a paused connection to a live peer is alive, so a heartbeat never
gives it up; a close, from either side, completes while paused. See docs/reliability.md.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from pyws import ConnectionClosed, ConnectionClosedError, ConnectionClosedOK, Heartbeat, State
from pyws._platform.cpython import StreamTransport
from pyws._transport import BinaryType, Events
from pyws.bounds import check_bounds
from pyws.connection import WebSocket
from tests.model.models import OK_CODES
from tests.model.settings import run_machine
from tests.model.sim import Sim, VirtualLoop
from tests.model.wire import BROKEN_FRAME, HEARTBEAT, Wire, WireLoopMixin

CLOSE_TIMEOUT = 2.0
BURSTS = st.integers(1, 4)
STEPS = st.sampled_from([0.25, 1.0, 5.0])
SERVER_CLOSES = st.sampled_from([(1000, ""), (1001, "bye"), (4000, "app")])
PAGE_CLOSES = st.sampled_from([(1000, ""), (3001, "done")])


class WireLoop(WireLoopMixin, VirtualLoop):
    def __init__(self) -> None:
        super().__init__()
        self.wires: list[Wire] = []


class WireSim(Sim):
    def __init__(self) -> None:
        super().__init__()
        self.loop.close()
        self.loop: WireLoop = WireLoop()


class PauseMachine(RuleBasedStateMachine):
    """One paused-capable connection, its server, and the model of what was promised."""

    def __init__(self) -> None:
        super().__init__()
        self.sim = WireSim()
        self.sent: list[str] = []  # what the server sent, in order (heartbeats left out)
        self.returned: list[object] = []  # what recv() returned
        self.accepted: list[str] = []  # what send() took
        self.refused = 0
        self.counter = 0
        self.server_closed: tuple[int, str] | None = None
        self.local_closed = False
        self.closers: list[asyncio.Task[None]] = []
        self.ended: ConnectionClosed | None = None

    @initialize(
        high=st.integers(1, 3),
        low=st.integers(0, 3),
        heartbeat=st.booleans(),
    )
    def open(self, high: int, low: int, heartbeat: bool) -> None:
        self.high, self.low = high, min(low, high)
        bounds = check_bounds((self.high, self.low), None, "pause")
        self.heartbeat = heartbeat

        def factory(
            url: str, protocols: list[str], binary_type: BinaryType, events: Events
        ) -> StreamTransport:
            return StreamTransport(url, protocols, binary_type, events, proxy=None)

        async def connect() -> WebSocket:
            ws = WebSocket(
                factory,
                "ws://127.0.0.1:9/",
                [],
                binary_type="bytes",
                close_timeout=CLOSE_TIMEOUT,
                write_limit=2**40,
                heartbeat=Heartbeat(1.0, 1.0, HEARTBEAT, HEARTBEAT) if heartbeat else None,
                bounds=bounds,
            )
            await ws._wait_open(None)
            return ws

        self.ws = self.sim.run(connect())
        self.wire = self.sim.loop.wires[-1]

    # -- the server ----------------------------------------------------------------------

    def _messages(self, count: int) -> None:
        for _ in range(count):
            text = f"m{len(self.sent)}"
            self.sent.append(text)
            self.wire.server.send_text(text.encode())

    @precondition(lambda self: self.wire.server_open)
    @rule(count=BURSTS)
    def server_sends(self, count: int) -> None:
        self._messages(count)
        self.wire.server_writes()
        self.check()

    @precondition(lambda self: self.wire.server_open)
    @rule(count=st.integers(0, 4), close=SERVER_CLOSES)
    def server_closes(self, count: int, close: tuple[int, str]) -> None:
        """``count`` messages and the close frame, in one chunk."""
        self._messages(count)
        self.wire.server.send_close(*close)
        self.server_closed = close
        self.wire.server_writes()
        self.check()

    @precondition(lambda self: self.wire.server_open)
    @rule(count=st.integers(0, 4))
    def server_breaks_the_protocol(self, count: int) -> None:
        """``count`` messages, then a frame with a reserved opcode, in one chunk."""
        self._messages(count)
        messages = b"".join(data for data in self.wire.server.data_to_send() if data)
        self.wire.broken = True
        self.wire.in_flight.append(messages + BROKEN_FRAME)
        self.wire.schedule_delivery()
        self.check()

    @rule(delta=STEPS)
    def clock_advances(self, delta: float) -> None:
        self.sim.advance(delta)
        self.check()

    # -- the application ------------------------------------------------------------------

    @rule()
    def app_recv(self) -> None:
        task = self.sim.spawn(self.ws.recv(0))
        assert task.done(), "recv(0) waited"
        exc = task.exception()
        if exc is None:
            self.returned.append(task.result())
        elif isinstance(exc, ConnectionClosed):
            self.ended = exc
        else:
            assert isinstance(exc, TimeoutError), f"recv(0) raised {exc!r}"
        self.check()

    @rule()
    def app_sends(self) -> None:
        self.counter += 1
        text = f"s{self.counter}"
        task = self.sim.spawn(self.ws.send(text))
        assert task.done(), "send() waited with write_limit not reached"
        exc = task.exception()
        if exc is None:
            self.accepted.append(text)
        else:
            assert isinstance(exc, ConnectionClosed), f"send() raised {exc!r}"
            self.refused += 1
        self.check()

    @precondition(lambda self: not self.local_closed)
    @rule(close=PAGE_CLOSES)
    def app_closes(self, close: tuple[int, str]) -> None:
        self.local_closed = True
        self.closers.append(self.sim.spawn(self.ws.close(*close)))
        self.check()

    # -- the model -----------------------------------------------------------------------

    def check(self) -> None:
        self.sim.settle()
        sent = [s for s in self.sent]
        assert self.returned == sent[: len(self.returned)], (
            f"recv() returned {self.returned}; the server sent {sent}: lost or out of order"
        )
        # The server is live: it answers a close at once, so no close() may still wait.
        for task in self.closers:
            assert task.done(), (
                f"close() still waits, though the server answers at once (paused: "
                f"{not self.wire.end.reading})"
            )
            assert task.exception() is None, f"close() raised {task.exception()!r}"
        # A send that returned normally reached the server; the server reads at once.
        got = [m for m in self.wire.received]
        taken = self.accepted
        assert got == taken[: len(got)], f"the server got {got}; send() took {taken}"
        if not self.wire.lost:
            assert got == self.accepted, (
                f"send() returned normally for {self.accepted[len(got) :]}, which the server "
                f"never got (server close sent: {self.server_closed})"
            )

    @invariant()
    def the_marks_hold(self) -> None:
        if not hasattr(self, "ws") or self.ws.close_code is not None or self.local_closed:
            return
        queued = len(self.ws._messages)
        assert queued <= self.high, f"{queued} queued while open: max_queue is {self.high}"
        if not self.wire.end.reading:
            assert queued > self.low or queued >= self.high, (
                f"reading paused with {queued} queued: it resumes at {self.low}"
            )

    @invariant()
    def a_live_peer_is_never_given_up(self) -> None:
        if hasattr(self, "ws"):
            assert self.ws.close_reason != "heartbeat timeout", (
                f"the heartbeat gave up a live peer (paused: {not self.wire.end.reading}, "
                f"{len(self.ws._messages)} queued)"
            )

    def teardown(self) -> None:
        try:
            if hasattr(self, "ws"):
                self.drain()
        finally:
            self.sim.close()

    def drain(self) -> None:
        """The server closes if nobody did; then every message must come out, then the close."""
        if not self.local_closed and self.wire.server_open:
            self.server_closes(0, (1000, ""))
        for _ in range(1000):
            if self.ended is not None:
                break
            before = (len(self.returned), self.ended)
            self.app_recv()
            if (len(self.returned), self.ended) == before:
                self.clock_advances(1.0)  # timeouts: the closing handshake's, TCP's
        exc = self.ended
        assert exc is not None, "recv() never raised ConnectionClosed"
        if not self.local_closed:
            assert self.returned == self.sent, (
                f"recv() returned {len(self.returned)} of the {len(self.sent)} messages the "
                f"server sent before {'breaking the protocol' if self.wire.broken else 'closing'}"
                f", then {exc!r}: {self.sent[len(self.returned) :]} lost"
            )
            if self.wire.broken:
                assert isinstance(exc, ConnectionClosedError) and exc.code == 1006, exc
            else:
                assert self.server_closed is not None
                code, reason = self.server_closed
                ok = code in OK_CODES
                assert isinstance(exc, ConnectionClosedOK if ok else ConnectionClosedError), exc
                assert (exc.code, exc.reason, exc.was_clean) == (code, reason, True), exc
        assert self.ws.state is State.CLOSED
        leftover = self.sim.leftover_tasks()
        assert not leftover, f"tasks left behind: {leftover}"


def test_pause() -> None:
    run_machine(PauseMachine)


__all__: list[Any] = ["PauseMachine"]
