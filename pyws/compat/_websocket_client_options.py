"""What :mod:`pyws.compat.websocket_client` says about its arguments and failures: the
options a browser cannot honour (accepted with a :exc:`RuntimeWarning` saying why), the
close codes and reasons a page may send, and the websocket-client exception a failed
opening becomes."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from websocket import _exceptions, _logging

from .. import exceptions
from .._redact import redact
from .._validation import check_close
from ._common import is_empty, is_none, warn_ignored

WebSocketException = _exceptions.WebSocketException


def _is_false(value: object) -> bool:
    return value is False or value is None


CONNECT_HONOURED: dict[str, Callable[[Any], bool]] = {
    "header": is_empty,
    "cookie": is_empty,
    "origin": is_none,
    "host": is_none,
    "connection": is_empty,
    "suppress_origin": _is_false,
    "suppress_host": _is_false,
    "http_proxy_host": is_none,
    "http_proxy_port": is_none,
    "http_no_proxy": is_none,
    "http_proxy_auth": is_none,
    "http_proxy_timeout": is_none,
    "proxy_type": lambda value: value in (None, "http"),
    "socket": is_none,
    "sockopt": is_empty,
    "sslopt": is_empty,
}
"""Values of websocket-client's options that ask nothing of the socket (the defaults code
passes explicitly, as ``run_forever`` does): accepted silently."""

CANNOT = {
    "header": "send custom handshake headers (it sends its own; pass a token in the URL "
    "query or in the first message instead)",
    "cookie": "set cookies on the handshake (it sends the page's own cookies for that host)",
    "origin": "choose the Origin header (it sends the page's origin)",
    "host": "choose the Host header",
    "connection": "choose the Connection header",
    "suppress_origin": "leave out the Origin header",
    "suppress_host": "leave out the Host header",
    "http_proxy_host": "use a proxy of its own (the browser's proxy settings apply)",
    "http_proxy_port": "use a proxy of its own (the browser's proxy settings apply)",
    "http_no_proxy": "use a proxy of its own (the browser's proxy settings apply)",
    "http_proxy_auth": "use a proxy of its own (the browser's proxy settings apply)",
    "http_proxy_timeout": "use a proxy of its own (the browser's proxy settings apply)",
    "proxy_type": "use a proxy of its own (the browser's proxy settings apply)",
    "socket": "use a socket made by the caller",
    "sockopt": "set socket options",
    "sslopt": "change TLS settings (the browser verifies certificates against its own "
    "trust store, and chooses versions and ciphers)",
}
"""Why each other value is ignored: said in the :exc:`RuntimeWarning`."""

_ASKED = tuple(CANNOT)


def warn_options(call: str, options: dict[str, Any], stacklevel: int) -> None:
    asked = {name: options[name] for name in _ASKED if name in options}
    warn_ignored(call, asked, CONNECT_HONOURED, CANNOT, stacklevel + 1)


def page_close(status: int, reason: str | bytes, stacklevel: int) -> tuple[int, str]:
    """websocket-client sends any code of 0-65535 and any reason; a page may send only
    1000 or 3000-4999 and 123 bytes: other codes go as 1000, a reason is cut, each with a
    :exc:`RuntimeWarning`."""
    raw = reason if isinstance(reason, bytes) else str(reason or "").encode()
    text = raw.decode("utf-8", errors="replace")
    if status != 1000 and not 3000 <= status <= 4999:
        warnings.warn(
            f"closing with 1000, not {status}: a page may send only 1000 or 3000-4999",
            RuntimeWarning,
            stacklevel=stacklevel + 1,
        )
        status = 1000
    if len(text.encode()) > 123:
        warnings.warn(
            f"close reason cut to 123 UTF-8 bytes (it had {len(text.encode())}): a page may "
            "send no more",
            RuntimeWarning,
            stacklevel=stacklevel + 1,
        )
        text = text.encode()[:123].decode("utf-8", errors="ignore")
    return check_close(status, text)


def opening_error(url: str, failed: exceptions.InvalidHandshake) -> BaseException:
    """What websocket-client raises for a connection that did not open: the exception the
    platform told (in CPython: refused, unknown host, HTTP status), else a
    :exc:`WebSocketException` saying that the browser hides why."""
    cause = failed.__cause__
    response: Any = getattr(cause, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(status, int):
        raw = response.headers.raw_items() if hasattr(response, "headers") else ()
        headers = {k.lower(): v for k, v in raw}
        body = getattr(response, "body", None) or None
        phrase = getattr(response, "reason_phrase", "")
        text = body.decode("utf-8", errors="replace") if body else None
        return _exceptions.WebSocketBadStatusException(
            f"Handshake status {status} {phrase} -+-+- {headers} -+-+- {text}",
            status,
            phrase,
            headers,
            body,
        )
    if type(cause).__name__ == "NegotiationError":  # no subprotocol chosen: pyws's CPython
        _logging.error("Invalid subprotocol")
        return WebSocketException("Invalid WebSocket Header")
    if isinstance(cause, OSError) and type(cause).__name__ == "gaierror":
        return _exceptions.WebSocketAddressException(cause)
    if isinstance(cause, OSError):
        return cause
    if failed.why is not None:
        return WebSocketException(f"could not connect to {redact(url)}: {failed.why}")
    return WebSocketException(
        f"could not connect to {redact(url)}: {exceptions._unknown_reason()} (a refused "
        "connection, an unknown host, an HTTP status other than 101 and a TLS failure all look "
        "the same to a page)"
    )
