"""Concurrency at Chromium's limit of sockets per page (many writers on one connection and
200 connections at once are scenarios of tests/scenarios, run on every target)."""

from __future__ import annotations

from typing import Any

from pytest_pyodide import run_in_pyodide


@run_in_pyodide(packages=["pyws", "pytest"])
async def test_the_256th_connection_fails_cleanly(selenium: Any, echo_url: str) -> None:
    # Chromium's limit is 255 WebSockets per renderer: one more must fail, not hang.
    import asyncio

    import pytest

    import pyws
    from pyws._platform import browser as _ffi

    sockets = []
    try:
        async with asyncio.timeout(120):
            for _ in range(255):
                sockets.append(await pyws.connect(echo_url))
            with pytest.raises(pyws.InvalidHandshake, match=echo_url):
                await pyws.connect(echo_url)
            await sockets[0].send("the others still work")
            assert await sockets[0].recv() == "the others still work"
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))
    assert _ffi.live_proxies() == 0
