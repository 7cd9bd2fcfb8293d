"""``pyws.WebSocket`` and its bounds, as Hypothesis state machines over the fake transport.

The promise checked (``WebSocket``'s and ``pyws.bounds``' docstrings): every message that
arrived is returned by ``recv()`` once, in order, or counted in ``dropped``, or the
connection was closed with the documented code and reason; never two of those; ``recv``,
``send`` and ``close`` raise only the documented exceptions; a refused ``send()`` leaves the
socket usable. See docs/reliability.md, "Model-based tests".
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from pyws import (
    Blob,
    ConcurrencyError,
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionClosedOK,
    State,
    _wakeup,
)
from pyws.bounds import Bounds, check_bounds
from pyws.connection import WebSocket
from tests.model.models import FAIL_1007, OK_CODES, BoundsModel, Close, Msg
from tests.model.settings import run_machine
from tests.model.sim import Sim, SimTransport, data_of, in_thread, transport_factory

TEXTS = st.text(max_size=3)
BINARIES = st.binary(max_size=3)
NOT_UTF8 = st.sampled_from([b"\xff", b"\xc3", b"a\x80b"])
TIMEOUTS = st.sampled_from([None, 0, 0.5, 3.0, 1e9, math.inf])
DECODES = st.sampled_from([None, True, False])
STEPS = st.sampled_from([0.25, 1.0, 5.0, 1e9])
CLOSE_TIMEOUT = 2.0
GOOD_SENDS = st.one_of(
    st.text(max_size=3),
    st.binary(max_size=3),
    st.binary(max_size=3).map(bytearray),
    st.binary(max_size=3).map(lambda b: Blob(b, "x/y")),
)
BAD_SENDS = st.sampled_from(["lone \ud800", 1, None, 1.5, {"type": "x"}, ["x"]])
PAGE_CLOSES = st.sampled_from(
    [(1000, ""), (3000, "bye"), (4999, "é"), (1001, ""), (1006, ""), (999, ""), (1000, "x" * 124)]
)
PEER_CLOSES = st.sampled_from(
    [
        (1000, "", True),
        (1001, "going away", True),
        (1011, "boom", True),
        (3000, "", True),
        (1006, "", False),
    ]
)


def valid_close(code: int, reason: str) -> bool:
    return (code == 1000 or 3000 <= code <= 4999) and len(reason.encode()) <= 123


@dataclass
class Reader:
    task: asyncio.Task[Any]
    decode: bool | None
    timeout: float | None
    started: float
    iterating: bool = False
    inflight: Msg | None = None
    """The Blob the reader is reading (taken from the queue; back at its head if abandoned)."""


class ConnectionMachine(RuleBasedStateMachine):
    """One open WebSocket on the fake transport, against :class:`BoundsModel`."""

    def __init__(self) -> None:
        super().__init__()
        self.sim = Sim()
        self.reader: Reader | None = None
        self.closers: list[asyncio.Task[None]] = []
        self.close_deadline: float | None = None
        self.close: Close | None = None
        self.sent: list[object] = []

    def start(self, binary_type: str, bounds: Bounds, inline: bool = True) -> None:
        self.model = BoundsModel(bounds.max_queue, bounds.max_queue_bytes, bounds.overflow)
        factory = transport_factory(self.sim)

        async def make() -> WebSocket:
            return WebSocket(
                factory,
                "ws://model/",
                [],
                binary_type=binary_type,  # type: ignore[arg-type]
                close_timeout=CLOSE_TIMEOUT,
                write_limit=2**40,
                bounds=bounds,
            )

        self.ws = self.sim.run(make())
        # Both wake-ups of pyws._wakeup: inline (where CPython's internals allow it) and
        # the plain fallback, one loop iteration later.
        self.ws._wake = _wakeup.wake_inline if inline else _wakeup.wake_plain
        transport = self.ws._transport
        assert isinstance(transport, SimTransport)
        self.transport = transport
        self.sim.call(transport.open)

    # -- the peer and the network ---------------------------------------------------------

    @property
    def live(self) -> bool:
        return self.transport.live

    @precondition(lambda self: self.live)
    @rule(text=TEXTS)
    def text_arrives(self, text: str) -> None:
        self.arrive(text)

    @precondition(lambda self: self.live)
    @rule(data=BINARIES)
    def binary_arrives(self, data: bytes) -> None:
        self.arrive(data)

    @precondition(lambda self: self.live)
    @rule(data=NOT_UTF8)
    def binary_not_utf8_arrives(self, data: bytes) -> None:
        self.arrive(data)

    def arrive(self, payload: str | bytes) -> None:
        blob = isinstance(payload, bytes) and self.transport.binary_type == "blob"
        msg = Msg("text" if isinstance(payload, str) else "binary", payload, blob)
        closed = self.model.arrive(msg)
        if closed is not None:
            self.close = closed
        self.sim.call(self.transport.receive, payload)
        self.sync_reader()

    @precondition(lambda self: self.live)
    @rule(close=PEER_CLOSES)
    def connection_ends(self, close: tuple[int, str, bool]) -> None:
        """The peer closes (clean), or the connection drops (1006, not clean)."""
        self.close = Close(*close)
        self.sim.call(self.transport.closed, *close)
        self.sync()

    @precondition(lambda self: self.live and self.transport.ready_state == State.CLOSING)
    @rule()
    def peer_answers_the_close(self) -> None:
        code, reason = self.transport.closes[-1]
        self.close = Close(code, reason, True)
        self.sim.call(self.transport.closed, code, reason, True)
        self.sync()

    @precondition(lambda self: self.sim.gate.pending > 0)
    @rule()
    def blob_reads_finish(self) -> None:
        self.sim.gate.open()
        self.sim.settle()
        self.sync()

    @rule(delta=STEPS)
    def clock_advances(self, delta: float) -> None:
        self.sim.advance(delta)
        deadline = self.close_deadline
        if self.close is None and deadline is not None and self.sim.loop.now >= deadline:
            self.close = Close(1006, "", False)  # close_timeout: given up
        self.sync()

    # -- the application ------------------------------------------------------------------

    @precondition(lambda self: self.reader is None)
    @rule(timeout=TIMEOUTS, decode=DECODES)
    def recv(self, timeout: float | None, decode: bool | None) -> None:
        task = self.sim.loop.create_task(self.ws.recv(timeout, decode))
        self.reader = Reader(task, decode, timeout, self.sim.loop.now)
        self.sim.tasks.append(task)
        self.sim.settle()
        self.sync_reader()

    @precondition(lambda self: self.reader is None)
    @rule()
    def async_for_steps(self) -> None:
        task = self.sim.loop.create_task(anext(aiter(self.ws)))
        self.reader = Reader(task, None, None, self.sim.loop.now, iterating=True)
        self.sim.tasks.append(task)
        self.sim.settle()
        self.sync_reader()

    @precondition(lambda self: self.reader is not None)
    @rule()
    def second_recv_is_refused(self) -> None:
        task = self.sim.spawn(self.ws.recv())
        assert task.done() and isinstance(task.exception(), ConcurrencyError), task
        self.sync_reader()

    @precondition(lambda self: self.reader is not None)
    @rule()
    def recv_is_cancelled(self) -> None:
        assert self.reader is not None
        self.reader.task.cancel()
        self.sim.settle()
        self.sync_reader()

    @precondition(lambda self: self.live)
    @rule(binary_type=st.sampled_from(["bytes", "blob"]))
    def binary_type_changes(self, binary_type: str) -> None:
        self.ws.binary_type = binary_type  # type: ignore[assignment]

    @rule(data=GOOD_SENDS)
    def send(self, data: str | bytes | bytearray | Blob) -> None:
        sendable = self.close is None and self.transport.ready_state == State.OPEN
        task = self.sim.spawn(self.ws.send(data))
        assert task.done(), "send() waited with write_limit not reached"
        if sendable:
            assert task.exception() is None, f"send({data!r}) raised {task.exception()!r}"
            self.sent.append(bytes(data) if isinstance(data, bytearray) else data)
        else:
            assert isinstance(task.exception(), ConnectionClosed), (
                f"send({data!r}) on a closing or closed socket: {task!r}"
            )

    @rule(data=BAD_SENDS)
    def send_is_refused(self, data: object) -> None:
        task = self.sim.spawn(self.ws.send(data))
        assert task.done()
        exc = task.exception()
        allowed: tuple[type[BaseException], ...] = (
            UnicodeEncodeError if isinstance(data, str) else TypeError,
        )
        if self.close is not None or self.transport.ready_state != State.OPEN:
            allowed += (ConnectionClosed,)
        assert isinstance(exc, allowed), f"send({data!r}) raised {exc!r}, not {allowed}"

    @rule(close=PAGE_CLOSES)
    def page_closes(self, close: tuple[int, str]) -> None:
        code, reason = close
        before = list(self.transport.closes)
        task = self.sim.spawn(self.ws.close(code, reason))
        if not valid_close(code, reason):
            assert task.done() and isinstance(task.exception(), ValueError), (
                f"close({code}, {reason!r}) gave {task!r}, not ValueError"
            )
            assert self.transport.closes == before, "a refused close() closed the socket"
            return
        self.closers.append(task)
        if self.close is None and self.close_deadline is None:
            self.close_deadline = self.sim.loop.now + CLOSE_TIMEOUT
        self.sync()

    # -- checking -------------------------------------------------------------------------

    def sync(self) -> None:
        self.sync_reader()
        for task in self.closers:
            if self.close is not None:
                assert task.done(), "close() still waits after the close event"
                assert task.exception() is None, f"close() raised {task.exception()!r}"
            else:
                assert not task.done(), "close() returned before the connection closed"

    def sync_reader(self) -> None:
        reader = self.reader
        if reader is None:
            return
        model = self.model
        if reader.task.done():
            self.reader = None
            self.finish(reader)
            return
        if reader.inflight is None and model.queue:
            head = model.queue[0]
            if reader.decode is not None and head.blob:
                reader.inflight = model.queue.popleft()  # reading the Blob: awaits
                return
            raise AssertionError(f"recv() still waits while {head} is queued")
        if reader.inflight is None:
            assert self.close is None, f"recv() still waits after the close {self.close}"
            if reader.timeout is not None:
                assert self.sim.loop.now < reader.started + reader.timeout, (
                    "recv() still waits after its timeout"
                )

    def finish(self, reader: Reader) -> None:
        """Check how a recv() ended against the model, and consume what it returned."""
        model = self.model
        task = reader.task
        head = reader.inflight or (model.queue[0] if model.queue else None)

        def consume() -> None:
            if reader.inflight is None:
                model.queue.popleft()

        def put_back() -> None:
            if reader.inflight is not None:
                model.queue.appendleft(reader.inflight)

        if task.cancelled():
            put_back()
            return
        exc = task.exception()
        if exc is None:
            value = task.result()
            assert head is not None, f"recv() returned {value!r}, but the model has no message"
            expected = head.expect(reader.decode)
            assert expected is not FAIL_1007, (
                f"recv(decode=True) returned {value!r} for {head}, which is not UTF-8: "
                "websockets fails the connection with 1007"
            )
            got = data_of(value)
            assert got == expected and type(got) is type(expected), (
                f"recv(decode={reader.decode}) returned {value!r}; the model expected {head}"
            )
            consume()
            return
        if head is not None and head.expect(reader.decode) is FAIL_1007 and reader.decode:
            assert isinstance(exc, UnicodeDecodeError | ConnectionClosedError), (
                f"recv(decode=True) on {head} raised {exc!r}"
            )
            if isinstance(exc, ConnectionClosedError):
                assert exc.code == 1007, f"recv(decode=True) on {head} raised {exc!r}"
            consume()
            if self.close is None:
                self.close = Close(1007, None, False)
            return
        if isinstance(exc, TimeoutError):
            assert reader.timeout is not None, "recv() without a timeout raised TimeoutError"
            assert head is None or reader.inflight is not None, (
                f"recv(timeout={reader.timeout}) raised TimeoutError while {head} was queued"
            )
            assert self.sim.loop.now >= reader.started + reader.timeout, "timed out early"
            put_back()
            return
        if isinstance(exc, StopAsyncIteration) and reader.iterating:
            assert head is None, f"async for ended while {head} was queued"
            close = self.close
            assert close is not None and close.clean and close.code in OK_CODES, (
                f"async for ended quietly, but the close was {close}"
            )
            return
        if isinstance(exc, ConnectionClosed):
            assert head is None, f"recv() raised {exc!r} while {head} was queued"
            self.check_closed(exc)
            return
        raise AssertionError(f"recv() raised an undocumented {exc!r}") from exc

    def check_closed(self, exc: ConnectionClosed) -> None:
        close = self.close
        assert close is not None, f"{exc!r} but the model is not closed"
        ok = close.clean and close.code in OK_CODES
        assert isinstance(exc, ConnectionClosedOK if ok else ConnectionClosedError), (
            f"{exc!r} for the close {close}"
        )
        assert exc.code == close.code, f"{exc!r} for the close {close}"
        if close.reason is not None:
            assert exc.reason == close.reason, f"{exc!r} for the close {close}"

    @invariant()
    def dropped_is_exact(self) -> None:
        if hasattr(self, "ws"):
            assert self.ws.dropped == self.model.dropped, (
                f"dropped is {self.ws.dropped}; the model dropped {self.model.dropped} "
                f"(model queue {list(self.model.queue)})"
            )

    @invariant()
    def closed_as_the_model_says(self) -> None:
        if not hasattr(self, "ws"):
            return
        close = self.close
        if close is None:
            assert self.ws.close_code is None, f"closed with {self.ws.close_code}, unexpectedly"
        else:
            assert self.ws.close_code == close.code, (
                f"close_code is {self.ws.close_code}; the model closed with {close}"
            )
            if close.reason is not None:
                assert self.ws.close_reason == close.reason

    @invariant()
    def sent_exactly_what_was_accepted(self) -> None:
        if hasattr(self, "ws"):
            assert self.transport.sent == self.sent

    def teardown(self) -> None:
        try:
            if hasattr(self, "ws"):
                self.drain()
        finally:
            self.sim.close()

    def drain(self) -> None:
        """Abandon the reader, end the connection, then every queued message must come out."""
        self.sim.gate.open()
        self.sim.settle()
        if self.reader is not None:
            self.reader.task.cancel()
            self.sim.settle()
            self.sync_reader()
        if self.live:
            self.connection_ends((1006, "", False))
        while True:
            self.recv(0, None)
            if not self.model.queue and self.reader is None:
                task = self.sim.spawn(self.ws.recv(0))
                exc = task.exception()
                assert isinstance(exc, ConnectionClosed), f"after the last message: {exc!r}"
                self.check_closed(exc)
                break
        leftover = self.sim.leftover_tasks()
        assert not leftover, f"tasks left behind: {leftover}"
        assert not self.sim.timers(), f"timers left behind: {self.sim.timers()}"


class WebSocketMachine(ConnectionMachine):
    """No bounds: nothing may ever be dropped."""

    @initialize(binary_type=st.sampled_from(["bytes", "blob"]), inline=st.booleans())
    def open(self, binary_type: str, inline: bool = True) -> None:
        self.start(binary_type, check_bounds(None, None, "close"), inline)


BOUNDS = st.builds(
    check_bounds,
    st.one_of(st.none(), st.integers(1, 3)),
    st.one_of(st.none(), st.integers(1, 8)),
    st.sampled_from(["close", "drop_oldest", "drop_newest"]),
).filter(lambda bounds: bounds.active)


class BoundsMachine(ConnectionMachine):
    """max_queue, max_queue_bytes and each overflow policy: the counts add up exactly."""

    @initialize(binary_type=st.sampled_from(["bytes", "blob"]), bounds=BOUNDS, inline=st.booleans())
    def open(self, binary_type: str, bounds: Bounds, inline: bool = True) -> None:
        self.start(binary_type, bounds, inline)


def test_websocket() -> None:
    run_machine(WebSocketMachine)


def test_bounds() -> None:
    run_machine(BoundsMachine)


__all__ = ["BoundsMachine", "WebSocketMachine", "in_thread"]
