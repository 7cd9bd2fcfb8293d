"""The pyws demo page's Python, run in Pyodide by web/index.html: builds the parts and wires
the page's controls to them.

The seed's JavaScript page, in Python over pyws: connect to an echo server, send text and
the source canvas (as a Blob or as bytes), draw echoed images on the destination canvas,
watch the socket in an inspector and an event log, and time a 32 MiB round trip. One
module a concern, each loaded by index.html next to this one:

- demo_view: the status lines, the notice, the inspector and the event log;
- demo_connection: the socket's life cycle (one pyws.connect, or a ReconnectingWebSocket
  while the Auto-reconnect switch is on), its one reader task and the traffic counts;
- demo_echo: sending text and pictures, and showing the echoes;
- demo_large: the 32 MiB transfer;
- demo_canvas: painting on the source canvas.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from demo_canvas import SourceCanvas
from demo_connection import Connection
from demo_echo import Echo
from demo_large import LargeTransfer
from demo_view import REFRESH_SECONDS, Handled, View, element
from pyodide.ffi import create_proxy

import pyws

BUTTONS = ("sendText", "sendCanvas", "sendLarge", "randomPicture", "clearCanvas", "autoReconnect")
"""Disabled in the HTML until Python is there to answer them."""


class Demo:
    """The page's parts, which messages go where, and the tasks and proxies it runs on."""

    def __init__(self, boot_seconds: float) -> None:
        self.view = View(boot_seconds)
        self.canvas = SourceCanvas()
        self.connection = Connection(self.view, self.route, self.closed)
        self.echo = Echo(self.view, self.connection, self.canvas)
        self.large = LargeTransfer(self.view, self.connection)
        self.tasks: set[asyncio.Task[None]] = set()
        self.proxies: list[Any] = []

    async def route(self, message: pyws.Data) -> None:
        """While the large transfer runs, binary echoes are its own; the rest is the echo's."""
        if self.large.takes(message):
            await self.large.receive(message)
        else:
            await self.echo.receive(message)

    def closed(self, ws: pyws.WebSocket) -> None:
        self.large.abort(ws)

    async def send_canvas(self) -> None:
        if self.large.running:
            self.view.show_notice("Wait for the large transfer to finish.")
            return
        await self.echo.send_canvas()

    def set_binary_type(self) -> None:
        self.echo.show_binary_type()
        self.connection.apply_binary_type()

    # -- running: page events to Python, and tasks whose errors show in the page ----------

    def listen(self, id_: str, event: str, handler: Callable[[Any], None]) -> None:
        proxy = create_proxy(handler)
        self.proxies.append(proxy)  # kept for the page's lifetime
        element(id_).addEventListener(event, proxy)

    def on(self, id_: str, event: str, action: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run the coroutine ``action`` on ``event``; a form's submit does not reload."""

        def handler(e: Any) -> None:
            e.preventDefault()
            self.spawn(action())

        self.listen(id_, event, handler)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a coroutine as a task whose exception, if any, shows in the page."""
        task = asyncio.ensure_future(self.guard(coro))
        self.tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self.tasks.discard)

    async def guard(self, coro: Awaitable[None]) -> None:
        try:
            await coro
        except Handled:
            pass
        except Exception as exc:
            self.view.report(exc)

    def wire(self) -> None:
        canvas = self.canvas
        self.on("connectForm", "submit", self.connection.connect)
        self.on("disconnect", "click", self.connection.disconnect)
        self.on("autoReconnect", "change", self.connection.switch_reconnect)
        self.on("textForm", "submit", self.echo.send_text)
        self.on("sendCanvas", "click", self.send_canvas)
        self.on("sendLarge", "click", self.large.send)
        self.listen("randomPicture", "click", lambda e: canvas.random_picture())
        self.listen("clearCanvas", "click", lambda e: canvas.clear())
        self.listen("binaryMode", "change", lambda e: self.set_binary_type())
        self.listen("source", "pointerdown", canvas.pointer_down)
        self.listen("source", "pointermove", canvas.pointer_move)
        self.listen("source", "pointerup", canvas.pointer_up)
        self.listen("source", "pointercancel", canvas.pointer_up)
        for id_ in BUTTONS:
            element(id_).disabled = False
        self.set_binary_type()

    async def refresh_forever(self) -> None:
        while True:
            self.connection.refresh()
            await asyncio.sleep(REFRESH_SECONDS)

    async def start(self) -> None:
        """Paint, wire, say hello and connect; then the page runs on its event handlers."""
        self.canvas.first_picture()
        self.echo.clear_destination()
        self.wire()
        self.spawn(self.refresh_forever())
        self.view.started()
        await self.connection.connect()


async def main(boot_seconds: float = 0.0) -> None:
    """Called by index.html once Pyodide and pyws are loaded.

    Nothing keeps the Demo in a global: the page's event listeners and its refresh task
    hold it for as long as the page is open.
    """
    await Demo(boot_seconds).start()
