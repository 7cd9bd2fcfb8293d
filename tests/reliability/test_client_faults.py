"""Faults: a server that is killed, restarted or never answers. Each ends in the documented
exception within a bounded time, with every message received before the fault first."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_pyodide import run_in_pyodide

from tests.reliability.conftest import server_killed_then_restarted


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections and never answers the handshake."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


@run_in_pyodide(packages=["pyws", "pytest"])
async def test_handshake_that_never_answers_hits_open_timeout(
    selenium: Any, silent_port: int
) -> None:
    import time

    import pytest

    import pyws
    from pyws._platform import browser as _ffi

    start = time.monotonic()
    with pytest.raises(TimeoutError, match=r"timed out after 1\.0 s"):
        await pyws.connect(f"ws://127.0.0.1:{silent_port}/", open_timeout=1)
    assert time.monotonic() - start < 10
    assert _ffi.live_proxies() == 0


@run_in_pyodide(packages=["pyws", "pytest"])
async def stream_until_the_server_dies(selenium: Any, url: str) -> str:
    """Send and receive numbered messages until the connection breaks; then reconnect."""
    import asyncio

    import pytest

    import pyws

    received: list[int] = []
    sent = 0
    async with asyncio.timeout(60):  # hang guard
        ws = await pyws.connect(url)

        async def writer() -> None:
            nonlocal sent
            while True:
                await ws.send(f"{sent}")
                sent += 1
                await asyncio.sleep(0.002)

        writing = asyncio.ensure_future(writer())
        try:
            with pytest.raises(pyws.ConnectionClosedError) as info:
                async for message in ws:
                    received.append(int(message))
        finally:
            writing.cancel()
            await asyncio.gather(writing, return_exceptions=True)
        assert (info.value.code, info.value.was_clean) == (1006, False), info.value
        assert received == list(range(len(received))), "lost or reordered before the fault"
        assert received, "nothing flowed before the fault"
        # The server comes back: a fresh connect works (bounded retries).
        for _attempt in range(100):
            try:
                async with pyws.connect(url, open_timeout=5) as again:
                    await again.send("back")
                    assert await again.recv() == "back"
                    break
            except pyws.InvalidHandshake:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("no reconnect after the restart")
    return f"{len(received)} messages echoed in order before the kill, {sent} sent"


def test_server_killed_mid_stream_then_restarted(selenium: Any) -> None:
    with server_killed_then_restarted(opened=1, after=1.0) as first:
        summary = stream_until_the_server_dies(selenium, first.ws_url())
    print(summary)
