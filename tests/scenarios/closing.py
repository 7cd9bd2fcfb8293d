"""Scenarios: closing from either side, with codes and reasons, and what follows a close."""

from __future__ import annotations

import pyws

from .check import raises
from .suite import Server, scenario


@scenario()
async def properties_through_a_connection_s_life(server: Server) -> None:
    url = server.url("/echo")
    ws = await pyws.connect(url)  # without `async with`
    assert isinstance(ws, pyws.WebSocket)
    assert ws.url == url
    assert ws.state is pyws.State.OPEN
    assert ws.subprotocol is None
    assert ws.extensions == ""
    assert ws.binary_type == "bytes"
    assert ws.buffered_amount == 0
    assert (ws.close_code, ws.close_reason, ws.was_clean) == (None, None, None)
    assert "OPEN" in repr(ws)
    await ws.close(4321, "bye é")
    assert ws.state is pyws.State.CLOSED
    assert (ws.close_code, ws.close_reason, ws.was_clean) == (4321, "bye é", True)
    await ws.wait_closed()
    await ws.close()  # idempotent
    with raises(pyws.ConnectionClosedError, match="4321") as caught:
        await ws.recv()
    assert isinstance(caught.value, pyws.ConnectionClosed)
    assert caught.value.sent == (4321, "bye é")  # what websockets code reads
    assert caught.value.rcvd is not None and caught.value.rcvd.code == 4321


@scenario()
async def a_normal_close_ends_async_for_and_raises_ok_after(server: Server) -> None:
    async with pyws.connect(server.url("/echo")) as ws:
        await ws.send("last")
        assert await ws.recv() == "last"
        await ws.close(1000, "done")
        assert [m async for m in ws] == []
        with raises(pyws.ConnectionClosedOK) as caught:
            await ws.recv()
        assert isinstance(caught.value, pyws.ConnectionClosed)
        assert (caught.value.code, caught.value.reason) == (1000, "done")


@scenario()
async def server_close_codes_and_reasons(server: Server) -> None:
    for code, ok in [(1000, True), (1001, True), (1011, False), (3000, False), (4999, False)]:
        reason = f"reason {code} é"
        async with pyws.connect(server.url(f"/close?code={code}&reason={reason}")) as ws:
            got: list[object] = []
            try:
                async for message in ws:
                    got.append(message)
            except pyws.ConnectionClosedError as exc:
                assert not ok, code
                assert (exc.code, exc.reason) == (code, reason)
            else:
                assert ok, code
            assert got == []
            assert (ws.close_code, ws.close_reason, ws.was_clean) == (code, reason, True)
            with raises(pyws.ConnectionClosed, match=str(code)) as caught:
                await ws.recv()
            assert isinstance(caught.value, pyws.ConnectionClosedOK) is ok


@scenario()
async def async_with_closes_with_1000_on_an_exception(server: Server) -> None:
    with raises(KeyError):
        async with pyws.connect(server.url("/echo")) as ws:
            raise KeyError("boom")
    assert (ws.close_code, ws.was_clean) == (1000, True)


@scenario()
async def send_after_close_raises_and_sends_nothing(server: Server) -> None:
    ws = await pyws.connect(server.url("/echo"))
    await ws.close()
    for message in ("x", b"x", pyws.Blob(b"x")):
        with raises(pyws.ConnectionClosedOK, match="1000"):
            await ws.send(message)


@scenario()
async def a_drop_delivers_every_earlier_message_then_1006(server: Server) -> None:
    async with pyws.connect(server.url("/drop?after=5")) as ws:
        for i in range(5):
            await ws.send(f"m{i}")
        await ws.wait_closed()
        got = []
        with raises(pyws.ConnectionClosedError) as caught:
            async for message in ws:
                got.append(message)
        assert isinstance(caught.value, pyws.ConnectionClosed)
        assert (caught.value.code, caught.value.was_clean) == (1006, False)
        assert got == [f"m{i}" for i in range(5)]


@scenario()
async def a_push_delivers_all_in_order_then_closes_ok(server: Server) -> None:
    count = 2000
    for kind, type_ in (("text", str), ("binary", bytes)):
        async with pyws.connect(server.url(f"/push?count={count}&size=64&type={kind}")) as ws:
            got = [message async for message in ws]
        assert len(got) == count, (kind, len(got))
        for i, message in enumerate(got):
            assert isinstance(message, type_) and len(message) == 64
            head = message.split(" " if kind == "text" else b" ")[0]  # type: ignore[arg-type]
            assert int(head) == i
        assert ws.close_code == 1000


def _tally(messages: int, size: int) -> str:
    """/count's close reason: what it received before the client's close."""
    return f"received {messages} messages, {size} bytes"


@scenario()
async def every_message_sent_before_close_reaches_the_server(server: Server) -> None:
    # Issue 25, defect 16: over WebSocketStream, close() closed the stream without waiting
    # for the writes queued in its writer: 3, 10 or 50 sends then close() reached the server
    # as 1 message (200: 1, and the renderer crashed), while close() reported a clean 1000.
    kinds = (str, lambda text: text.encode(), lambda text: pyws.Blob(text.encode()))
    for count in (3, 50, 200):
        async with pyws.connect(server.url("/count")) as ws:
            for i in range(count):  # text, bytes and Python-made Blobs, 8 bytes each
                await ws.send(kinds[i % 3](f"{i:08d}"))
        tally = (ws.close_code, ws.close_reason, ws.was_clean)
        assert tally == (1000, _tally(count, 8 * count), True), (count, tally)


@scenario("js")
async def a_js_blob_sent_right_before_close_reaches_the_server(server: Server) -> None:
    # Issue 25, defect 17: over WebSocketStream a JS Blob's bytes are read asynchronously,
    # and the write began after the close: never sent (0 of 4).
    import js
    from pyodide.ffi import to_js

    async with pyws.connect(server.url("/count")) as ws:
        await ws.send(js.Blob.new(to_js(["js blob"])))
    tally = (ws.close_code, ws.close_reason)
    assert tally == (1000, _tally(1, 7)), tally
    async with pyws.connect(server.url("/count")) as ws:  # and what follows it, in order
        await ws.send("before")
        await ws.send(js.Blob.new(to_js(["js blob"])))
        await ws.send("after")
    tally = (ws.close_code, ws.close_reason)
    assert tally == (1000, _tally(3, 18)), tally
