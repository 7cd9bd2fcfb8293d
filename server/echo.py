"""The /echo endpoint and the WebSocket plumbing every endpoint shares (accept, echo loop)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import WSMsgType, hdrs, web
from aiohttp.http_websocket import WebSocketError

from server.registry import Connection
from server.settings import REGISTRY, SETTINGS, SUBPROTOCOLS

CLOSE_TIMEOUT = 1.5
"""Seconds to wait for the peer's answering close frame before dropping the TCP connection."""


def select_subprotocol(
    offered: str | None, supported: tuple[str, ...] = SUBPROTOCOLS
) -> str | None:
    """The first subprotocol *the client offers* that we support; None if nothing matches.

    The client lists its preference order (RFC 6455 §4.1), so its order wins over ours.
    """
    for token in (offered or "").split(","):
        token = token.strip()
        if token in supported:
            return token
    return None


@asynccontextmanager
async def accept(
    request: web.Request, subprotocols: tuple[str, ...] = SUBPROTOCOLS
) -> AsyncIterator[Connection]:
    """Complete the handshake, track the socket while the block runs, log one line at the end.

    The first of ``subprotocols`` the client offers is selected. A bad handshake (missing
    Upgrade, bad Sec-WebSocket-Version or -Key) raises aiohttp's HTTPBadRequest from
    prepare(), which becomes a plain 400 response.
    """
    settings = request.app[SETTINGS]
    chosen = select_subprotocol(request.headers.get(hdrs.SEC_WEBSOCKET_PROTOCOL), subprotocols)
    # Offering aiohttp only the protocol we already chose keeps the client's order in charge
    # and avoids aiohttp's "don't overlap" warning when the client offers something else.
    ws = web.WebSocketResponse(
        protocols=(chosen,) if chosen else (),
        compress=settings.compress,
        # aiohttp rejects a frame of exactly max_msg_size bytes; --max-size is inclusive.
        max_msg_size=settings.max_size + 1,
        timeout=CLOSE_TIMEOUT,
        # Answer a close ourselves, echoing its code and reason (aiohttp would answer 1000):
        # a browser reports the code of the server's close frame as the close event's code.
        autoclose=False,
    )
    await ws.prepare(request)
    conn = Connection(request, ws, chosen)
    registry = request.app[REGISTRY]
    registry.add(conn)
    try:
        yield conn
        if not ws.closed:
            await ws.close()
    except ConnectionError as exc:
        # The peer vanished mid-send: an everyday event for a test server, not a bug.
        conn.error = f"{type(exc).__name__}: {exc}"
    finally:
        registry.discard(conn)
        if conn.error:
            # aiohttp's 1009 reason names the limit it was given: --max-size + 1 (see above).
            limit = settings.max_size
            conn.error = conn.error.replace(f"limit {limit + 1}", f"limit {limit}")
        conn.log_closed()


async def echo_messages(conn: Connection, limit: int | None = None) -> None:
    """Send every data message back unchanged until the peer closes (or `limit` are echoed)."""
    ws = conn.ws
    while limit is None or conn.messages_out < limit:
        msg = await ws.receive()
        if msg.type is WSMsgType.TEXT:
            text: str = msg.data
            size = len(text.encode())
            conn.received(size)
            await ws.send_str(text)
            conn.sent(size)
        elif msg.type is WSMsgType.BINARY:
            data: bytes = msg.data
            conn.received(len(data))
            await ws.send_bytes(data)
            conn.sent(len(data))
        elif msg.type is WSMsgType.ERROR:
            # aiohttp has already closed with the matching code (1009 for an oversized message).
            if isinstance(msg.data, WebSocketError):
                conn.close_code = msg.data.code
            conn.error = str(msg.data)
            return
        elif msg.type is WSMsgType.CLOSE:
            # 1005 and 1006 only describe a close; they can't be sent.
            code = msg.data if msg.data not in (1005, 1006) else 1000
            await ws.close(code=code, message=(msg.extra or "").encode())
            return
        else:  # CLOSING, CLOSED
            return


async def echo(request: web.Request) -> web.StreamResponse:
    async with accept(request) as conn:
        await echo_messages(conn)
    return conn.ws
