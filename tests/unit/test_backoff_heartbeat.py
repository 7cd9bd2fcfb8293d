"""Backoff's delays and the heartbeat, in CPython over the fake socket."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import pytest

import pyws
from pyws.connection import WebSocket
from tests.unit.fake import FakeTransport, open_socket


def test_delays_are_fresh_full_jitter_draws_within_the_cap() -> None:
    backoff = pyws.Backoff(initial=1.0, factor=2.0, max_delay=10.0, rng=random.Random(7))
    expected = random.Random(7)
    caps = [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]
    for attempt, cap in enumerate(caps):
        assert backoff.cap(attempt) == cap
        assert backoff.delay(attempt) == expected.uniform(0.0, cap)
    draws = {backoff.delay(3) for _ in range(50)}
    assert len(draws) == 50 and all(0.0 <= d <= 8.0 for d in draws)  # drawn anew each call
    assert pyws.Backoff(initial=1.0, factor=10.0, max_delay=5.0).cap(10_000) == 5.0


@pytest.mark.parametrize(
    ("kwargs", "error", "shown"),
    [
        ({"initial": -1}, ValueError, "initial"),
        ({"factor": 0.5}, ValueError, "factor"),
        ({"max_delay": float("nan")}, ValueError, "max_delay"),
        ({"initial": "1"}, TypeError, "'1'"),
        ({"rng": 42}, TypeError, "42"),
    ],
)
def test_bad_backoff_arguments(kwargs: dict[str, object], error: type, shown: str) -> None:
    with pytest.raises(error, match=shown):
        pyws.Backoff(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="attempt"):
        pyws.Backoff().delay(-1)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"interval": 0}, ValueError), ({"timeout": "5"}, TypeError), ({"message": 1}, TypeError)],
)
def test_bad_heartbeat_arguments(kwargs: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        pyws.Heartbeat(**kwargs)  # type: ignore[arg-type]


async def test_heartbeat_gives_up_a_silent_peer_with_1006() -> None:
    beat = pyws.Heartbeat(interval=0.05, timeout=0.05, message="ping")
    ws, transport = open_socket(heartbeat=beat)
    transport.events.on_message("hello")
    assert await ws.recv() == "hello"
    with pytest.raises(pyws.ConnectionClosedError) as info:
        await ws.recv(timeout=5)
    assert (info.value.code, info.value.reason) == (1006, "heartbeat timeout")
    assert transport.sent == ["ping"]
    assert transport.closes == [(1000, "")] and transport.released


async def test_heartbeat_waits_while_messages_flow_and_hides_the_reply() -> None:
    # On timers of its own: on the real clock, a loaded machine could sleep past the
    # interval between two messages (seen: a ping sent while messages flowed).
    beat = pyws.Heartbeat(interval=5, timeout=7, message=b"ping", reply=b"pong")
    ws, transport = manual_socket(beat)
    for i in range(6):  # traffic keeps the heartbeat quiet
        transport.advance(4)
        transport.events.on_message(f"m{i}")
    assert transport.sent == []
    for _ in range(3):  # each ping answered in time: the connection lives on
        transport.advance(5)
        assert transport.sent == [b"ping"]
        transport.sent.clear()
        transport.advance(3)
        transport.events.on_message(b"pong")
    transport.advance(30)  # quiet again: pinged, unanswered, given up
    assert transport.sent == [b"ping"] and ws.close_code == 1006
    assert [await ws.recv() for _ in range(6)] == [f"m{i}" for i in range(6)]
    with pytest.raises(pyws.ConnectionClosedError, match="heartbeat timeout"):
        await ws.recv()  # the replies were not queued


async def test_a_bytes_reply_is_refused_in_blob_mode() -> None:
    # Issue 21, item 7: in blob mode the reply arrives as a Blob, which equals nothing, so
    # it was returned by recv() instead of being recognised: refused, with why.
    beat = pyws.Heartbeat(message=b"ping", reply=b"pong")
    with pytest.raises(ValueError, match=r"reply=b'pong'\).*blob"):
        pyws.connect("ws://127.0.0.1/", binary_type="blob", heartbeat=beat)
    with pytest.raises(ValueError, match=r"reply=b'pong'\).*blob"):
        open_socket(binary_type="blob", heartbeat=beat)
    ws, transport = open_socket(heartbeat=beat)
    with pytest.raises(ValueError, match=r"reply=b'pong'\).*blob"):
        ws.binary_type = "blob"
    assert ws.binary_type == "bytes" and transport.binary_type == "bytes"
    for reply in ("pong", None):  # a text reply arrives as str in either mode
        ws, _ = open_socket(binary_type="blob", heartbeat=pyws.Heartbeat(reply=reply))
        ws.binary_type = "bytes"
        ws.binary_type = "blob"


class ManualTimers(FakeTransport):
    """Timers that fire only when the test says so, on a clock of their own."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.clock = 0.0
        self.timers: list[list[Any]] = []  # [due, callback, cancelled, delay]

    def call_later(self, delay: float, callback: Callable[[], None]) -> Callable[[], None]:
        timer = [self.clock + delay, callback, False, delay]
        self.timers.append(timer)
        return lambda: timer.__setitem__(2, True)

    def advance(self, seconds: float, but: float | None = None) -> None:
        """Let ``seconds`` pass, firing what falls due, except timers of delay ``but``."""
        end = self.clock + seconds
        while due := sorted(
            (t for t in self.timers if not t[2] and t[0] <= end and t[3] != but),
            key=lambda t: t[0],
        ):
            timer = due[0]
            timer[2] = True
            self.clock = timer[0]
            timer[1]()
        self.clock = end


def manual_socket(beat: pyws.Heartbeat) -> tuple[WebSocket, ManualTimers]:
    """An open socket on :class:`ManualTimers`, its heartbeat on their clock."""
    ws = WebSocket(
        ManualTimers,
        "ws://h/",
        [],
        binary_type="bytes",
        close_timeout=100,
        write_limit=100,
        heartbeat=beat,
    )
    transport = ws._transport
    assert isinstance(transport, ManualTimers) and ws._heartbeat is not None
    ws._heartbeat._now = lambda: transport.clock
    transport.open()
    return ws, transport


async def test_the_heartbeat_stops_when_close_starts() -> None:
    # Issue 21 (lower priority): the heartbeat ran on during close(), so a server slower
    # to answer the close than interval + timeout turned a clean close into 1006.
    ws, transport = manual_socket(pyws.Heartbeat(interval=5, timeout=7, message="ping"))
    closing = asyncio.ensure_future(ws.close())
    await asyncio.sleep(0)
    assert transport.closes == [(1000, "")]
    transport.advance(30, but=100)  # 30 s: the server is slow to answer the close
    transport.closed(1000, "", True)
    await closing
    assert (ws.close_code, ws.was_clean) == (1000, True)
    assert transport.sent == []
