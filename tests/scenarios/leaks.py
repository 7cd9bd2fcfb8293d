"""Scenario: connections leave nothing behind: no pyws proxy or timer, no WebSocket object,
and no growth in Python's objects (the JS heap is measured by tests/pyodide/test_leaks.py,
which needs DevTools)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable

import pyws

from . import environment
from .suite import Server, scenario

CYCLES = 300
FAILED = 50
OBJECT_TOLERANCE = 100
"""Python objects allowed to appear (caches warming up); with 350 connections made, even
one object kept per connection would be far over."""


async def _cycles(url: str, n: int) -> None:
    for i in range(n):
        async with pyws.connect(url) as ws:
            await ws.send(f"ping {i}")
            assert await ws.recv() == f"ping {i}"


def _counts() -> tuple[int, int, int]:
    gc.collect()
    objects = gc.get_objects()
    sockets = sum(isinstance(o, pyws.WebSocket) for o in objects)
    return environment.live_proxies(), sockets, len(objects)


@scenario()
async def connect_echo_close_cycles_leak_nothing(server: Server) -> None:
    url = server.url("/echo")
    await _cycles(url, 20)  # warm up caches
    base = _counts()
    await _cycles(url, CYCLES)
    for _ in range(FAILED):
        try:
            await pyws.connect(server.url("/reject?status=403"))
        except pyws.InvalidHandshake:
            pass
        else:
            raise AssertionError("connected despite the rejection")
    proxies, sockets, objects = _counts()
    assert (base[0], proxies) == (0, 0), (base, proxies)
    assert (base[1], sockets) == (0, 0), (base, sockets)
    assert objects - base[2] < OBJECT_TOLERANCE, (base[2], objects)


_HELD = ("WebSocket", "ReconnectingWebSocket", "Monitor", "Limiter")
"""The pyws objects of a connection, besides its transport (whatever its class)."""


def _in_cycles() -> list[str]:
    """The pyws objects that only the cycle collector would free, collected here."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = [
            repr(o)[:80]
            for o in gc.garbage
            if type(o).__module__.startswith("pyws")
            and (type(o).__name__ in _HELD or type(o).__name__.endswith("Transport"))
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return found


async def _fails[T](kind: type[BaseException], awaitable: Awaitable[T]) -> None:
    """Await, expecting ``kind``; unlike ``raises``, holding on to no exception (a held
    exception holds the frames of its traceback: a cycle of the test's own)."""
    try:
        await awaitable
    except kind:
        return
    raise AssertionError(f"{kind.__name__} was not raised")


async def _connections_ending_every_way(server: Server) -> None:
    async with pyws.connect(server.url("/echo")) as ws:  # closed by this side
        await ws.send("one")
        assert await ws.recv() == "one"
    ws = await pyws.connect(server.url("/close?code=1000"))  # by the server
    await _fails(pyws.ConnectionClosedOK, ws.recv())
    await _fails(pyws.ConnectionClosedOK, ws.send("late"))
    async with pyws.connect(server.url("/echo")) as ws:
        await _fails(TimeoutError, ws.recv(timeout=0.01))
    async for message in await pyws.connect(server.url("/close?code=1000")):
        raise AssertionError(f"/close sent {message!r}")
    # Lost after one echo (Firefox fails a handshake whose socket is cut at once).
    ws = await pyws.connect(server.url("/drop?after=1"))
    await ws.send("three")
    assert await ws.recv() == "three"
    await _fails(pyws.ConnectionClosedError, ws.recv())
    await _fails(pyws.InvalidHandshake, pyws.connect(server.url("/reject?status=403")))
    heartbeat = pyws.Heartbeat(interval=0.05, timeout=5)
    async with pyws.connect(server.url("/echo"), heartbeat=heartbeat) as ws:
        await asyncio.sleep(0.2)  # a heartbeat or more, answered by the echo
    overflows = ["drop_oldest"] + (["pause"] if "pause" in environment.features() else [])
    for overflow in overflows:
        async with pyws.connect(
            server.url("/push?count=8&size=16"), max_queue=2, overflow=overflow
        ) as ws:
            assert await ws.recv()
    async with pyws.ReconnectingWebSocket(server.url("/echo")) as rws:
        await rws.send("two")
        assert await rws.recv() == "two"


@scenario()
async def a_closed_connection_is_freed_without_the_cycle_collector(server: Server) -> None:
    # Issue 25, defect 13: pyws.WebSocket objects sat in reference cycles (with their
    # transport, heartbeat and bounds, and the exceptions they raised), freed only by
    # Python's cycle collector. Off here, so any cycle stays to be found.
    gc.collect()
    gc.disable()
    try:
        await _connections_ending_every_way(server)
        found = _in_cycles()
    finally:
        gc.enable()
    assert found == [], found
    assert environment.live_proxies() == 0
