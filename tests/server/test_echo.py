"""/echo: payloads come back unchanged, subprotocol negotiation, size limit, handshake errors."""

from __future__ import annotations

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError

from server.echo import select_subprotocol
from tests.server.conftest import MAX_SIZE, Server
from tests.server.helpers import raw, run, status_of, upgrade_request

SIZES = [0, 125, 126, 65535, 65536, 1024 * 1024]


@pytest.mark.parametrize("size", SIZES)
def test_echo_text_and_binary(server: Server, size: int) -> None:
    text = ("é" * size)[: size // 2] + "a" * (size - 2 * (size // 2))  # exactly `size` bytes
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    assert len(text.encode()) == size and len(data) == size

    async def go() -> None:
        async with connect(server.ws_url(), max_size=None, compression=None) as ws:
            await ws.send(text)
            echoed = await ws.recv()
            assert isinstance(echoed, str) and echoed == text
            await ws.send(data)
            back = await ws.recv()
            assert isinstance(back, bytes) and back == data

    run(go())


@pytest.mark.parametrize(
    ("offered", "selected"),
    [
        (None, None),
        (["v1.echo"], "v1.echo"),
        (["v2.echo"], "v2.echo"),
        (["v2.echo", "v1.echo"], "v2.echo"),
        (["v1.echo", "v2.echo"], "v1.echo"),
        (["chat", "v2.echo", "v1.echo"], "v2.echo"),
        (["chat", "superchat"], None),
    ],
)
@pytest.mark.parametrize("path", ["/echo", "/slow?delay=0"])
def test_subprotocol_selection(
    server: Server, offered: list[str] | None, selected: str | None, path: str
) -> None:
    # Raw, because websockets itself refuses a server that picks nothing from its offer.
    extra = {"Sec-WebSocket-Protocol": ", ".join(offered)} if offered else {}
    response = raw(server.port, upgrade_request(path, **extra))
    assert status_of(response) == 101
    answered = [
        value.strip()
        for name, _, value in (line.partition(":") for line in response.decode().split("\r\n"))
        if name.lower() == "sec-websocket-protocol"
    ]
    assert answered == ([selected] if selected else [])


def test_subprotocol_with_websockets_client(server: Server) -> None:
    async def go() -> None:
        async with connect(server.ws_url(), subprotocols=["x", "v2.echo", "v1.echo"]) as ws:  # type: ignore[list-item]
            assert ws.subprotocol == "v2.echo"
            await ws.send("hi")
            assert await ws.recv() == "hi"

    run(go())


def test_select_subprotocol_unit() -> None:
    assert select_subprotocol(" v2.echo ,v1.echo") == "v2.echo"
    assert select_subprotocol("") is None
    assert select_subprotocol(None) is None
    assert select_subprotocol("V1.ECHO") is None  # tokens are case-sensitive


def test_oversized_message_closes_only_that_client(server: Server) -> None:
    async def go() -> None:
        async with (
            connect(server.ws_url(), max_size=None) as bystander,
            connect(server.ws_url(), max_size=None) as offender,
        ):
            # The server refuses on the frame header and closes with 1009 at once, while the
            # send may still be draining: the close surfaces from send() or from recv().
            # And if the server closes TCP with our unread bytes in its buffer, its RST can
            # end our write before we read its close frame: then none was received (1006).
            # The server's log line below tells the code it sent, whichever way.
            with pytest.raises(ConnectionClosedError) as info:
                await offender.send(b"x" * (MAX_SIZE + 1))
                await offender.recv()
            rcvd = info.value.rcvd
            assert rcvd is None or rcvd.code == 1009, info.value
            await bystander.send("still here")
            assert await bystander.recv() == "still here"

    run(go())
    lines = server.wait_for_log(lambda line: "code=1009" in line)
    assert len(lines) == 1 and "path=/echo" in lines[0]


def test_max_size_message_passes(server: Server) -> None:
    async def go() -> None:
        async with connect(server.ws_url(), max_size=None) as ws:
            await ws.send(b"y" * MAX_SIZE)
            assert len(await ws.recv()) == MAX_SIZE

    run(go())


@pytest.mark.parametrize(
    "overrides",
    [
        {"Sec-WebSocket-Version": "12"},
        {"Sec-WebSocket-Version": "banana"},
        {"Sec-WebSocket-Key": "not base64!"},
        {"Sec-WebSocket-Key": "c2hvcnQ="},  # decodes to 5 bytes, not 16
        {"Sec-WebSocket-Key": ""},
        {"Upgrade": "h2c"},
    ],
)
@pytest.mark.parametrize("path", ["/echo", "/sink", "/close?code=1000"])
def test_bad_handshake_is_400(server: Server, overrides: dict[str, str], path: str) -> None:
    assert status_of(raw(server.port, upgrade_request(path, **overrides))) == 400


def test_plain_get_on_websocket_endpoint_is_400(server: Server) -> None:
    assert status_of(raw(server.port, b"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")) == 400
