"""Scenarios: bounded receive memory while nobody reads (max_queue, max_queue_bytes,
overflow), against /push, which sends as fast as the network takes it."""

from __future__ import annotations

import asyncio

import pyws

from .check import raises
from .suite import Server, scenario

MiB = 2**20
PUSH = "/push?count=64&size=1048576&type=binary"


def _number(message: object) -> int:
    data = message if isinstance(message, bytes) else str(message).encode()
    return int(data.split(b" ")[0])


@scenario()
async def unbounded_everything_arrives_while_nobody_reads(server: Server) -> None:
    async with pyws.connect(server.url(PUSH)) as ws:
        await ws.wait_closed()  # the server sent all 64 MiB and closed
        got = [m async for m in ws]
    assert [_number(m) for m in got] == list(range(64))
    assert all(isinstance(m, bytes) and len(m) == MiB for m in got)
    assert ws.close_code == 1000 and ws.dropped == 0


async def _overflow_closes(server: Server, expected: int, **bounds: int) -> None:
    async with pyws.connect(server.url(PUSH), **bounds) as ws:  # type: ignore[arg-type]
        await ws.wait_closed()  # pyws closed it: nobody reads
        got = []
        with raises(pyws.ConnectionClosedError) as caught:
            async for message in ws:
                got.append(message)
        assert isinstance(caught.value, pyws.ConnectionClosed)
        assert (caught.value.code, caught.value.reason) == (4009, "receive queue overflow")
    assert [_number(m) for m in got] == list(range(expected))
    assert all(len(m) == MiB for m in got)  # intact


@scenario()
async def max_queue_closes_and_keeps_what_came_before(server: Server) -> None:
    await _overflow_closes(server, 4, max_queue=4)


@scenario()
async def max_queue_bytes_closes_and_keeps_what_came_before(server: Server) -> None:
    await _overflow_closes(server, 3, max_queue_bytes=3 * MiB)


@scenario()
async def drop_oldest_keeps_the_latest_and_counts_the_rest(server: Server) -> None:
    async with pyws.connect(server.url(PUSH), max_queue=4, overflow="drop_oldest") as ws:
        await ws.wait_closed()
        got = [m async for m in ws]
    assert [_number(m) for m in got] == [60, 61, 62, 63]
    assert ws.dropped == 60 and ws.close_code == 1000


@scenario()
async def every_mode_obeys_the_bounds(server: Server) -> None:
    for kind, binary_type in (("text", "bytes"), ("binary", "bytes"), ("binary", "blob")):
        url = server.url(f"/push?count=32&size=65536&type={kind}")
        async with pyws.connect(
            url, binary_type=binary_type, max_queue_bytes=4 * 65536, overflow="drop_newest"
        ) as ws:
            await ws.wait_closed()
            got = [m async for m in ws]
        blobs = [m for m in got if isinstance(m, pyws.Blob)]
        assert len(blobs) == (len(got) if binary_type == "blob" else 0)
        contents = [await m.bytes() if isinstance(m, pyws.Blob) else m for m in got]
        assert [_number(m) for m in contents] == [0, 1, 2, 3], (kind, binary_type)
        assert ws.dropped == 28, (kind, binary_type, ws.dropped)
        assert all(len(m) == 65536 for m in contents)


@scenario()
async def drop_oldest_never_drops_the_message_being_read(server: Server) -> None:
    # Issue 21, item 2: recv(decode=...) awaited a Blob's bytes while the Blob was still
    # queued; drop_oldest dropped it meanwhile, recv() returned it anyway and popped the
    # next message, lost. Each message is returned or counted in dropped, exactly once,
    # and drop_oldest never drops the newest.
    big = b"big " + bytes(16 * MiB)
    for decode in (False, True):
        async with pyws.connect(
            server.url("/echo"), binary_type="blob", max_queue=1, overflow="drop_oldest"
        ) as ws:
            for _ in range(4):
                dropped = ws.dropped
                # Waiting before the echoes come: it is reading the big Blob when "two" comes.
                reading = asyncio.ensure_future(ws.recv(decode=decode))
                await ws.send(big)
                await ws.send(b"two")
                got = [await reading]
                await ws.send(b"end")  # then read up to it: a lost message cannot hang this
                while (message := await ws.recv(decode=False)) != b"end":
                    got.append(message)
                two = "two" if decode else b"two"
                assert len(got) + ws.dropped - dropped == 2, (len(got), ws.dropped - dropped)
                assert got[-1] in (two, b"two"), f"{got[-1]!r:.20}: b'two' was lost"
                if len(got) == 2:
                    assert got[0] == (big if decode is False else big.decode()), "not intact"
