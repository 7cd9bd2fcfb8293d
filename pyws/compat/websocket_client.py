"""``pyws.patch_websocket_client()``: code written for websocket-client (``import
websocket``, the synchronous client) runs unchanged in Pyodide, over :mod:`pyws.sync`.

::

    import pyws

    pyws.patch_websocket_client()  # before the code that imports websocket

    import websocket

    ws = websocket.create_connection("wss://example.com/feed", timeout=10)

websocket-client's own package stays: its ``ABNF``, ``STATUS_*`` constants, exceptions,
``enableTrace`` and default timeout are the real ones. The patch replaces what touches a
socket: :class:`WebSocket` (each blocking call is a :mod:`pyws.sync` call, which blocks
through JSPI in Pyodide), :func:`create_connection` (its default class) and
:class:`WebSocketApp` (``run_forever`` is websocket-client's own code, its callbacks in
their order, with a dispatcher that waits on the browser's WebSocket instead of a file
descriptor, and no ping thread). They are set in ``websocket`` and in the modules that
define them (``websocket._core``, ``websocket._app``); :func:`unpatch` puts the real ones
back. What each member and argument does here, and what a browser makes impossible, is in
docs/websocket-client-compat.md.
"""

from __future__ import annotations

import asyncio
import struct
import sys
import types
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

import websocket as _websocket
from websocket import _app, _core, _dispatcher, _exceptions, _handshake, _logging, _url
from websocket._abnf import ABNF, STATUS_NORMAL

from .. import exceptions, sync
from ..exceptions import ConnectionClosed
from ._common import PING_IMPOSSIBLE
from ._websocket_client_options import opening_error, page_close, warn_options

__all__ = ["WebSocket", "WebSocketApp", "create_connection", "patch", "unpatch"]

WEBSOCKET_CLIENT_API = "1.9.2"
"""The websocket-client version this patch was checked against, call by call."""

WebSocketException = _exceptions.WebSocketException
Closed = _exceptions.WebSocketConnectionClosedException

LOST = "Connection to remote host was lost."
"""websocket-client's message when the connection went away under a ``recv``."""


def _run_sync[T](coroutine: Coroutine[Any, Any, T], connection: sync.WebSocket | None = None) -> T:
    return sync._run(coroutine, None if connection is None else connection.aio)


async def _close_within(
    connection: sync.WebSocket, code: int, reason: str, timeout: float | None
) -> None:
    """Start the closing handshake, wait ``timeout`` s for it (None: for ever), then give
    up with 1006 as pyws does after ``close_timeout``."""
    aio = connection.aio
    aio._close_soon(code, reason)
    if not await aio._wait(aio._closed, timeout):
        aio._abort()


async def _close_soon(connection: sync.WebSocket, code: int, reason: str) -> None:
    connection.aio._close_soon(code, reason)


async def _abort(connection: sync.WebSocket) -> None:
    connection.aio._abort()


def _close_frame(code: int, reason: str) -> ABNF:
    """The close frame the server sent, as websocket-client returns it: empty for 1005 (no
    code), else the code and the UTF-8 reason."""
    data = b"" if code == 1005 else struct.pack("!H", code) + reason.encode()
    return ABNF(1, 0, 0, 0, ABNF.OPCODE_CLOSE, 0, data)


def _wire(data: Any) -> bytes:
    """A frame's payload as websocket-client puts it on the wire: str as Latin-1 (text
    made by ``create_frame`` is UTF-8 bytes already)."""
    return data.encode("latin-1") if isinstance(data, str) else bytes(data)


def _message_frame(message: Any) -> ABNF:
    if isinstance(message, str):
        return ABNF(1, 0, 0, 0, ABNF.OPCODE_TEXT, 0, message.encode())
    return ABNF(1, 0, 0, 0, ABNF.OPCODE_BINARY, 0, bytes(message))


# -- WebSocket ---------------------------------------------------------------------------


