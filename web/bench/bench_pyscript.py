"""Contender: PyScript's ``pyscript.WebSocket`` (from the pinned ``@pyscript/core``).

Runs in PyScript's own interpreter, a second Pyodide instance in the benchmark page,
loaded from the same local ``/pyodide/``. ``pyscript.WebSocket`` is callback based, so
this wraps it the way its users do for asyncio code: callbacks feed an ``asyncio.Queue``.
Sending uses ``WebSocket.send`` unchanged (it copies bytes one at a time into a
Uint8Array, which is what makes it slow for binary data).

bench.js calls ``window.pyscriptBench(scenario, options_json)`` once this script has run.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import bench_common
import js
from pyodide.ffi import create_proxy

# The pyscript package exists only inside PyScript: import it by name so that mypy, which
# has no stubs for it, treats it as Any.
pyscript = importlib.import_module("pyscript")

_payloads: list[bytes] = []


class PyScriptWebSocket(bench_common.CallbackSocket):
    def __init__(self, url: str, binary_type: str) -> None:
        super().__init__()
        self.ws = pyscript.WebSocket(
            url=url, onopen=self._on_open, onmessage=self._on_message, onclose=self._on_close
        )
        if binary_type == "blob":
            self.ws.binaryType = "blob"

    def _on_message(self, event: Any) -> None:
        self.queue.put_nowait(event.data)  # str, memoryview, or a Blob proxy

    async def send(self, message: Any) -> None:
        self.ws.send(message)


async def _to_bytes(message: Any) -> bytes | memoryview:
    if isinstance(message, memoryview | bytes):
        return message
    return bytes((await message.arrayBuffer()).to_bytes())  # a Blob


async def run(scenario: str, options_json: str) -> str:
    if not _payloads:
        _payloads.extend(buffer.to_bytes() for buffer in js.benchPayloads)
    result = await bench_common.run(
        scenario,
        PyScriptWebSocket,
        json.loads(options_json),
        payloads=_payloads,
        to_bytes=_to_bytes,
    )
    return json.dumps(result)


js.window.pyscriptBench = create_proxy(run)
