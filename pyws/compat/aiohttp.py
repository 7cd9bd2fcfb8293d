"""``pyws.patch_aiohttp()``: code written for aiohttp's WebSocket client runs unchanged in
Pyodide, over the browser's WebSocket.

::

    import aiohttp
    import pyws

    pyws.patch_aiohttp()

    async with aiohttp.ClientSession() as session:
        async with session.ws_connect("wss://example.com/ws") as ws:  # pyws underneath
            await ws.send_str("hello")
            msg = await ws.receive()  # aiohttp's own WSMessage, WSMsgType.TEXT

Pyodide has no raw sockets, so there ``ClientSession.ws_connect`` raises
``NotImplementedError``. The patch replaces the method behind it
(``ClientSession._ws_connect``, which ``ws_connect`` and its ``async with`` wrap) by one
that opens a :class:`pyws.WebSocket` and returns a :class:`BrowserWebSocketResponse`: a
subclass of aiohttp's ``ClientWebSocketResponse`` that mirrors it member by member and
returns aiohttp's own ``WSMessage``, ``WSMsgType`` and exceptions. A session's HTTP
requests go over the platform's ``fetch`` (:mod:`pyws.compat.aiohttp_http`).

It follows ``pyodide_http.patch_all()``: outside Pyodide, or without aiohttp, it does
nothing and returns False; a second call changes nothing. What each member and each
``ws_connect`` argument does here, and what a browser makes impossible, is in
docs/aiohttp-compat.md.
"""

from __future__ import annotations

import asyncio
import json
import re
import struct
import warnings
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, NoReturn

import aiohttp
from aiohttp import (
    BaseConnector,
    ClientConnectionError,
    ClientConnectionResetError,
    ClientSession,
    ClientWebSocketResponse,
    ClientWSTimeout,
    ConnectionTimeoutError,
    InvalidURL,
    RequestInfo,
    WSMessage,
    WSMessageTypeError,
    WSMsgType,
    WSServerHandshakeError,
)
from aiohttp.http_websocket import WebSocketError
from aiohttp.streams import EofStream
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .. import _platform, exceptions
from .._options import BROWSER_CANNOT
from .._redact import redact
from ..blob import Blob
from ..client import connect as pyws_connect
from ..connection import Data, WebSocket
from . import aiohttp_http
from ._common import PING_IMPOSSIBLE, is_empty, is_none, page_close, warn_ignored

__all__ = ["BrowserHandshakeError", "BrowserWebSocketResponse", "patch_aiohttp"]

ABNORMAL_CLOSURE = 1006
MESSAGE_TOO_BIG = 1009
NO_STATUS = 1005
TOO_BIG_ON_THE_WIRE = 4009
"""What a page sends in place of 1009 (a page may send only 1000 and 3000-4999): 4000 + 9,
as pyws's own receive-queue overflow does."""
DEFAULT_MAX_MSG_SIZE = 4 * 1024 * 1024
CLOSED_MESSAGE = WSMessage(WSMsgType.CLOSED, None, None)
CLOSING_MESSAGE = WSMessage(WSMsgType.CLOSING, None, None)
DEFAULT_TIMEOUT = ClientWSTimeout(ws_receive=None, ws_close=10.0)


class BrowserHandshakeError(WSServerHandshakeError, ClientConnectionError):
    """The browser failed the opening handshake, and hides why from pages: a refused
    connection, a non-101 answer, a TLS failure and a subprotocol none of those offered look
    the same. So it is both of aiohttp's classes for these (``except
    WSServerHandshakeError`` and ``except ClientConnectionError`` both catch it), with
    ``status`` 0; the browser's console says what happened."""


# -- ws_connect's arguments --------------------------------------------------------------

HONOURED: dict[str, Callable[[Any], bool]] = {
    "method": lambda value: str(value).upper() == "GET",
    "autoping": lambda value: value is True,
    "heartbeat": is_none,
    "auth": is_none,
    "origin": is_none,
    "headers": is_empty,
    "proxy": is_none,
    "proxy_auth": is_none,
    "proxy_headers": is_none,
    "ssl": lambda value: value is True or value is None,
    "verify_ssl": lambda value: value is None or value is True,
    "fingerprint": is_none,
    "ssl_context": is_none,
    "server_hostname": is_none,
    # 15: permessage-deflate with the largest window, which browsers offer by themselves.
    "compress": lambda value: value in (0, 15),
}
"""Values of ``ws_connect`` arguments that ask nothing a browser cannot do: accepted
silently (the defaults, which aiohttp's ``ws_connect`` passes on explicitly)."""

