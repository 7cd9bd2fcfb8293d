"""The receive path against a model of what the docs promise (issue 16).

A Hypothesis state machine drives one connection over the fake transport: message events
(one per loop callback, or several back to back in one), heartbeat replies among them,
readers started, cancelled at any point, or timing out, sends, ``async for`` over what is
queued, and loop iterations in between. With either wake-up (inline, inside the handler;
or plain ``set_result()``, one loop iteration later, where asyncio's internals differ:
:mod:`pyws._wakeup`), with or without bounds, it checks after every step that:

- what readers returned, then what is still queued, is the messages sent, in order, with
  none twice and the heartbeat replies left out;
- every message sent is returned, queued, or counted in ``dropped``: exactly;
- a reader that was cancelled or timed out took nothing with it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import pyws
from pyws import _wakeup, connection
from pyws.bounds import check_bounds
from pyws.heartbeat import Heartbeat
from tests.model.settings import run_machine
from tests.unit.fake import FakeTransport

REPLY = "beat"


async def _spin(turns: int) -> None:
    for _ in range(turns):
        await asyncio.sleep(0)


class ReceivePath(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.sent: list[str] = []
        self.returned: list[object] = []
        self.reader: asyncio.Task[object] | None = None

    @initialize(
        wake=st.sampled_from([_wakeup.wake_inline, _wakeup.wake_plain]),
        bounds=st.sampled_from(
            [
                None,
                (3, "drop_oldest"),
                (3, "drop_newest"),
                (1, "drop_oldest"),
            ]
        ),
        heartbeat=st.booleans(),
    )
    def open(self, wake: _wakeup.Wake, bounds: tuple[int, str] | None, heartbeat: bool) -> None:
        self.max_queue = None if bounds is None else bounds[0]

        async def make() -> tuple[connection.WebSocket, FakeTransport]:
            transports: list[FakeTransport] = []

            def factory(*args: Any) -> FakeTransport:
                transports.append(FakeTransport(*args))
                return transports[-1]

            ws = connection.WebSocket(
                factory,
                "ws://test/",
                [],
                binary_type="bytes",
                close_timeout=1.0,
                write_limit=2**20,
                heartbeat=Heartbeat(interval=3600, timeout=3600, reply=REPLY)
                if heartbeat
                else None,
                bounds=None if bounds is None else check_bounds(bounds[0], None, bounds[1]),
            )
            transports[0].ready_state = pyws.State.OPEN
            transports[0].events.on_open()
            return ws, transports[0]

        self.ws, self.transport = self.loop.run_until_complete(make())
        self.ws._wake = wake
        self.heartbeat = heartbeat

    def _event(self, messages: list[str], cancel: bool = False) -> None:
        """One browser task dispatching ``messages`` back to back; with ``cancel``, the
        reader is cancelled right after, before the loop resumes it (e.g. a timeout)."""
        for data in messages:
            self.transport.events.on_message(data)
        if cancel and self.reader is not None:
            self.reader.cancel()

    @rule(count=st.integers(1, 6), together=st.booleans(), beat=st.booleans(), cancel=st.booleans())
    def messages_arrive(self, count: int, together: bool, beat: bool, cancel: bool) -> None:
        batch = [f"m{len(self.sent) + i}" for i in range(count)]
        self.sent.extend(batch)
        if beat and self.heartbeat:
            batch.insert(count // 2, REPLY)
        if together:
            self.loop.call_soon(self._event, batch, cancel)
        else:
            for data in batch:
                self.loop.call_soon(self._event, [data], cancel)
        self.loop.run_until_complete(_spin(len(batch) + 1))
        self._harvest()

    @precondition(lambda self: self.reader is None)
    @rule(timeout=st.sampled_from([None, 0]))
    def start_reader(self, timeout: float | None) -> None:
        self.reader = self.loop.create_task(self.ws.recv(timeout=timeout))

    @precondition(lambda self: self.reader is not None)
    @rule(turns=st.integers(0, 3))
    def cancel_reader(self, turns: int) -> None:
        self.loop.run_until_complete(_spin(turns))
        assert self.reader is not None
        self.reader.cancel()
        self.loop.run_until_complete(_spin(2))
        self._harvest()

    @rule()
    def send(self) -> None:
        self.loop.run_until_complete(self.ws.send("request"))
        self._harvest()

    @rule(turns=st.integers(1, 4))
    def turn(self, turns: int) -> None:
        self.loop.run_until_complete(_spin(turns))
        self._harvest()

    @precondition(lambda self: self.reader is None)
    @rule()
    def iterate_queued(self) -> None:
        """``async for`` over what is queued now (its fast path), until it would wait."""

        async def drain() -> None:
            iterator = aiter(self.ws)
            while self.ws._messages:
                self.returned.append(await anext(iterator))

        self.loop.run_until_complete(drain())

    def _harvest(self) -> None:
        reader = self.reader
        if reader is None or not reader.done():
            return
        self.reader = None
        if reader.cancelled():
            return
        with contextlib.suppress(TimeoutError):
            self.returned.append(reader.result())

    @invariant()
    def nothing_lost_order_kept_drops_counted(self) -> None:
        if not hasattr(self, "ws"):
            return
        seen = self.returned + list(self.ws._messages)
        assert REPLY not in seen
        positions = [self.sent.index(str(m)) for m in seen]
        assert positions == sorted(set(positions)), seen
        assert len(seen) + self.ws.dropped == len(self.sent), (seen, self.ws.dropped)
        if self.max_queue is None:
            assert self.ws.dropped == 0
        assert self.ws._waiter is None or self.reader is not None

    def teardown(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                self.loop.run_until_complete(self.reader)
        self.loop.close()


@pytest.mark.filterwarnings("ignore")
def test_receive_path_keeps_its_promises() -> None:
    run_machine(ReceivePath)
