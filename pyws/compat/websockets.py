"""``pyws.patch_websockets()``: code written for the ``websockets`` client runs unchanged
in Pyodide, over the browser's WebSocket.

::

    import pyws

    pyws.patch_websockets()  # before the code that imports websockets

    from websockets.asyncio.client import connect  # pyws underneath

It follows ``pyodide_http.patch_all()``: outside Pyodide it does nothing and returns False.
In Pyodide it installs module objects in :data:`sys.modules` under the names of the
``websockets`` client API (:data:`MODULES`), whether or not the real package is installed,
and returns True; a second call changes nothing. Any other ``websockets.*`` module (the
server, Sans-I/O, ``legacy``) then fails to import with a message saying why.

The exceptions are pyws's own (``websockets.exceptions.ConnectionClosed`` is
:exc:`pyws.ConnectionClosed`, with ``rcvd``, ``sent``, ``code`` and ``reason``), so one
``except`` serves both APIs. What each member of ``websockets``' connection does here,
and what a browser makes impossible, is in docs/websockets-compat.md.
"""

from __future__ import annotations

import enum
import importlib.abc
import importlib.machinery
import logging
import re
import sys
import uuid
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
)
from http import HTTPStatus
from types import ModuleType
from typing import Any, NewType, NoReturn

from .. import _platform, exceptions, sync
from .._members import ClosesOnExit, ClosesOnExitSync, Opener, forward
from .._options import BROWSER_CANNOT
from ..blob import Blob
from ..client import connect as pyws_connect
from ..connection import Data, State, WebSocket
from ..reconnect import Connections
from ._common import PING_IMPOSSIBLE, is_empty, is_none, page_close, warn_ignored

__all__ = ["MODULES", "patch_websockets"]

WEBSOCKETS_API = "16.0"
"""The ``websockets`` API this patch follows (``websockets.__version__`` reads
``16.0+pyws.<version>``)."""

Subprotocol = NewType("Subprotocol", str)
Origin = NewType("Origin", str)
ExtensionName = NewType("ExtensionName", str)
LoggerLike = logging.Logger | logging.LoggerAdapter[logging.Logger]
HeadersLike = Mapping[str, str] | Iterable[tuple[str, str]]


# -- websockets.datastructures, .http11, .frames -----------------------------------------


class MultipleValuesError(LookupError):
    """A header has several values where one was asked for."""

    def __str__(self) -> str:
        # As websockets: the name quoted once, not as a tuple.
        return f"{self.args[0]!r}" if len(self.args) == 1 else super().__str__()


_VALID_HEADER_VALUE = re.compile(r"[\x09\x20-\x7e\x80-\xff]*").fullmatch


class Headers(MutableMapping[str, str]):
    """HTTP headers with ``websockets``' semantics: a mapping of case-insensitive names
    (lower-cased keys; ``len()`` counts names) where a name may have several values.

    ``headers[name]`` returns the value, or raises :exc:`KeyError` (none) or
    :exc:`MultipleValuesError` (several); ``headers[name] = value`` adds a value, and
    ``del headers[name]`` removes them all. :meth:`get_all` and :meth:`raw_items` see every
    value, in order.
    """

    __slots__ = ("_dict", "_list")

    def __init__(self, *args: HeadersLike, **kwargs: str) -> None:
        self._dict: dict[str, list[str]] = {}
        self._list: list[tuple[str, str]] = []
        self.update(*args, **kwargs)

    def __str__(self) -> str:
        return "".join(f"{key}: {value}\r\n" for key, value in self._list) + "\r\n"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"

    def copy(self) -> Headers:
        copy = type(self)()
        copy._dict = {key: list(values) for key, values in self._dict.items()}
        copy._list = list(self._list)
        return copy

    def serialize(self) -> bytes:
        return str(self).encode("iso-8859-1")

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._dict

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __getitem__(self, key: str) -> str:
        values = self._dict[key.lower()]
        if len(values) > 1:
            raise MultipleValuesError(key)
        return values[0]

    def __setitem__(self, key: str, value: str) -> None:
        if not _VALID_HEADER_VALUE(str(value)):
            raise InvalidHeaderValue(key, value)
        self._dict.setdefault(key.lower(), []).append(value)
        self._list.append((key, value))

    def __delitem__(self, key: str) -> None:
        lowered = key.lower()
        del self._dict[lowered]
        self._list = [(k, v) for k, v in self._list if k.lower() != lowered]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented
        return self._dict == other._dict

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dict

    def clear(self) -> None:
        self._dict = {}
        self._list = []

    def update(self, *args: Any, **kwargs: str) -> None:
        """Add the values of a mapping, an iterable of pairs or :class:`Headers` (every
        value of each name), and of keyword arguments."""
        args = tuple(arg.raw_items() if isinstance(arg, Headers) else arg for arg in args)
        super().update(*args, **kwargs)

    def get_all(self, key: str) -> list[str]:
        """Every value of ``key``, in order; ``[]`` when it has none."""
        return list(self._dict.get(key.lower(), []))

    def raw_items(self) -> Iterator[tuple[str, str]]:
        """Every ``(name, value)`` pair, in order, names as given."""
        return iter(self._list)


