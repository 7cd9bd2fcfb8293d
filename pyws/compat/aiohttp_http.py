"""The HTTP half of ``pyws.patch_aiohttp()``: a ``ClientSession``'s requests over the
platform's ``fetch`` (the browser's, a worker's, or Node's).

aiohttp's own ``ClientSession._request`` keeps running: it builds the request (params,
data, ``FormData``, json, headers, auth, cookies), applies the ``ClientTimeout``, follows
redirects, calls ``raise_for_status``, and returns aiohttp's own ``ClientResponse`` (the
session's ``response_class``). Only the three steps that need a socket are replaced, on
aiohttp's classes:

- ``BaseConnector.connect`` returns a :class:`FetchConnection` instead of opening a
  socket (options a browser cannot honour, ``proxy`` and ``ssl``, are warned about);
- ``ClientRequest.send`` over such a connection prepares the ``fetch`` (headers the
  runtime forbids are dropped, with a warning when the code set them; the body read
  whole, or streamed where the runtime can);
- ``ClientResponse.start`` over it sends the ``fetch`` and fills the response: status,
  reason, headers (a ``CIMultiDictProxy``), and ``content``, aiohttp's ``StreamReader``
  fed from the response body's stream with aiohttp's own flow control, so a large body
  is never held whole.

Anything not over a :class:`FetchConnection` goes to aiohttp's own methods. What each
member does here, and what a browser makes impossible, is in docs/aiohttp-compat.md.
"""

from __future__ import annotations

import asyncio
import contextvars
import warnings
import zlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import (
    ClientConnectorError,
    ClientPayloadError,
    ClientRequest,
    ClientResponse,
    ClientTimeout,
    ConnectionTimeoutError,
    SocketTimeoutError,
    hdrs,
)
from aiohttp.connector import BaseConnector
from aiohttp.http import SERVER_SOFTWARE, HttpVersion11
from aiohttp.payload import AsyncIterablePayload, Payload
from aiohttp.streams import StreamReader
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

if TYPE_CHECKING:
    from .._platform.fetch import Redirect

__all__ = ["BrowserFetchError", "FetchConnection", "patch"]

ORIGINAL: dict[str, Any] = {}
"""aiohttp's own methods, once patched (to put them back in tests)."""
ALLOW_REDIRECTS: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "allow_redirects", default=True
)
"""The ``allow_redirects`` of the ``ClientSession._request`` running in this task, which
aiohttp does not pass on to the request: whether the browser follows redirects."""

AUTO_HEADERS = {
    hdrs.ACCEPT_ENCODING: "the runtime decides and decompresses by itself",
    hdrs.CONTENT_LENGTH: "fetch computes it from the body",
    hdrs.CONNECTION: "the runtime manages connections",
    hdrs.TRANSFER_ENCODING: "fetch frames the body itself",
}
"""Forbidden headers aiohttp adds by itself: dropped without a warning."""


BROWSER_FORBIDDEN = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
"""The Fetch standard's forbidden request header names (and every ``Proxy-`` and ``Sec-``
one): a page's ``fetch`` drops them, the browser sets its own."""
NODE_FORBIDDEN = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "upgrade", "expect", "content-length"}
)
"""What Node's undici ``fetch`` refuses or sets itself (it throws ``invalid connection
header`` and the like for these; ``Content-Length`` it computes from the body)."""


def forbidden(name: str, node: bool) -> bool:
    """Whether the runtime's ``fetch`` (Node's if ``node``, else a browser's) drops or
    refuses request header ``name``."""
    lower = name.lower()
    if node:
        return lower in NODE_FORBIDDEN
    return lower in BROWSER_FORBIDDEN or lower.startswith(("proxy-", "sec-"))


class BrowserFetchError(ClientConnectorError):
    """``fetch`` failed without a response the page may read: aiohttp's
    ``ClientConnectorError`` (so a ``ClientConnectionError``, a ``ClientOSError``).

    A browser shows pages one ``TypeError`` for a refused connection, a DNS or TLS
    failure, mixed content, and a cross-origin response the server did not allow (CORS),
    and hides which on purpose (its console says). The message names the causes possible
    for this request: for a cross-origin one, CORS first, with the headers the server must
    send.
    """

    def __str__(self) -> str:
        return f"Cannot connect to host {self.host}:{self.port} [{self.strerror}]"


