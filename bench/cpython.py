"""The CPython reference: the ``websockets`` client, outside the browser.

It runs the very scenario code the page's Python contenders run (web/bench/bench_common.py),
in the harness's own event loop, while the page is idle.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from websockets.asyncio.client import connect

from harness import ROOT
from harness.modules import load_module

COMMON = ROOT / "web" / "bench" / "bench_common.py"


def common() -> ModuleType:
    return load_module(COMMON)


def _open(url: str, binary_type: str) -> connect:
    # Offers permessage-deflate as Chromium does; the server decides (off by default).
    return connect(url, max_size=None, ping_interval=None)


async def _to_bytes(message: Any) -> bytes:
    assert isinstance(message, bytes)
    return message


async def run(scenario: str, options: dict[str, Any], payloads: list[bytes]) -> dict[str, Any]:
    result: dict[str, Any] = await common().run(
        scenario, _open, options, payloads=payloads, to_bytes=_to_bytes
    )
    return result
