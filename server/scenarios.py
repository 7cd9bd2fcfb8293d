"""WebSocket endpoints that misbehave on purpose, to exercise the client's edge cases."""

from __future__ import annotations

import asyncio
import logging
import socket

from aiohttp import WSMessage, WSMsgType, web
from aiohttp.typedefs import Handler

from server.echo import CLOSE_TIMEOUT, accept, echo_messages
from server.query import choice_param, float_param, int_param, text_param
from server.registry import Connection
from server.settings import LISTENER, REGISTRY, SETTINGS, SINKS

log = logging.getLogger("server.ws")

MAX_COUNT = 1_000_000
MAX_DELAY = 60.0
MAX_REASON_BYTES = 123  # a close frame's payload is ≤ 125 bytes, 2 of them the code
RESERVED_CLOSE_CODES = frozenset({1004, 1005, 1006, 1015})  # never sent on the wire
PUSH_PAD = "x"
SERVICE_RESTART = 1012
MAX_DOWN = 30.0
MAX_NAME_BYTES = 64
SINK_PROBE_INTERVAL = 1.0
"""Seconds between /sink's pings; a write is the only way to notice a vanished peer
while reading is paused."""


async def close(request: web.Request) -> web.StreamResponse:
    """/close?code=N&reason=R: handshake, then close with that code and reason."""
    code = int_param(request, "code", 1000, 4999)
    if code in RESERVED_CLOSE_CODES:
        raise web.HTTPBadRequest(text=f"bad query value code={code}: reserved close code\n")
    reason = text_param(request, "reason", MAX_REASON_BYTES)
    async with accept(request) as conn:
        conn.close_code = code
        await conn.ws.close(code=code, message=reason.encode())
    return conn.ws


async def reject(request: web.Request) -> web.StreamResponse:
    """/reject?status=N: refuse the upgrade with that HTTP status."""
    status = int_param(request, "status", 400, 599)
    return web.Response(status=status, text=f"upgrade rejected with {status}\n")


async def drop(request: web.Request) -> web.StreamResponse:
    """/drop?after=N: echo N messages, then cut the TCP connection with no close frame."""
    after = int_param(request, "after", 0, MAX_COUNT)
    async with accept(request) as conn:
        await echo_messages(conn, limit=after)
        if not conn.ws.closed:
            conn.error = f"dropped after {after} messages"
            transport = request.transport
            if transport is not None:
                # A FIN after the echoes, not abort()'s RST: on an RST, Linux discards what
                # the client has received but not yet read, so the echoes raced the drop
                # (seen under load in CPython); a peer gone without a close frame either way.
                transport.close()
    return conn.ws


async def push(request: web.Request) -> web.StreamResponse:
    """/push?count=N&size=S&type=text|binary&burst=0|1: send N numbered messages of S
    bytes, close 1000.

    Message i is ``f"{i} "`` padded with "x" to S bytes; binary messages carry the same ASCII.
    ``burst=1`` holds the socket's output (Linux ``TCP_CORK``) until the close frame is
    written, so the messages and the close leave together and a client reads them in one
    go: a paused client then holds the close behind unread messages (issue 25, defect 2).
    """
    count = int_param(request, "count", 0, MAX_COUNT)
    kind = choice_param(request, "type", ("text", "binary"), "text")
    smallest = len(f"{max(count - 1, 0)} ")
    size = int_param(request, "size", smallest, request.app[SETTINGS].max_size)
    burst = int_param(request, "burst", 0, 1, default=0)
    padding = PUSH_PAD * size  # built once; each message slices the tail it needs
    async with accept(request) as conn:
        ws = conn.ws
        if burst:
            _cork(request, True)
        for i in range(count):
            if ws.closed:  # closed by shutdown or by the peer going away
                break
            prefix = f"{i} "
            text = prefix + padding[: size - len(prefix)]
            if kind == "text":
                await ws.send_str(text)
            else:
                await ws.send_bytes(text.encode("ascii"))
            conn.sent(size)
        # Logged before the close handshake, which a client that does not read may hold up:
        # this line says the network took every message (tests of backpressure read it).
        log.info("push sent count=%d size=%d", count, size)
        if ws.closed:
            pass
        elif burst:
            conn.close_code = 1000
            closing = asyncio.create_task(ws.close(code=1000))
            # aiohttp writes the close frame in close()'s first step (an uncompressed frame
            # is written without awaiting), then waits for the answer: let go after it.
            await asyncio.sleep(0)
            _cork(request, False)
            await closing
        else:
            conn.close_code = 1000
            await ws.close(code=1000)
        if burst:
            _cork(request, False)
    return conn.ws


def _cork(request: web.Request, on: bool) -> None:
    """Hold back (``on``) or let go of what is written to the client's socket (Linux)."""
    transport = request.transport
    sock = None if transport is None else transport.get_extra_info("socket")
    cork = getattr(socket, "TCP_CORK", None)
    if sock is not None and cork is not None:
        sock.setsockopt(socket.IPPROTO_TCP, cork, int(on))


async def slow(request: web.Request) -> web.StreamResponse:
    """/slow?delay=SECONDS: wait before answering the handshake, then echo."""
    delay = float_param(request, "delay", 0.0, MAX_DELAY)
    await asyncio.sleep(delay)
    async with accept(request) as conn:
        await echo_messages(conn)
    return conn.ws


async def silent(request: web.Request) -> web.StreamResponse:
    """/silent?after=N: echo N messages, then neither read, write nor close: a peer gone
    without a FIN, as a client's heartbeat must detect. Without reading, the server cannot
    see the client go either, so it holds the connection until it shuts down."""
    after = int_param(request, "after", 0, MAX_COUNT)
    async with accept(request) as conn:
        await echo_messages(conn, limit=after)
        if not conn.ws.closed:
            conn.reading_paused = True
            request.protocol.pause_reading()
            await conn.shutting_down.wait()
    return conn.ws


