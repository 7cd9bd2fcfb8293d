"""Canary: does Chromium's WebSocketStream push back on a server when the page stops reading?

The issue that asked for bounded receive memory recorded that it did not (a page that did
not read let a server send 512 MiB in 0.62 s). On this machine's Chromium 156 it does: with
the page reading nothing, /push stalled after 9 of 64 MiB, with and without DevTools
attached (measured 2026-11-27, driverless Chromium and this test alike). This test records
today's fact, so that a Chromium update that changes it fails here. pyws still bounds its
own queue (max_queue, max_queue_bytes): its transport is ``WebSocket``, which has no
backpressure in any browser, and Firefox ESR 153 has no WebSocketStream at all.
"""

from __future__ import annotations

from typing import Any

from pytest_pyodide import run_in_pyodide

from harness.server import ServerProcess

COUNT = 64
SIZE = 2**20
UNREAD_SECONDS = 10.0
"""How long the page reads nothing; without backpressure the server needs under 1 s."""


@run_in_pyodide(packages=["pyws"])
async def open_and_never_read(selenium: Any, url: str) -> None:
    import sys

    import js

    stream = js.WebSocketStream.new(url)
    await stream.opened  # then read nothing
    sys.modules["__main__"].unread_stream = stream


@run_in_pyodide(packages=["pyws"])
async def read_everything(selenium: Any) -> int:
    import sys

    stream = sys.modules["__main__"].unread_stream
    reader = (await stream.opened).readable.getReader()
    count = 0
    while True:
        chunk = await reader.read()
        if chunk.done:
            return count
        count += 1


def test_an_unread_websocketstream_holds_the_server_back(
    selenium: Any, live_server: ServerProcess
) -> None:
    path = f"/push?count={COUNT}&size={SIZE}&type=binary"
    sent = f"push sent count={COUNT} size={SIZE}"
    open_and_never_read(selenium, live_server.ws_url(path))
    early = live_server.wait_for_log(lambda line: sent in line, timeout=UNREAD_SECONDS)
    assert not early, (
        "the server sent 64 MiB to a page that does not read its WebSocketStream: "
        "Chromium no longer applies receive backpressure there"
    )
    assert read_everything(selenium) == COUNT  # reading lets it finish, nothing lost
    assert live_server.wait_for_log(lambda line: sent in line, timeout=30)