def _failure_text(failed: Any, method: str, headers: list[tuple[str, str]]) -> str:
    """What a failed ``fetch`` means, naming what the server must send when CORS may be
    why: the page's origin in ``Access-Control-Allow-Origin``, and for a request that is
    not "simple" the preflight's ``Access-Control-Allow-Methods`` / ``-Headers``."""
    said = f"the runtime's fetch() failed: {failed}"
    if not failed.cross_origin:
        return f"{said} (nothing answered at that address, or a DNS or TLS failure)"
    simple_type = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
    extra = sorted(
        {
            name
            for name, value in headers
            if name.lower() not in ("accept", "accept-language", "content-language")
            and not (name.lower() == "content-type" and value.split(";")[0].strip() in simple_type)
        }
    )
    preflight = method not in ("GET", "HEAD", "POST") or bool(extra)
    must = f"Access-Control-Allow-Origin: {failed.origin} (or *)"
    if preflight:
        must += (
            f", and answer the preflight OPTIONS request with Access-Control-Allow-Methods: "
            f"{method}"
            + (f" and Access-Control-Allow-Headers: {', '.join(extra)}" if extra else "")
        )
    return (
        f"{said}. The request is cross-origin (from the page's origin {failed.origin}), so "
        f"CORS may have blocked it: the server must answer with {must}. Otherwise nothing "
        "answered at that address, or a DNS or TLS failure; the browser hides which from "
        "pages (its console says)"
    )


# -- the connection ----------------------------------------------------------------------


class FetchProtocol:
    """What aiohttp's ``StreamReader`` and ``ClientResponse`` ask of a protocol: reading
    paused and resumed (by the reader's high and low water marks), and the response
    parameters that ``ClientSession._request`` sets."""

    upgraded = False
    should_close = True
    writing_paused = False
    transport = None

    def __init__(self) -> None:
        self.connected = True
        self._reading_paused = False
        self._resume = asyncio.Event()
        self._resume.set()
        self.read_timeout: float | None = None
        self.read_bufsize = 2**16

    def set_response_params(
        self,
        *,
        read_timeout: float | None = None,
        read_bufsize: int = 2**16,
        auto_decompress: bool = True,
        **_: Any,
    ) -> None:
        self.read_timeout = read_timeout
        self.read_bufsize = read_bufsize
        if not auto_decompress:
            warnings.warn(
                "aiohttp over pyws ignores auto_decompress=False: fetch() always "
                "decompresses the body",
                RuntimeWarning,
                stacklevel=4,
            )

    def pause_reading(self) -> None:
        self._reading_paused = True
        self._resume.clear()

    def resume_reading(self, resume_parser: bool = True) -> None:
        self._reading_paused = False
        self._resume.set()

    def start_timeout(self) -> None:
        """aiohttp arms its read timeout here; the pump applies it per chunk."""


