"""Argument checks, done in Python before the browser sees a value.

(No urllib.parse: importing it costs about 120 ms in Pyodide, more than all of pyws.)

The browser's own errors are a bare ``SyntaxError`` or ``InvalidAccessError`` that names
nothing; these name the bad value and what is allowed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from ._transport import BINARY_TYPES, BinaryType
from .exceptions import InvalidURI

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


def check_url(url: object, parse: URLParser, has_location: bool) -> str:
    """Return ``url`` made absolute against the page, with a ws or wss scheme.

    ``has_location`` tells whether there is a page or worker to resolve a relative URL
    against (Node and CPython have none).
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, not {type(url).__name__}: {url!r}")
    if not url.strip():
        raise InvalidURI(url, "it is empty")
    check_host(url)
    parsed = parse(url)
    if parsed is None:
        if not has_location and not _ABSOLUTE.match(url.strip(_C0_OR_SPACE)):
            raise InvalidURI(
                url,
                "it is relative, and here there is no page location to resolve it against "
                "(Node and CPython have none): give an absolute ws:// or wss:// URL",
            )
        raise InvalidURI(url, "the URL parser refused it")
    scheme = _SCHEMES.get(parsed.scheme)
    if scheme is None:
        raise InvalidURI(url, f"scheme {parsed.scheme!r} isn't ws, wss, http or https")
    if not parsed.host:
        raise InvalidURI(url, "it has no host")
    if "#" in parsed.href:
        raise InvalidURI(url, "WebSocket URLs can't have a fragment ('#...')")
    return scheme + parsed.href[len(parsed.scheme) :]


# WHATWG URL (https://url.spec.whatwg.org/), as it applies to the special schemes (ws, wss,
# http, https): the parser first strips leading and trailing C0 controls and spaces and
# removes every tab and newline; "\\" counts as "/"; the authority runs to the first "/",
# "\\", "?" or "#", and its host follows the last "@". The host is percent-decoded, and
# a domain holding a forbidden domain code point is a failure. Chromium instead
# percent-encodes some of them (a space in "ws://exa mple.com/"), so the URL fails later,
# after a DNS lookup; these checks make every platform fail the same way, at once.
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# A special scheme's authority follows any number of slashes; without a scheme, two.
_AUTHORITY = re.compile(r"(?:(?:wss?|https?):[/\\]*|[/\\]{2,})([^/\\?#]*)", re.ASCII | re.I)
_FORBIDDEN_HOST = set("\x00\t\n\r #/:<>?@[\\]^|")
_FORBIDDEN_DOMAIN = _FORBIDDEN_HOST | set(map(chr, range(0x20))) | {"%", "\x7f"}
_PERCENT = re.compile(rb"%([0-9A-Fa-f]{2})")


def check_host(url: str) -> None:
    """Raise :exc:`InvalidURI` when the host of ``url`` holds a forbidden code point.

    Only URLs with an authority ("scheme://host" or "//host") are checked here; a
    relative path takes the page's host.
    """
    cleaned = url.strip(_C0_OR_SPACE).replace("\t", "").replace("\n", "").replace("\r", "")
    match = _AUTHORITY.match(cleaned)
    if match is None:
        return
    host = match[1].rpartition("@")[2]
    if host.startswith("["):
        return  # an IPv6 address: the platform's parser checks it
    host = host.rpartition(":")[0] if ":" in host else host
    if not host:
        return  # no host: reported after parsing
    decoded = _PERCENT.sub(lambda m: bytes([int(m[1], 16)]), host.encode("utf-8", "replace"))
    bad = sorted({c for c in decoded.decode("utf-8", "replace") if c in _FORBIDDEN_DOMAIN})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise InvalidURI(
            url,
            f"its host {host!r} contains {shown}, which a host may not contain "
            "(WHATWG URL: forbidden domain code points)",
        )


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
    """A timeout in seconds; None (also for ``inf``, accepted on purpose) is no timeout."""
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number of seconds or None, not {value!r}")
    if math.isnan(value) or value < 0:
        raise ValueError(f"{name} must be >= 0 seconds or None, not {value!r}")
    return None if math.isinf(value) else float(value)


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
