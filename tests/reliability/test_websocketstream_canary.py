"""Canary: does Chromium's WebSocketStream push back on a server when the page stops reading?

The issue that asked for bounded receive memory recorded that it did not (a page that did
not read let a server send 512 MiB in 0.62 s). On this machine's Chromium 156 it does: with
the page reading nothing, /push stalled after 9 of 64 MiB, with and without DevTools
attached (measured 2026-11-27, driverless Chromium and this test alike). This test records
today's fact, so that a Chromium update that changes it fails here: pyws's
``overflow="pause"`` rests on it (pyws/_platform/stream.py). Firefox ESR 153 has no
WebSocketStream at all.

The second test records the other side of it (found 2026-11-30): when the server closes
while the page is not reading, Chromium 156 completes the closing handshake and ends the
readable, discarding the messages it had buffered and the page had not read (200 pushed
32-byte messages, 8 read before the close: the reader then returned at most 1 more).
pyws warns when a paused stream sees such a close; a Chromium that keeps them fails here.
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


@run_in_pyodide(packages=["pyws"])
async def read_some_then_the_rest_after_the_close(selenium: Any, url: str, first: int) -> int:
    import js

    stream = js.WebSocketStream.new(url)
    reader = (await stream.opened).readable.getReader()
    count = 0
    for _ in range(first):
        await reader.read()
        count += 1
    await stream.closed  # the server sent everything and closed; the page read nothing since
    while not (await reader.read()).done:
        count += 1
    return count


def test_a_server_close_discards_what_the_page_did_not_read(
    selenium: Any, live_server: ServerProcess
) -> None:
    count, first = 200, 8
    got = read_some_then_the_rest_after_the_close(
        selenium, live_server.ws_url(f"/push?count={count}&size=32"), first
    )
    assert got < count, (
        "every message arrived after the server's close: Chromium now keeps what the page had "
        "not read, and pyws's warning (pyws/_platform/stream.py) and docs can go"
    )
    assert got >= first
