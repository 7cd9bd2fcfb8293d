"""No leaks: after many connections, the JS heap, pyws's handler proxies and Python's
objects are back at their baseline."""

from __future__ import annotations

from typing import Any

CYCLES = 2000
FAILED_CONNECTS = 200
HEAP_TOLERANCE = 1 * 2**20
"""JS heap growth allowed after a forced GC. A leaked socket keeps its WebSocket, four
handler closures and four proxies alive, several KiB, so 2 000 leaked would be far over."""
OBJECT_TOLERANCE = 100
"""Python objects allowed to appear (caches warming up); with 2 200 connections made, even
one object kept per connection would be far over."""

SETUP = """
import gc
import pyws
from pyws._platform import browser as _ffi

async def cycles(url, n):
    for i in range(n):
        async with pyws.connect(url) as ws:
            await ws.send(f"ping {i}")
            assert await ws.recv() == f"ping {i}"

async def failed_connects(n):
    for _ in range(n):
        try:
            await pyws.connect("ws://127.0.0.1:1/")
        except pyws.InvalidHandshake:
            pass
        else:
            raise AssertionError("connected to a closed port")

def counts():
    gc.collect()
    sockets = sum(isinstance(o, pyws.WebSocket) for o in gc.get_objects())
    return [_ffi.live_proxies(), sockets, len(gc.get_objects())]
"""


def _heap(selenium: Any) -> int:
    selenium.collect_garbage()
    client = selenium.driver.context.new_cdp_session(selenium.driver)
    try:
        return int(client.send("Runtime.getHeapUsage")["usedSize"])
    finally:
        client.detach()


def test_connect_echo_close_cycles_leak_nothing(selenium: Any, echo_url: str) -> None:
    selenium.load_package("pyws")
    selenium.run(SETUP)
    selenium.run_async(f"await cycles({echo_url!r}, 50)")  # warm up caches and the JIT
    base_proxies, base_sockets, base_objects = selenium.run("counts()")
    base_heap = _heap(selenium)

    selenium.run_async(f"await cycles({echo_url!r}, {CYCLES})")
    selenium.run_async(f"await failed_connects({FAILED_CONNECTS})")

    proxies, sockets, objects = selenium.run("counts()")
    heap = _heap(selenium)
    print(
        f"after {CYCLES} cycles and {FAILED_CONNECTS} failed connects: "
        f"JS heap {base_heap} -> {heap} bytes ({heap - base_heap:+}), "
        f"live proxies {base_proxies} -> {proxies}, WebSocket objects {base_sockets} -> "
        f"{sockets}, Python objects {base_objects} -> {objects} ({objects - base_objects:+})"
    )
    assert (base_proxies, proxies) == (0, 0)
    assert (base_sockets, sockets) == (0, 0)
    assert heap - base_heap < HEAP_TOLERANCE
    assert objects - base_objects < OBJECT_TOLERANCE