class WebSocket(_core.WebSocket):
    """websocket-client's ``WebSocket`` over :class:`pyws.sync.WebSocket`.

    Each blocking call (``connect``, ``recv*``, ``close``) blocks through :mod:`pyws.sync`
    (JSPI in Pyodide). ``sock`` is the :class:`pyws.sync.WebSocket` while connected, None
    after ``close()``/``shutdown()``: a page has no socket. Frames are whole messages (the
    browser assembles fragments and answers pings out of sight); a fragmented message sent
    with ``send_frame`` leaves as one message once its last fragment is given.
    """

    sock: sync.WebSocket | None  # type: ignore[assignment]

    def __init__(
        self,
        get_mask_key: Callable[[int], bytes] | None = None,
        sockopt: list[Any] | None = None,
        sslopt: dict[str, Any] | None = None,
        fire_cont_frame: bool = False,
        enable_multithread: bool = True,
        skip_utf8_validation: bool = False,
        dispatcher: Any = None,
        **_: Any,
    ) -> None:
        super().__init__(
            get_mask_key, sockopt, sslopt, fire_cont_frame, enable_multithread,
            skip_utf8_validation, dispatcher,
        )  # fmt: skip
        warn_options("websocket.WebSocket()", {"sockopt": sockopt, "sslopt": sslopt}, 2)
        self._pending: deque[ABNF | BaseException] = deque()
        self._fragments: tuple[int, list[bytes]] | None = None
        self._close_seen = False
        self._url = ""

    def fileno(self) -> int:
        """Raises: a browser's WebSocket has no file descriptor to select on."""
        raise WebSocketException(
            "a browser's WebSocket has no file descriptor: wait with recv(), or with "
            "WebSocketApp.run_forever()"
            if self.sock is not None
            else "Connection not established"
        )

    def settimeout(self, timeout: float | None) -> None:
        """The timeout of ``recv*`` and of ``connect`` (None: wait for ever; 0: a ``recv``
        with nothing received raises :exc:`BlockingIOError`, as a non-blocking socket)."""
        self.sock_opt.timeout = timeout

    timeout = property(_core.WebSocket.gettimeout, settimeout)

    def is_ssl(self) -> bool:
        """True while connected over ``wss://``."""
        return self.sock is not None and self._url.startswith("wss:")

    def connect(self, url: str, **options: Any) -> None:
        """Open ``url``, waiting ``timeout`` s (the option, else :meth:`gettimeout`).

        ``subprotocols`` apply, and as websocket-client does, a server that chooses none of
        them fails the connection (:exc:`WebSocketException`). Options that ask what a
        browser cannot do (headers, cookies, proxies, socket and TLS options) are ignored
        with a :exc:`RuntimeWarning`. A failed opening raises what websocket-client raises
        where the platform tells why (:exc:`ConnectionRefusedError`,
        ``WebSocketBadStatusException``, ``WebSocketAddressException``: CPython), else
        ``WebSocketException`` saying that the browser hides it; ``WebSocketTimeoutException``
        after the timeout, :exc:`ValueError` for a URL websocket-client rejects.
        """
        self.sock_opt.timeout = options.get("timeout", self.sock_opt.timeout)
        _url.parse_url(url)  # websocket-client's own ValueErrors, first
        warn_options("WebSocket.connect()", options, 2)
        subprotocols = options.get("subprotocols")
        try:
            connection = sync.connect(
                url,
                subprotocols=list(subprotocols) if subprotocols else None,
                open_timeout=self.sock_opt.timeout,
            )
        except exceptions.InvalidHandshake as failed:
            raise opening_error(url, failed) from failed
        except TimeoutError:
            raise _exceptions.WebSocketTimeoutException("Connection timed out") from None
        chosen = connection.subprotocol
        if subprotocols and (chosen is None or chosen.lower() not in map(str.lower, subprotocols)):
            _run_sync(_abort(connection), connection)
            _logging.error(f"Invalid subprotocol: {subprotocols}")
            raise WebSocketException("Invalid WebSocket Header")
        headers = {"upgrade": "websocket", "connection": "Upgrade"}
        if chosen:
            headers["sec-websocket-protocol"] = chosen
        if connection.extensions:
            headers["sec-websocket-extensions"] = connection.extensions
        _logging.dump("response header", "\n".join(f"{k}: {v}" for k, v in headers.items()))
        self.handshake_response = _handshake.handshake_response(
            101, headers, chosen.lower() if subprotocols and chosen else None
        )
        self.sock, self._url = connection, url
        self._pending.clear()
        self._fragments = None
        self._close_seen = False
        self.connected = True

    # -- sending -------------------------------------------------------------------------

    def send_frame(self, frame: ABNF) -> int:
        """Send ``frame`` as the browser can: text and binary as messages (fragments
        gathered until the last), close as the closing handshake's start (page rules:
        :func:`_page_close`); ping and pong only warn, since a page cannot send them.
        Returns the frame's length on the wire, as websocket-client does."""
        length = len(frame.format())  # websocket-client's checks: ValueError
        if _logging.isEnabledForTrace():
            _logging.trace(f"++Sent decoded: {frame.__str__()}")
        with self.lock:
            self._send_message(frame)
        return length

    def _send_message(self, frame: ABNF) -> None:
        connection = self.sock
        if connection is None:
            raise Closed("socket is already closed.")
        opcode, data = frame.opcode, frame.data
        if opcode in (ABNF.OPCODE_PING, ABNF.OPCODE_PONG):
            name = ABNF.OPCODE_MAP[opcode]
            warnings.warn(
                f"{name} not sent: " + PING_IMPOSSIBLE.format(frame=name, method=name),
                RuntimeWarning,
                stacklevel=5,
            )
            return
        if opcode == ABNF.OPCODE_CLOSE:
            raw = data.encode() if isinstance(data, str) else bytes(data)
            code = struct.unpack("!H", raw[:2])[0] if len(raw) >= 2 else 1000
            _run_sync(_close_soon(connection, *page_close(code, raw[2:], 5)), connection)
            return
        if opcode == ABNF.OPCODE_CONT:
            if self._fragments is None:
                raise _exceptions.WebSocketProtocolException(
                    "a continuation frame with no fragmented message to continue"
                )
            self._fragments[1].append(_wire(data))
            if not frame.fin:
                return
            opcode, parts = self._fragments
            self._fragments = None
            payload = b"".join(parts)
        elif not frame.fin:
            self._fragments = (opcode, [_wire(data)])
            return
        else:
            payload = _wire(data)
        message: str | bytes = payload
        if opcode == ABNF.OPCODE_TEXT:
            try:
                message = payload.decode()
            except UnicodeDecodeError as invalid:
                raise _exceptions.WebSocketPayloadException(
                    f"cannot send {payload!r} as text: a browser sends only valid UTF-8 text "
                    "(send it with OPCODE_BINARY)"
                ) from invalid
        try:
            connection.send(message)
        except ConnectionClosed:
            raise Closed("socket is already closed.") from None

    # -- receiving -----------------------------------------------------------------------

    def recv_frame(self) -> ABNF:
        """The next whole message, or the close frame, as an ``ABNF`` frame (fin=1)."""
        if self._pending:
            pending = self._pending.popleft()
            if isinstance(pending, BaseException):
                raise pending
            return pending
        return self._receive(self.sock_opt.timeout)

    def recv_data_frame(self, control_frame: bool = False) -> tuple[int, ABNF]:
        """``(opcode, frame)`` of the next message or close frame. A page never sees
        pings or pongs (the browser answers pings itself), so ``control_frame=True`` returns
        no ping or pong frame."""
        frame = self.recv_frame()
        if _logging.isEnabledForTrace():
            _logging.trace(f"++Rcv decoded: {frame.__str__()}")
        if frame.opcode == ABNF.OPCODE_CLOSE:
            self.connected = False  # the browser has answered it already
        return frame.opcode, frame

    def _receive(self, timeout: float | None) -> ABNF:
        connection = self.sock
        if connection is None:
            raise Closed("Connection is closed")
        try:
            return _message_frame(connection.recv(timeout))
        except TimeoutError:
            if timeout == 0:  # a non-blocking socket's error, as websocket-client lets through
                raise BlockingIOError(11, "Resource temporarily unavailable") from None
            raise _exceptions.WebSocketTimeoutException("Connection timed out") from None
        except ConnectionClosed as closed:
            if self._close_seen or closed.code == 1006:
                self.sock = None
                self.connected = False
                raise Closed(LOST) from None
            self._close_seen = True
            return _close_frame(closed.code, closed.reason)

    def _readable(self, timeout: float | None) -> bool:
        """Whether a frame (or the end) is there within ``timeout`` s; what came is kept
        for the next ``recv_frame``. The dispatcher's ``select``."""
        if self._pending:
            return True
        try:
            self._pending.append(self._receive(timeout))
        except (_exceptions.WebSocketTimeoutException, BlockingIOError):
            return False
        except Closed as closed:
            self._pending.append(closed)
        return True

    # -- closing -------------------------------------------------------------------------

    def close(
        self, status: int = STATUS_NORMAL, reason: str | bytes = b"", timeout: float | None = 3
    ) -> None:
        """Close and wait up to ``timeout`` s (None: for ever) for the server's close frame
        (:attr:`close_frame`), then drop the connection; nothing once not connected. A code
        or reason a page may not send is changed, with a :exc:`RuntimeWarning`."""
        if not self.connected:
            return
        if status < 0 or status >= ABNF.LENGTH_16:
            raise ValueError("code is invalid range")
        self.close_frame = None
        self.connected = False
        connection = self.sock
        if connection is not None:
            code, text = page_close(status, reason, 2)
            try:
                _run_sync(_close_within(connection, code, text, timeout), connection)
            except Exception as failed:  # websocket-client ignores them too
                _logging.debug(f"close: {failed!r}")
            if connection.was_clean and connection.close_code is not None:
                self.close_frame = _close_frame(
                    connection.close_code, connection.close_reason or ""
                )
        self.shutdown()

    def abort(self) -> None:
        """Drop the connection now (1006): a ``recv`` waiting elsewhere raises
        ``WebSocketConnectionClosedException``. The browser sends a close frame (1000)."""
        connection = self.sock
        if self.connected and connection is not None:
            _run_sync(_abort(connection), connection)

    def shutdown(self) -> None:
        """Drop the connection now, without waiting; ``sock`` becomes None."""
        connection = self.sock
        if connection is not None:
            try:
                _run_sync(_close_soon(connection, 1000, ""), connection)
            finally:
                self.sock = None
                self.connected = False


