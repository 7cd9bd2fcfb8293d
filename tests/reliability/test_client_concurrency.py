"""Concurrency: many writers on one connection, and many connections in one page."""

from __future__ import annotations

from typing import Any

from pytest_pyodide import run_in_pyodide


@run_in_pyodide(packages=["pyws"])
async def test_50_writers_one_reader(selenium: Any, echo_url: str) -> None:
    import asyncio
    from collections import defaultdict

    import pyws

    writers, each = 50, 40
    async with asyncio.timeout(60), pyws.connect(echo_url) as ws:

        async def writer(task: int) -> None:
            for i in range(each):
                await ws.send(f"{task}:{i}")
                if i % 7 == task % 7:
                    await asyncio.sleep(0)  # interleave with the others

        sending = asyncio.gather(*(writer(t) for t in range(writers)))
        seen: dict[int, list[int]] = defaultdict(list)
        for _ in range(writers * each):
            task, i = map(int, (await ws.recv()).split(":"))
            seen[task].append(i)
        await sending
        assert sorted(seen) == list(range(writers))
        for task, numbers in seen.items():
            assert numbers == list(range(each)), f"writer {task} lost or reordered: {numbers}"
        try:
            extra = await ws.recv(timeout=0.2)
        except TimeoutError:
            pass
        else:
            raise AssertionError(f"duplicate message {extra!r}")


@run_in_pyodide(packages=["pyws"])
async def test_200_connections_at_once(selenium: Any, echo_url: str) -> None:
    # Chromium allows at most 255 WebSockets per renderer process; 200 stays below it.
    import asyncio

    import pyws
    from pyws import _ffi

    connections, each = 200, 20

    async def client(n: int) -> list[str]:
        async with pyws.connect(echo_url, open_timeout=60) as ws:
            for i in range(each):
                await ws.send(f"{n}:{i}")
            return [await ws.recv() for _ in range(each)]

    async with asyncio.timeout(120):
        results = await asyncio.gather(*(client(n) for n in range(connections)))
    for n, got in enumerate(results):
        assert got == [f"{n}:{i}" for i in range(each)]
    assert _ffi.live_proxies() == 0


@run_in_pyodide(packages=["pyws"])
async def test_the_256th_connection_fails_cleanly(selenium: Any, echo_url: str) -> None:
    # Chromium's limit is 255 WebSockets per renderer: one more must fail, not hang.
    import asyncio

    import pyws
    from pyws import _ffi

    sockets = []
    try:
        async with asyncio.timeout(120):
            for _ in range(255):
                sockets.append(await pyws.connect(echo_url))
            try:
                await pyws.connect(echo_url)
            except pyws.InvalidHandshake as exc:
                assert echo_url in str(exc)
            else:
                raise AssertionError("a 256th WebSocket opened")
            await sockets[0].send("the others still work")
            assert await sockets[0].recv() == "the others still work"
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))
    assert _ffi.live_proxies() == 0