class Request:
    """The opening request, as far as a page knows it: the path, and the one header pyws
    chose (``Sec-WebSocket-Protocol``); the browser adds the others unseen."""

    def __init__(self, path: str, headers: Headers) -> None:
        self.path = path
        self.headers = headers


class Response:
    """The opening response, as far as a page sees it: status 101 and the two headers the
    browser exposes (``Sec-WebSocket-Protocol``, ``Sec-WebSocket-Extensions``)."""

    def __init__(self, headers: Headers) -> None:
        self.status_code = 101
        self.reason_phrase = "Switching Protocols"
        self.headers = headers
        self.body = b""


class Opcode(enum.IntEnum):
    """Frame opcodes of RFC 6455; a page sends and receives whole messages only (the
    browser makes the frames, and answers pings itself)."""

    CONT, TEXT, BINARY = 0x00, 0x01, 0x02
    CLOSE, PING, PONG = 0x08, 0x09, 0x0A


class CloseCode(enum.IntEnum):
    """Close codes of RFC 6455; a page may send only NORMAL_CLOSURE and 3000-4999."""

    NORMAL_CLOSURE = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    NO_STATUS_RCVD = 1005
    ABNORMAL_CLOSURE = 1006
    INVALID_DATA = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    MANDATORY_EXTENSION = 1010
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    BAD_GATEWAY = 1014
    TLS_HANDSHAKE = 1015


# -- websockets.exceptions ---------------------------------------------------------------


def _never_raised(name: str, base: type[Exception], why: str) -> type[Exception]:
    return type(
        name, (base,), {"__doc__": f"Never raised over pyws: {why}.", "__module__": __name__}
    )


class InvalidHeader(exceptions.InvalidHandshake):
    """A header is missing or invalid; over pyws, raised only by :class:`Headers` (as
    :exc:`InvalidHeaderValue`): the browser hides the handshake's headers from pages."""

    def __init__(self, name: str, value: str | None = None) -> None:
        self.name = name
        self.value = value
        Exception.__init__(self, name, value)

    def __str__(self) -> str:
        if self.value is None:
            return f"missing {self.name} header"
        if self.value == "":
            return f"empty {self.name} header"
        return f"invalid {self.name} header: {self.value}"


class InvalidHeaderValue(InvalidHeader):
    """A header value holds characters a header may not: ``headers[name] = value``."""


class InvalidOrigin(InvalidHeader):
    """Never raised over pyws: the browser sets the Origin header itself."""

    def __init__(self, origin: str | None) -> None:
        super().__init__("Origin", origin)


_HIDDEN = "the browser hides the details of a failed handshake from pages (InvalidHandshake)"
_PROXY = "the browser's proxy settings apply, and it hides their failures from pages"
NEVER_RAISED: dict[str, type[Exception]] = {}
for _name, _base, _why in (
    ("InvalidStatus", exceptions.InvalidHandshake, _HIDDEN),
    ("InvalidStatusCode", exceptions.InvalidHandshake, _HIDDEN + "; legacy name"),
    ("InvalidMessage", exceptions.InvalidHandshake, _HIDDEN),
    ("InvalidUpgrade", InvalidHeader, _HIDDEN),
    ("NegotiationError", exceptions.InvalidHandshake, _HIDDEN),
    ("SecurityError", exceptions.InvalidHandshake, _HIDDEN),
    ("InvalidProxy", exceptions.InvalidHandshake, _PROXY),
    ("ProxyError", exceptions.InvalidHandshake, _PROXY),
    ("InvalidProxyMessage", "ProxyError", _PROXY),
    ("InvalidProxyStatus", "ProxyError", _PROXY),
    ("ProtocolError", exceptions.WebSocketError, "the browser fails protocol errors (1006)"),
    ("PayloadTooBig", exceptions.WebSocketError, "a browser takes messages of any size"),
    ("InvalidState", exceptions.WebSocketError, "pyws raises ConnectionClosed instead"),
    ("RequestLineTooLong", "SecurityError", "it is a server's error"),
    ("StatusLineTooLong", "SecurityError", _HIDDEN),
    ("HeaderLineTooLong", "SecurityError", _HIDDEN),
    ("TooManyHeaders", "SecurityError", _HIDDEN),
    ("InvalidMethod", exceptions.InvalidHandshake, "it is a server's error"),
    ("InvalidProtocol", exceptions.InvalidHandshake, "it is a server's error"),
    ("InvalidHeaderFormat", InvalidHeader, _HIDDEN),
    ("DuplicateParameter", "NegotiationError", _HIDDEN),
    ("InvalidParameterName", "NegotiationError", _HIDDEN),
    ("InvalidParameterValue", "NegotiationError", _HIDDEN),
    ("TooManyFragments", exceptions.WebSocketError, "the browser assembles fragments"),
):
    NEVER_RAISED[_name] = _never_raised(
        _name, NEVER_RAISED[_base] if isinstance(_base, str) else _base, _why
    )