async def sink(request: web.Request) -> web.StreamResponse:
    """/sink[?name=N]: accept, then never read, so the client's send buffer fills
    (backpressure). A named sink reads again once ``/release?name=N`` asks: it then reads
    and drops every message, and answers the client's close with its code."""
    name = text_param(request, "name", MAX_NAME_BYTES)
    sinks = request.app[SINKS]
    if name in sinks:
        raise web.HTTPConflict(text=f"bad query value name={name!r}: a sink of that name is open\n")
    released = asyncio.Event()
    if name:
        sinks[name] = released
    try:
        async with accept(request) as conn:
            conn.reading_paused = True
            request.protocol.pause_reading()
            while not conn.ws.closed and not released.is_set():
                await conn.ws.ping()  # raises ConnectionResetError once the peer is gone
                await _first(conn.shutting_down, released, timeout=SINK_PROBE_INTERVAL)
            if released.is_set() and not conn.ws.closed and not conn.shutting_down.is_set():
                conn.reading_paused = False
                request.protocol.resume_reading()
                await _answer_close(conn, await _read_until_close(conn))
    finally:
        if name:
            sinks.pop(name, None)
    return conn.ws


async def release(request: web.Request) -> web.StreamResponse:
    """/release?name=N: make the /sink named N read again; send ``released``, then close
    with 1000 (1008 and ``no sink named N`` if there is none)."""
    name = text_param(request, "name", MAX_NAME_BYTES)
    async with accept(request) as conn:
        released = request.app[SINKS].get(name)
        if released is None:
            conn.close_code = 1008
            await conn.ws.close(
                code=1008, message=f"no sink named {name}"[:MAX_REASON_BYTES].encode()
            )
        else:
            released.set()
            await conn.ws.send_str("released")
            conn.sent(len("released"))
            conn.close_code = 1000
            await conn.ws.close(code=1000)
    return conn.ws


async def _first(*events: asyncio.Event, timeout: float) -> None:
    """Return once one of ``events`` is set, or after ``timeout`` seconds."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


async def _read_until_close(conn: Connection) -> WSMessage:
    """Read and drop (counting) every data message; the first other message."""
    while True:
        msg = await conn.ws.receive()
        if msg.type is WSMsgType.TEXT:
            conn.received(len(msg.data.encode()))
        elif msg.type is WSMsgType.BINARY:
            conn.received(len(msg.data))
        else:
            return msg


async def _answer_close(conn: Connection, msg: WSMessage, reason: str = "") -> None:
    """Answer the peer's close ``msg`` with its code (1000 for none) and ``reason``."""
    if msg.type is WSMsgType.CLOSE and not conn.ws.closed:
        code = msg.data if msg.data not in (0, 1005, 1006) else 1000  # 0: no code
        conn.close_code = code
        await conn.ws.close(code=code, message=reason.encode())


async def count(request: web.Request) -> web.StreamResponse:
    """/count: read every message and send nothing, until the peer closes; then answer its
    close with the same code and the reason ``received N messages, B bytes``: what a
    client sent before its close, as the client sees it in its close reason."""
    async with accept(request) as conn:
        msg = await _read_until_close(conn)
        tally = f"received {conn.messages_in} messages, {conn.bytes_in} bytes"
        await _answer_close(conn, msg, tally)
    return conn.ws


async def restart(request: web.Request) -> web.StreamResponse:
    """/restart?down=SECONDS: echo the first message, then restart the server as a
    deployment does, in-process: stop listening, close every WebSocket (this one too) with
    1012 "service restart", refuse connections for ``down`` seconds, then listen again on
    the same port, with the same TLS. (After a message, not at once: Firefox fails a
    handshake whose socket closes at once.) Until its socket is closed, it echoes."""
    down = float_param(request, "down", 0.0, MAX_DOWN)
    app = request.app
    listener = app[LISTENER]
    if listener.site is None:
        raise web.HTTPServiceUnavailable(text="not listening (an in-process app, or restarting)\n")

    async def restarting() -> None:
        runner, site = listener.runner, listener.site
        assert runner is not None and site is not None
        listener.site = None
        await site.stop()  # no new connections from here on: they are refused
        log.info("restart: closing %d WebSocket(s), down for %s s", len(app[REGISTRY]), down)
        await app[REGISTRY].close_all(
            timeout=CLOSE_TIMEOUT, code=SERVICE_RESTART, reason="service restart"
        )
        await asyncio.sleep(down)
        site = web.TCPSite(runner, listener.host, listener.port, ssl_context=listener.tls)
        await site.start()
        listener.site = site
        log.info("restart: listening again on port %d", listener.port)

    async with accept(request) as conn:
        await echo_messages(conn, limit=1)
        if conn.ws.closed:
            return conn.ws
        task = asyncio.create_task(restarting())
        _RESTARTS.add(task)
        task.add_done_callback(_RESTARTS.discard)
        await echo_messages(conn)
    return conn.ws


_RESTARTS: set[asyncio.Task[None]] = set()
"""Restarts under way: a task the loop holds no reference to may be collected."""


ROUTES: tuple[tuple[str, Handler], ...] = (
    ("/close", close),
    ("/reject", reject),
    ("/drop", drop),
    ("/push", push),
    ("/slow", slow),
    ("/sink", sink),
    ("/release", release),
    ("/count", count),
    ("/silent", silent),
    ("/restart", restart),
)