_CREATE_CONNECTION = _core.create_connection


def create_connection(
    url: str, timeout: float | None = None, class_: type[Any] = WebSocket, **options: Any
) -> Any:
    """websocket-client's ``create_connection``, making a pyws-backed :class:`WebSocket`
    by default: ``timeout`` (else ``getdefaulttimeout()``) for opening and for ``recv``."""
    return _CREATE_CONNECTION(url, timeout, class_, **options)


# -- WebSocketApp ------------------------------------------------------------------------


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


class _Dispatcher(_dispatcher.DispatcherBase):
    """``run_forever``'s loop: wait up to ``ping_timeout`` s (10 by default, as
    websocket-client's select) for a frame on the browser's WebSocket, read it, check."""

    def read(self, sock: Any, read_callback: Callable[[], bool], check_callback: Any) -> None:
        while self.app.keep_running:
            current: WebSocket | None = self.app.sock  # type: ignore[assignment]
            if current is None:
                return
            if current._readable(self.ping_timeout) and not read_callback():
                return
            check_callback()

    def timeout(self, seconds: float | None, callback: Callable[[], Any]) -> None:
        if seconds is not None:
            _run_sync(_sleep(seconds))
        callback()

    def reconnect(self, seconds: int, reconnector: Callable[..., Any]) -> None:
        _logging.info(f"reconnect() - retrying in {seconds} seconds")
        _run_sync(_sleep(seconds))
        reconnector(reconnecting=True)