"""``websockets`` exceptions that pyws cannot raise, so that ``except`` clauses naming
them still compile; each is a subclass of the pyws exception closest to it (and of
another of these where ``websockets`` has it so)."""

EXCEPTIONS: dict[str, type[Exception]] = {
    "WebSocketException": exceptions.WebSocketError,
    "ConnectionClosed": exceptions.ConnectionClosed,
    "ConnectionClosedOK": exceptions.ConnectionClosedOK,
    "ConnectionClosedError": exceptions.ConnectionClosedError,
    "InvalidURI": exceptions.InvalidURI,
    "InvalidHandshake": exceptions.InvalidHandshake,
    "ConcurrencyError": exceptions.ConcurrencyError,
    "InvalidHeader": InvalidHeader,
    "InvalidHeaderValue": InvalidHeaderValue,
    "InvalidOrigin": InvalidOrigin,
    **NEVER_RAISED,
}
"""``websockets.exceptions`` by name: pyws's own classes, and :data:`NEVER_RAISED`."""


# -- options -----------------------------------------------------------------------------


HONOURED = {
    "compression": lambda value: value == "deflate",
    "additional_headers": is_empty,
    "origin": is_none,
    "extensions": is_none,
    "ssl": lambda value: value is None or value is True,
    "server_hostname": is_none,
    "proxy": lambda value: value is True,
    "ping_interval": is_none,
    "ping_timeout": is_none,
    "max_size": is_none,
    "max_queue": is_none,
    "sock": is_none,
    "proxy_ssl": is_none,
    "proxy_server_hostname": is_none,
    "legacy": is_none,
}
"""Values of ``websockets.connect`` options that ask nothing a browser cannot do (the
defaults of code that passes them explicitly): accepted silently."""

CANNOT = {
    **BROWSER_CANNOT,
    "sock": "use a socket of its own",
    "proxy_ssl": "use a proxy of its own (the browser's proxy settings apply)",
    "proxy_server_hostname": "use a proxy of its own (the browser's proxy settings apply)",
    "legacy": "choose an implementation (there is one: the browser's)",
    "reconnect_delays": "choose reconnection delays (pyws.connect's backoff= does)",
}
"""Other options: accepted with a :exc:`RuntimeWarning` saying why they are ignored."""


class _Options:
    """``websockets.connect``'s keyword arguments, as pyws uses them."""

    def __init__(self, options: dict[str, Any], stacklevel: int) -> None:
        self.logger: LoggerLike = options.pop("logger", None) or logging.getLogger(
            "websockets.client"
        )
        self.create_connection: Any = options.pop("create_connection", None)
        limit = options.pop("write_limit", None)
        self.pyws: dict[str, Any] = {
            name: options.pop(name)
            for name in ("subprotocols", "open_timeout", "close_timeout", "process_exception")
            if name in options
        }
        if limit is not None:
            self.pyws["write_limit"] = limit[0] if isinstance(limit, tuple) else limit
        if self.pyws.get("subprotocols") is not None:
            self.pyws["subprotocols"] = list(self.pyws["subprotocols"])
        warn_ignored("websockets.connect()", options, HONOURED, CANNOT, stacklevel + 1)


# -- the connection ----------------------------------------------------------------------