class FetchConnection:
    """aiohttp's ``Connection`` for one ``fetch``: what ``ClientSession._request`` and
    ``ClientResponse`` call on it (``protocol``, ``add_callback``, ``release``,
    ``close``), with the request it carries and the pump feeding the response body."""

    def __init__(self, connector: BaseConnector, timeout: ClientTimeout) -> None:
        self._connector = connector
        self._timeout = timeout
        self.protocol = FetchProtocol()
        self.transport = None
        self._callbacks: list[Callable[[], None]] = []
        self._request: tuple[str, str, list[tuple[str, str]], Any, Redirect] | None = None
        self._response: Any = None
        self._pump: asyncio.Task[None] | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    @property
    def closed(self) -> bool:
        return not self.protocol.connected

    def add_callback(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def release(self) -> None:
        """The response is done with: stop reading its body (aborting the ``fetch`` if
        unread), and run the callbacks (aiohttp's timeout handle)."""
        self.protocol.connected = False
        if self._pump is not None and not self._pump.done():
            self._pump.cancel()
        if self._response is not None:
            self._response.abort()
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    close = release

    # -- ClientRequest.send over this connection -----------------------------------------

    async def send(self, req: ClientRequest) -> ClientResponse:
        """Prepare the ``fetch`` of ``req``; return the response to :meth:`start`, as
        aiohttp's ``send`` returns it before the status line is read."""
        from .._platform import fetch

        if (
            req.method in req.POST_METHODS
            and (req._skip_auto_headers is None or hdrs.CONTENT_TYPE not in req._skip_auto_headers)
            and hdrs.CONTENT_TYPE not in req.headers
        ):
            req.headers[hdrs.CONTENT_TYPE] = "application/octet-stream"
        headers = _headers(req, fetch.in_node())
        body = await _body(req, fetch.can_stream_uploads())
        # Node shows 3xx responses, and ClientSession._request follows them itself (so
        # history, max_redirects and the cross-origin header rules are aiohttp's); a page
        # sees none, so the browser follows them when allow_redirects is True.
        redirect: Redirect = "manual" if fetch.in_node() or not ALLOW_REDIRECTS.get() else "follow"
        self._request = (str(req.url), req.method, headers, body, redirect)
        response_class = req.response_class
        response = response_class(
            req.method,
            req.original_url,
            writer=None,
            continue100=None,
            timer=req._timer,
            request_info=req.request_info,
            traces=req._traces,
            loop=req.loop,
            session=req._session,
            stream_writer=_SENT,
        )
        req.response = response  # type: ignore[assignment]
        if (tracker := req._upload_tracker) is not None:
            tracker._attempt_finished(req._upload_gen)
        return response

    # -- ClientResponse.start over this connection ---------------------------------------

    async def start(self, resp: ClientResponse) -> ClientResponse:
        """Send the prepared ``fetch``, and fill ``resp`` once its headers are in."""
        from .._platform import fetch

        assert self._request is not None
        url, method, headers, body, redirect = self._request
        self._request = None
        resp._closed = False
        resp._protocol = self.protocol  # type: ignore[assignment]
        resp._connection = self  # type: ignore[assignment]
        timeout = self._timeout
        head_bounds = [t for t in (timeout.connect, timeout.sock_connect) if t]
        connect_timeout = min(head_bounds) if head_bounds else None
        read_timeout = self.protocol.read_timeout
        with resp._timer:
            try:
                response = await _bounded(
                    fetch.fetch(url, method, headers, body, redirect=redirect),
                    connect_timeout,
                    read_timeout,
                    url,
                )
            except fetch.FetchFailed as failed:
                text = _failure_text(failed, method, headers)
                key = resp.request_info.url
                raise BrowserFetchError(_key(key), OSError(None, text)) from failed
        self._response = response
        resp.version = HttpVersion11
        resp.status = response.status
        resp.reason = response.reason or _reason(response.status)
        pairs = response.headers
        resp._headers = CIMultiDictProxy(CIMultiDict(pairs))
        resp._raw_headers = tuple((k.encode(), v.encode()) for k, v in pairs)
        if cookies := resp._headers.getall(hdrs.SET_COOKIE, ()):
            resp._raw_cookie_headers = tuple(cookies)
        if response.redirected:
            resp._url = resp._real_url = URL(response.url)
            resp._cache["history"] = (_followed(resp, URL(url)),)  # reify's cache
        elif response.type == "opaqueredirect":
            warnings.warn(
                f"{method} {url} was redirected, and a page cannot see the redirect "
                "(fetch with redirect: 'manual' gives it status 0 and no Location): use "
                "allow_redirects=True, which the browser follows",
                RuntimeWarning,
                stacklevel=2,
            )
        content = StreamReader(
            self.protocol,  # type: ignore[arg-type]
            self.protocol.read_bufsize,
            timer=resp._timer,
            loop=asyncio.get_running_loop(),
        )
        resp.content = content
        content.on_eof(resp._response_eof)
        if method == hdrs.METH_HEAD or response.status in (204, 304):
            response.abort()
            content.feed_eof()
        else:
            self._pump = asyncio.ensure_future(self._feed(content, response, read_timeout))
        return resp

    async def _feed(self, content: StreamReader, response: Any, read_timeout: float | None) -> None:
        """Feed the body into ``content``, stopping while aiohttp's reader says it has
        enough (its high water mark) and going on at its low water mark."""
        from .._platform import fetch

        try:
            while True:
                await self.protocol._resume.wait()
                try:
                    async with asyncio.timeout(read_timeout):
                        chunk = await response.read()
                except TimeoutError:
                    response.abort()
                    content.set_exception(SocketTimeoutError("Timeout on reading data from socket"))
                    return
                if chunk is None:
                    content.feed_eof()
                    return
                content.feed_data(chunk)
        except fetch.FetchFailed as broken:
            content.set_exception(
                ClientPayloadError(f"Response payload is not completed: {broken}")
            )
        except asyncio.CancelledError:
            response.abort()
            raise
        except Exception as exc:  # never leave a reader waiting for ever
            response.abort()
            content.set_exception(ClientPayloadError(f"Response payload is not completed: {exc!r}"))


_SENT: Any = type("_Sent", (), {"output_size": 0})()
"""What ``ClientResponse`` reads of the stream writer of a request already sent."""


async def _bounded(
    request: Any, connect_timeout: float | None, read_timeout: float | None, url: str
) -> Any:
    """Wait for the response head: ``ClientTimeout.connect``/``sock_connect`` give
    ``ConnectionTimeoutError`` (a page cannot see when the connection is made, so they
    bound the whole wait for the head), ``sock_read`` gives ``SocketTimeoutError``."""
    bounds = [t for t in (connect_timeout, read_timeout) if t]
    if not bounds:
        return await request
    limit = min(bounds)
    try:
        async with asyncio.timeout(limit):
            return await request
    except TimeoutError as exc:
        if connect_timeout and limit == connect_timeout:
            raise ConnectionTimeoutError(f"Connection timeout to host {url}") from exc
        raise SocketTimeoutError("Timeout on reading data from socket") from exc


def _key(url: URL) -> Any:
    from aiohttp.client_reqrep import ConnectionKey

    return ConnectionKey(
        url.raw_host or "", url.port, url.scheme == "https", True, None, None, None
    )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _followed(resp: ClientResponse, url: URL) -> ClientResponse:
    """The one ``history`` entry of a response whose redirects the browser followed: a
    page sees neither how many there were nor their status and ``Location``, so it is
    the requested URL with status 0 and an empty, released body."""
    first = type(resp).__new__(type(resp))
    first.method = resp.method
    first._url = first._real_url = url
    first._cache = {}
    first._request_info = resp.request_info
    first.status = 0
    first.reason = "redirect followed by the browser (its status and Location are hidden)"
    first._headers = CIMultiDictProxy(CIMultiDict())
    first._raw_headers = ()
    first._closed = True
    first._released = True
    first._loop = resp._loop
    first._traces = []
    return first


def _headers(req: ClientRequest, node: bool) -> list[tuple[str, str]]:
    """The request's headers as the runtime's ``fetch`` takes them: those it forbids are
    dropped; a RuntimeWarning names those the code asked for (not aiohttp's own)."""
    kept: list[tuple[str, str]] = []
    host = req.url.host_port_subcomponent if hasattr(req.url, "host_port_subcomponent") else None
    for name, value in req.headers.items():
        if name.lower() == "user-agent" and value == SERVER_SOFTWARE and not node:
            continue  # aiohttp's default; the browser sends its own
        if not forbidden(name, node):
            kept.append((name, value))
            continue
        if name in AUTO_HEADERS or (name.lower() == "host" and value in (host, req.url.host)):
            continue
        why = (
            "the browser sends the page's cookies for that origin itself"
            if name.lower() == "cookie"
            else "the runtime sets it itself"
        )
        warnings.warn(
            f"aiohttp over pyws drops the header {name}: {value!r}: fetch() forbids it ({why})",
            RuntimeWarning,
            stacklevel=4,
        )
    return kept


async def _body(req: ClientRequest, can_stream: bool) -> bytes | AsyncIterator[bytes] | None:
    """The request body: bytes, or (an async iterable payload, where the runtime can
    stream uploads) an async iterator of its chunks; compressed as ``compress=`` asks."""
    payload: Payload | None = req._body
    if payload is None:
        return None
    if isinstance(payload, AsyncIterablePayload):
        if can_stream and not req.compress:
            return _chunks(payload)
        # Read through write(), as aiohttp sends it, so that it is consumed as there (a
        # redirect that must resend it fails as in aiohttp: the differential machine).
        data = b"".join([chunk async for chunk in _chunks(payload)])
    else:
        data = await payload.as_bytes()
    if req.compress:
        wbits = 16 + zlib.MAX_WBITS if req.compress == "gzip" else zlib.MAX_WBITS
        packer = zlib.compressobj(wbits=wbits)
        data = packer.compress(data) + packer.flush()
    return data


async def _chunks(payload: Payload) -> AsyncIterator[bytes]:
    """The chunks ``payload.write`` writes, one at a time (aiohttp's public way to read
    any payload)."""
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=1)

    class Writer:
        buffer_size = 0
        output_size = 0

        async def write(self, chunk: bytes | bytearray | memoryview) -> None:
            if chunk:
                await queue.put(bytes(chunk))

    async def produce() -> None:
        try:
            await payload.write(Writer())  # type: ignore[arg-type]
        finally:
            await queue.put(None)

    producer = asyncio.ensure_future(produce())
    try:
        while (chunk := await queue.get()) is not None:
            yield chunk
        await producer
    finally:
        producer.cancel()


