"""pyws.connect in CPython against the bundled server: what the browser would do, here.

The shared scenario suite (tests/scenarios) runs on this transport too; these are the
checks of the transport itself: sizes at the frame-length boundaries, close codes as they
cross the wire, failures before opening, backpressure on a real socket.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest

import pyws
from harness.config import HOST
from harness.server import ServerProcess, start_server

FAST = 2.0
"""Seconds within which a failure must be reported: it is never a timeout's doing."""
OK_CODES = {1000, 1001}


@pytest.fixture(scope="module")
def deflate_server() -> Iterator[ServerProcess]:
    with start_server("--compression", "deflate") as server:
        yield server


# -- messages ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 2**20])
async def test_round_trips_at_frame_length_boundaries(server: ServerProcess, size: int) -> None:
    text = ("0123456789abcdef" * (size // 16 + 1))[:size]
    data = bytes(range(256)) * (size // 256 + 1)
    async with pyws.connect(server.ws_url("/echo")) as ws:
        await ws.send(text)
        assert await ws.recv() == text
        await ws.send(data[:size])
        echoed = await ws.recv()
        assert type(echoed) is bytes
        assert echoed == data[:size]


async def test_non_ascii_text_and_every_bytes_like(server: ServerProcess) -> None:
    async with pyws.connect(server.ws_url("/echo")) as ws:
        await ws.send("é\u20ac\U0001f600")
        assert await ws.recv() == "é\u20ac\U0001f600"
        for data in (bytearray(b"ba"), memoryview(b"xmvx")[1:3], memoryview(b"a\0b\0")[::2]):
            await ws.send(data)
            assert await ws.recv() == bytes(data)


async def test_bytes_are_copied_when_sent(server: ServerProcess) -> None:
    buffer = bytearray(b"first")
    async with pyws.connect(server.ws_url("/echo")) as ws:
        await ws.send(buffer)
        buffer[:] = b"XXXXX"  # the caller reuses its buffer at once
        assert await ws.recv() == b"first"


async def test_blob_mode(server: ServerProcess) -> None:
    async with pyws.connect(server.ws_url("/echo"), binary_type="blob") as ws:
        await ws.send(b"abc")
        blob = await ws.recv()
        assert isinstance(blob, pyws.Blob)
        assert (blob.size, await blob.bytes(), blob.type) == (3, b"abc", "")
        await ws.send(pyws.Blob(b"xyz", type="text/plain"))  # its type is not sent
        blob = await ws.recv()
        assert isinstance(blob, pyws.Blob)
        assert await blob.bytes() == b"xyz"
        await ws.send("text stays str")
        assert await ws.recv() == "text stays str"
        ws.binary_type = "bytes"  # applies to what arrives afterwards
        await ws.send(pyws.Blob(b"back"))
        assert await ws.recv() == b"back"


async def test_push_arrives_complete_and_in_order(server: ServerProcess) -> None:
    for kind in ("text", "binary"):
        url = server.ws_url(f"/push?count=2000&size=32&type={kind}")
        async with pyws.connect(url) as ws:
            received = [message async for message in ws]  # ends at the server's 1000
        assert len(received) == 2000
        for index, message in enumerate(received):
            assert isinstance(message, str if kind == "text" else bytes)
            text = message if isinstance(message, str) else bytes(message).decode()
            assert text.startswith(f"{index} ") and len(text) == 32
        assert (ws.close_code, ws.was_clean) == (1000, True)


# -- opening -----------------------------------------------------------------------------


async def test_attributes_once_open(server: ServerProcess) -> None:
    url = f"http://{HOST}:{server.port}/echo?x=1"  # http maps to ws, as in the browser
    async with pyws.connect(url) as ws:
        assert ws.url == f"ws://{HOST}:{server.port}/echo?x=1"
        assert ws.state is pyws.State.OPEN
        assert (ws.subprotocol, ws.extensions, ws.buffered_amount) == (None, "", 0)
        assert (ws.close_code, ws.close_reason, ws.was_clean) == (None, None, None)


async def test_subprotocol_selected(server: ServerProcess) -> None:
    async with pyws.connect(server.ws_url("/echo"), subprotocols=["chat", "v1.echo"]) as ws:
        assert ws.subprotocol == "v1.echo"


async def test_no_subprotocol_selected_fails_the_handshake(server: ServerProcess) -> None:
    # WHATWG, and Chromium: offered some, got none back.
    with pytest.raises(pyws.InvalidHandshake):
        await pyws.connect(server.ws_url("/echo"), subprotocols=["chat"])


async def test_extensions_report_what_the_server_accepted(
    deflate_server: ServerProcess,
) -> None:
    async with pyws.connect(deflate_server.ws_url("/echo")) as ws:
        assert ws.extensions.startswith("permessage-deflate")
        for message in ("x" * 100_000, b"\0" * 100_000, ""):
            await ws.send(message)
            assert await ws.recv() == message


@pytest.mark.parametrize("status", [403, 404, 500])
async def test_rejected_handshake(server: ServerProcess, status: int) -> None:
    started = time.monotonic()
    with pytest.raises(pyws.InvalidHandshake) as info:
        await pyws.connect(server.ws_url(f"/reject?status={status}"))
    assert info.value.code == 1006
    assert time.monotonic() - started < FAST


async def test_closed_port_fails_at_once() -> None:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]  # bound, never listening: connecting is refused
        started = time.monotonic()
        with pytest.raises(pyws.InvalidHandshake):
            await pyws.connect(f"ws://{HOST}:{port}/", open_timeout=30)
    assert time.monotonic() - started < FAST


async def test_open_timeout(server: ServerProcess) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await pyws.connect(server.ws_url("/slow?delay=5"), open_timeout=0.2)
    assert time.monotonic() - started < FAST
    await asyncio.sleep(0.05)  # the aborted connection's last callbacks
    assert asyncio.all_tasks() == {asyncio.current_task()}  # nothing left connecting


async def test_cancelled_connect_leaves_nothing_behind(server: ServerProcess) -> None:
    task = asyncio.create_task(pyws.connect(server.ws_url("/slow?delay=5")).__aenter__())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.05)
    assert asyncio.all_tasks() == {asyncio.current_task()}


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("/echo", "relative"),
        ("ws://h/echo#part", "fragment"),
        ("ftp://h/", "'ftp'"),
        ("ws://h:70000/", "refused"),
        ("ws://[::1/", "refused"),
    ],
)
def test_bad_urls_fail_before_connecting(url: str, why: str) -> None:
    with pytest.raises(pyws.InvalidURI, match=why):
        pyws.connect(url)


