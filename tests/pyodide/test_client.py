"""pyws in Pyodide in Chromium, against the bundled server: the API, message by message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytest_pyodide import run_in_pyodide

from tests.support import start_server

SIZES = [0, 1, 125, 126, 65535, 65536, 16 * 2**20]


@run_in_pyodide(packages=["pyws"])
async def test_properties_through_a_connection_s_life(selenium: Any, echo_url: str) -> None:
    import pyws
    from pyws import State

    ws = await pyws.connect(echo_url)  # without `async with`
    assert isinstance(ws, pyws.WebSocket)
    assert ws.url == echo_url
    assert ws.state is State.OPEN
    assert ws.subprotocol is None
    assert ws.extensions == ""
    assert ws.binary_type == "bytes"
    assert ws.buffered_amount == 0
    assert (ws.close_code, ws.close_reason, ws.was_clean) == (None, None, None)
    assert "OPEN" in repr(ws)
    await ws.close(4321, "bye")
    assert ws.state is State.CLOSED
    assert (ws.close_code, ws.close_reason, ws.was_clean) == (4321, "bye", True)
    await ws.wait_closed()
    await ws.close()  # idempotent


@pytest.mark.parametrize("size", SIZES)
@run_in_pyodide(packages=["pyws"])
async def test_round_trip_sizes(selenium: Any, echo_url: str, size: int) -> None:
    import hashlib
    import random

    import pyws

    data = random.Random(size).randbytes(size)
    text = "".join(chr(0x20 + b % 95) for b in data[: min(size, 65536)])
    text = (text * (size // max(len(text), 1) + 1))[:size]
    async with pyws.connect(echo_url) as ws:
        await ws.send(data)
        await ws.send(text)
        got = await ws.recv()
        assert isinstance(got, bytes)
        assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
        got_text = await ws.recv()
        assert isinstance(got_text, str)
        assert got_text == text


@run_in_pyodide(packages=["pyws"])
async def test_every_bytes_like_and_js_binary_is_sent_as_binary(
    selenium: Any, echo_url: str
) -> None:
    import array

    import js
    from pyodide.ffi import to_js

    import pyws

    async with pyws.connect(echo_url) as ws:
        for message in (
            b"b",
            bytearray(b"ba"),
            memoryview(b"xmv")[1:],
            array.array("B", [1, 2, 3]),
            pyws.Blob.from_bytes(b"blob"),
            js.Blob.new(to_js(["jsblob"])),
            js.TextEncoder.new().encode("u8"),
            js.TextEncoder.new().encode("buffer").buffer,
        ):
            await ws.send(message)
        got = [await ws.recv() for _ in range(8)]
        assert got == [b"b", b"ba", b"mv", b"\x01\x02\x03", b"blob", b"jsblob", b"u8", b"buffer"]


@run_in_pyodide(packages=["pyws"])
async def test_blob(selenium: Any, echo_url: str) -> None:
    import js

    import pyws

    blob = pyws.Blob.from_bytes("héllo".encode(), type="text/plain")
    assert (blob.size, blob.type) == (6, "text/plain")
    assert await blob.text() == "héllo"
    assert js.URL.createObjectURL(blob.js).startswith("blob:")
    async with pyws.connect(echo_url, binary_type="blob") as ws:
        await ws.send(blob)
        echoed = await ws.recv()
        assert isinstance(echoed, pyws.Blob)
        assert await echoed.bytes() == "héllo".encode()
        await ws.send(b"\xff")
        assert await ws.recv(decode=False) == b"\xff"
        await ws.send("é".encode())
        assert await ws.recv(decode=True) == "é"


@run_in_pyodide(packages=["pyws"])
async def test_binary_type_switches_mid_connection(selenium: Any, echo_url: str) -> None:
    import pyws

    async with pyws.connect(echo_url) as ws:
        await ws.send(b"1")
        assert await ws.recv() == b"1"
        ws.binary_type = "blob"
        await ws.send(b"2")
        blob = await ws.recv()
        assert isinstance(blob, pyws.Blob)
        assert await blob.bytes() == b"2"
        ws.binary_type = "bytes"
        await ws.send(b"3")
        assert await ws.recv() == b"3"
        try:
            ws.binary_type = "arraybuffer"  # type: ignore[assignment]
        except ValueError as exc:
            assert "'arraybuffer'" in str(exc)
        else:
            raise AssertionError("binary_type accepted 'arraybuffer'")


@pytest.mark.parametrize(
    ("offered", "selected"),
    [
        (["v2.echo", "v1.echo"], "v2.echo"),
        (["v1.echo", "v2.echo"], "v1.echo"),
        (["chat", "v2.echo"], "v2.echo"),
        (None, None),
    ],
)
@run_in_pyodide(packages=["pyws"])
async def test_subprotocol_selection(
    selenium: Any, echo_url: str, offered: list[str] | None, selected: str | None
) -> None:
    import pyws

    async with pyws.connect(echo_url, subprotocols=offered) as ws:
        assert ws.subprotocol == selected


@run_in_pyodide(packages=["pyws"])
async def test_no_matching_subprotocol_fails_the_handshake(selenium: Any, echo_url: str) -> None:
    # The server accepts without a subprotocol, but Chromium fails a handshake that offered
    # some and got none back.
    import pyws

    try:
        await pyws.connect(echo_url, subprotocols=["chat"])
    except pyws.InvalidHandshake as exc:
        assert echo_url in str(exc)
    else:
        raise AssertionError("connected without any of the offered subprotocols")


@run_in_pyodide(packages=["pyws"])
async def test_http_and_relative_urls_resolve_like_the_browser(
    selenium: Any, echo_url: str
) -> None:
    import js

    import pyws

    http_url = echo_url.replace("ws://", "http://")
    async with pyws.connect(http_url) as ws:
        assert ws.url == echo_url
    # A relative URL resolves against the page (here a plain HTTP server: no WebSocket).
    page = js.location
    try:
        await pyws.connect("/echo", open_timeout=5)
    except pyws.InvalidHandshake as exc:
        assert f"ws://{page.host}/echo" in str(exc)
    else:
        raise AssertionError("connected to a server without WebSockets")


@run_in_pyodide(packages=["pyws"])
async def test_recv_does_not_suspend_when_messages_are_queued(selenium: Any, ws_base: str) -> None:
    import pyws

    async with pyws.connect(f"{ws_base}/push?count=100&size=16&type=text") as ws:
        await ws.wait_closed()  # every message is queued now
        for i in range(100):
            step = ws.recv()
            try:
                step.send(None)
            except StopIteration as done:
                assert done.value.startswith(f"{i} ")
            else:
                raise AssertionError("recv() suspended with a message queued")
        try:
            await ws.recv()
        except pyws.ConnectionClosedOK as exc:
            assert exc.code == 1000
        else:
            raise AssertionError("recv() after the last message did not raise")


@run_in_pyodide(packages=["pyws"])
async def test_timeout_and_cancel_lose_no_message(selenium: Any, echo_url: str) -> None:
    import asyncio

    import pyws

    async with pyws.connect(echo_url) as ws:
        try:
            await ws.recv(timeout=0.05)
        except TimeoutError:
            pass
        else:
            raise AssertionError("no TimeoutError")
        reader = asyncio.ensure_future(ws.recv())
        await asyncio.sleep(0)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        await ws.send("kept")
        assert await ws.recv(timeout=5) == "kept"
        # A timeout that fires while the echo is on its way.
        for i in range(50):
            await ws.send(str(i))
            try:
                assert await ws.recv(timeout=0) == str(i)
            except TimeoutError:
                assert await ws.recv(timeout=5) == str(i)


@run_in_pyodide(packages=["pyws"])
async def test_concurrent_recv_raises(selenium: Any, echo_url: str) -> None:
    import asyncio

    import pyws

    async with pyws.connect(echo_url) as ws:
        first = asyncio.ensure_future(ws.recv())
        await asyncio.sleep(0)
        try:
            await ws.recv()
        except pyws.ConcurrencyError as exc:
            assert "already running" in str(exc)
        else:
            raise AssertionError("two coroutines in recv()")
        await ws.send("x")
        assert await first == "x"


@run_in_pyodide(packages=["pyws"])
async def test_send_after_close_raises_and_sends_nothing(selenium: Any, echo_url: str) -> None:
    import pyws

    ws = await pyws.connect(echo_url)
    await ws.close()
    for message in ("x", b"x"):
        try:
            await ws.send(message)
        except pyws.ConnectionClosedOK as exc:
            assert exc.code == 1000
        else:
            raise AssertionError("send after close did not raise")


@run_in_pyodide(packages=["pyws"])
async def test_async_with_closes_with_1000_on_an_exception(selenium: Any, echo_url: str) -> None:
    import pyws

    try:
        async with pyws.connect(echo_url) as ws:
            raise KeyError("boom")
    except KeyError:
        pass
    assert (ws.close_code, ws.was_clean) == (1000, True)


@run_in_pyodide(packages=["pyws"])
async def test_backpressure_blocks_send_at_write_limit(selenium: Any, ws_base: str) -> None:
    import asyncio

    import pyws

    limit = 2**20
    chunk = b"\x00" * 2**18
    async with pyws.connect(f"{ws_base}/sink", write_limit=limit, close_timeout=1) as ws:
        sent = 0
        try:
            async with asyncio.timeout(3):
                while sent < 2**30:  # bounded: the sink stops reading long before this
                    await ws.send(chunk)
                    sent += len(chunk)
                    assert ws.buffered_amount <= limit + len(chunk)
        except TimeoutError:
            pass
        else:
            raise AssertionError("send never blocked on a server that does not read")
        assert ws.state is pyws.State.OPEN  # still usable
        assert ws.buffered_amount > limit - len(chunk)
        try:
            await asyncio.wait_for(ws.drain(), 0.2)
        except TimeoutError:
            pass
        else:
            raise AssertionError("drain() returned with data still buffered")


@run_in_pyodide(packages=["pyws"])
async def test_websockets_options_a_browser_cannot_honour_warn(
    selenium: Any, echo_url: str
) -> None:
    import warnings

    import pyws

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with pyws.connect(echo_url, ping_interval=None, max_size=2**20) as ws:
            await ws.send("still works")
            assert await ws.recv() == "still works"
    assert [str(w.message).split("=")[0] for w in caught] == [
        "pyws.connect() ignores ping_interval",
        "pyws.connect() ignores max_size",
    ]
    assert all(w.category is RuntimeWarning and w.filename.endswith(".py") for w in caught)


@pytest.fixture(scope="module")
def deflate_echo_url() -> Iterator[str]:
    with start_server("--compression", "deflate") as server:
        yield server.ws_url()


@run_in_pyodide(packages=["pyws"])
async def test_extensions_report_what_the_server_selected(
    selenium: Any, deflate_echo_url: str
) -> None:
    import pyws

    async with pyws.connect(deflate_echo_url) as ws:
        assert ws.extensions.startswith("permessage-deflate")
        await ws.send("x" * 100_000)
        assert await ws.recv() == "x" * 100_000
