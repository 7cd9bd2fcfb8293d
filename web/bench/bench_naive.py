"""Contender: the wrapper users write by hand around ``js.WebSocket``.

``create_proxy`` callbacks feed an ``asyncio.Queue``; binary goes out through ``to_js``.
No batching, no buffer reuse: the baseline pyws has to beat.
"""

from __future__ import annotations

import json
from typing import Any

import bench_common
import bench_pyws
import js
from pyodide.ffi import create_proxy, to_js


class NaiveWebSocket(bench_common.CallbackSocket):
    def __init__(self, url: str, binary_type: str) -> None:
        super().__init__()
        self.ws = js.WebSocket.new(url)
        self.binary_type = "blob" if binary_type == "blob" else "arraybuffer"
        self.ws.binaryType = self.binary_type
        self.handlers = {
            "open": create_proxy(self._on_open),
            "message": create_proxy(self._on_message),
            "close": create_proxy(self._on_close),
        }
        for name, handler in self.handlers.items():
            self.ws.addEventListener(name, handler)

    def _on_message(self, event: Any) -> None:
        data = event.data
        if not isinstance(data, str) and self.binary_type == "arraybuffer":
            data = data.to_bytes()  # ArrayBuffer -> bytes; a Blob stays a JsProxy
        self.queue.put_nowait(data)

    async def send(self, message: Any) -> None:
        self.ws.send(message if isinstance(message, str) else to_js(message))

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            await super().__aexit__(*exc_info)
        finally:
            for name, handler in self.handlers.items():
                self.ws.removeEventListener(name, handler)
                handler.destroy()


async def _to_bytes(message: Any) -> bytes:
    if isinstance(message, bytes):
        return message
    return bytes((await message.arrayBuffer()).to_bytes())  # a Blob


async def run(scenario: str, options_json: str) -> str:
    """Called by bench.js: run one scenario, return its result as JSON."""
    result = await bench_common.run(
        scenario,
        NaiveWebSocket,
        json.loads(options_json),
        payloads=bench_pyws.payloads(),
        to_bytes=_to_bytes,
    )
    return json.dumps(result)
