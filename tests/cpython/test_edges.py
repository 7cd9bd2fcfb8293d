"""The transport's edges that the bundled server cannot produce, against a ``websockets``
server in the test's own event loop: pings, fragments, a close frame without a code, a
server that breaks the protocol, one that goes quiet during the closing handshake.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.frames import Close, Frame, Opcode

import pyws
from harness.config import HOST
from pyws._platform import cpython as _cpython

FAST = 2.0
"""A hang guard in seconds, never a timing assertion."""

Handler = Callable[[ServerConnection], Awaitable[None]]


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """A ``websockets`` server running ``handler`` per connection; yields its URL."""
    async with serve(
        handler, HOST, 0, compression=None, ping_interval=None, close_timeout=FAST
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://{HOST}:{port}/"


def raw(frame: Frame) -> bytes:
    """``frame`` as a server puts it on the wire, bypassing the server's protocol checks."""
    return frame.serialize(mask=False)


async def test_pings_are_answered() -> None:
    async def handler(ws: ServerConnection) -> None:
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, FAST)
        await ws.send("pong came")
        await ws.wait_closed()

    async with serving(handler) as url, pyws.connect(url) as client:
        assert await client.recv() == "pong came"


async def test_fragmented_messages_are_assembled() -> None:
    async def handler(ws: ServerConnection) -> None:
        await ws.send(["frag", "mén", "ted"])
        await ws.send([b"by", b"", b"tes"])
        await ws.wait_closed()

    async with serving(handler) as url, pyws.connect(url) as client:
        assert await client.recv() == "fragménted"
        assert await client.recv() == b"bytes"


async def test_close_frame_without_a_code_reads_1005() -> None:
    async def handler(ws: ServerConnection) -> None:
        ws.transport.write(raw(Frame(Opcode.CLOSE, b"")))
        await ws.wait_closed()

    async with serving(handler) as url, pyws.connect(url) as client:
        with pytest.raises(pyws.ConnectionClosedOK) as info:
            await client.recv()
    assert (info.value.code, info.value.reason, info.value.was_clean) == (1005, "", True)


@pytest.mark.parametrize(
    ("frame", "sent_code"),
    [
        (b"\x83\x00", 1002),  # a reserved opcode
        (raw(Frame(Opcode.TEXT, b"ok \xff")), 1007),  # a text message that is not UTF-8
    ],
)
async def test_a_broken_frame_fails_the_connection(frame: bytes, sent_code: int) -> None:
    received: asyncio.Future[int | None] = asyncio.Future()

    async def handler(ws: ServerConnection) -> None:
        await ws.send("before")
        ws.transport.write(frame)
        await ws.wait_closed()
        received.set_result(ws.protocol.close_code)

    async with serving(handler) as url, pyws.connect(url) as client:
        assert await client.recv() == "before"
        with pytest.raises(pyws.ConnectionClosedError) as info:
            await client.recv()
        assert (info.value.code, info.value.was_clean) == (1006, False)  # as a browser's
        assert await asyncio.wait_for(received, FAST) == sent_code  # what went on the wire


async def test_messages_arriving_after_close_are_dropped() -> None:
    # WHATWG: a message is delivered only while the socket is OPEN.
    go = asyncio.Event()

    async def handler(ws: ServerConnection) -> None:
        ws.transport.pause_reading()  # our close frame waits unread...
        await go.wait()
        await ws.send("late")  # ...while this one goes out
        ws.transport.resume_reading()
        await ws.wait_closed()

    async with serving(handler) as url:
        client = await pyws.connect(url)
        closing = asyncio.create_task(client.close(4000, "done"))
        await asyncio.sleep(0.05)
        go.set()
        await closing
        with pytest.raises(pyws.ConnectionClosedError) as info:
            await client.recv()
    assert (info.value.code, info.value.reason, info.value.was_clean) == (4000, "done", True)


async def test_server_that_keeps_tcp_open_after_the_closing_handshake(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_cpython, "TCP_CLOSE_TIMEOUT", 0.1)
    done = asyncio.Event()

    async def handler(ws: ServerConnection) -> None:
        ws.transport.pause_reading()  # never sees our echo, so never closes TCP
        ws.transport.write(raw(Frame(Opcode.CLOSE, Close(4000, "bye").serialize())))
        await done.wait()
        ws.transport.resume_reading()

    async with serving(handler) as url, pyws.connect(url) as client:
        with pytest.raises(pyws.ConnectionClosedError) as info:
            await asyncio.wait_for(client.recv(), FAST)
        done.set()
    # Both close frames passed: clean, though we closed TCP first.
    assert (info.value.code, info.value.reason, info.value.was_clean) == (4000, "bye", True)


