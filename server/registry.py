"""Bookkeeping for open WebSockets: per-connection counters, the close log line, and shutdown."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aiohttp import web

log = logging.getLogger("server.ws")

GOING_AWAY = 1001


@dataclass(slots=True, eq=False)
class Connection:
    """One accepted WebSocket and what flowed through it, for the log line written at close."""

    request: web.BaseRequest
    ws: web.WebSocketResponse
    subprotocol: str | None
    messages_in: int = 0
    messages_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    close_code: int | None = None
    """The code the server chose when it closed; the peer's code otherwise (ws.close_code)."""
    error: str | None = None
    reading_paused: bool = False
    """Set by /sink: shutdown must resume reading or the closing handshake cannot complete."""
    shutting_down: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when shutdown closes this socket, so idle handlers can stop waiting at once."""

    def received(self, size: int) -> None:
        self.messages_in += 1
        self.bytes_in += size

    def sent(self, size: int) -> None:
        self.messages_out += 1
        self.bytes_out += size

    def log_closed(self) -> None:
        code = self.close_code if self.close_code is not None else self.ws.close_code
        log.info(
            "ws closed path=%s subprotocol=%s in=%d msgs/%d B out=%d msgs/%d B code=%s%s",
            self.request.path,
            self.subprotocol or "-",
            self.messages_in,
            self.bytes_in,
            self.messages_out,
            self.bytes_out,
            code if code is not None else "none",
            f" error={self.error!r}" if self.error else "",
        )


class Registry:
    """The set of open WebSockets, so shutdown can say goodbye (1001) to each of them."""

    def __init__(self) -> None:
        self._open: set[Connection] = set()

    def __len__(self) -> int:
        return len(self._open)

    def add(self, conn: Connection) -> None:
        self._open.add(conn)
        log.info("ws opened path=%s", conn.request.path)

    def discard(self, conn: Connection) -> None:
        self._open.discard(conn)

    async def close_all(
        self, *, timeout: float, code: int = GOING_AWAY, reason: str = "server shutting down"
    ) -> None:
        """Close every open WebSocket with ``code`` (1001 by default) and ``reason``; abort
        any that do not finish within timeout."""
        await asyncio.gather(
            *(self._close(conn, timeout, code, reason) for conn in list(self._open))
        )

    @staticmethod
    async def _close(conn: Connection, timeout: float, code: int, reason: str) -> None:
        conn.close_code = code
        conn.shutting_down.set()
        if conn.reading_paused:
            conn.request.protocol.resume_reading()
        try:
            async with asyncio.timeout(timeout):
                await conn.ws.close(code=code, message=reason.encode())
        except (TimeoutError, ConnectionError):
            # A peer that neither reads nor answers must not hold up the exit.
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
