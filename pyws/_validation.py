"""Argument checks, done in Python before the browser sees a value.

(No urllib.parse: importing it costs about 120 ms in Pyodide, more than all of pyws.)

The browser's own errors are a bare ``SyntaxError`` or ``InvalidAccessError`` that names
nothing; these name the bad value and what is allowed.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Literal, NamedTuple

from .exceptions import InvalidURI

BinaryType = Literal["bytes", "blob"]
BINARY_TYPES: tuple[BinaryType, ...] = ("bytes", "blob")

# http(s) URLs are accepted and mapped as the browser maps them (WHATWG WebSocket).
_SCHEMES = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}
# RFC 6455 4.1: a subprotocol is an RFC 7230 token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
MAX_REASON_BYTES = 123


class ParsedURL(NamedTuple):
    """A URL as the browser's ``URL`` parser sees it."""

    href: str
    scheme: str
    """Without the colon, lower case."""
    host: str


URLParser = Callable[[str], ParsedURL | None]
"""Parses a URL against the page, as ``new URL(url, location)``; None when it is invalid."""


def check_url(url: object, parse: URLParser) -> str:
    """Return ``url`` made absolute against the page, with a ws or wss scheme."""
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, not {type(url).__name__}: {url!r}")
    if not url.strip():
        raise InvalidURI(url, "it is empty")
    parsed = parse(url)
    if parsed is None:
        raise InvalidURI(url, "the browser's URL parser refused it (a relative URL needs a page)")
    scheme = _SCHEMES.get(parsed.scheme)
    if scheme is None:
        raise InvalidURI(url, f"scheme {parsed.scheme!r} isn't ws, wss, http or https")
    if not parsed.host:
        raise InvalidURI(url, "it has no host")
    if "#" in parsed.href:
        raise InvalidURI(url, "WebSocket URLs can't have a fragment ('#...')")
    return scheme + parsed.href[len(parsed.scheme) :]


def check_subprotocols(subprotocols: object) -> list[str]:
    if subprotocols is None:
        return []
    if isinstance(subprotocols, str) or not isinstance(subprotocols, Sequence):
        raise TypeError(
            f"subprotocols must be a list of str, not {type(subprotocols).__name__}: "
            f"{subprotocols!r}"
        )
    seen: set[str] = set()
    for protocol in subprotocols:
        if not isinstance(protocol, str) or not _TOKEN.fullmatch(protocol):
            raise ValueError(
                f"invalid subprotocol {protocol!r}: a subprotocol is a non-empty token of "
                "letters, digits and !#$%&'*+-.^_`|~"
            )
        if protocol in seen:
            raise ValueError(f"duplicate subprotocol {protocol!r} in {subprotocols!r}")
        seen.add(protocol)
    return list(subprotocols)


def check_close(code: object, reason: object) -> tuple[int, str]:
    """A page may close with 1000 or 3000-4999 only, and a reason of up to 123 UTF-8 bytes."""
    if not isinstance(code, int) or isinstance(code, bool):
        raise TypeError(f"close code must be an int, not {type(code).__name__}: {code!r}")
    if code != 1000 and not 3000 <= code <= 4999:
        raise ValueError(f"invalid close code {code}: a browser may send 1000 or 3000-4999 only")
    if not isinstance(reason, str):
        raise TypeError(f"close reason must be a str, not {type(reason).__name__}: {reason!r}")
    size = len(reason.encode("utf-8"))  # raises UnicodeEncodeError on lone surrogates
    if size > MAX_REASON_BYTES:
        raise ValueError(
            f"close reason {reason[:20]!r}... is {size} UTF-8 bytes; at most "
            f"{MAX_REASON_BYTES} are allowed"
        )
    return code, reason


def check_timeout(name: str, value: object) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number of seconds or None, not {value!r}")
    if math.isnan(value) or value < 0:
        raise ValueError(f"{name} must be >= 0 seconds or None, not {value!r}")
    return float(value)


def check_write_limit(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"write_limit must be an int number of bytes, not {value!r}")
    if value < 0:
        raise ValueError(f"write_limit must be >= 0 bytes, not {value!r}")
    return value


def check_binary_type(value: object) -> BinaryType:
    if value not in BINARY_TYPES:
        raise ValueError(f"binary_type must be 'bytes' or 'blob', not {value!r}")
    return value


# Options of websockets' connect() that a page's WebSocket cannot honour, and why.
BROWSER_CANNOT = {
    "additional_headers": "set request headers",
    "user_agent_header": "set the User-Agent (the browser sends its own)",
    "origin": "set the Origin (the browser sends the page's)",
    "compression": "choose extensions (the browser negotiates permessage-deflate itself)",
    "extensions": "choose extensions (the browser negotiates permessage-deflate itself)",
    "ping_interval": "send pings (the browser answers the server's pings itself)",
    "ping_timeout": "send pings (the browser answers the server's pings itself)",
    "max_size": "limit the size of incoming messages",
    "max_queue": "stop reading from the network (messages queue until recv() takes them)",
    "ssl": "use a TLS context of its own (the browser's certificates apply)",
    "server_hostname": "use a TLS context of its own (the browser's certificates apply)",
    "proxy": "use a proxy of its own (the browser's proxy settings apply)",
}


def warn_browser_cannot(options: dict[str, object]) -> None:
    """Warn about each websockets option the browser cannot honour; reject unknown ones."""
    for name, value in options.items():
        why = BROWSER_CANNOT.get(name)
        if why is None:
            raise TypeError(f"connect() got an unexpected keyword argument {name!r}")
        warnings.warn(
            f"pyws.connect() ignores {name}={value!r}: a browser's WebSocket cannot {why}",
            RuntimeWarning,
            stacklevel=3,  # the caller of connect()
        )
