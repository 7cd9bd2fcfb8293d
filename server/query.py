"""Strict query-string parsing: a bad or missing value is a one-line HTTP 400, never a crash."""

from __future__ import annotations

import math

from aiohttp import web


def _bad(name: str, raw: str | None, expected: str) -> web.HTTPBadRequest:
    shown = "missing" if raw is None else f"{raw[:64]!r}"
    return web.HTTPBadRequest(text=f"bad query value {name}={shown}: expected {expected}\n")


def int_param(
    request: web.Request, name: str, lo: int, hi: int, *, default: int | None = None
) -> int:
    raw = request.query.get(name)
    if raw is None and default is not None:
        return default
    expected = f"an integer in {lo}..{hi}"
    # isdecimal() rejects "+1", " 1", "1_0" and non-ASCII digits that int() would accept.
    if raw is None or not raw.isascii() or not raw.lstrip("-").isdecimal() or len(raw) > 20:
        raise _bad(name, raw, expected)
    value = int(raw)
    if not lo <= value <= hi:
        raise _bad(name, raw, expected)
    return value


def float_param(request: web.Request, name: str, lo: float, hi: float) -> float:
    raw = request.query.get(name)
    expected = f"a number in {lo:g}..{hi:g}"
    try:
        value = float(raw) if raw is not None and len(raw) <= 32 else math.nan
    except ValueError:
        value = math.nan
    if not lo <= value <= hi:  # also rejects nan
        raise _bad(name, raw, expected)
    return value


def choice_param(request: web.Request, name: str, choices: tuple[str, ...], default: str) -> str:
    raw = request.query.get(name, default)
    if raw not in choices:
        raise _bad(name, raw, " or ".join(choices))
    return raw


def text_param(request: web.Request, name: str, max_bytes: int, *, default: str = "") -> str:
    raw = request.query.get(name, default)
    if len(raw.encode()) > max_bytes:
        raise _bad(name, raw, f"at most {max_bytes} UTF-8 bytes")
    return raw