def _message(message: Any, text: bool | None, kind: str = "iterable") -> Any:
    """One message to send: fragments joined (a page cannot send fragments), and ``text``
    applied (True: bytes go as text; False: str goes as binary). Raises
    :exc:`TypeError` where ``websockets`` does, with its messages."""
    if isinstance(message, str | Blob) or _is_js(message):
        pass
    elif isinstance(message, _BYTES_LIKE):
        message = bytes(message) if text is True else message
    elif isinstance(message, Mapping):
        raise TypeError("data is a dict-like object")
    elif isinstance(message, Iterable):
        fragments = list(message)
        if not fragments:
            return None  # websockets sends nothing for an empty iterable
        first = str if isinstance(fragments[0], str) else _BYTES_LIKE
        if first is not str and not isinstance(fragments[0], _BYTES_LIKE):
            raise TypeError(f"{kind} must contain bytes or str")
        if not all(isinstance(f, first) for f in fragments):
            raise TypeError(f"{kind} must contain uniform types")
        message = "".join(fragments) if first is str else b"".join(fragments)
    else:
        raise TypeError("data must be str, bytes, iterable, or async iterable")
    if text is True and isinstance(message, bytes):
        return message.decode("utf-8")
    if text is False and isinstance(message, str):
        return message.encode("utf-8")
    return message


_BYTES_LIKE = (bytes, bytearray, memoryview)


def _is_js(message: object) -> bool:
    """Whether ``message`` is a JS object (a Blob, an ArrayBuffer...): pyws sends it as is."""
    ffi = sys.modules.get("pyodide.ffi")
    return ffi is not None and isinstance(message, ffi.JsProxy)


class _Connection:
    """What ``websockets``' asyncio and threading connections share: attributes only."""

    def __init__(self, ws: WebSocket | sync.WebSocket, options: _Options) -> None:
        self.ws = ws
        """The pyws connection underneath."""
        self.id = uuid.uuid4()
        """A unique identifier of the connection, as in ``websockets``."""
        self.logger = options.logger
        """The ``websockets.client`` logger (or the one given); pyws logs nothing to it."""
        self.latency = 0.0
        """Always 0.0, ``websockets``' value before the first ping: a page cannot ping."""
        rest = ws.url.partition("://")[2].partition("/")[2]
        offered = options.pyws.get("subprotocols") or []
        self.request: Request | None = Request(
            "/" + rest,
            Headers([("Sec-WebSocket-Protocol", ", ".join(offered))] if offered else []),
        )
        """The path and the subprotocols offered; the browser's other headers are hidden."""
        shown = [
            ("Sec-WebSocket-Protocol", ws.subprotocol or ""),
            ("Sec-WebSocket-Extensions", ws.extensions),
        ]
        self.response: Response | None = Response(Headers([(k, v) for k, v in shown if v]))
        """Status 101 and the headers a page sees; the browser hides the others."""

    @property
    def local_address(self) -> None:
        """None: a browser does not tell pages the addresses of a socket."""
        return None

    @property
    def remote_address(self) -> None:
        """None: a browser does not tell pages the addresses of a socket."""
        return None

    state = forward[State](
        "ws", "The browser's ready state; ``websockets.protocol.State`` is :class:`pyws.State`."
    )
    subprotocol = forward[Subprotocol | None](
        "ws", "The subprotocol the server selected, or None.", convert=Subprotocol
    )
    close_code = forward[int | None](
        "ws", "The close code once closed (1006 when the connection was lost), else None."
    )
    close_reason = forward[str | None]("ws", "The close reason once closed, else None.")

    @property
    def close_exc(self) -> exceptions.ConnectionClosed:
        """The :exc:`ConnectionClosed` that ended the connection; InvalidState before."""
        code, reason, clean = self.ws.close_code, self.ws.close_reason, self.ws.was_clean
        if code is None or reason is None or clean is None:
            raise NEVER_RAISED["InvalidState"]("the connection is not closed yet")
        return exceptions.ConnectionClosed.from_close(code, reason, clean)

    def ping(self, data: Any = None, **_: Any) -> NoReturn:
        """Raises :exc:`NotImplementedError`: a page cannot send a ping frame."""
        raise NotImplementedError(PING_IMPOSSIBLE.format(frame="ping", method="ping"))

    def pong(self, data: Any = b"") -> NoReturn:
        """Raises :exc:`NotImplementedError`: a page cannot send a pong frame."""
        raise NotImplementedError(PING_IMPOSSIBLE.format(frame="pong", method="pong"))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} over {self.ws!r}>"