_RUN_FOREVER: Callable[..., bool] = types.FunctionType(
    _app.WebSocketApp.run_forever.__code__,
    {**vars(_app), "WebSocket": WebSocket},
    "run_forever",
    _app.WebSocketApp.run_forever.__defaults__,
    _app.WebSocketApp.run_forever.__closure__,
)
"""websocket-client's own ``run_forever`` (its code object: the same callbacks, in the same
order, with the same arguments), its connections made by the pyws-backed WebSocket."""


class WebSocketApp(_app.WebSocketApp):
    """websocket-client's ``WebSocketApp``, its ``run_forever`` over the browser's WebSocket.

    ``run_forever`` blocks (JSPI in Pyodide) and returns as websocket-client's does: False
    after a close, True after an error. A custom ``dispatcher`` (rel) cannot be used (a
    page has no file descriptors: :exc:`NotImplementedError`); ``ping_interval`` warns and
    sends nothing, since a page cannot ping (the browser answers the server's pings).
    """

    def run_forever(self, *args: Any, **kwargs: Any) -> bool:
        if kwargs.get("reconnect") is None:
            kwargs["reconnect"] = _app.RECONNECT
        return _RUN_FOREVER(self, *args, **kwargs)

    def create_dispatcher(
        self,
        ping_timeout: float | None,
        dispatcher: Any = None,
        is_ssl: bool = False,
        handleDisconnect: Callable[..., Any] | None = None,
    ) -> Any:
        if dispatcher:
            raise NotImplementedError(
                f"run_forever(dispatcher={dispatcher!r}) over pyws: a dispatcher reads a "
                "socket's file descriptor, which a browser's WebSocket does not have; "
                "run_forever() without one waits on the browser's WebSocket itself"
            )
        return _Dispatcher(self, ping_timeout or 10)

    def _start_ping_thread(self) -> None:
        warnings.warn(
            f"run_forever(ping_interval={self.ping_interval!r}) sends no ping: "
            + PING_IMPOSSIBLE.format(frame="ping", method="ping"),
            RuntimeWarning,
            stacklevel=2,
        )


