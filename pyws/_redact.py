"""Credentials kept out of what pyws prints: :func:`redact`.

A URL may carry a user name and a password (``wss://user:secret@host/``, or a proxy's
``http://user:secret@proxy:3128``); pyws sends them where they belong, and never prints
them: every message, log line and ``repr`` that shows a URL shows it through
:func:`redact`. The attributes that hold a URL (``WebSocket.url``, ``InvalidURI.uri``,
``InvalidHandshake.url``) keep it whole, as the caller gave it.
"""

from __future__ import annotations

import re

__all__ = ["redact"]

# A scheme pyws takes (ws, wss, http, https) and any slashes, or any scheme and "//" (a
# proxy's socks5://, say), then the userinfo: up to the last "@" before the path, query,
# fragment or the end of the URL in running text (white space or a quote). WHATWG takes
# the last "@" of the authority too, so a password holding a bare "@" is redacted whole.
_USERINFO = re.compile(r"(?i)\b((?:wss?|https?):[/\\]*|[a-z][a-z0-9+.\-]*://)([^/\\?#\s'\"]*)@")


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it masked, as pip masks them: the
    password as ``****`` (``ws://user:****@host/``), a user name without a password as
    ``****`` (it is often a token: ``ws://****@host/``). Text without credentials comes
    back unchanged."""
    return _USERINFO.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    user, colon, _ = match[2].partition(":")
    return f"{match[1]}{user}:****@" if colon else f"{match[1]}****@"