# -- the patch ---------------------------------------------------------------------------


async def _connect(
    self: BaseConnector, req: ClientRequest, traces: Any, timeout: ClientTimeout
) -> Any:
    """``BaseConnector.connect`` without a socket: a :class:`FetchConnection`."""
    if self.closed:
        raise aiohttp.ClientConnectionError("Connector is closed.")
    kind = type(self).__name__
    if isinstance(self, aiohttp.UnixConnector | aiohttp.NamedPipeConnector):
        raise aiohttp.ClientConnectionError(
            f"a {kind} cannot connect here: the runtime's fetch() opens TCP connections "
            "of its own, and a page has no unix sockets or named pipes"
        )
    ignored = []
    if req.proxy is not None:
        ignored.append(f"proxy={str(req.proxy)!r}: the browser's proxy settings apply")
    if req.ssl is not True and req.ssl is not None:
        ignored.append(f"ssl={req.ssl!r}: the runtime's certificates apply")
    if req.server_hostname is not None:
        ignored.append(f"server_hostname={req.server_hostname!r}: the runtime's TLS applies")
    for what in ignored:
        warnings.warn(f"aiohttp over pyws ignores {what}", RuntimeWarning, stacklevel=4)
    return FetchConnection(self, timeout)


async def _request(
    self: aiohttp.ClientSession,
    method: str,
    str_or_url: Any,
    *,
    allow_redirects: bool = True,
    **kwargs: Any,
) -> ClientResponse:
    """aiohttp's ``ClientSession._request``, with ``allow_redirects`` kept for the
    ``fetch`` (see :data:`ALLOW_REDIRECTS`)."""
    token = ALLOW_REDIRECTS.set(allow_redirects)
    try:
        response: ClientResponse = await ORIGINAL["ClientSession._request"](
            self, method, str_or_url, allow_redirects=allow_redirects, **kwargs
        )
    finally:
        ALLOW_REDIRECTS.reset(token)
    return response


async def _send(self: ClientRequest, conn: Any) -> ClientResponse:
    if isinstance(conn, FetchConnection):
        return await conn.send(self)
    response: ClientResponse = await ORIGINAL["ClientRequest.send"](self, conn)
    return response


async def _start(self: ClientResponse, connection: Any) -> ClientResponse:
    if isinstance(connection, FetchConnection):
        return await connection.start(self)
    response: ClientResponse = await ORIGINAL["ClientResponse.start"](self, connection)
    return response


PATCHES: dict[str, tuple[type, str, Any]] = {
    "ClientSession._request": (aiohttp.ClientSession, "_request", _request),
    "BaseConnector.connect": (BaseConnector, "connect", _connect),
    "ClientRequest.send": (ClientRequest, "send", _send),
    "ClientResponse.start": (ClientResponse, "start", _start),
}


def patch() -> None:
    """Replace the three methods (a second call changes nothing)."""
    for key, (cls, name, replacement) in PATCHES.items():
        current = vars(cls)[name]
        if current is not replacement:
            ORIGINAL[key] = current
            setattr(cls, name, replacement)
