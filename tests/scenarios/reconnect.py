"""Scenarios: long-lived connections: reconnecting, the send queue, heartbeats."""

from __future__ import annotations

import asyncio
import gc
import time

import pyws

from . import environment
from .check import raises
from .suite import Server, scenario


def _quick() -> pyws.Backoff:
    return pyws.Backoff(initial=0.05, factor=2.0, max_delay=0.2)


@scenario()
async def the_url_callable_is_asked_before_every_attempt(server: Server) -> None:
    urls = [server.url("/reject?status=503"), server.url("/reject?status=403")]
    asked: list[str] = []

    async def fresh() -> str:
        asked.append(urls.pop(0) if urls else server.url("/echo"))
        return asked[-1]

    async for ws in pyws.connect(fresh, backoff=_quick()):
        await ws.send("through")
        assert await ws.recv() == "through"
        break
    assert asked == [
        server.url("/reject?status=503"),
        server.url("/reject?status=403"),
        server.url("/echo"),
    ]
    assert ws.state in (pyws.State.CLOSING, pyws.State.CLOSED)  # break closed it


@scenario()
async def the_iterator_reconnects_after_each_close(server: Server) -> None:
    got: list[str] = []
    async for ws in pyws.connect(server.url("/drop?after=2"), backoff=_quick(), min_uptime=0):
        for _ in range(2):
            await ws.send(f"{len(got)}")
            got.append(await ws.recv())
        with raises(pyws.ConnectionClosedError):
            await ws.recv()
        if len(got) == 6:
            break
    assert got == [str(i) for i in range(6)]


@scenario()
async def max_retries_raises_the_last_failure(server: Server) -> None:
    attempts = 0
    with raises(pyws.InvalidHandshake):
        async for _ws in pyws.connect(
            server.url("/reject?status=503"), backoff=_quick(), max_retries=2
        ):
            attempts += 1
    assert attempts == 0
    with raises(pyws.InvalidURI):  # raised at once, not retried
        async for _ws in pyws.connect(lambda: "ftp://127.0.0.1/"):
            pass


@scenario()
async def reconnecting_websocket_keeps_order_across_drops(server: Server) -> None:
    sent = [f"m{i}" for i in range(16)]
    async with pyws.ReconnectingWebSocket(
        server.url("/drop?after=4"), backoff=pyws.Backoff(initial=0.3, max_delay=0.3)
    ) as rws:
        received: list[object] = []
        for cycle in range(4):
            batch = sent[cycle * 4 : cycle * 4 + 4]
            if cycle == 0:
                for m in batch:  # connected: sent at once, one round trip each
                    await rws.send(m)
                    received.append(await rws.recv())
                continue
            ws = rws.ws
            assert ws is not None
            await ws.wait_closed()  # /drop cut it after 4 echoes
            for m in batch:  # disconnected: queued, sent after the reconnect
                await rws.send(m)
            received.extend([await rws.recv() for _ in batch])
        assert received == sent, received  # in order, none lost, none twice
        assert rws.state is pyws.State.OPEN
    assert rws.state is pyws.State.CLOSED


@scenario()
async def a_heartbeat_gives_up_a_silent_peer(server: Server) -> None:
    beat = pyws.Heartbeat(interval=0.5, timeout=0.5, message="ping")
    start = time.monotonic()
    async with pyws.connect(server.url("/silent?after=1"), heartbeat=beat, close_timeout=1) as ws:
        await ws.send("one")
        assert await ws.recv() == "one"
        with raises(pyws.ConnectionClosedError) as caught:
            await ws.recv(timeout=10)
        assert isinstance(caught.value, pyws.ConnectionClosed)
        assert (caught.value.code, caught.value.reason) == (1006, "heartbeat timeout")
    elapsed = time.monotonic() - start
    assert elapsed < 0.5 + 0.5 + 1 + 3, elapsed  # interval + timeout + close_timeout + slack
    assert environment.live_proxies() == 0


@scenario()
async def a_heartbeat_reply_is_not_returned(server: Server) -> None:
    beat = pyws.Heartbeat(interval=0.2, timeout=2.0, message="beat", reply="beat")
    async with pyws.connect(server.url("/echo"), heartbeat=beat) as ws:
        await ws.send("data")
        assert await ws.recv() == "data"
        with raises(TimeoutError):
            await ws.recv(timeout=1.0)  # several beats echoed meanwhile, none returned
        assert ws.state is pyws.State.OPEN


@scenario()
async def two_hundred_reconnect_cycles_leak_nothing(server: Server) -> None:
    cycles = 0
    connections = aiter(pyws.connect(server.url("/close?code=1000"), min_uptime=0))
    async for ws in connections:
        await ws.wait_closed()
        cycles += 1
        if cycles == 200:
            break
    del ws
    await connections.aclose()  # type: ignore[attr-defined]  # else asyncio does it soon
    gc.collect()
    assert environment.live_proxies() == 0
    assert sum(isinstance(o, pyws.WebSocket) for o in gc.get_objects()) == 0


@scenario()
async def reconnecting_websocket_returns_a_closed_connections_messages_first(
    server: Server,
) -> None:
    # Issue 21, item 1: what a connection received before it closed was lost once the
    # loop had moved on to the next connection, when the app was not reading meanwhile.
    urls = [server.url("/push?count=3&size=10"), server.url("/push?count=3&size=20")]

    def next_url() -> str:
        return urls.pop(0) if urls else server.url("/echo")

    async with pyws.ReconnectingWebSocket(next_url, backoff=_quick(), min_uptime=0) as rws:
        while rws.ws is None or "/echo" not in rws.ws.url or rws.state is not pyws.State.OPEN:
            await asyncio.sleep(0.01)  # not reading while both pushes come and go
        await rws.send("after")
        for size in (10, 20):
            for i in range(3):
                message = await rws.recv()
                assert message == f"{i} ".ljust(size, "x"), (size, i, message)
        assert await rws.recv() == "after"