async def test_unanswered_close_frame_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_cpython, "CLOSING_HANDSHAKE_TIMEOUT", 0.1)
    done = asyncio.Event()

    async def handler(ws: ServerConnection) -> None:
        ws.transport.pause_reading()
        await done.wait()
        ws.transport.resume_reading()

    async with serving(handler) as url:
        client = await pyws.connect(url, close_timeout=None)
        await asyncio.wait_for(client.close(), FAST)
        done.set()
    assert (client.close_code, client.was_clean, client.state) == (1006, False, pyws.State.CLOSED)


# -- overflow="pause" (issue 25) -----------------------------------------------------------

PAUSED = 10
"""Messages the server sends in one write, ahead of what it does next."""


def _burst(last: bytes) -> bytes:
    """PAUSED numbered text frames and ``last``, as one write: read in one go."""
    return b"".join(raw(Frame(Opcode.TEXT, f"{i}".encode())) for i in range(PAUSED)) + last


async def test_a_protocol_error_while_paused_delivers_what_came_before() -> None:
    # Issue 25, defect 4: 2 of 10 were delivered, the held ones dropped. websockets with
    # max_queue=(2, 0) delivers 10 of 10, then the error.
    from websockets.asyncio.client import connect as websockets_connect
    from websockets.exceptions import ConnectionClosedError as WebsocketsClosedError

    async def handler(ws: ServerConnection) -> None:
        ws.transport.write(_burst(b"\x83\x00"))  # then a reserved opcode
        await ws.wait_closed()

    async with serving(handler) as url:
        reference = await websockets_connect(url, max_queue=(2, 0), compression=None)
        await asyncio.sleep(0.1)  # everything arrived, read by now: reading is paused at 2
        expected = [await asyncio.wait_for(reference.recv(), FAST) for _ in range(PAUSED)]
        with pytest.raises(WebsocketsClosedError):
            await asyncio.wait_for(reference.recv(), FAST)

        client = await pyws.connect(url, max_queue=(2, 0), overflow="pause")
        await asyncio.wait_for(client.wait_closed(), FAST)  # failed, its messages held
        got = []
        with pytest.raises(pyws.ConnectionClosedError) as info:
            while True:
                got.append(await asyncio.wait_for(client.recv(), FAST))
    assert expected == [f"{i}" for i in range(PAUSED)]
    assert got == expected, f"{len(got)} of {PAUSED} delivered"
    assert (info.value.code, info.value.was_clean) == (1006, False)


async def test_a_close_held_behind_unread_messages_refuses_sends() -> None:
    # Issue 25, defect 2, its CPython mechanism: the close frame parsed and held, state
    # OPEN, and send() returned normally, sending nothing. As websockets with
    # max_queue=(2, 0): the state is CLOSING and send() raises ConnectionClosed.
    received: list[object] = []

    async def handler(ws: ServerConnection) -> None:
        ws.transport.write(_burst(raw(Frame(Opcode.CLOSE, Close(1000, "done").serialize()))))
        async for message in ws:  # what the client sends after: nothing may come
            received.append(message)

    async with serving(handler) as url:
        client = await pyws.connect(url, max_queue=(2, 0), overflow="pause")
        for _ in range(100):  # until the burst is read (2 queued, the rest held)
            if client.state is not pyws.State.OPEN:
                break
            await asyncio.sleep(0.01)
        assert client.state is pyws.State.CLOSING, "the close came, held behind 8 messages"
        with pytest.raises(pyws.ConnectionClosedOK) as info:
            await client.send("after the close")
        assert (info.value.code, info.value.reason, info.value.was_clean) == (1000, "done", True)
        got = [await asyncio.wait_for(client.recv(), FAST) for _ in range(PAUSED)]
        with pytest.raises(pyws.ConnectionClosedOK):
            await asyncio.wait_for(client.recv(), FAST)
    assert got == [f"{i}" for i in range(PAUSED)]
    assert received == []