# -- closing -----------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "reason"), [(1000, ""), (4321, "client says bye")])
async def test_client_close(server: ServerProcess, code: int, reason: str) -> None:
    ws = await pyws.connect(server.ws_url("/echo"))
    closing = asyncio.create_task(ws.close(code, reason))
    await asyncio.sleep(0)
    states = [ws.state]
    await closing
    states.append(ws.state)
    assert states == [pyws.State.CLOSING, pyws.State.CLOSED]
    assert (ws.close_code, ws.close_reason, ws.was_clean) == (code, reason, True)
    expected = pyws.ConnectionClosedOK if code in OK_CODES else pyws.ConnectionClosedError
    with pytest.raises(expected):
        await ws.recv()
    with pytest.raises(expected):
        await ws.send("late")


@pytest.mark.parametrize("code", [1000, 1001, 1011, 3000, 4999])
async def test_server_close(server: ServerProcess, code: int) -> None:
    async with pyws.connect(server.ws_url(f"/close?code={code}&reason=server+says+bye")) as ws:
        expected = pyws.ConnectionClosedOK if code in OK_CODES else pyws.ConnectionClosedError
        with pytest.raises(expected) as info:
            await ws.recv()
        assert (info.value.code, info.value.reason, info.value.was_clean) == (
            code,
            "server says bye",
            True,
        )
        assert ws.state is pyws.State.CLOSED


async def test_dropped_connection_delivers_everything_first(server: ServerProcess) -> None:
    # Exactly as many as /drop echoes: data sent after the server closed would draw an RST,
    # on which the kernel discards what this side had received but not yet read.
    async with pyws.connect(server.ws_url("/drop?after=3")) as ws:
        for index in range(3):
            await ws.send(f"m{index}")
        received = []
        with pytest.raises(pyws.ConnectionClosedError) as info:
            async for message in ws:
                received.append(message)
    assert received == ["m0", "m1", "m2"]
    assert (info.value.code, info.value.reason, info.value.was_clean) == (1006, "", False)


# -- backpressure ------------------------------------------------------------------------


async def test_drain_empties_the_buffer(server: ServerProcess) -> None:
    async with pyws.connect(server.ws_url("/echo")) as ws:
        await ws.send(bytes(4 * 2**20))
        await ws.drain()
        assert ws.buffered_amount == 0
        assert await ws.recv() == bytes(4 * 2**20)


async def test_send_waits_while_over_write_limit(server: ServerProcess) -> None:
    limit = 64 * 1024
    chunk = bytes(256 * 1024)
    ws = await pyws.connect(server.ws_url("/sink"), write_limit=limit, close_timeout=0.2)
    for _ in range(400):  # 100 MiB: far more than loopback's socket buffers hold
        try:
            await asyncio.wait_for(ws.send(chunk), 0.2)
        except TimeoutError:
            break
    else:
        pytest.fail("send() never waited for the buffer to drain")
    assert ws.buffered_amount > limit
    assert ws.state is pyws.State.OPEN  # a send that timed out leaves it usable
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.drain(), 0.1)
    # The sink reads nothing, so our close frame sits behind the data: given up after
    # close_timeout, as in the browser.
    await ws.close()
    assert (ws.close_code, ws.was_clean, ws.state) == (1006, False, pyws.State.CLOSED)
