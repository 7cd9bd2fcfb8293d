"""Scenarios: messages of every kind and size go there and back intact, in order."""

from __future__ import annotations

import array
import asyncio
import hashlib
import random
from collections import defaultdict

import pyws

from .check import raises
from .suite import Server, scenario

SIZES = [0, 1, 125, 126, 127, 65535, 65536, 65537, 16 * 2**20]
"""The frame-length edges of RFC 6455 (7-bit, 16-bit and 64-bit lengths), and 16 MiB."""


@scenario()
async def round_trip_at_frame_length_edges(server: Server) -> None:
    async with pyws.connect(server.url("/echo")) as ws:
        for size in SIZES:
            data = random.Random(size).randbytes(size)
            text = "".join(chr(0x20 + b % 95) for b in data[:65536])
            text = (text * (size // max(len(text), 1) + 1))[:size]
            await ws.send(data)
            await ws.send(text)
            got = await ws.recv()
            assert isinstance(got, bytes), type(got)
            assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest(), size
            assert await ws.recv() == text, size


@scenario()
async def every_bytes_like_is_sent_as_binary(server: Server) -> None:
    async with pyws.connect(server.url("/echo")) as ws:
        for message in (
            b"b",
            bytearray(b"ba"),
            memoryview(b"xmv")[1:],
            memoryview(b"abcd")[::2],  # not contiguous
            array.array("B", [1, 2, 3]),
            array.array("H", [1]),
            pyws.Blob(b"blob"),
        ):
            await ws.send(message)
        got = [await ws.recv() for _ in range(7)]
        assert got == [
            b"b",
            b"ba",
            b"mv",
            b"ac",
            b"\x01\x02\x03",
            bytes(array.array("H", [1])),
            b"blob",
        ], got


@scenario("js")
async def js_binary_objects_are_sent_as_is(server: Server) -> None:
    import js
    from pyodide.ffi import to_js

    async with pyws.connect(server.url("/echo")) as ws:
        for message in (
            js.Blob.new(to_js(["jsblob"])),
            js.TextEncoder.new().encode("u8"),
            js.TextEncoder.new().encode("buffer").buffer,
        ):
            await ws.send(message)
        got = [await ws.recv() for _ in range(3)]
        assert got == [b"jsblob", b"u8", b"buffer"], got


@scenario()
async def blobs_go_both_ways(server: Server) -> None:
    blob = pyws.Blob("héllo".encode(), type="text/plain")
    assert (blob.size, blob.type) == (6, "text/plain")
    assert await blob.text() == "héllo"
    async with pyws.connect(server.url("/echo"), binary_type="blob") as ws:
        await ws.send(blob)
        echoed = await ws.recv()
        assert isinstance(echoed, pyws.Blob), type(echoed)
        assert echoed.size == 6
        assert await echoed.bytes() == "héllo".encode()
        assert await echoed.text() == "héllo"
        await ws.send(b"\xff")
        assert await ws.recv(decode=False) == b"\xff"
        await ws.send("é".encode())
        assert await ws.recv(decode=True) == "é"
        await ws.send("t")
        assert await ws.recv(decode=False) == b"t"


@scenario("js")
async def a_received_blob_is_the_browser_s_own(server: Server) -> None:
    import js

    async with pyws.connect(server.url("/echo"), binary_type="blob") as ws:
        await ws.send(b"x")
        blob = await ws.recv()
        assert isinstance(blob, pyws.Blob)
        url = js.URL.createObjectURL(blob.js)
        assert str(url).startswith("blob:")
        js.URL.revokeObjectURL(url)
    assert pyws.Blob(b"made in Python").js is None


@scenario()
async def binary_type_switches_mid_connection(server: Server) -> None:
    async with pyws.connect(server.url("/echo")) as ws:
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
        with raises(ValueError, match="'arraybuffer'"):
            ws.binary_type = "arraybuffer"  # type: ignore[assignment]


@scenario()
async def subprotocols_are_selected_in_the_server_s_order(server: Server) -> None:
    for offered, selected in [
        (["v2.echo", "v1.echo"], "v2.echo"),
        (["v1.echo", "v2.echo"], "v1.echo"),
        (["chat", "v2.echo"], "v2.echo"),
        (None, None),
    ]:
        async with pyws.connect(server.url("/echo"), subprotocols=offered) as ws:
            assert ws.subprotocol == selected, (offered, ws.subprotocol)


@scenario()
async def http_urls_map_to_ws(server: Server) -> None:
    async with pyws.connect(server.http + "/echo") as ws:
        assert ws.url == server.url("/echo")
        await ws.send("mapped")
        assert await ws.recv() == "mapped"


@scenario("not:location")
async def relative_urls_without_a_location_say_why(server: Server) -> None:
    for url in ("/echo", "echo", "//127.0.0.1/echo"):
        with raises(pyws.InvalidURI, match="relative") as caught:
            await pyws.connect(url)
        assert "no page location" in str(caught.value)


@scenario()
async def recv_does_not_suspend_when_messages_are_queued(server: Server) -> None:
    async with pyws.connect(server.url("/push?count=100&size=16&type=text")) as ws:
        await ws.wait_closed()  # every message is queued now
        for i in range(100):
            step = ws.recv()
            try:
                step.send(None)
            except StopIteration as done:
                assert done.value.startswith(f"{i} ")
            else:
                raise AssertionError("recv() suspended with a message queued")
        with raises(pyws.ConnectionClosedOK) as caught:
            await ws.recv()
        assert getattr(caught.value, "code", None) == 1000


@scenario()
async def seeded_random_messages_echo_equal_and_in_order(server: Server) -> None:
    seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    edges = [0, 1, 125, 126, 127, 65535, 65536, 65537]
    # Every plane: BMP (no surrogates), astral planes 1-16, and U+FFFD itself.
    pool = [chr(c) for c in range(0x20, 0x7F)] + ["\ufffd", "é", "€", "\U0001f600"]
    pool += [
        chr(rng.choice([rng.randrange(0xA0, 0xD800), rng.randrange(0xE000, 0x10000)]))
        for _ in range(200)
    ]
    pool += [chr(rng.randrange(p << 16, (p + 1) << 16)) for p in range(1, 17) for _ in range(8)]

    def message() -> str | bytes:
        pick = rng.random()
        n = (
            rng.choice(edges)
            if pick < 0.45
            else rng.randrange(0, 4096)
            if pick < 0.9
            else rng.randrange(0, 2**20 + 1)
        )
        return rng.randbytes(n) if rng.random() < 0.5 else "".join(rng.choices(pool, k=n // 2))

    count, window = 500, 16  # pipelined, with a bounded browser buffer
    sent: list[str | bytes] = []
    async with pyws.connect(server.url("/echo"), open_timeout=30) as ws:
        for i in range(count + window):
            if i < count:
                if i == count // 2:
                    ws.binary_type = "blob"  # the second half arrives as Blobs
                sent.append(message())
                await ws.send(sent[-1])
            j = i - window
            if j >= 0:
                got = await ws.recv(timeout=60)
                if isinstance(got, pyws.Blob):
                    got = await got.bytes()
                want, sent[j] = sent[j], b""
                assert type(got) is type(want) and got == want, (
                    f"seed {seed}, message {j}: sent {type(want).__name__} of {len(want)}, "
                    f"got {type(got).__name__} of {len(got)}"
                )


@scenario()
async def fifty_writers_one_reader(server: Server) -> None:
    writers, each = 50, 40
    async with pyws.connect(server.url("/echo")) as ws:

        async def writer(task: int) -> None:
            for i in range(each):
                await ws.send(f"{task}:{i}")
                if i % 7 == task % 7:
                    await asyncio.sleep(0)  # interleave with the others

        sending = asyncio.gather(*(writer(t) for t in range(writers)))
        seen: dict[int, list[int]] = defaultdict(list)
        for _ in range(writers * each):
            task, i = map(int, (await ws.recv(timeout=30)).split(":"))
            seen[task].append(i)
        await sending
        assert sorted(seen) == list(range(writers))
        for task, numbers in seen.items():
            assert numbers == list(range(each)), f"writer {task} lost or reordered: {numbers}"
        with raises(TimeoutError):
            await ws.recv(timeout=0.2)  # no duplicate


@scenario()
async def decoding_invalid_utf8_fails_the_connection_with_1007(server: Server) -> None:
    # Issue 21, item 5: recv(decode=True) of a binary message that is not UTF-8 left it
    # queued (each later recv raised again, the loop never suspended) in bytes mode, and
    # returned U+FFFD in blob mode. Both follow websockets: consumed, failed with 1007.
    for binary_type in ("bytes", "blob"):
        async with pyws.connect(server.url("/echo"), binary_type=binary_type) as ws:
            await ws.send(b"ok \xff")
            with raises(pyws.ConnectionClosedError) as caught:
                await ws.recv(decode=True)
            error = caught.value
            assert isinstance(error, pyws.ConnectionClosedError), binary_type
            assert (error.code, error.reason) == (1007, "invalid start byte at position 3")
            assert isinstance(error.__cause__, UnicodeDecodeError)
            with raises(pyws.ConnectionClosedError):
                await ws.recv()


@scenario()
async def multidimensional_memoryviews_are_sent_whole(server: Server) -> None:
    # Issue 21 (lower priority): a C-contiguous 2-D memoryview was sent unflattened in
    # CPython: the server got 3 of 12 bytes, then a 1002. pyws flattens it (cast("B")).
    data = bytes(range(12))
    shapes = (
        memoryview(data).cast("B", (3, 4)),  # 2-D, C-contiguous
        memoryview(array.array("H", range(6))).cast("B").cast("H", (2, 3)),  # 2-D, "H"
        memoryview(data).cast("B", (3, 4))[::2],  # 2-D, not contiguous
        memoryview(data).cast("B", (2, 2, 3)),  # 3-D
    )
    async with pyws.connect(server.url("/echo")) as ws:
        for view in shapes:
            await ws.send(view)
            assert await ws.recv() == view.tobytes(), view.shape
        await ws.send("still open")
        assert await ws.recv() == "still open"
