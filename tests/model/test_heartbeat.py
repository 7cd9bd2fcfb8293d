"""``pyws.Heartbeat`` with a controllable clock, as a Hypothesis state machine.

The promise checked (``pyws.heartbeat``' docstring): the heartbeat message is sent once
``interval`` seconds passed with nothing received, and the connection is given up (1006,
"heartbeat timeout") exactly when nothing at all arrived for ``interval + timeout``; a
message equal to ``reply`` counts as liveness and never comes out of ``recv()``, in every
``binary_type``; during and after a close the heartbeat neither sends nor gives up.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from pyws import ConnectionClosed, Heartbeat, State
from pyws.connection import WebSocket
from tests.model.models import Close, Msg
from tests.model.settings import run_machine
from tests.model.sim import Sim, SimTransport, data_of, transport_factory

REASON = "heartbeat timeout"
# Dyadic times: the clock and the deadlines add up exactly in floating point.
DURATIONS = st.sampled_from([0.5, 1.0, 2.0, 2.5])
STEPS = st.sampled_from([0.25, 0.5, 1.0, 2.0, 10.0])
PAYLOADS = st.sampled_from(["pong", b"pong", "hi", b"hi", "ping", b""])


class HeartbeatMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.sim = Sim()
        self.refused = False
        self.ws: WebSocket | None = None
        self.queue: list[Msg] = []
        self.pings = 0
        self.last = 0.0
        self.pinged = False
        self.closing_at: float | None = None
        self.close: Close | None = None
        self.closers: list[Any] = []

    @initialize(
        interval=DURATIONS,
        timeout=DURATIONS,
        message=st.sampled_from(["ping", b"ping"]),
        reply=st.sampled_from([None, "pong", b"pong"]),
        binary_type=st.sampled_from(["bytes", "blob"]),
        close_timeout=st.sampled_from([1.0, 4.0, 8.0]),
    )
    def open(
        self,
        interval: float,
        timeout: float,
        message: str | bytes,
        reply: str | bytes | None,
        binary_type: str,
        close_timeout: float,
    ) -> None:
        self.beat = Heartbeat(interval=interval, timeout=timeout, message=message, reply=reply)
        self.close_timeout = close_timeout
        factory = transport_factory(self.sim)

        async def make(binary_type: str) -> WebSocket:
            return WebSocket(
                factory,
                "ws://model/",
                [],
                binary_type=binary_type,  # type: ignore[arg-type]
                close_timeout=close_timeout,
                write_limit=2**40,
                heartbeat=self.beat,
            )

        task = self.sim.spawn(make(binary_type))
        exc = task.exception()
        if exc is not None:
            # Refusing a reply it could not recognise is allowed, with a ValueError; the
            # machine then goes on in bytes mode.
            assert isinstance(exc, ValueError), f"WebSocket(...) raised {exc!r}"
            assert isinstance(reply, bytes) and binary_type == "blob", f"refused: {exc!r}"
            self.refused = True
            task = self.sim.spawn(make("bytes"))
        self.ws = task.result()
        transport = self.ws._transport
        assert isinstance(transport, SimTransport)
        self.transport = transport
        self.sim.call(transport.open)

    def beating(self) -> bool:
        return self.ws is not None and self.close is None and self.closing_at is None

    # -- the model's clock ----------------------------------------------------------------

    @precondition(lambda self: self.ws is not None)
    @rule(delta=STEPS)
    def clock_advances(self, delta: float) -> None:
        target = self.sim.loop.now + delta
        beat = self.beat
        if self.beating():
            if not self.pinged and self.last + beat.interval <= target:
                self.pings += 1
                self.pinged = True
            if self.last + beat.interval + beat.timeout <= target:
                self.close = Close(1006, REASON, False)
        closing = self.closing_at
        if self.close is None and closing is not None and closing + self.close_timeout <= target:
            self.close = Close(1006, "", False)  # close_timeout: given up
        self.sim.advance(delta)

    @precondition(lambda self: self.ws is not None and self.transport.live)
    @rule(payload=PAYLOADS)
    def message_arrives(self, payload: str | bytes) -> None:
        self.last = self.sim.loop.now
        self.pinged = False
        reply = self.beat.reply
        if reply is None or type(reply) is not type(payload) or reply != payload:
            blob = isinstance(payload, bytes) and self.transport.binary_type == "blob"
            self.queue.append(Msg("text" if isinstance(payload, str) else "binary", payload, blob))
        self.sim.call(self.transport.receive, payload)

    @precondition(lambda self: self.ws is not None and self.transport.live)
    @rule(binary_type=st.sampled_from(["bytes", "blob"]))
    def binary_type_changes(self, binary_type: str) -> None:
        assert self.ws is not None
        try:
            self.ws.binary_type = binary_type  # type: ignore[assignment]
        except ValueError:
            # Allowed only where the reply could not be recognised any more.
            assert isinstance(self.beat.reply, bytes) and binary_type == "blob"

    @precondition(lambda self: self.ws is not None and self.transport.live)
    @rule()
    def connection_drops(self) -> None:
        self.close = Close(1006, "", False)
        self.sim.call(self.transport.closed, 1006, "", False)

    @precondition(lambda self: self.ws is not None)
    @rule()
    def page_closes(self) -> None:
        assert self.ws is not None
        if self.close is None and self.closing_at is None:
            self.closing_at = self.sim.loop.now
        self.closers.append(self.sim.spawn(self.ws.close()))

    @precondition(
        lambda self: (
            self.ws is not None
            and self.transport.live
            and self.transport.ready_state == State.CLOSING
        )
    )
    @rule()
    def peer_answers_the_close(self) -> None:
        self.close = Close(1000, "", True)
        self.sim.call(self.transport.closed, 1000, "", True)

    @precondition(lambda self: self.ws is not None)
    @rule()
    def app_reads_everything(self) -> None:
        assert self.ws is not None
        got = []
        while True:
            task = self.sim.spawn(self.ws.recv(0))
            exc = task.exception()
            if exc is None:
                got.append(data_of(task.result()))
                continue
            assert isinstance(exc, TimeoutError | ConnectionClosed), f"recv(0) raised {exc!r}"
            break
        expected = [msg.expect(None) for msg in self.queue]
        self.queue.clear()
        assert got == expected, f"recv() returned {got}; the model expected {expected}"
        if isinstance(exc, ConnectionClosed):
            assert self.close is not None and exc.code == self.close.code
            assert exc.reason == self.close.reason, f"{exc!r}, the model closed {self.close}"

    # -- invariants -----------------------------------------------------------------------

    @invariant()
    def heartbeats_sent(self) -> None:
        if self.ws is not None:
            sent = [m for m in self.transport.sent if m == self.beat.message]
            assert len(sent) == self.pings, (
                f"{len(sent)} heartbeats sent at t={self.sim.loop.now}; the model sent "
                f"{self.pings} (last message at {self.last}, close started at {self.closing_at})"
            )

    @invariant()
    def closed_as_the_model_says(self) -> None:
        ws = self.ws
        if ws is None:
            return
        close = self.close
        got = (ws.close_code, ws.close_reason)
        want = (None, None) if close is None else (close.code, close.reason)
        assert got == want, (
            f"at t={self.sim.loop.now} the connection is {got}; the model: {close} "
            f"(last message at {self.last}, close started at {self.closing_at})"
        )
        for task in self.closers:
            assert task.done() == (close is not None), "close() and the close event disagree"

    def teardown(self) -> None:
        try:
            if self.ws is not None:
                if self.transport.live:
                    self.connection_drops()
                self.app_reads_everything()
                assert not self.sim.timers(), f"timers left behind: {self.sim.timers()}"
        finally:
            self.sim.close()


def test_heartbeat() -> None:
    run_machine(HeartbeatMachine)
