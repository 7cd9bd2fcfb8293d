"""Contender: the wrapper users write by hand around ``js.WebSocket``.

``create_proxy`` callbacks feed an ``asyncio.Queue``; binary goes out through ``to_js``.
No batching, no buffer reuse: the baseline pyws has to beat.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import bench_common
import bench_pyws
import js
from pyodide.ffi import create_proxy, to_js


class NaiveWebSocket:
    def __init__(self, url: str, binary_type: str) -> None:
        loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
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

    def _on_open(self, event: Any) -> None:
        if not self.opened.done():
            self.opened.set_result(None)

    def _on_message(self, event: Any) -> None:
        data = event.data
        if not isinstance(data, str) and self.binary_type == "arraybuffer":
            data = data.to_bytes()  # ArrayBuffer -> bytes; a Blob stays a JsProxy
        self.queue.put_nowait(data)

    def _on_close(self, event: Any) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"cannot connect: {event.code}"))
        if not self.closed.done():
            self.closed.set_result(None)

    async def send(self, message: Any) -> None:
        self.ws.send(message if isinstance(message, str) else to_js(message))

    async def recv(self) -> Any:
        return await self.queue.get()

    async def __aiter__(self) -> AsyncIterator[Any]:
        while True:
            yield await self.queue.get()

    async def __aenter__(self) -> NaiveWebSocket:
        await self.opened
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.ws.close()
        try:
            await asyncio.wait_for(self.closed, 10)
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
