"""Scenarios: timeouts, cancellation, concurrency and backpressure lose nothing."""

from __future__ import annotations

import asyncio
import random
import warnings

import pyws

from .check import raises
from .suite import Server, scenario


@scenario()
async def timeouts_and_cancellation_lose_no_message(server: Server) -> None:
    async with pyws.connect(server.url("/echo")) as ws:
        with raises(TimeoutError):
            await ws.recv(timeout=0.05)
        reader = asyncio.ensure_future(ws.recv())
        await asyncio.sleep(0)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        await ws.send("kept")
        assert await ws.recv(timeout=5) == "kept"
        # A timeout that fires while the echo is on its way.
        for i in range(50):
            await ws.send(str(i))
            try:
                assert await ws.recv(timeout=0) == str(i)
            except TimeoutError:
                assert await ws.recv(timeout=5) == str(i)


@scenario()
async def a_second_concurrent_recv_raises(server: Server) -> None:
    async with pyws.connect(server.url("/echo")) as ws:
        first = asyncio.ensure_future(ws.recv())
        await asyncio.sleep(0)
        with raises(pyws.ConcurrencyError, match="already running"):
            await ws.recv()
        await ws.send("x")
        assert await first == "x"


@scenario("buffered_amount")
async def send_waits_at_write_limit_and_drain_waits_for_empty(server: Server) -> None:
    limit, chunk = 2**20, b"\x00" * 2**18
    name = f"flow-{random.randrange(2**32):08x}"
    async with pyws.connect(server.url(f"/sink?name={name}"), write_limit=limit) as ws:
        sent = 0

        async def fill() -> None:
            nonlocal sent
            while sent < 2**30:  # bounded: the sink stops reading long before this
                await ws.send(chunk)
                sent += len(chunk)
                assert ws.buffered_amount <= limit + len(chunk), ws.buffered_amount

        with raises(TimeoutError):
            await asyncio.wait_for(fill(), 3)
        assert ws.state is pyws.State.OPEN  # still usable
        assert ws.buffered_amount > limit - len(chunk), ws.buffered_amount
        with raises(TimeoutError):
            await asyncio.wait_for(ws.drain(), 0.2)
        # Clean up: the sink reads again, so every pending write completes and the close is
        # clean. A stream left with a write pending crashes Chromium 156's renderer when its
        # connection is reset later (the socket.io restart scenario kills the server):
        # tests/reliability/test_websocketstream_crash_canary.py.
        async with pyws.connect(server.url(f"/release?name={name}")) as release:
            assert await release.recv() == "released"
        await ws.drain()
    assert (ws.close_code, ws.was_clean) == (1000, True)


@scenario()
async def websockets_options_a_browser_cannot_honour_warn(server: Server) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with pyws.connect(server.url("/echo"), ping_interval=None, max_size=2**20) as ws:
            await ws.send("still works")
            assert await ws.recv() == "still works"
    assert [str(w.message).split("=")[0] for w in caught] == [
        "pyws.connect() ignores ping_interval",
        "pyws.connect() ignores max_size",
    ], [str(w.message) for w in caught]
    assert all(w.category is RuntimeWarning and w.filename.endswith(".py") for w in caught)


@scenario()
async def a_hundred_and_fifty_connections_at_once(server: Server) -> None:
    # Below every browser's limit, with the harness's control socket besides: Chromium allows
    # 255 WebSockets per renderer process, Firefox 200 in the whole browser (256 in the test
    # profile), WebKitGTK 2.50 199 (measured: the 200th fails, "Insufficient resources").
    connections, each = 150, 20

    async def client(n: int) -> list[str]:
        async with pyws.connect(server.url("/echo"), open_timeout=60) as ws:
            for i in range(each):
                await ws.send(f"{n}:{i}")
            return [await ws.recv(timeout=60) for _ in range(each)]

    results = await asyncio.gather(*(client(n) for n in range(connections)))
    for n, got in enumerate(results):
        assert got == [f"{n}:{i}" for i in range(each)], n


@scenario()
async def both_wakeup_paths_deliver_every_message_in_order(server: Server) -> None:
    from pyws import _wakeup

    assert _wakeup.probe() is None, _wakeup.probe()  # the fast path's internals behave here
    assert pyws.fast_wakeup()
    for wake in (_wakeup.wake_inline, _wakeup.wake_plain):
        async with pyws.connect(server.url("/echo")) as ws:
            ws._wake = wake
            for i in range(200):  # awaited round trips: recv() waits for each one
                await ws.send(f"{i}")
                assert await ws.recv() == f"{i}", (wake.__name__, i)
            for i in range(200):  # pipelined: recv() finds most of them queued
                await ws.send(f"p{i}")
            assert [await ws.recv() for _ in range(200)] == [f"p{i}" for i in range(200)]


DAYS_30 = 30 * 86400.0
"""Over 2**31-1 ms (24.8 days), where a browser's setTimeout fires at once."""


@scenario()
async def long_timeouts_do_not_fire_at_once(server: Server) -> None:
    # Issue 21, item 6: in a browser, recv(timeout=inf) and recv(timeout=30 days) raised
    # TimeoutError after 2 ms (setTimeout overflowed), and so did open_timeout,
    # close_timeout, Heartbeat and the reconnect pause. inf is no timeout; long timers chain.
    # Each wait below outlasts an overflowed timer (which fires within a few ms) before
    # what it waits for happens.
    beat = pyws.Heartbeat(interval=DAYS_30, timeout=DAYS_30)
    for timeout in (float("inf"), DAYS_30):
        async with pyws.connect(
            server.url("/slow?delay=0.2"),
            open_timeout=timeout,
            close_timeout=timeout,
            heartbeat=beat,
        ) as ws:
            reader = asyncio.ensure_future(ws.recv(timeout=timeout))
            await asyncio.sleep(0.2)
            assert not reader.done(), reader
            await ws.send("late")
            assert await reader == "late"
            await ws.send("again")  # the heartbeat sent nothing: the echo comes next
            assert await ws.recv(timeout=timeout) == "again"
        assert (ws.close_code, ws.was_clean) == (1000, True), timeout
    rng = random.Random(2)  # its first draw is 0.956: a 95-day pause
    async with pyws.ReconnectingWebSocket(
        server.url("/reject?status=503"),
        backoff=pyws.Backoff(initial=100 * 86400, max_delay=100 * 86400, rng=rng),
    ) as rws:
        while rws.attempt < 1:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        assert rws.attempt == 1 and rws.next_attempt_in is not None, rws.attempt
        assert rws.next_attempt_in > DAYS_30
