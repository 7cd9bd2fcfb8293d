"""``overflow="pause"`` holds a sender back, for real: in Chromium over ``WebSocketStream``
and in CPython over the socket, as ``websockets`` does with ``max_queue``.

Each test connects to ``/push`` of 64 x 1 MiB and reads nothing for :data:`UNREAD_SECONDS`:
the server must not log that it sent everything (without backpressure it needs well under a
second here: the canary, tests/reliability/test_websocketstream_canary.py). Then it reads:
every message arrives, in order, none dropped, and the server finishes. Each test runs its
own server, so its log holds that test's push alone.

The refusals where nothing can stop reading (Firefox, Node) and 100 pause and resume cycles
are scenarios of the suite (tests/scenarios/bounded.py), run on every target.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_pyodide import run_in_pyodide

import pyws
from harness.aio import run_async
from harness.server import ServerProcess, start_server

COUNT = 64
SIZE = 2**20
UNREAD_SECONDS = 10.0
"""How long nothing is read; the hang guard of the negative check on the server's log."""
BOUND = 8 * 2**20
"""``max_queue_bytes`` of the browser test: 8 of the 64 messages."""
HEAP_MARGIN = 16 * 2**20
"""Wasm heap growth allowed beyond the bound: the message being converted, allocator
slack, and what Pyodide itself allocates meanwhile. Without the pause the queue alone would
take 64 MiB (bounds.py: an unread page's heap grew with everything pushed)."""
PATH = f"/push?count={COUNT}&size={SIZE}&type=binary"
SENT = f"push sent count={COUNT} size={SIZE}"


@pytest.fixture
def server() -> Iterator[ServerProcess]:
    with start_server() as server:
        yield server


def _sent(line: str) -> bool:
    return SENT in line


def _check(messages: list[bytes]) -> None:
    assert len(messages) == COUNT
    for i, message in enumerate(messages):
        assert len(message) == SIZE and message.startswith(f"{i} ".encode()), (i, message[:12])


@run_in_pyodide(packages=["pyws"])
async def open_paused(selenium: Any, url: str, bound: int) -> list[int]:
    import asyncio
    import sys

    import pyodide_js

    import pyws

    heap = int(pyodide_js._module.HEAPU8.length)
    ws = await pyws.connect(url, max_queue_bytes=bound, overflow="pause")
    assert ws._transport.__class__.__name__ == "StreamTransport"  # "auto" picked the stream
    while ws._messages.nbytes < bound:  # the first messages arrive, up to the bound
        await asyncio.sleep(0.05)
    sys.modules["__main__"].paused_ws = ws
    return [heap]


@run_in_pyodide(packages=["pyws"])
async def heap_and_queue(selenium: Any) -> list[int]:
    import sys

    import pyodide_js

    ws = sys.modules["__main__"].paused_ws
    return [int(pyodide_js._module.HEAPU8.length), ws._messages.nbytes, len(ws._messages)]


@run_in_pyodide(packages=["pyws"])
async def read_all(selenium: Any) -> list[Any]:
    import sys

    import pyws

    ws = sys.modules["__main__"].paused_ws
    heads = []
    sizes = []
    try:
        async for message in ws:
            heads.append(message[:12].decode())
            sizes.append(len(message))
    except pyws.ConnectionClosed as exc:
        raise AssertionError(f"closed abnormally: {exc}") from None
    return [heads, sizes, ws.dropped, ws.close_code]


def test_chromium_pause_holds_the_server_back(selenium: Any, server: ServerProcess) -> None:
    (heap_before,) = open_paused(selenium, server.ws_url(PATH), BOUND)
    early = server.wait_for_log(_sent, timeout=UNREAD_SECONDS)
    assert not early, "the server sent all 64 MiB to a paused connection"
    heap, queued_bytes, queued = heap_and_queue(selenium)
    print(
        f"paused: {queued} messages ({queued_bytes} bytes) queued, wasm heap "
        f"{heap_before} -> {heap} bytes ({heap - heap_before:+})"
    )
    assert queued_bytes == BOUND  # reading stopped at the bound: 8 whole messages
    assert heap - heap_before <= BOUND + HEAP_MARGIN
    heads, sizes, dropped, code = read_all(selenium)
    assert len(heads) == COUNT and all(size == SIZE for size in sizes)
    assert heads == [f"{i} ".ljust(12, "x") for i in range(COUNT)]
    assert (dropped, code) == (0, 1000)
    assert server.wait_for_log(_sent, timeout=30)


def test_cpython_pause_holds_the_server_back(server: ServerProcess) -> None:
    async def main() -> list[bytes]:
        async with pyws.connect(server.ws_url(PATH), max_queue=4, overflow="pause") as ws:
            early = await asyncio.to_thread(server.wait_for_log, _sent, 1, UNREAD_SECONDS)
            assert not early, "the server sent all 64 MiB to a paused connection"
            assert len(ws._messages) == 4
            messages = [bytes(message) async for message in ws]  # type: ignore[arg-type]
            assert (ws.dropped, ws.close_code) == (0, 1000)
            return messages

    _check(run_async(main()))
    assert server.wait_for_log(_sent, timeout=30)