class ClientConnection(ClosesOnExit, _Connection):
    """``websockets.asyncio.client.ClientConnection`` over :class:`pyws.WebSocket`.

    ``recv``, ``send``, ``close``, ``wait_closed`` and iteration behave as pyws's (nothing
    received is lost to a cancel; after a close, queued messages come first).
    """

    ws: WebSocket

    def __init__(self, ws: WebSocket, options: _Options) -> None:
        super().__init__(ws, options)

    async def recv(self, decode: bool | None = None) -> Data:
        """The next message; :exc:`ConnectionClosed` once closed and nothing is queued."""
        return await self.ws.recv(None, decode)

    async def recv_streaming(self, decode: bool | None = None) -> AsyncIterator[Data]:
        """The next message as one fragment: the browser delivers whole messages only."""
        yield await self.ws.recv(None, decode)

    async def send(self, message: Any, text: bool | None = None) -> None:
        """Send one message; fragments (an iterable or async iterable) are joined first,
        since a page cannot send a fragmented message."""
        kind = "iterable"
        if isinstance(message, AsyncIterable) and not isinstance(message, str | bytes):
            message, kind = [fragment async for fragment in message], "async iterable"
        message = _message(message, text, kind)
        if message is not None:
            await self.ws.send(message)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close; a code a page may not send (1001-2999) becomes 1000, with a warning."""
        await self.ws.close(*page_close(code, reason, 2))

    async def wait_closed(self) -> None:
        await self.ws.wait_closed()

    async def drain(self) -> None:
        await self.ws.drain()

    def __aiter__(self) -> AsyncIterator[Data]:
        """Messages until a normal close; an abnormal one raises ConnectionClosedError."""
        return self.ws.__aiter__()


class connect(Opener[ClientConnection]):
    """``websockets.asyncio.client.connect`` over :func:`pyws.connect`: ``await`` it, use
    it as ``async with``, or ``async for`` (reconnecting, where :func:`pyws.connect` can).

    ``subprotocols``, ``open_timeout``, ``close_timeout``, ``write_limit`` (its high
    mark), ``logger`` and ``create_connection`` (a subclass of :class:`ClientConnection`)
    apply; options that ask what a browser cannot do warn and are ignored.
    """

    def __init__(self, uri: str, **options: Any) -> None:
        self._options = _Options(options, stacklevel=2)
        self._connect = pyws_connect(uri, **self._options.pyws)

    def _wrap(self, ws: WebSocket) -> ClientConnection:
        factory = self._options.create_connection or ClientConnection
        connection: ClientConnection = factory(ws, self._options)
        return connection

    async def _open(self) -> ClientConnection:
        return self._wrap(await self._connect)

    def __aiter__(self) -> _Reconnecting:
        """A connection, then a new one after each failure, as ``pyws.connect`` reconnects;
        leaving the loop closes the current one at once."""
        return _Reconnecting(self._connect.__aiter__(), self._wrap)


class _Reconnecting:
    """``async for ws in connect(...)``: pyws's reconnecting iterator, each connection
    wrapped."""

    def __init__(
        self, connections: Connections, wrap: Callable[[WebSocket], ClientConnection]
    ) -> None:
        self._connections = connections
        self._wrap = wrap

    def __aiter__(self) -> _Reconnecting:
        return self

    async def __anext__(self) -> ClientConnection:
        return self._wrap(await anext(self._connections))

    async def aclose(self) -> None:
        """Close the current connection and end the loop."""
        await self._connections.aclose()


class SyncClientConnection(ClosesOnExitSync, _Connection):
    """``websockets.sync.client.ClientConnection`` over :class:`pyws.sync.WebSocket`."""

    ws: sync.WebSocket

    def __init__(self, ws: sync.WebSocket, options: _Options) -> None:
        super().__init__(ws, options)

    def recv(self, timeout: float | None = None, decode: bool | None = None) -> Data:
        """The next message; TimeoutError after ``timeout`` s loses nothing."""
        return self.ws.recv(timeout, decode)

    def recv_streaming(self, decode: bool | None = None) -> Iterator[Data]:
        """The next message as one fragment: the browser delivers whole messages only."""
        yield self.ws.recv(None, decode)

    def send(self, message: Any, text: bool | None = None) -> None:
        """Send one message; fragments (an iterable) are joined first."""
        message = _message(message, text)
        if message is not None:
            self.ws.send(message)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close; a code a page may not send (1001-2999) becomes 1000, with a warning."""
        self.ws.close(*page_close(code, reason, 2))

    def __iter__(self) -> Iterator[Data]:
        return iter(self.ws)