CANNOT = {
    **BROWSER_CANNOT,
    "method": "use another method than GET",
    "autoping": "show pings and pongs to a page (the browser answers pings by itself)",
    "heartbeat": (
        "send pings (the browser answers the server's pings by itself; pyws.Heartbeat is "
        "an application-level heartbeat that needs a server that answers it, so it is not "
        "used in its place)"
    ),
    "auth": "set request headers (Authorization)",
    "headers": "set request headers",
    "proxy_auth": BROWSER_CANNOT["proxy"],
    "proxy_headers": BROWSER_CANNOT["proxy"],
    "verify_ssl": BROWSER_CANNOT["ssl"],
    "fingerprint": BROWSER_CANNOT["ssl"],
    "ssl_context": BROWSER_CANNOT["ssl"],
    "compress": "choose the deflate window (the browser negotiates permessage-deflate itself)",
    "per-message compress": "compress one message and not another (the browser decides)",
    "ws_response_class": "build a ClientSession's own ws_response_class, which needs a socket",
}
"""Why the other values are ignored, with a :exc:`RuntimeWarning`."""


def _open_timeout(session: ClientSession) -> tuple[float | None, bool]:
    """aiohttp bounds the opening handshake with the session's ``timeout``: its smallest
    of ``total``, ``connect`` and ``sock_connect`` (None: unbounded); and whether that is
    ``total``, for which aiohttp raises a plain :exc:`TimeoutError` (for the others,
    ``ConnectionTimeoutError``: measured with aiohttp 3.14.5, issue 25)."""
    timeout = session.timeout
    bounds = [t for t in (timeout.connect, timeout.sock_connect) if t]
    total = timeout.total or None
    if total is not None and (not bounds or total <= min(bounds)):
        return total, True
    return (min(bounds) if bounds else None), False


def _ws_timeout(timeout: object, receive_timeout: float | None) -> ClientWSTimeout:
    """``ClientWSTimeout`` from ``timeout=`` and ``receive_timeout=``, as aiohttp does,
    with its deprecation warnings for the float forms."""
    if isinstance(timeout, ClientWSTimeout):
        ws_timeout = timeout
    elif isinstance(timeout, int | float) and not isinstance(timeout, bool):
        warnings.warn(
            "parameter 'timeout' of type 'float' is deprecated, please use "
            "'timeout=ClientWSTimeout(ws_close=...)'",
            DeprecationWarning,
            stacklevel=4,
        )
        ws_timeout = ClientWSTimeout(ws_receive=None, ws_close=timeout)
    else:
        ws_timeout = DEFAULT_TIMEOUT
    if receive_timeout is not None:
        warnings.warn(
            "float parameter 'receive_timeout' is deprecated, please use parameter "
            "'timeout=ClientWSTimeout(ws_receive=...)'",
            DeprecationWarning,
            stacklevel=4,
        )
        ws_timeout = ClientWSTimeout(ws_receive=receive_timeout, ws_close=ws_timeout.ws_close)
    return ws_timeout