# -- patching ----------------------------------------------------------------------------

REPLACED: dict[str, dict[str, Any]] = {
    "websocket": {
        "WebSocket": WebSocket,
        "WebSocketApp": WebSocketApp,
        "create_connection": create_connection,
    },
    "websocket._core": {"WebSocket": WebSocket, "create_connection": create_connection},
    "websocket._app": {"WebSocketApp": WebSocketApp},
}
"""What the patch sets, by module: everything else of websocket-client is its own."""

ORIGINAL: dict[tuple[str, str], Any] = {
    (module, name): getattr(sys.modules[module], name)
    for module, members in REPLACED.items()
    for name in members
}
"""websocket-client's own members, put back by :func:`unpatch`."""


def is_patched() -> bool:
    return _websocket.WebSocket is WebSocket


def patch() -> bool:
    """Set the pyws-backed members in websocket-client's modules; True (also when they
    were already set). Where the platform cannot block, RuntimeError says where it can."""
    from .. import _platform

    if _platform.IN_PYODIDE:
        try:
            sync.mode()  # JSPI, or the relay (a worker of an isolated page without JSPI)
        except RuntimeError as exc:
            raise RuntimeError(
                f"pyws.patch_websocket_client(): websocket-client's API is blocking, and {exc}; "
                "or pyws.patch_websockets() for code written for websockets' asyncio client"
            ) from None
    for module, members in REPLACED.items():
        for name, value in members.items():
            setattr(sys.modules[module], name, value)
    return True


def unpatch() -> bool:
    """Put websocket-client's own members back; False when it was not patched."""
    if not is_patched():
        return False
    for (module, name), value in ORIGINAL.items():
        setattr(sys.modules[module], name, value)
    return True
