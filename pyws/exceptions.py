"""The exceptions of pyws: one tree, rooted at :class:`WebSocketError`.

Timeouts raise the builtin :class:`TimeoutError`; wrong argument types raise
:class:`TypeError` and wrong values :class:`ValueError`, each naming the bad value.
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple, overload

from ._redact import redact

__all__ = [
    "Close",
    "ConcurrencyError",
    "ConnectionClosed",
    "ConnectionClosedError",
    "ConnectionClosedOK",
    "InvalidHandshake",
    "InvalidURI",
    "WebSocketError",
]

# Close codes that mean "closed normally" (RFC 6455 7.4.1); 1005 is "no code was sent".
OK_CLOSE_CODES = frozenset({1000, 1001, 1005})


class Close(NamedTuple):
    """A close frame's code and reason, as ``websockets.frames.Close`` has them."""

    code: int
    reason: str

    def __str__(self) -> str:
        return f"{self.code} ({self.reason})" if self.reason else str(self.code)


class WebSocketError(Exception):
    """Base class of every exception pyws raises."""


class InvalidURI(WebSocketError, ValueError):
    """The URL given to :func:`pyws.connect` is not a valid WebSocket URL.

    :attr:`uri` is the URL as given; the message shows it without its password.
    """

    def __init__(self, uri: object, msg: str) -> None:
        self.uri = uri
        self.msg = msg
        super().__init__(redact(f"{uri!r} isn't a valid WebSocket URL: {msg}"))


class InvalidHandshake(WebSocketError):
    """The connection failed before it opened.

    A browser hides why (refused, DNS, TLS, HTTP status, rejected subprotocol...) from
    page scripts on purpose, so there the reason is usually not available; the browser
    console shows it. :attr:`why` holds it when pyws itself failed the handshake, or when
    the platform tells: in CPython, the exception that failed the connection (a refused
    connection, an ``ssl.SSLCertVerificationError``, the server's HTTP status...) is the
    ``__cause__``, and its text is in the message. :attr:`url` is the URL as given; the
    message (and :attr:`why`) show URLs without their passwords.
    """

    def __init__(
        self,
        url: str,
        code: int = 1006,
        why: str | None = None,
        *,
        cause: BaseException | None = None,
    ) -> None:
        self.url = url
        self.code = code
        if why is None and cause is not None:
            text = str(cause)
            why = f"{type(cause).__name__}: {text}" if text else type(cause).__name__
        self.why = None if why is None else redact(why)
        detail = f" (close code {code}); {_unknown_reason()}" if why is None else f": {why}"
        super().__init__(redact(f"could not connect to {url}{detail}"))
        if cause is not None:
            self.__cause__ = cause


def _unknown_reason() -> str:
    """Why a failed handshake comes without a reason, where pyws runs."""
    if sys.platform != "emscripten":
        return "no reason was given"
    import js

    if getattr(js, "location", None) is not None:  # a page or a worker
        return "the browser does not tell page scripts why: see the browser console for the reason"
    return "the runtime's WebSocket does not tell scripts why"


class ConnectionClosed(WebSocketError):
    """The connection is closed (or closing), so it can no longer send or receive.

    :attr:`code` and :attr:`reason` are those of the close frame the browser reported
    (1006 with an empty reason when the connection was lost without one); :attr:`was_clean`
    tells whether the closing handshake completed.

    As in ``websockets``, :attr:`rcvd` is the close frame received (None when none was: code
    1006) and :attr:`sent` the one pyws sent, when it is known (None otherwise: the
    browser's answer to a server's close is not visible to a page).
    """

    rcvd_then_sent: bool | None = None
    """``websockets`` tells which close frame came first; the browser does not (None)."""

    @overload
    def __init__(
        self, code: int, reason: str, was_clean: bool, sent: Close | None = None
    ) -> None: ...
    @overload
    def __init__(
        self, rcvd: Close | None, sent: Close | None, rcvd_then_sent: bool | None = None
    ) -> None: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """``(code, reason, was_clean, sent=None)``, as pyws raises it, or ``websockets``'
        own ``(rcvd, sent, rcvd_then_sent=None)`` (a :class:`Close` or None first), so
        code written for ``websockets`` can make one too."""
        first = args[0] if args else kwargs.get("code", kwargs.get("rcvd"))
        if "rcvd" in kwargs or first is None or isinstance(first, tuple):
            self._init_websockets(*args, **kwargs)
        else:
            self._init(*args, **kwargs)
        super().__init__(self.code, self.reason, self.was_clean)

    def _init(self, code: int, reason: str, was_clean: bool, sent: Close | None = None) -> None:
        self.code = code
        self.reason = reason
        self.was_clean = was_clean
        self.sent = sent

    def _init_websockets(
        self, rcvd: Close | None, sent: Close | None, rcvd_then_sent: bool | None = None
    ) -> None:
        rcvd = None if rcvd is None else Close(*rcvd)
        self.code, self.reason = (1006, "") if rcvd is None else rcvd
        self.was_clean = rcvd is not None and sent is not None
        self.sent = None if sent is None else Close(*sent)
        if rcvd_then_sent is not None:
            self.rcvd_then_sent = rcvd_then_sent

    @property
    def rcvd(self) -> Close | None:
        """The close frame received; None when the connection was lost without one (1006)."""
        return None if self.code == 1006 else Close(self.code, self.reason)

    def __str__(self) -> str:
        detail = f"{self.code} ({self.reason})" if self.reason else f"{self.code}"
        clean = "" if self.was_clean else "; no clean closing handshake"
        return f"connection closed: {detail}{clean}"

    @staticmethod
    def from_close(
        code: int, reason: str, was_clean: bool, sent: Close | None = None
    ) -> ConnectionClosed:
        """The subclass that fits a close: OK when clean with 1000, 1001 or 1005."""
        ok = was_clean and code in OK_CLOSE_CODES
        kind = ConnectionClosedOK if ok else ConnectionClosedError
        return kind(code, reason, was_clean, sent)


class ConnectionClosedOK(ConnectionClosed):
    """The connection closed normally: clean, with code 1000, 1001 or 1005."""


class ConnectionClosedError(ConnectionClosed):
    """The connection closed abnormally: any other code, or 1006 when it was lost."""


class ConcurrencyError(WebSocketError, RuntimeError):
    """Two coroutines called :meth:`pyws.WebSocket.recv` at the same time."""
