"""What the patches of :mod:`pyws.compat` share: options a browser cannot honour, the close
codes a page may send, and why a page cannot ping."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

from .._validation import check_close

PING_IMPOSSIBLE = (
    "a page cannot send WebSocket {frame} frames: the browser's WebSocket API has no "
    "{method}(). The browser answers the server's pings by itself, so a server that "
    "pings (websockets servers do, every 20 s) detects a dead client; to check the "
    "server from the page, or to measure latency, send an application message and time "
    "its answer"
)
"""Why ``ping()`` / ``pong()`` raise :exc:`NotImplementedError` in every patch."""


def is_none(value: object) -> bool:
    return value is None


def is_empty(value: object) -> bool:
    return not value


def warn_ignored(
    call: str,
    options: Mapping[str, Any],
    honoured: Mapping[str, Callable[[Any], bool]],
    cannot: Mapping[str, str],
    stacklevel: int,
) -> None:
    """Warn (:exc:`RuntimeWarning`) about each option whose value asks what a browser's
    WebSocket cannot do, saying why; values in ``honoured`` (the defaults code passes when
    it asks for nothing special) are accepted silently. ``stacklevel`` is the caller's."""
    for name, value in options.items():
        check = honoured.get(name)
        if check is not None and check(value):
            continue
        why = cannot.get(name, "pass options to its socket")
        warnings.warn(
            f"{call} over pyws ignores {name}={value!r}: a browser's WebSocket cannot {why}",
            RuntimeWarning,
            stacklevel=stacklevel + 1,
        )


def page_close(code: int, reason: str, stacklevel: int) -> tuple[int, str]:
    """A close code a page may send: 1000 in place of 1001-2999, with a warning."""
    if isinstance(code, int) and code != 1000 and 1000 <= code < 3000:
        warnings.warn(
            f"closing with 1000, not {code}: a page may send only 1000 or 3000-4999",
            RuntimeWarning,
            stacklevel=stacklevel + 1,
        )
        code = 1000
    return check_close(code, reason)
