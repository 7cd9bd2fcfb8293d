"""Contender: pyws, used as its documentation shows (``async with pyws.connect(...)``)."""

from __future__ import annotations

import json
from typing import Any

import bench_common
import js

import pyws

_payloads: list[bytes] = []


def payloads() -> list[bytes]:
    """The page's random binary payloads (``window.benchPayloads``), as Python bytes."""
    if not _payloads:
        _payloads.extend(buffer.to_bytes() for buffer in js.benchPayloads)
    return _payloads


def _open(url: str, binary_type: str) -> pyws.connect:
    return pyws.connect(url, binary_type="blob" if binary_type == "blob" else "bytes")


async def _to_bytes(message: Any) -> bytes:
    if isinstance(message, pyws.Blob):
        return await message.bytes()
    assert isinstance(message, bytes)
    return message


async def run(scenario: str, options_json: str, open_: bench_common.Opener = _open) -> str:
    """Called by bench.js: run one scenario, return its result as JSON. ``open_`` lets a
    variant of pyws (bench_jsqueue.py) run the same way."""
    result = await bench_common.run(
        scenario, open_, json.loads(options_json), payloads=payloads(), to_bytes=_to_bytes
    )
    return json.dumps(result)