async def _ws_connect(
    self: ClientSession,
    url: str | URL,
    *,
    protocols: Iterable[str] = (),
    timeout: object = None,
    receive_timeout: float | None = None,
    autoclose: bool = True,
    params: Any = None,
    max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
    decode_text: bool = True,
    **cannot: Any,
) -> BrowserWebSocketResponse:
    """``ClientSession._ws_connect`` over :func:`pyws.connect` (``ws_connect`` calls it
    with every argument, defaults included)."""
    if self.closed:
        raise RuntimeError("Session is closed")
    ws_timeout = _ws_timeout(timeout, receive_timeout)
    response_class = getattr(self, "_ws_response_class", ClientWebSocketResponse)
    if response_class is not ClientWebSocketResponse:
        cannot["ws_response_class"] = response_class
    warn_ignored("aiohttp's ws_connect()", cannot, HONOURED, CANNOT, stacklevel=3)
    target = self._build_url(url)
    if params:
        target = target.extend_query(params)
    offered = list(protocols)
    open_timeout, total = _open_timeout(self)
    try:
        ws = await pyws_connect(
            str(target),
            subprotocols=offered or None,
            open_timeout=open_timeout,
            close_timeout=ws_timeout.ws_close,
        )
    except exceptions.InvalidURI as exc:
        raise InvalidURL(target, str(exc)) from exc
    except exceptions.InvalidHandshake as exc:
        info = RequestInfo(target, "GET", CIMultiDictProxy(CIMultiDict()), target)
        raise BrowserHandshakeError(info, (), status=0, message=str(exc)) from exc
    except TimeoutError as exc:
        if total:
            raise TimeoutError from exc
        raise ConnectionTimeoutError(f"Connection timeout to host {target}") from exc
    return BrowserWebSocketResponse(
        ws,
        ws_timeout,
        autoclose=autoclose,
        max_msg_size=max_msg_size,
        decode_text=decode_text,
        response=HandshakeResponse(target, ws, offered, self.connector),
    )


# -- the response ------------------------------------------------------------------------


class HandshakeResponse:
    """``ws._response``: the opening handshake's response, as far as a page sees it.

    Libraries read it (the negotiated subprotocol, a session header); aiohttp keeps its
    ``ClientResponse`` there. A browser shows pages status 101 and two headers,
    ``Sec-WebSocket-Protocol`` and ``Sec-WebSocket-Extensions``, so ``headers`` holds those
    (and the ``Upgrade`` and ``Connection`` that a 101 always has); any other header is
    hidden by the browser, and ``headers.get(name)`` gives None as for a header not sent.
    """

    status = 101
    reason = "Switching Protocols"
    ok = True
    history: tuple[Any, ...] = ()
    connection = None
    """None: a page has no connection object."""

    def __init__(
        self, url: URL, ws: WebSocket, offered: list[str], connector: BaseConnector | None = None
    ) -> None:
        self.url = self.real_url = url
        self.method = "GET"
        shown = {
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Protocol": ws.subprotocol or "",
            "Sec-WebSocket-Extensions": ws.extensions,
        }
        self.headers = CIMultiDictProxy(CIMultiDict({k: v for k, v in shown.items() if v}))
        request = {"Sec-WebSocket-Protocol": ",".join(offered)} if offered else {}
        self.request_info = RequestInfo(url, "GET", CIMultiDictProxy(CIMultiDict(request)), url)
        self.closed = False
        self._held = _Held(ws, connector)

    def close(self) -> None:
        self.closed = True
        self._held.release()

    def release(self) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<HandshakeResponse({redact(str(self.url))}) [101 Switching Protocols]>"


class _Held:
    """The session's connector holds a patched connection as it holds aiohttp's own (in
    its acquired connections, where aiohttp itself parks a placeholder while it connects):
    closing the connector, as ``ClientSession.close()`` does, cuts it, as in aiohttp. A
    page cannot cut a connection without a close frame: the peer gets 1000, and the
    connection reports 1006, lost (a pending ``receive()`` returns CLOSED)."""

    transport = None
    closed = None
    """Nothing for the connector to wait for once it has closed this."""

    def __init__(self, ws: WebSocket, connector: BaseConnector | None) -> None:
        self._ws = ws
        self._connector = connector
        if connector is not None and not connector.closed:
            connector._acquired.add(self)  # type: ignore[arg-type]

    def close(self) -> None:
        self._ws._abort()

    def abort(self) -> None:
        self._ws._abort()

    def release(self) -> None:
        """The connection closed: the connector holds it no more."""
        if self._connector is not None:
            self._connector._acquired.discard(self)
            self._connector = None


def _deflate(extensions: str) -> tuple[int, bool]:
    """``compress`` and ``client_notakeover`` from the negotiated extensions."""
    if "permessage-deflate" not in extensions:
        return 0, False
    bits = re.search(r"server_max_window_bits=(\d+)", extensions)
    return int(bits[1]) if bits else 15, "client_no_context_takeover" in extensions


