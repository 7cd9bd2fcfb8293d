"""Server-wide settings and the typed keys under which the app stores its shared state."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from server.registry import Registry

DEFAULT_MAX_SIZE = 64 * 1024 * 1024
"""Largest WebSocket message accepted (bytes); a bigger one closes that client with 1009."""

DEFAULT_HEAD_TIMEOUT = 10.0
"""Seconds a connection gets to deliver a complete request head (see ``make_app``)."""

SUBPROTOCOLS = ("v1.echo", "v2.echo")
"""Subprotocols every WebSocket endpoint understands."""


@dataclass(frozen=True, slots=True)
class Settings:
    web_dir: Path
    dist_dir: Path
    simple_dir: Path
    docs_dir: Path
    max_size: int
    compress: bool


@dataclass(slots=True)
class Listener:
    """Where the server listens, filled in by ``serve()`` once it does (so /restart can
    stop and start listening again); empty for an app run in-process."""

    runner: web.AppRunner | None = None
    site: web.TCPSite | None = None
    host: str = ""
    port: int = 0
    tls: ssl.SSLContext | None = None


SETTINGS = web.AppKey("settings", Settings)
REGISTRY = web.AppKey("registry", Registry)
LISTENER = web.AppKey("listener", Listener)
SINKS = web.AppKey("sinks", dict[str, asyncio.Event])
"""The open named ``/sink`` connections, by name: setting one's event makes it read again."""