def sync_connect(uri: str, **options: Any) -> SyncClientConnection:
    """``websockets.sync.client.connect`` over :func:`pyws.sync.connect` (JSPI in Pyodide:
    see :mod:`pyws.sync` for where it can block)."""
    parsed = _Options(options, stacklevel=2)
    factory = parsed.create_connection or SyncClientConnection
    connection: SyncClientConnection = factory(sync.connect(uri, **parsed.pyws), parsed)
    return connection


# -- the modules -------------------------------------------------------------------------

_CONNECTION = {"ClientConnection": ClientConnection, "connect": connect}
_HTTP = {"Request": Request, "Response": Response}
_HEADERS = {
    "Headers": Headers,
    "HeadersLike": HeadersLike,
    "MultipleValuesError": MultipleValuesError,
}
_FRAMES: dict[str, Any] = {
    "Close": exceptions.Close,
    "CloseCode": CloseCode,
    "Opcode": Opcode,
    **{opcode.name: opcode for opcode in Opcode},
}
_TYPING = {
    "Data": Data,
    "StatusLike": HTTPStatus | int,
    "ExtensionParameter": tuple[str, str | None],
    "Subprotocol": Subprotocol,
    "Origin": Origin,
    "ExtensionName": ExtensionName,
    "LoggerLike": LoggerLike,
}
MODULES: dict[str, dict[str, Any]] = {
    "websockets": {
        **_CONNECTION,
        **EXCEPTIONS,
        **_HTTP,
        **_HEADERS,
        **_FRAMES,
        **_TYPING,
        "State": State,
    },
    "websockets.asyncio": {},
    "websockets.asyncio.client": {**_CONNECTION, "HeadersLike": HeadersLike},
    "websockets.asyncio.connection": {"Connection": ClientConnection, "State": State},
    "websockets.sync": {},
    "websockets.sync.client": {"ClientConnection": SyncClientConnection, "connect": sync_connect},
    "websockets.sync.connection": {"Connection": SyncClientConnection, "State": State},
    "websockets.client": {**_CONNECTION, "WebSocketClientProtocol": ClientConnection},
    "websockets.exceptions": EXCEPTIONS,
    "websockets.protocol": {"State": State},
    "websockets.frames": _FRAMES,
    "websockets.typing": _TYPING,
    "websockets.datastructures": _HEADERS,
    "websockets.http11": _HTTP,
}
"""Every module the patch installs, and what it holds."""


class _Refuse(importlib.abc.MetaPathFinder):
    """Makes ``import websockets.<anything else>`` fail with a message saying why."""

    def find_spec(
        self, name: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name.startswith("websockets.") and name not in MODULES:
            raise ModuleNotFoundError(
                f"No module named {name!r}: pyws.patch_websockets() replaced websockets by "
                f"its client API over the browser's WebSocket ({', '.join(MODULES)}); "
                "servers and the Sans-I/O layer need sockets, which a page does not have",
                name=name,
            )
        return None


_refuse = _Refuse()


def _modules() -> dict[str, ModuleType]:
    from .. import __version__

    made = {}
    for name, members in MODULES.items():
        module = ModuleType(name, f"``{name}`` as pyws.patch_websockets() provides it.")
        module.__dict__.update(members)
        module.__path__ = []  # each may hold submodules
        module.__pyws__ = True  # type: ignore[attr-defined]
        made[name] = module
    made["websockets"].__version__ = f"{WEBSOCKETS_API}+pyws.{__version__}"  # type: ignore[attr-defined]
    for name, module in made.items():
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(made[parent], child, module)
    return made


def patch_websockets() -> bool:
    """Make ``import websockets`` (and its client modules) give pyws-backed objects.

    Returns True in Pyodide, where it patched (or had patched: a second call changes
    nothing), and False elsewhere, where it does nothing. Call it before the code that
    imports ``websockets``: a module that already holds the real one keeps it.
    """
    if not _platform.IN_PYODIDE:
        return False
    if getattr(sys.modules.get("websockets"), "__pyws__", False):
        return True
    for name in [n for n in sys.modules if n == "websockets" or n.startswith("websockets.")]:
        del sys.modules[name]  # the real package's modules, if it was imported
    sys.modules.update(_modules())
    if _refuse not in sys.meta_path:
        sys.meta_path.insert(0, _refuse)
    return True