class BrowserWebSocketResponse(ClientWebSocketResponse):
    """aiohttp's ``ClientWebSocketResponse`` over :class:`pyws.WebSocket`, member by member.

    ``receive()`` returns aiohttp's ``WSMessage``: TEXT and BINARY; CLOSE (code, reason)
    when the server closes; CLOSED once closed (also after a connection lost, with
    ``close_code`` 1006); CLOSING to a ``receive()`` that another task's ``close()``
    woke; ERROR for a message over ``max_msg_size``. Nothing received is lost to a
    timeout or a cancel.
    """

    def __init__(
        self,
        ws: WebSocket,
        timeout: ClientWSTimeout,
        *,
        autoclose: bool = True,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
        decode_text: bool = True,
        response: HandshakeResponse | None = None,
    ) -> None:
        # aiohttp's __init__ wants its reader, writer and connection: not called.
        self._ws = ws
        self._response = response or HandshakeResponse(URL(ws.url), ws, [])  # type: ignore[assignment]
        self._conn = None
        self._timeout = timeout
        self._autoclose = autoclose
        self._max_msg_size = max_msg_size
        self._decode_text = decode_text
        self._protocol = ws.subprotocol
        self._compress, self._client_notakeover = _deflate(ws.extensions)
        self._closed = False
        self._closing = False
        self._close_code: int | None = None
        self._exception: BaseException | None = None
        self._waiting = False
        self._close_wait: asyncio.Future[None] | None = None

    @property
    def ws(self) -> WebSocket:
        """The :class:`pyws.WebSocket` underneath."""
        return self._ws

    # -- state ---------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def close_code(self) -> int | None:
        return self._close_code

    @property
    def protocol(self) -> str | None:
        """The subprotocol the server selected (None if none was offered)."""
        return self._protocol

    @property
    def compress(self) -> int:
        """The deflate window bits the browser negotiated (15 unless the server said
        less), or 0 without permessage-deflate."""
        return self._compress

    @property
    def client_notakeover(self) -> bool:
        return self._client_notakeover

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """``default``: a browser tells pages nothing about the socket (no addresses, no
        TLS object)."""
        return default

    def exception(self) -> BaseException | None:
        return self._exception

    def __repr__(self) -> str:
        return f"<{type(self).__name__} over {self._ws!r}>"

    # -- sending -------------------------------------------------------------------------

    async def ping(self, message: bytes = b"") -> NoReturn:
        """Raises :exc:`NotImplementedError`: a page cannot send a ping frame."""
        raise NotImplementedError(PING_IMPOSSIBLE.format(frame="ping", method="ping"))

    async def pong(self, message: bytes = b"") -> NoReturn:
        """Raises :exc:`NotImplementedError`: a page cannot send a pong frame."""
        raise NotImplementedError(PING_IMPOSSIBLE.format(frame="pong", method="pong"))

    async def send_frame(
        self, message: bytes, opcode: WSMsgType, compress: int | None = None
    ) -> None:
        """TEXT (UTF-8) and BINARY frames are sent as messages; a page cannot send others."""
        if opcode is WSMsgType.TEXT:
            await self._send(bytes(message).decode("utf-8"), compress)
        elif opcode is WSMsgType.BINARY:
            await self._send(message, compress)
        elif opcode in (WSMsgType.PING, WSMsgType.PONG):
            name = opcode.name.lower()
            raise NotImplementedError(PING_IMPOSSIBLE.format(frame=name, method=name))
        else:
            raise NotImplementedError(
                f"a page cannot send {opcode!r} frames: the browser sends whole messages "
                "(send_str, send_bytes) and closes with close()"
            )

    async def send_str(self, data: str, compress: int | None = None) -> None:
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        await self._send(data, compress)

    async def send_bytes(self, data: bytes, compress: int | None = None) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        await self._send(data, compress)

    async def send_json(
        self,
        data: Any,
        compress: int | None = None,
        *,
        dumps: Callable[[Any], str] = json.dumps,
    ) -> None:
        await self.send_str(dumps(data), compress=compress)

    async def send_json_bytes(
        self, data: Any, compress: int | None = None, *, dumps: Callable[[Any], bytes]
    ) -> None:
        await self.send_bytes(dumps(data), compress=compress)

    async def _send(self, data: Data, compress: int | None) -> None:
        if compress is not None:
            warn_ignored("send", {"per-message compress": compress}, {}, CANNOT, stacklevel=3)
        try:
            await self._ws.send(data)
        except exceptions.ConnectionClosed as exc:
            # aiohttp's writer on a closed connection.
            raise ClientConnectionResetError("Cannot write to closing transport") from exc

    # -- closing -------------------------------------------------------------------------

    async def close(self, *, code: int = 1000, message: bytes | str = b"") -> bool:
        """Close, waiting up to ``timeout.ws_close`` for the closing handshake; True if this
        call closed it, False if it was closed already. A ``receive()`` waiting in another
        task returns CLOSING first. Codes a page may not send (1001-2999) go as 1000, with a
        warning; ``close_code`` is the server's answer, or 1006 with ``exception()``
        ``TimeoutError()`` when ``ws_close`` ran out, as in aiohttp.

        Checked before anything changes: a code or reason a page may not send that aiohttp
        would (a code below 1000 or from 5000 to 65535, a reason over 123 UTF-8 bytes or
        not UTF-8) raises :exc:`ValueError`, the connection untouched. A code no close
        frame can hold (outside 0-65535) does as in aiohttp: True, closed, ``close_code``
        1006, the packing error as ``exception()``, the connection cut."""
        if self._closed:
            return False
        try:
            struct.pack("!H", code)
        except struct.error as exc:
            unpackable: struct.error | None = exc
        else:
            unpackable = None
            reason = message.decode("utf-8") if isinstance(message, bytes) else message
            code, reason = page_close(code, reason, 2)
        if self._waiting and not self._closing:
            self._close_wait = asyncio.get_running_loop().create_future()
            self._closing = True
            self._ws._wake_reader()
            await self._close_wait
        if self._closed:
            return False
        self._closed = True
        if unpackable is not None:
            self._close_code = ABNORMAL_CLOSURE
            self._exception = unpackable
            self._ws._abort()
            self._response.close()
            return True
        ws = self._ws
        if ws.close_code is not None and not ws.was_clean:
            # Lost before this close(): aiohttp's writer fails first, whatever close_code
            # said (aiohttp 3.14.5, measured by the differential machine).
            self._close_code = ABNORMAL_CLOSURE
            self._exception = ClientConnectionResetError("Cannot write to closing transport")
            self._response.close()
            return True
        if self._close_code:
            # A read timed out or was cancelled (1006), or the server's close was read:
            # aiohttp sends its close frame and returns without waiting for an answer.
            ws._close_soon(code, reason)
            self._response.close()
            return True
        try:
            finished = await ws._close(code, reason)
        except asyncio.CancelledError:
            self._close_code = ABNORMAL_CLOSURE
            raise
        # Without a closing handshake, aiohttp's exception() is its reader's EofStream for
        # a connection lost during close(), TimeoutError when ws_close ran out.
        self._after_close(EofStream() if finished else TimeoutError())
        return True

    def _after_close(self, lost: BaseException | None = None) -> None:
        """``close_code`` (and ``exception()``) from how the connection ended: ``lost``
        (default: a ``ClientConnectionResetError``) if without a closing handshake."""
        ws = self._ws
        self._response.close()
        if ws.was_clean:
            code = ws.close_code
            self._close_code = 0 if code == NO_STATUS else code
        else:
            self._close_code = ABNORMAL_CLOSURE
            self._exception = lost or ClientConnectionResetError(
                "the connection was lost without a closing handshake (1006)"
            )

    # -- receiving -----------------------------------------------------------------------

    async def receive(self, timeout: float | None = None) -> WSMessage:
        """The next message; nothing received is lost to a timeout or a cancel: the read is
        pyws's own ``recv(timeout)``, which leaves a message it did not return queued, and
        whose timer is cancelled (freed) as the read ends. ``close()`` in another task
        wakes it, and it returns CLOSING."""
        receive_timeout = timeout or self._timeout.ws_receive
        if receive_timeout is not None and receive_timeout < 0:
            receive_timeout = 0  # run out already, as aiohttp's timeout is
        while True:
            if self._waiting:
                raise RuntimeError("Concurrent call to receive() is not allowed")
            if self._closed:
                return CLOSED_MESSAGE
            if self._closing:
                await self.close()
                return CLOSED_MESSAGE
            self._waiting = True
            try:
                try:
                    data = await self._ws.recv(receive_timeout)
                finally:
                    self._waiting = False
                    if self._close_wait is not None and not self._close_wait.done():
                        self._close_wait.set_result(None)
            except TimeoutError:
                if self._closing:  # woken by close()
                    return CLOSING_MESSAGE
                self._close_code = ABNORMAL_CLOSURE  # as aiohttp does, the socket open
                raise
            except asyncio.CancelledError:
                self._close_code = ABNORMAL_CLOSURE
                raise
            except exceptions.ConnectionClosed as closed:
                if not closed.was_clean:
                    self._closed = True
                    self._after_close()
                    return CLOSED_MESSAGE
                self._closing = True
                self._close_code = 0 if closed.code == NO_STATUS else closed.code
                if self._autoclose:
                    await self.close()
                return WSMessage(WSMsgType.CLOSE, self._close_code, closed.reason)
            return await self._message(data)

    async def _message(self, data: Data) -> WSMessage:
        if isinstance(data, Blob):  # not with binary_type="bytes", which pyws is given
            data = await data.bytes()
        text = isinstance(data, str)
        size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
        if self._max_msg_size and size > self._max_msg_size:
            # aiohttp's reader refuses it: ERROR, then a close with 1009, which a page
            # cannot send: it sends 4009, and close_code says 1009 as in aiohttp.
            error = WebSocketError(
                MESSAGE_TOO_BIG, f"Message size {size} exceeds limit {self._max_msg_size}"
            )
            self._close_code = MESSAGE_TOO_BIG
            self._closed = True
            await self._ws.close(TOO_BIG_ON_THE_WIRE, "message too big")
            self._response.close()
            return WSMessage(WSMsgType.ERROR, error, None)
        if text:
            payload: Any = data if self._decode_text else str(data).encode("utf-8")
            return WSMessage(WSMsgType.TEXT, payload, "")
        return WSMessage(WSMsgType.BINARY, data, "")

    async def receive_str(self, *, timeout: float | None = None) -> str:
        return await self._receive_data(WSMsgType.TEXT, timeout)  # type: ignore[no-any-return]

    async def receive_bytes(self, *, timeout: float | None = None) -> bytes:
        return await self._receive_data(WSMsgType.BINARY, timeout)  # type: ignore[no-any-return]

    async def _receive_data(self, kind: WSMsgType, timeout: float | None) -> Any:
        msg = await self.receive(timeout)
        if msg.type is not kind:
            raise WSMessageTypeError(
                f"Received message {msg.type}:{msg.data!r} is not WSMsgType.{kind.name}"
            )
        return msg.data

    async def receive_json(
        self, *, loads: Callable[[Any], Any] = json.loads, timeout: float | None = None
    ) -> Any:
        return loads(await self.receive_str(timeout=timeout))

    def __aiter__(self) -> BrowserWebSocketResponse:
        return self

    async def __anext__(self) -> WSMessage:
        msg = await self.receive()
        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
            raise StopAsyncIteration
        return msg

    async def __aenter__(self) -> BrowserWebSocketResponse:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        await self.close()


# -- the patch ---------------------------------------------------------------------------


def patch_aiohttp() -> bool:
    """Make ``aiohttp.ClientSession.ws_connect`` open pyws-backed connections.

    Returns True in Pyodide, where it patched (or had patched: a second call changes
    nothing), and False elsewhere, where it does nothing. Sessions made before the call
    are patched too: the method is replaced on the class.
    """
    if not _platform.IN_PYODIDE:
        return False
    current = ClientSession._ws_connect
    if current is not _ws_connect:
        ORIGINAL["_ws_connect"] = current
        ClientSession._ws_connect = _ws_connect  # type: ignore[assignment,method-assign]
    aiohttp_http.patch()
    return True


ORIGINAL: dict[str, Any] = {}
"""aiohttp's own ``ClientSession._ws_connect``, once patched (to put it back in tests)."""

VERSION = aiohttp.__version__
"""The aiohttp whose ``ClientWebSocketResponse`` this one mirrors (written for 3.14)."""
