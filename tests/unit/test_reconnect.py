"""The reconnect loop and ReconnectingWebSocket, in CPython over scripted fake sockets."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import pyws
from pyws import _platform
from pyws._transport import BinaryType, Events
from tests.unit.fake import FakeTransport


class Network:
    """A scripted server: each attempt opens, is refused, or opens then drops."""

    def __init__(self, script: list[str], *, then: str = "open") -> None:
        self.script = list(script)
        self.then = then
        self.urls: list[str] = []
        self.pauses: list[float] = []
        self.sockets: list[FakeTransport] = []
        self.clock = 0.0

    def transport(
        self, url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> FakeTransport:
        self.urls.append(url)
        outcome = self.script.pop(0) if self.script else self.then
        sock = EchoTransport(url, protocols, binary_type, events)
        self.sockets.append(sock)
        loop = asyncio.get_running_loop()
        if outcome == "refuse":
            loop.call_soon(sock.refuse)
        else:
            loop.call_soon(sock.open)
            if outcome == "drop":
                loop.call_soon(sock.closed, 1006, "", False)
        return sock

    async def pause(self, delay: float) -> None:
        self.pauses.append(delay)
        self.clock += delay
        await asyncio.sleep(0)

    def now(self) -> float:
        return self.clock


class EchoTransport(FakeTransport):
    def refuse(self) -> None:
        self.ready_state = 3
        self.events.on_error()
        self.events.on_close(1006, "", False)

    def _send(self, data: object) -> int | None:
        buffered = super()._send(data)
        if buffered is not None:
            asyncio.get_running_loop().call_soon(self.events.on_message, data)
        return buffered

    def close(self, code: int, reason: str) -> None:
        super().close(code, reason)
        asyncio.get_running_loop().call_soon(self.closed, code, reason, True)


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Network]]:
    def make(script: list[str], **kwargs: Any) -> Network:
        net = Network(script, **kwargs)
        backend = _platform.Backend(
            net.transport,
            lambda url: pyws._validation.ParsedURL(url, url.split(":")[0], "h"),
            True,
            net.pause,
            net.now,
        )
        monkeypatch.setattr(_platform, "backend", lambda: backend)
        return net

    yield make


def seeded() -> pyws.Backoff:
    return pyws.Backoff(initial=1.0, factor=2.0, max_delay=8.0, rng=random.Random(1))


async def test_failed_attempts_back_off_with_fresh_draws_then_connect(
    network: Callable[..., Network],
) -> None:
    net = network(["refuse", "refuse", "refuse", "open"])
    async for ws in pyws.connect("ws://h/", backoff=seeded()):
        assert ws.state is pyws.State.OPEN
        break
    expected = random.Random(1)
    assert net.pauses == [expected.uniform(0, cap) for cap in (1.0, 2.0, 4.0)]
    assert len(net.urls) == 4
    assert net.sockets[-1].closes == [(1000, "")]  # break closed it


async def test_max_retries_raises_the_last_exception(network: Callable[..., Network]) -> None:
    net = network([], then="refuse")
    with pytest.raises(pyws.InvalidHandshake):
        async for _ws in pyws.connect("ws://h/", backoff=seeded(), max_retries=2):
            raise AssertionError("connected")
    assert len(net.urls) == 3 and len(net.pauses) == 2


async def test_process_exception_decides(network: Callable[..., Network]) -> None:
    network(["refuse"])
    seen: list[Exception] = []

    def process(exc: Exception) -> Exception | None:
        seen.append(exc)
        return RuntimeError("give up")

    with pytest.raises(RuntimeError, match="give up") as info:
        async for _ws in pyws.connect("ws://h/", process_exception=process):
            pass
    assert isinstance(info.value.__cause__, pyws.InvalidHandshake)
    assert [type(e) for e in seen] == [pyws.InvalidHandshake]


def test_default_process_exception() -> None:
    from pyws.reconnect import default_process_exception as default

    for retried in (
        pyws.InvalidHandshake("ws://h/"),
        TimeoutError(),
        pyws.ConnectionClosedError(1006, "", False),
    ):
        assert default(retried) is None
    for raised in (pyws.InvalidURI("x", "bad"), ValueError("v"), TypeError("t")):
        assert default(raised) is raised


async def test_backoff_resets_only_after_min_uptime(network: Callable[..., Network]) -> None:
    net = network(["drop", "drop", "open", "open"])
    count = 0
    async for ws in pyws.connect("ws://h/", backoff=seeded(), min_uptime=5):
        count += 1
        if count <= 2:  # dropped at once: each counts as an attempt and backs off
            await ws.wait_closed()
            continue
        if count == 3:
            net.clock += 10  # stayed up long enough
            continue
        break
    expected = random.Random(1)
    assert net.pauses == [expected.uniform(0, 1.0), expected.uniform(0, 2.0)]  # no third


async def test_the_url_callable_is_called_before_every_attempt(
    network: Callable[..., Network],
) -> None:
    net = network(["refuse", "open"])
    urls = iter(["ws://h/reject", "ws://h/echo"])

    async def fresh() -> str:
        return next(urls)

    async for ws in pyws.connect(fresh, backoff=seeded()):
        assert ws.url == "ws://h/echo"
        break
    assert net.urls == ["ws://h/reject", "ws://h/echo"]
    with pytest.raises(pyws.InvalidURI):
        async for _ws in pyws.connect(lambda: "ftp://h/"):
            pass


async def test_reconnecting_websocket_queues_while_down_and_sends_in_order_once(
    network: Callable[..., Network],
) -> None:
    net = network(["open", "refuse", "refuse"], then="open")
    async with pyws.ReconnectingWebSocket("ws://h/", backoff=seeded(), max_queued=3) as rws:
        await rws.send("a")
        assert await rws.recv() == "a"
        assert rws.state is pyws.State.OPEN
        net.sockets[0].closed(1006, "", False)  # the server goes away
        await asyncio.sleep(0)
        for m in ("b", "c", "d"):
            await rws.send(m)  # queued, up to max_queued
        assert rws.queued <= 3
        assert [await rws.recv() for _ in range(3)] == ["b", "c", "d"]
        assert rws.attempt == 0 and rws.next_attempt_in is None
        sent = [m for sock in net.sockets for m in sock.sent]
        assert sent == ["a", "b", "c", "d"]  # each exactly once, in order
        assert len(net.pauses) == 3  # one after the drop (within min_uptime), two refusals
        await rws.send(b"e")
        assert await rws.recv() == b"e"
    assert rws.state is pyws.State.CLOSED
    with pytest.raises(pyws.ConnectionClosedOK):
        await rws.send("after")


async def test_reconnecting_websocket_close_counts_unsent(network: Callable[..., Network]) -> None:
    net = network(["open"], then="refuse")
    rws = pyws.ReconnectingWebSocket("ws://h/", backoff=seeded())
    async with rws:
        await rws.send("x")
        assert await rws.recv() == "x"
        net.sockets[0].closed(1006, "", False)
        await asyncio.sleep(0)
        await rws.send("never")
        await rws.send("sent")
        assert await rws.close() == 2
    with pytest.raises(TypeError, match="cannot send"):
        await rws.send(1)  # type: ignore[arg-type]


async def test_reconnecting_websocket_returns_a_closed_connections_messages_first(
    network: Callable[..., Network],
) -> None:
    # Issue 21, item 1: the messages a connection received before it closed were lost
    # once the loop moved on to the next connection, when nothing was reading meanwhile.
    net = network(["open", "open"], then="refuse")
    async with pyws.ReconnectingWebSocket("ws://h/", backoff=seeded(), min_uptime=0) as rws:
        await rws.send("first")
        assert await rws.recv() == "first"
        first = net.sockets[0]
        for i in range(3):
            first.events.on_message(f"conn1-msg{i}")
        first.closed(1011, "going", True)
        while len(net.sockets) < 2 or net.sockets[1].ready_state != pyws.State.OPEN:
            await asyncio.sleep(0)
        while rws.ws is None or rws.ws._transport is not net.sockets[1]:
            await asyncio.sleep(0)
        for i in range(3):
            net.sockets[1].events.on_message(f"conn2-msg{i}")
        assert [await rws.recv() for _ in range(3)] == [f"conn1-msg{i}" for i in range(3)]
        assert [await rws.recv() for _ in range(3)] == [f"conn2-msg{i}" for i in range(3)]


async def test_a_bad_message_queued_while_down_raises_to_the_caller_and_kills_nothing(
    network: Callable[..., Network],
) -> None:
    # Issue 21, item 3: a str with a lone surrogate was queued while connecting; the flush
    # then raised UnicodeEncodeError, which ended the reconnect loop for good.
    net = network(["open"])
    async with pyws.ReconnectingWebSocket("ws://h/", backoff=seeded()) as rws:
        assert rws.state is pyws.State.CONNECTING
        await rws.send("before")
        with pytest.raises(UnicodeEncodeError):
            await rws.send("bad \ud800")
        await rws.send(memoryview(b"abcdef")[::2])  # not contiguous: copied as its bytes
        await rws.send("after")
        assert rws.queued == 3
        assert [await rws.recv() for _ in range(3)] == ["before", b"ace", "after"]
        assert rws.state is pyws.State.OPEN
        with pytest.raises(UnicodeEncodeError):  # connected: the same error
            await rws.send("bad \ud800")
        await rws.send("still")
        assert await rws.recv() == "still"
    assert net.sockets[0].sent == ["before", b"ace", "after", "still"]


async def test_only_connection_closed_stops_a_flush(
    network: Callable[..., Network], monkeypatch: pytest.MonkeyPatch
) -> None:
    net = network(["open"])
    real_send = pyws.WebSocket.send

    async def send(ws: pyws.WebSocket, message: Any) -> None:
        if message == "b":
            raise RuntimeError("the platform refused it")
        await real_send(ws, message)

    monkeypatch.setattr(pyws.WebSocket, "send", send)
    with pytest.warns(RuntimeWarning, match="dropped queued message 'b'.*refused it"):
        async with pyws.ReconnectingWebSocket("ws://h/", backoff=seeded()) as rws:
            for m in "abc":
                await rws.send(m)
            assert [await rws.recv() for _ in range(2)] == ["a", "c"]
            assert rws.state is pyws.State.OPEN
    assert net.sockets[0].sent == ["a", "c"]


async def test_close_with_a_bad_code_raises_and_changes_nothing(
    network: Callable[..., Network],
) -> None:
    # Issue 21, item 8: close(1001) raised ValueError after marking the object closed, and
    # left the connection and its reconnect loop running.
    net = network(["open"])
    async with pyws.ReconnectingWebSocket("ws://h/", backoff=seeded()) as rws:
        await rws.send("a")
        assert await rws.recv() == "a"
        with pytest.raises(ValueError, match="1001"):
            await rws.close(1001)
        assert rws.state is pyws.State.OPEN
        await rws.send("b")  # still usable
        assert await rws.recv() == "b"
    assert rws.state is pyws.State.CLOSED and rws._task is not None and rws._task.done()
    assert net.sockets[0].closes == [(1000, "")]


async def test_close_stops_the_loop_even_when_closing_the_connection_fails(
    network: Callable[..., Network], monkeypatch: pytest.MonkeyPatch
) -> None:
    network(["open"])
    rws = pyws.ReconnectingWebSocket("ws://h/", backoff=seeded())
    await rws.__aenter__()
    await rws.send("a")
    assert await rws.recv() == "a"

    async def broken(ws: pyws.WebSocket, code: int = 1000, reason: str = "") -> None:
        raise RuntimeError("close failed")

    monkeypatch.setattr(pyws.WebSocket, "close", broken)
    with pytest.raises(RuntimeError, match="close failed"):
        await rws.close()
    assert rws._task is not None and rws._task.done()
    assert rws.state is pyws.State.CLOSED