@scenario()
async def reconnecting_websocket_refuses_a_bad_str_and_lives_on(server: Server) -> None:
    # Issue 21, item 3: a str with a lone surrogate sent while connecting was queued; the
    # flush then raised UnicodeEncodeError, which closed the object for good.
    async with pyws.ReconnectingWebSocket(server.url("/echo"), backoff=_quick()) as rws:
        await rws.send("before")  # queued: not connected yet
        with raises(UnicodeEncodeError, "surrogate"):
            await rws.send("bad \ud800")
        await rws.send("after")
        assert [await rws.recv() for _ in range(2)] == ["before", "after"]
        with raises(UnicodeEncodeError, "surrogate"):  # connected: the same error
            await rws.send("bad \ud800")
        await rws.send("still")
        assert await rws.recv() == "still"
        assert rws.state is pyws.State.OPEN


@scenario()
async def reconnecting_websocket_close_with_a_bad_code_changes_nothing(server: Server) -> None:
    # Issue 21, item 8: close(1001) raised ValueError but had marked the object closed
    # first, and left the connection and its reconnect loop running.
    async with pyws.ReconnectingWebSocket(server.url("/echo"), backoff=_quick()) as rws:
        await rws.send("one")
        assert await rws.recv() == "one"
        with raises(ValueError, "1001"):
            await rws.close(1001)
        assert rws.state is pyws.State.OPEN
        await rws.send("two")
        assert await rws.recv() == "two"
    assert rws.state is pyws.State.CLOSED
    with raises(pyws.ConnectionClosedOK):
        await rws.send("after")


@scenario()
async def a_bytes_heartbeat_reply_is_refused_in_blob_mode(server: Server) -> None:
    # Issue 21, item 7: a Blob equals nothing, so in blob mode a bytes reply was never
    # recognised and recv() returned it: the combination is refused, saying why.
    beat = pyws.Heartbeat(interval=0.2, message=b"beat", reply=b"beat")
    with raises(ValueError, "blob"):
        await pyws.connect(server.url("/echo"), binary_type="blob", heartbeat=beat)
    with raises(ValueError, "blob"):
        pyws.ReconnectingWebSocket(server.url("/echo"), binary_type="blob", heartbeat=beat)
    async with pyws.connect(server.url("/echo"), heartbeat=beat) as ws:
        with raises(ValueError, "blob"):
            ws.binary_type = "blob"
        assert ws.binary_type == "bytes"


# -- issue 25: ReconnectingWebSocket without `async with`, after close(), recv()'s options

GUARD = 20.0
"""Hang guard, in seconds, for what must come: never a timing assertion."""


@scenario()
async def reconnecting_starts_without_async_with(server: Server) -> None:
    # Issue 25, defect 9: used as a newcomer writes it, send() queued and recv() waited
    # for ever, silently. The first send() or recv() starts it.
    rws = pyws.ReconnectingWebSocket(server.url("/echo"), backoff=_quick())
    try:
        await rws.send("started")
        try:
            got = await asyncio.wait_for(rws.recv(), GUARD)
        except TimeoutError:
            raise AssertionError(
                f"without `async with`, recv() waited {GUARD} s: nothing connected "
                f"(state {rws.state.name}, {rws.queued} queued)"
            ) from None
        assert got == "started", got
        assert rws.state is pyws.State.OPEN
    finally:
        assert await rws.close() == 0
    assert rws.state is pyws.State.CLOSED


@scenario()
async def reconnecting_opens_nothing_after_close(server: Server) -> None:
    # Issue 25, defect 10: a connection was opened 8 ms after close(). The URL callable is
    # asked before every attempt: it counts them.
    asked = 0

    def url() -> str:
        nonlocal asked
        asked += 1
        return server.url("/echo")

    async with pyws.ReconnectingWebSocket(url, backoff=_quick(), min_uptime=0) as rws:
        await rws.send("one connection")
        assert await asyncio.wait_for(rws.recv(), GUARD) == "one connection"
    assert asked == 1, f"{asked} attempts: close() let the loop open another connection"
    await asyncio.sleep(0.1)  # nor a moment later
    assert asked == 1, f"{asked} attempts: one more connection after close()"


@scenario()
async def reconnecting_recv_takes_timeout_and_decode(server: Server) -> None:
    # Issue 25, defect 15: pyws.WebSocket.recv(timeout=, decode=), the same here.
    async with pyws.ReconnectingWebSocket(server.url("/echo"), backoff=_quick()) as rws:
        with raises(TimeoutError):
            await rws.recv(timeout=0.05)
        await rws.send("text")
        assert await rws.recv(timeout=GUARD, decode=False) == b"text"
        await rws.send(b"binary")
        assert await rws.recv(timeout=GUARD, decode=True) == "binary"
        await rws.send("after")  # the timeout lost nothing
        assert await rws.recv(GUARD) == "after"
        with raises(ValueError, match="timeout"):
            await rws.recv(timeout=-1)
    # While disconnected too: the timeout counts from the call, across reconnects.
    async with pyws.ReconnectingWebSocket(
        server.url("/reject?status=503"), backoff=_quick()
    ) as rws:
        with raises(TimeoutError):
            await rws.recv(timeout=0.2)
        assert rws.state is pyws.State.CONNECTING
