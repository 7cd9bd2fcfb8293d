"""A CPython stand-in for :mod:`pyws._platform.fetch`, over h11 and asyncio sockets, so that
``pyws.compat.aiohttp_http`` runs in CPython beside the real aiohttp (the differential
machine, tests/model/test_aiohttp_http.py).

It does what the runtime's ``fetch`` does as the Fetch standard says, in one of two modes:

- ``node`` (Node's undici): ``redirect: "manual"`` gives the 3xx response itself;
- browser: ``"follow"`` follows up to 20 redirects (303, and 301/302 after a POST, go on
  with GET and no body; ``redirected`` then True), ``"manual"`` gives an opaque redirect
  (status 0, no headers).

Same interface as the module it stands in for: :func:`fetch`, :class:`FetchResponse`,
:class:`FetchFailed`, :func:`in_node`, :func:`can_stream_uploads`, :func:`cross_origin`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import h11

MODE = {"node": True}
"""Which runtime it stands in for; the machine sets it."""
MAX_REDIRECTS = 20


class FetchFailed(ConnectionError):
    def __init__(self, url: str, message: str, *, cross_origin: bool, origin: str) -> None:
        super().__init__(message)
        self.url = url
        self.cross_origin = cross_origin
        self.origin = origin


def in_node() -> bool:
    return MODE["node"]


def can_stream_uploads() -> bool:
    return MODE["node"]


def cross_origin(url: str) -> tuple[bool, str]:
    return False, ""  # no page: no CORS


class FetchResponse:
    def __init__(
        self,
        status: int,
        reason: str,
        url: str,
        headers: list[tuple[str, str]],
        stream: _Exchange | None,
        *,
        redirected: bool = False,
        kind: str = "basic",
    ) -> None:
        self.status = status
        self.reason = reason
        self.url = url
        self.redirected = redirected
        self.type = kind
        self.headers = headers
        self._stream = stream

    async def read(self) -> bytes | None:
        if self._stream is None:
            return None
        chunk = await self._stream.data()
        if chunk is None:
            self._stream.close()
            self._stream = None
        return chunk

    def abort(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


class _Exchange:
    """One request and its response on a connection of its own."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.conn = h11.Connection(h11.CLIENT)

    async def event(self) -> Any:
        while True:
            try:
                event = self.conn.next_event()
            except h11.RemoteProtocolError as exc:
                raise FetchFailed(
                    "", f"network error: {exc}", cross_origin=False, origin=""
                ) from exc
            if event is not h11.NEED_DATA:
                return event
            try:
                data = await self.reader.read(65536)
            except OSError as exc:
                raise FetchFailed(
                    "", f"network error: {exc}", cross_origin=False, origin=""
                ) from exc
            self.conn.receive_data(data)

    async def data(self) -> bytes | None:
        event = await self.event()
        if isinstance(event, h11.Data):
            return bytes(event.data)
        return None  # EndOfMessage

    def close(self) -> None:
        self.writer.close()


async def _exchange(
    url: str, method: str, headers: list[tuple[str, str]], body: Any
) -> tuple[h11.Response, _Exchange]:
    parts = urlsplit(url)
    try:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
    except OSError as exc:
        raise FetchFailed(url, f"fetch failed ({exc})", cross_origin=False, origin="") from exc
    exchange = _Exchange(reader, writer)
    sent = [(k, v) for k, v in headers if k.lower() != "host"]
    sent.insert(0, ("Host", parts.netloc))
    streamed = body is not None and not isinstance(body, bytes)
    if streamed:
        sent.append(("Transfer-Encoding", "chunked"))
    elif body is not None or method in ("POST", "PUT", "PATCH"):
        sent.append(("Content-Length", str(len(body or b""))))
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = exchange.conn
    writer.write(conn.send(h11.Request(method=method, target=target, headers=sent)))
    if streamed:
        async for chunk in body:
            writer.write(conn.send(h11.Data(data=chunk)))
    elif body:
        writer.write(conn.send(h11.Data(data=body)))
    writer.write(conn.send(h11.EndOfMessage()))
    await writer.drain()
    while True:
        event = await exchange.event()
        if isinstance(event, h11.Response):
            return event, exchange


async def fetch(
    url: str,
    method: str,
    headers: list[tuple[str, str]],
    body: bytes | AsyncIterator[bytes] | None,
    *,
    redirect: str = "follow",
    credentials: str = "same-origin",
) -> FetchResponse:
    redirected = False
    for _ in range(MAX_REDIRECTS + 1):
        response, exchange = await _exchange(url, method, headers, body)
        status = response.status_code
        pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers]
        location = next((v for k, v in pairs if k.lower() == "location"), None)
        if status not in (301, 302, 303, 307, 308) or location is None or redirect == "error":
            reason = response.reason.decode("latin-1")
            return FetchResponse(status, reason, url, pairs, exchange, redirected=redirected)
        if redirect == "manual" and MODE["node"]:  # the 3xx itself, body and all
            reason = response.reason.decode("latin-1")
            return FetchResponse(status, reason, url, pairs, exchange)
        exchange.close()
        if redirect == "manual":
            return FetchResponse(0, "", url, [], None, kind="opaqueredirect")
        if (status == 303 and method not in ("GET", "HEAD")) or (
            status in (301, 302) and method == "POST"
        ):
            method, body = "GET", None
            headers = [(k, v) for k, v in headers if not k.lower().startswith("content-")]
        url = urljoin(url, location)
        redirected = True
    raise FetchFailed(url, "too many redirects", cross_origin=False, origin="")
