"""/socket.io/: python-socketio's AsyncServer in the bundled server, through python-socketio's
own aiohttp integration. The client scenarios (tests/scenarios/aiohttp_compat.py) cover
events, acknowledgements, namespaces, rooms, binary payloads and reconnection; these check
the mounting and the server's shutdown."""

from __future__ import annotations

import asyncio
import json
import signal

import socketio

from tests.server.conftest import Server, Tree, run_server
from tests.server.helpers import get, run

GUARD = 30.0
"""Hang guard for an event; never a timing assertion."""


def test_engine_io_answers_at_socket_io(server: Server) -> None:
    status, _, body = get(server.port, "/socket.io/?EIO=4&transport=polling")
    assert status == 200, body
    assert body[:1] == b"0", body  # engine.io's OPEN packet
    opened = json.loads(body[1:])
    assert {"sid", "pingInterval", "pingTimeout"} <= set(opened), opened
    # The catch-all page route does not swallow it, and a wrong EIO is refused.
    assert get(server.port, "/socket.io/?EIO=1&transport=polling")[0] == 400


def test_shutdown_disconnects_socketio_clients(tree: Tree) -> None:
    with run_server(tree) as srv:

        async def go() -> str:
            client = socketio.AsyncClient(reconnection=False)
            gone: asyncio.Queue[str] = asyncio.Queue()
            client.on("disconnect", lambda reason: gone.put_nowait(reason))
            await client.connect(srv.url, transports=["websocket"])
            assert await client.call("echo", b"\x00bytes") == b"\x00bytes"
            srv.proc.send_signal(signal.SIGTERM)
            async with asyncio.timeout(GUARD):
                reason = await gone.get()
                await client.wait()
            return reason

        reason = run(go())
        assert srv.proc.wait(GUARD) == 0
    assert reason == socketio.AsyncClient.reason.SERVER_DISCONNECT, reason


def test_loopback_origins_may_connect_others_not() -> None:
    # The scenario suite's https page (a TLS server on another loopback port) talks to the
    # plain server's socket.io; a page elsewhere may not.
    from server.sio import allowed_origin

    environ = {"wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1:8000"}
    for origin in ("http://127.0.0.1:8000", "https://127.0.0.1:8443", "http://localhost:3000"):
        assert allowed_origin(origin, environ), origin
    for origin in ("https://example.com", "http://127.0.0.2:8000", "null", "file://"):
        assert not allowed_origin(origin, environ), origin
