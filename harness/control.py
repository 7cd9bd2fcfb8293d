"""The control WebSocket: a page (or worker, or process) that the harness launched connects
here to take commands and report, with no DevTools connection attached.

Used by the benchmark page (commands with replies) and by the scenario-suite runner
(:mod:`harness.suite`: log lines, then one report).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from harness.config import HOST


class PageError(RuntimeError):
    """The page answered a command with an error."""


class Page:
    """One connected page: :meth:`call` sends a command and awaits its reply."""

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}

    async def call(self, op: str, timeout: float, **fields: Any) -> Any:
        id_ = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[id_] = future
        try:
            await self.ws.send(json.dumps({"id": id_, "op": op, **fields}))
            async with asyncio.timeout(timeout):
                return await future
        finally:
            self._pending.pop(id_, None)

    async def send(self, op: str, **fields: Any) -> None:
        await self.ws.send(json.dumps({"op": op, **fields}))

    def _reply(self, message: dict[str, Any]) -> None:
        future = self._pending.get(message["id"])
        if future is None or future.done():
            return
        if message.get("ok"):
            future.set_result(message.get("result"))
        else:
            future.set_exception(PageError(str(message.get("error"))))

    def _closed(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(PageError("the page disconnected"))


class Control:
    """The control server; pages announce themselves with a first message (no id)."""

    def __init__(self) -> None:
        self.arrivals: asyncio.Queue[tuple[Page, dict[str, Any]]] = asyncio.Queue()
        self._server: Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        port = next(iter(self._server.sockets)).getsockname()[1]
        return f"ws://{HOST}:{port}/"

    async def __aenter__(self) -> Control:
        self._server = await serve(self._handle, HOST, 0, max_size=None, compression=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, ws: ServerConnection) -> None:
        page = Page(ws)
        try:
            async for raw in ws:
                message = json.loads(raw)
                if "id" in message:
                    page._reply(message)
                else:
                    await self.arrivals.put((page, message))
        except ConnectionClosed:
            pass  # a page that navigates away or a browser that exits drops its connection
        finally:
            page._closed()

    async def arrival(self, timeout: float) -> tuple[Page, dict[str, Any]]:
        """The next page to connect, and what it said first."""
        async with asyncio.timeout(timeout):
            return await self.arrivals.get()
