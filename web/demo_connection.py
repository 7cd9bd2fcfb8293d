"""The page's one WebSocket, from Connect to its close, and the traffic over it.

Everything that depends on which socket is current lives here: the Connect and Disconnect
buttons, the one reader task per connection (``async for message in ws``), how a close is
shown, the binary_type switch and the traffic counts. What a message means is decided
elsewhere: the reader hands each one to ``on_message``, and a close to ``on_close``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import js
from demo_view import Handled, Traffic, View, element, error_text, message_size

import pyws

SUBPROTOCOLS = ("v2.echo", "v1.echo")


def default_url() -> str:
    """``?url=`` if given, else /echo on the host and port this page came from."""
    params = js.URLSearchParams.new(js.location.search)
    if params.has("url"):
        return str(params.get("url"))
    scheme = "wss" if js.location.protocol == "https:" else "ws"
    return f"{scheme}://{js.location.host}/echo"


class Connection:
    """The current socket (or None), its reader task, and the Connection card's controls."""

    def __init__(
        self,
        view: View,
        on_message: Callable[[pyws.Data], Awaitable[None]],
        on_close: Callable[[pyws.WebSocket], None],
    ) -> None:
        self.view = view
        self.on_message = on_message
        self.on_close = on_close
        self.ws: pyws.WebSocket | None = None
        self.reader: asyncio.Task[None] | None = None
        self.connecting = False
        self.traffic = Traffic()
        self.url_input = element("url")
        self.url_input.value = default_url()
        self.binary_mode = element("binaryMode")

    @property
    def binary_type(self) -> Any:
        """The Send-as choice: "blob" or "bytes", the names pyws uses for binary_type."""
        return self.binary_mode.value

    def refresh(self) -> None:
        self.view.inspect(self.ws, self.traffic, str(self.binary_type))

    def set_buttons(self, *, connect: bool, disconnect: bool) -> None:
        element("connect").disabled = not connect
        element("disconnect").disabled = not disconnect

    def require_open(self) -> pyws.WebSocket:
        """The open socket; else a clear message in the page, and Handled is raised."""
        ws = self.ws
        if ws is None or ws.state != pyws.State.OPEN:
            self.view.show_notice("Not connected: press Connect first.")
            self.view.log("error", "cannot send while disconnected")
            raise Handled
        return ws

    async def send(self, ws: pyws.WebSocket, data: Any, size: int) -> None:
        """Send on ``ws``, the socket the caller checked (not whichever is current by now)."""
        await ws.send(data)
        self.traffic.sent(size)

    async def connect(self) -> None:
        if self.connecting:
            return
        if self.ws is not None and self.ws.state <= pyws.State.OPEN:
            self.view.show_notice("Already connected: press Disconnect first.")
            return
        view = self.view
        view.clear_notice()
        url = str(self.url_input.value).strip()
        self.connecting = True
        view.set_state("loading")
        view.set_status(f"Connecting to {url}…")
        self.set_buttons(connect=False, disconnect=False)
        view.connecting(url)
        started = time.perf_counter()
        try:
            ws = await pyws.connect(
                url, subprotocols=list(SUBPROTOCOLS), binary_type=self.binary_type
            )
        except (pyws.WebSocketError, ValueError, TypeError, TimeoutError) as exc:
            view.set_state("error")
            view.set_status("Error was reported", error_text(exc))
            self.set_buttons(connect=True, disconnect=False)
            view.log("exception", error_text(exc))
            view.show_notice(f"Could not connect: {exc}")
            view.ready("could not connect: see Connection below")
            return
        finally:
            self.connecting = False
        elapsed = f"{(time.perf_counter() - started) * 1000:.0f} ms"
        self.ws = ws
        view.set_state("open")
        view.set_status("Socket Open", f"Connected to {ws.url} in {elapsed}.")
        self.set_buttons(connect=False, disconnect=True)
        view.ready(f"connected in {elapsed}")
        view.log("open", f"{ws.url} (subprotocol {ws.subprotocol or 'none'})")
        self.reader = asyncio.create_task(self.read(ws))
        self.refresh()

    async def disconnect(self) -> None:
        ws = self.ws
        if ws is None or ws.state >= pyws.State.CLOSING:
            self.view.show_notice("Not connected: nothing to disconnect.")
            return
        self.view.clear_notice()
        self.view.set_status("Closing…")
        await ws.close(1000, "bye from pyws")
        if self.reader is not None:
            await asyncio.wait([self.reader])

    async def read(self, ws: pyws.WebSocket) -> None:
        """The connection's one reader: counts each message and hands it to on_message."""
        try:
            async for message in ws:
                self.traffic.received(message_size(message))
                try:
                    await self.on_message(message)
                except Exception as exc:  # e.g. an image that does not decode
                    self.view.report(exc)
        except pyws.ConnectionClosed:
            pass  # an abnormal close: shown by closed() like any other
        finally:
            if self.ws is ws:
                self.closed(ws)

    def closed(self, ws: pyws.WebSocket) -> None:
        """Show how the connection ended, clean or not, and offer Connect again."""
        view = self.view
        code, reason, clean = ws.close_code, ws.close_reason, ws.was_clean
        detail = f"Close code {code}"
        detail += f", reason “{reason}”" if reason else ", no reason"
        detail += "." if clean else "; the connection was lost (no clean closing handshake)."
        if clean:
            view.set_state("closed")
            view.set_status("Socket Closed", detail)
        else:
            view.set_state("error")
            view.set_status("Error was reported", f"Socket Closed. {detail}")
            view.log("error", "the connection failed")
        if code == 1001:
            view.show_notice(f"The server went away ({reason or 'going away'}). Press Connect.")
        elif not clean:
            view.show_notice(f"The connection was lost (code {code}). Press Connect to retry.")
        self.set_buttons(connect=True, disconnect=False)
        view.log("close", f"code {code}" + (f" “{reason}”" if reason else ""))
        self.on_close(ws)
        self.refresh()

    def apply_binary_type(self) -> None:
        """Switch the open socket to the Send-as choice, so echoes come back in kind."""
        ws, mode = self.ws, self.binary_type
        if ws is not None and ws.state <= pyws.State.OPEN:
            ws.binary_type = mode
            self.view.log("info", f"binary_type = {mode!r}")
        self.refresh()
