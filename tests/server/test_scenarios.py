"""The misbehaving endpoints: /close, /reject, /drop, /push, /slow, /sink, /release, /silent,
/count."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidStatus

from tests.server.conftest import Server
from tests.server.helpers import get, run

SEND_STALL = 2.0
"""How long one send may sit unfinished before /sink counts as pushing back (a bound, not a
measured duration)."""


@pytest.mark.parametrize(
    ("code", "reason"), [(1000, ""), (1001, "bye"), (3000, "é" * 61), (4999, "x" * 123)]
)
def test_close_with_code_and_reason(server: Server, code: int, reason: str) -> None:
    async def go() -> None:
        query = f"/close?code={code}&reason={reason}"
        async with connect(server.ws_url(query), subprotocols=["v1.echo"]) as ws:  # type: ignore[list-item]
            assert ws.subprotocol == "v1.echo"
            with pytest.raises(ConnectionClosed) as info:
                await ws.recv()
            assert info.value.rcvd is not None
            assert (info.value.rcvd.code, info.value.rcvd.reason) == (code, reason)

    run(go())


@pytest.mark.parametrize(
    "query",
    [
        "/close",
        "/close?code=",
        "/close?code=abc",
        "/close?code=999",
        "/close?code=5000",
        "/close?code=1005",
        "/close?code=1006",
        "/close?code=1004",
        "/close?code=1015",
        "/close?code=+1000",
        "/close?code=1000&reason=" + "x" * 124,
        "/reject",
        "/reject?status=200",
        "/reject?status=600",
        "/reject?status=4o4",
        "/drop",
        "/drop?after=-1",
        "/drop?after=1.5",
        "/push?size=10",
        "/push?count=5",
        "/push?count=1000001&size=10",
        "/push?count=5&size=1",
        "/push?count=101&size=3",  # "100 " does not fit in 3 bytes
        "/push?count=5&size=10&type=json",
        "/push?count=5&size=99999999999",
        "/slow",
        "/slow?delay=-1",
        "/slow?delay=61",
        "/slow?delay=nan",
        "/slow?delay=inf",
        "/slow?delay=soon",
        "/silent",
        "/silent?after=-1",
        "/silent?after=x",
    ],
)
def test_bad_query_is_400_with_one_line(server: Server, query: str) -> None:
    status, _, body = get(server.port, query)
    assert status == 400
    text = body.decode()
    assert text.startswith("bad query value ")
    assert text.endswith("\n") and text.count("\n") == 1


@pytest.mark.parametrize("status", [400, 403, 404, 500, 503, 599])
def test_reject_answers_with_status(server: Server, status: int) -> None:
    async def go() -> None:
        with pytest.raises(InvalidStatus) as info:
            async with connect(server.ws_url(f"/reject?status={status}")):
                pass
        assert info.value.response.status_code == status

    run(go())


@pytest.mark.parametrize("after", [0, 1, 3])
def test_drop_cuts_without_close_frame(server: Server, after: int) -> None:
    async def go() -> None:
        async with connect(server.ws_url(f"/drop?after={after}")) as ws:
            for i in range(after):
                await ws.send(f"m{i}")
                assert await ws.recv() == f"m{i}"
            with pytest.raises(ConnectionClosedError) as info:
                await ws.recv()
            assert info.value.rcvd is None  # no close frame: the TCP connection just ended

    run(go())


@pytest.mark.parametrize("kind", ["text", "binary"])
@pytest.mark.parametrize(("count", "size"), [(0, 2), (1, 2), (5, 10), (200, 4096), (3, 70000)])
def test_push_numbered_messages_then_1000(server: Server, kind: str, count: int, size: int) -> None:
    async def go() -> None:
        async with connect(server.ws_url(f"/push?count={count}&size={size}&type={kind}")) as ws:
            for i in range(count):
                msg = await ws.recv()
                assert isinstance(msg, str if kind == "text" else bytes)
                data = msg.encode() if isinstance(msg, str) else msg
                assert len(data) == size
                assert data.startswith(f"{i} ".encode())
            with pytest.raises(ConnectionClosed) as info:
                await ws.recv()
            assert info.value.rcvd is not None and info.value.rcvd.code == 1000

    run(go())


def test_push_defaults_to_text(server: Server) -> None:
    async def go() -> None:
        async with connect(server.ws_url("/push?count=1&size=8")) as ws:
            assert await ws.recv() == "0 xxxxxx"

    run(go())


def test_slow_handshake_then_echo(server: Server) -> None:
    async def go() -> None:
        async with connect(server.ws_url("/slow?delay=0.2"), subprotocols=["v2.echo"]) as ws:  # type: ignore[list-item]
            assert ws.subprotocol == "v2.echo"
            await ws.send(b"late")
            assert await ws.recv() == b"late"

    run(go())


def test_sink_never_reads(server: Server) -> None:
    """The client's sends stall once kernel and server buffers are full; bounded to 64 MiB."""

    async def go() -> None:
        chunk = b"s" * (1024 * 1024)
        async with connect(server.ws_url("/sink"), max_size=None, close_timeout=0.5) as ws:
            stalled = False
            for _ in range(64):
                send = asyncio.ensure_future(ws.send(chunk))
                done, _ = await asyncio.wait({send}, timeout=SEND_STALL)
                if not done:
                    stalled = True
                    send.cancel()
                    break
            assert stalled, "64 MiB went into /sink without the client's send ever blocking"
            assert ws.transport.get_write_buffer_size() > 0
            ws.transport.abort()

    run(go())
    # The server notices the vanished peer (its probe write fails) and logs the connection.
    assert server.wait_for_log(lambda line: "path=/sink" in line and "in=0 msgs" in line)


