"""Contender: ``pyws.sync``, the blocking API, driving the shared scenarios.

``pyws_sync`` runs in the page, blocking through JSPI; ``pyws_sync_relay`` runs in a worker
(bench_worker.mjs), blocking through the relay (``pyws.sync.set_mode("relay")``), its socket
in the page. Each blocking call is wrapped in a coroutine that never suspends, so
bench_common's scenarios (written against ``await send()`` / ``await recv()``) run as they
are; the result says which way it blocked.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import bench_common
import bench_pyws

import pyws.sync


class _Blocking:
    """A pyws.sync connection behind bench_common's Conn: every call blocks."""

    def __init__(self, ws: pyws.sync.WebSocket) -> None:
        self.ws = ws

    async def send(self, message: Any, /) -> None:
        self.ws.send(message)

    async def recv(self) -> Any:
        return self.ws.recv()

    async def __aiter__(self) -> AsyncIterator[Any]:
        while True:
            yield self.ws.recv()


@asynccontextmanager
async def _open(url: str, binary_type: str) -> AsyncIterator[_Blocking]:
    ws = pyws.sync.connect(url, binary_type="blob" if binary_type == "blob" else "bytes")
    try:
        yield _Blocking(ws)
    finally:
        ws.close()


async def run(scenario: str, options_json: str, mode: str = "auto") -> str:
    """Called by bench.js (or bench_worker.mjs): one scenario, its result as JSON."""
    pyws.sync.set_mode("relay" if mode == "relay" else "auto")
    result = await bench_common.run(
        scenario,
        _open,
        json.loads(options_json),
        payloads=bench_pyws.payloads(),
        to_bytes=bench_pyws._to_bytes,
    )
    result["sync_mode"] = pyws.sync.mode()
    return json.dumps(result)
