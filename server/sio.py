"""/socket.io/: a python-socketio ``AsyncServer``, mounted through python-socketio's own
aiohttp integration (``AsyncServer(async_mode="aiohttp").attach(app)``). It is what the
proof of ``pyws.patch_aiohttp()`` talks to: python-socketio's ``AsyncClient``, run
unchanged in a page, whose engine.io client opens its WebSocket with aiohttp's
``ClientSession.ws_connect``.

Namespace ``/`` (the default):

- on connect, emits ``welcome`` with ``{"sid", "auth"}`` (the client's ``auth``);
- ``echo``: acknowledges with what it got (``call``), bytes included;
- ``shout``: emits ``shouted`` with what it got back to the sender (no acknowledgement);
- ``ask``: calls the client's own ``question`` handler and acknowledges with
  ``{"answer": <what the client answered>}`` (an acknowledgement the other way);
- ``join`` / ``leave`` a room (acknowledged with the sender's rooms); ``say``
  (``{"room", "text"}``) emits ``said`` to everyone in that room;
- ``kick``: the server disconnects the sender.

Namespace ``/chat`` answers ``echo`` with ``{"namespace": "/chat", "data"}``; namespace
``/private`` refuses a connection whose ``auth`` is not ``{"token": "letmein"}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import socketio
from aiohttp import web

PATH = "socket.io"
TOKEN = "letmein"


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def allowed_origin(origin: str, environ: dict[str, Any]) -> bool:
    """Whether a page of ``origin`` may connect: the server's own origin (python-socketio's
    default), and any loopback one, http or https. The scenario suite's page is https,
    served by a second server (``--tls-cert``) on another loopback port, while socket.io
    runs on the plain one; this server listens on loopback by default anyway."""
    own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
    if origin == own:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK


def make_sio() -> socketio.AsyncServer:
    """The Socket.IO server with the handlers above; :func:`attach` mounts it."""
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=allowed_origin)

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        await sio.emit("welcome", {"sid": sid, "auth": auth}, to=sid)

    async def echo(sid: str, data: Any) -> Any:
        return data

    async def shout(sid: str, data: Any) -> None:
        await sio.emit("shouted", data, to=sid)

    async def ask(sid: str, data: Any) -> dict[str, Any]:
        answer = await sio.call("question", data, to=sid, timeout=30)
        return {"answer": answer}

    async def join(sid: str, room: str) -> list[str]:
        await sio.enter_room(sid, room)
        return sorted(sio.rooms(sid))

    async def leave(sid: str, room: str) -> list[str]:
        await sio.leave_room(sid, room)
        return sorted(sio.rooms(sid))

    async def say(sid: str, data: dict[str, Any]) -> bool:
        await sio.emit("said", {"from": sid, "text": data["text"]}, room=data["room"])
        return True

    async def kick(sid: str) -> None:
        await sio.disconnect(sid)

    async def chat_echo(sid: str, data: Any) -> dict[str, Any]:
        return {"namespace": "/chat", "data": data}

    async def private_connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        if auth != {"token": TOKEN}:
            raise socketio.exceptions.ConnectionRefusedError("a token is needed")

    async def private_echo(sid: str, data: Any) -> Any:
        return data

    handlers: dict[str, dict[str, Any]] = {
        "/": {
            "connect": connect,
            "echo": echo,
            "shout": shout,
            "ask": ask,
            "join": join,
            "leave": leave,
            "say": say,
            "kick": kick,
        },
        "/chat": {"echo": chat_echo},
        "/private": {"connect": private_connect, "echo": private_echo},
    }
    for namespace, events in handlers.items():
        for event, handler in events.items():
            sio.on(event, handler=handler, namespace=namespace)
    return sio


SIO: web.AppKey[socketio.AsyncServer] = web.AppKey("sio", socketio.AsyncServer)


async def _disconnect_all(app: web.Application) -> None:
    # On shutdown, as the other endpoints say goodbye (1001): engine.io closes each client.
    # Only when there is one: python-engineio 4.15's disconnect() of all raises
    # ValueError (asyncio.wait of an empty list) when there is none.
    eio = app[SIO].eio
    if eio.sockets:
        await eio.disconnect()


def attach(app: web.Application) -> socketio.AsyncServer:
    """Mount the Socket.IO server at ``/socket.io/`` (before the catch-all page route)."""
    sio = make_sio()
    sio.attach(app, socketio_path=PATH)
    app[SIO] = sio
    app.on_shutdown.append(_disconnect_all)
    return sio
