"""Backoff's delays and the heartbeat, in CPython over the fake socket."""

from __future__ import annotations

import asyncio
import random

import pytest

import pyws
from tests.unit.fake import open_socket


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
    beat = pyws.Heartbeat(interval=0.05, timeout=0.1, message=b"ping", reply=b"pong")
    ws, transport = open_socket(heartbeat=beat)
    for i in range(6):  # traffic keeps the heartbeat quiet
        await asyncio.sleep(0.02)
        transport.events.on_message(f"m{i}")
    assert transport.sent == []
    for _ in range(3):  # each ping answered in time: the connection lives on
        while len(transport.sent) < 1:
            await asyncio.sleep(0.01)
        assert transport.sent.pop() == b"ping"
        transport.events.on_message(b"pong")
    assert [await ws.recv() for _ in range(6)] == [f"m{i}" for i in range(6)]
    with pytest.raises(TimeoutError):
        await ws.recv(timeout=0)  # the replies were not queued
    assert ws.state is pyws.State.OPEN
    await ws.close()


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
