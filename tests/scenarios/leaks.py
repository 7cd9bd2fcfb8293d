"""Scenario: connections leave nothing behind: no pyws proxy or timer, no WebSocket object,
and no growth in Python's objects (the JS heap is measured by tests/pyodide/test_leaks.py,
which needs DevTools)."""

from __future__ import annotations

import gc

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