def test_a_released_sink_reads_again_and_closes_cleanly(server: Server) -> None:
    """A named sink holds the client back until /release names it; then what was pending
    goes, and the client's close is answered with its code."""

    async def go() -> None:
        chunk = b"s" * (1024 * 1024)
        async with connect(server.ws_url("/sink?name=a"), max_size=None) as ws:
            send = asyncio.gather(*(ws.send(chunk) for _ in range(64)))
            done, _ = await asyncio.wait({send}, timeout=SEND_STALL)
            assert not done, "64 MiB went into /sink without the client's send ever blocking"
            with pytest.raises(InvalidStatus, match="409"):  # one name, one sink
                await connect(server.ws_url("/sink?name=a"))
            async with connect(server.ws_url("/release?name=a")) as other:
                assert await other.recv() == "released"
            await send  # the sink reads again: every send completes
            await ws.close(4000)
            assert ws.protocol.close_rcvd is not None
            assert ws.protocol.close_rcvd.code == 4000
        async with connect(server.ws_url("/release?name=a")) as other:  # closed: gone
            with pytest.raises(ConnectionClosed) as info:
                await other.recv()
            assert info.value.rcvd is not None
            assert (info.value.rcvd.code, info.value.rcvd.reason) == (1008, "no sink named a")

    run(go())


@pytest.mark.parametrize(("code", "reason"), [(1000, ""), (4000, "bye")])
def test_count_answers_a_close_with_what_it_received(
    server: Server, code: int, reason: str
) -> None:
    async def go() -> None:
        async with connect(server.ws_url("/count")) as ws:
            for message in ("ab", b"cde", "é"):
                await ws.send(message)
            await ws.close(code, reason)
            rcvd = ws.protocol.close_rcvd
            assert rcvd is not None
            assert (rcvd.code, rcvd.reason) == (
                code,
                "received 3 messages, 7 bytes",
            )
        with pytest.raises(TimeoutError):  # it sends nothing before the close
            async with connect(server.ws_url("/count")) as ws:
                await asyncio.wait_for(ws.recv(), 0.3)

    run(go())


def test_silent_echoes_n_then_neither_answers_nor_closes(server: Server) -> None:
    async def go() -> None:
        async with connect(server.ws_url("/silent?after=2"), ping_interval=None) as ws:
            for i in range(3):
                await ws.send(f"m{i}")
            assert [await ws.recv(), await ws.recv()] == ["m0", "m1"]
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), 1.5)  # no third echo, and no close
            assert ws.close_code is None
            ws.transport.abort()

    run(go())
