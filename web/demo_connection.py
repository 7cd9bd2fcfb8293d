"""The page's one WebSocket, from Connect to its close, and the traffic over it.

Everything that depends on which socket is current lives here: the Connect and Disconnect
buttons, the Auto-reconnect switch, the one reader task per connection (``async for message
in ws``), how a close is shown, the binary_type switch and the traffic counts. What a message
means is decided elsewhere: the reader hands each one to ``on_message``, and a close to
``on_close``.

With Auto-reconnect off, Connect opens one ``pyws.connect`` socket and a close is final.
With it on, Connect starts a ``pyws.ReconnectingWebSocket``: it reconnects by itself after
the server goes away, queues the text sent meanwhile, and the page polls its ``state``,
``attempt`` and ``next_attempt_in`` (on every inspector refresh) to show the countdown.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import js
from demo_view import Handled, Traffic, View, count, element, error_text, message_size

import pyws

SUBPROTOCOLS = ("v2.echo", "v1.echo")
RECONNECT_INITIAL = 0.5
RECONNECT_MAX_DELAY = 5.0
"""The demo's backoff, quicker than pyws's default (1 s doubling to 60 s): here someone
watches a local server restart within seconds, so the first retries come within half a
second and the countdown never exceeds 5 s; full jitter still spreads many tabs apart."""


def default_url() -> str:
    """``?url=`` if given, else /echo on the host and port this page came from."""
    params = js.URLSearchParams.new(js.location.search)
    if params.has("url"):
        return str(params.get("url"))
    scheme = "wss" if js.location.protocol == "https:" else "ws"
    return f"{scheme}://{js.location.host}/echo"


def close_text(ws: pyws.WebSocket) -> str:
    """How the event log names a close: its code, and its reason if it has one."""
    reason = ws.close_reason
    return f"code {ws.close_code}" + (f" “{reason}”" if reason else "")


@dataclass
class Reconnecting:
    """An auto-reconnecting session: the ReconnectingWebSocket, and how much of its story
    the page has told so far (it has no events, so each refresh compares)."""

    rws: pyws.ReconnectingWebSocket
    shown: pyws.WebSocket | None = None
    """The last connection whose opening the page showed."""
    down_since: float | None = None
    """When the page showed that connection's loss (perf_counter), until the next opens."""


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
        """The open socket, or the last one; with Auto-reconnect, the session's latest."""
        self.auto: Reconnecting | None = None
        """The auto-reconnecting session, from Connect until Disconnect (or it gives up)."""
        self.reader: asyncio.Task[None] | None = None
        self.connecting = False
        self.started = 0.0
        self.traffic = Traffic()
        self.url_input = element("url")
        self.url_input.value = default_url()
        self.binary_mode = element("binaryMode")
        self.auto_switch = element("autoReconnect")

    @property
    def binary_type(self) -> Any:
        """The Send-as choice: "blob" or "bytes", the names pyws uses for binary_type."""
        return self.binary_mode.value

    @property
    def reconnects(self) -> bool:
        """The Auto-reconnect switch."""
        return bool(self.auto_switch.checked)

    @property
    def live(self) -> bool:
        """Open, opening, or auto-reconnecting."""
        return self.auto is not None or (self.ws is not None and self.ws.state <= pyws.State.OPEN)

    def refresh(self) -> None:
        auto = self.auto
        if auto is not None:
            self.follow(auto)
        queued = None if auto is None else auto.rws.queued
        self.view.inspect(self.ws, self.traffic, str(self.binary_type), queued)

    def set_buttons(self, *, connect: bool, disconnect: bool) -> None:
        """Auto-reconnect stays switchable except while a connection is being opened."""
        element("connect").disabled = not connect
        element("disconnect").disabled = not disconnect
        self.auto_switch.disabled = not (connect or disconnect)

    def require_open(self) -> pyws.WebSocket:
        """The open socket; else a clear message in the page, and Handled is raised."""
        auto = self.auto
        if auto is not None:
            ws = auto.rws.ws
            if ws is not None and auto.rws.state == pyws.State.OPEN:
                return ws
            self.view.show_notice("Reconnecting: only text is queued until the server is back.")
            self.view.log("error", "cannot send this while reconnecting")
            raise Handled
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

    async def send_text(self, text: str) -> bool:
        """Send ``text`` now; while auto-reconnecting it may be queued instead, to go out
        after the reconnect. Returns whether it was queued."""
        auto = self.auto
        if auto is None:
            await self.send(self.require_open(), text, len(text.encode()))
            return False
        await auto.rws.send(text)
        self.traffic.sent(len(text.encode()))
        return auto.rws.queued > 0

    # -- opening ---------------------------------------------------------------------

    async def connect(self) -> None:
        if self.connecting:
            return
        if self.live:
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
        self.started = time.perf_counter()
        try:
            if self.reconnects:
                self.start_reconnecting(url)
                return
            ws = await pyws.connect(
                url, subprotocols=list(SUBPROTOCOLS), binary_type=self.binary_type
            )
        except (pyws.WebSocketError, ValueError, TypeError, TimeoutError) as exc:
            self.failed(exc, "Could not connect", "could not connect: see Connection below")
            return
        finally:
            self.connecting = False
        elapsed = self.elapsed()
        self.opened(ws, f"Connected to {ws.url} in {elapsed}.", f"connected in {elapsed}")
        self.reader = asyncio.create_task(self.read(ws))
        self.refresh()

    def start_reconnecting(self, url: str) -> None:
        """Start a ReconnectingWebSocket; what it does next is shown by :meth:`follow`."""
        backoff = pyws.Backoff(initial=RECONNECT_INITIAL, max_delay=RECONNECT_MAX_DELAY)
        rws = pyws.ReconnectingWebSocket(
            url, subprotocols=list(SUBPROTOCOLS), binary_type=self.binary_type, backoff=backoff
        )
        auto = self.auto = Reconnecting(rws)
        self.set_buttons(connect=False, disconnect=True)  # Disconnect stops the retries
        self.view.log("info", f"auto-reconnect: a pyws.ReconnectingWebSocket to {url}")
        self.reader = asyncio.create_task(self.read_reconnecting(auto))

    def elapsed(self) -> str:
        return f"{(time.perf_counter() - self.started) * 1000:.0f} ms"

    def opened(self, ws: pyws.WebSocket, detail: str, ready: str) -> None:
        view = self.view
        self.ws = ws
        view.set_state("open")
        view.set_status("Socket Open", detail)
        self.set_buttons(connect=False, disconnect=True)
        view.ready(ready)
        view.log("open", f"{ws.url} (subprotocol {ws.subprotocol or 'none'})")

    def failed(self, exc: BaseException, notice: str, ready: str) -> None:
        view = self.view
        view.set_state("error")
        view.set_status("Error was reported", error_text(exc))
        self.set_buttons(connect=True, disconnect=False)
        view.log("exception", error_text(exc))
        view.show_notice(f"{notice}: {exc}")
        view.ready(ready)

    # -- reading ---------------------------------------------------------------------

    async def deliver(self, messages: AsyncIterable[pyws.Data]) -> None:
        """Count each message and hand it to on_message."""
        async for message in messages:
            self.traffic.received(message_size(message))
            try:
                await self.on_message(message)
            except Exception as exc:  # e.g. an image that does not decode
                self.view.report(exc)

    async def read(self, ws: pyws.WebSocket) -> None:
        """A plain connection's one reader."""
        try:
            await self.deliver(ws)
        except pyws.ConnectionClosed:
            pass  # an abnormal close: shown by closed() like any other
        finally:
            if self.ws is ws:
                self.closed(ws)

    async def read_reconnecting(self, auto: Reconnecting) -> None:
        """The session's one reader, across its reconnects; it ends at Disconnect, or when
        the reconnect loop gives up (an error that a retry would not heal)."""
        try:
            async with auto.rws as rws:
                await self.deliver(rws)
        except Exception as exc:
            if self.auto is auto:
                self.auto = None
                self.failed(exc, "Stopped reconnecting", "could not connect")
                self.refresh()

    def follow(self, auto: Reconnecting) -> None:
        """Show what the ReconnectingWebSocket did since the last look: a connection lost,
        one opened, or the countdown to the next attempt."""
        rws = auto.rws
        ws = rws.ws
        if ws is not None and ws is not auto.shown:
            if auto.shown is not None and auto.down_since is None:
                self.lost(auto, auto.shown)  # lost and replaced between two looks
            self.reopened(auto, ws)
        elif ws is not None and ws.state == pyws.State.CLOSED and auto.down_since is None:
            self.lost(auto, ws)
        if rws.state != pyws.State.OPEN and (auto.down_since is not None or rws.attempt > 0):
            # attempt counts the failed ones; the page numbers the one coming.
            self.view.reconnecting(rws.next_attempt_in, rws.attempt + 1, rws.queued)

    def reopened(self, auto: Reconnecting, ws: pyws.WebSocket) -> None:
        down_since = auto.down_since
        auto.shown, auto.down_since = ws, None
        self.view.clear_notice()  # what could not be sent while down can be now
        if ws.binary_type != self.binary_type:  # the switch moved since the session began
            ws.binary_type = self.binary_type
        if down_since is None:  # the session's first connection
            elapsed = self.elapsed()
            detail, ready = f"Connected to {ws.url} in {elapsed}", f"connected in {elapsed}"
        else:
            down = time.perf_counter() - down_since
            detail, ready = f"Reconnected to {ws.url} after {down:.1f} s", "reconnected"
        self.opened(ws, f"{detail}; auto-reconnect is on.", ready)

    def lost(self, auto: Reconnecting, ws: pyws.WebSocket) -> None:
        auto.down_since = time.perf_counter()
        self.view.clear_notice()
        self.view.log("close", close_text(ws))
        self.on_close(ws)

    # -- closing ---------------------------------------------------------------------

    async def disconnect(self) -> None:
        if self.auto is not None:
            await self.stop_reconnecting(self.auto)
            return
        ws = self.ws
        if ws is None or ws.state >= pyws.State.CLOSING:
            self.view.show_notice("Not connected: nothing to disconnect.")
            return
        self.view.clear_notice()
        self.view.set_status("Closing…")
        await ws.close(1000, "bye from pyws")
        if self.reader is not None:
            await asyncio.wait([self.reader])

    async def stop_reconnecting(self, auto: Reconnecting) -> None:
        """Close the session for good; what it still had queued is dropped, and said so."""
        self.auto = None
        self.view.clear_notice()
        self.view.set_status("Closing…")
        ws = auto.rws.ws
        was_open = ws is not None and ws.state == pyws.State.OPEN
        unsent = await auto.rws.close(1000, "bye from pyws")
        if self.reader is not None:
            await asyncio.wait([self.reader])
        if unsent:
            self.view.log("info", f"{count(unsent)} queued while disconnected, never sent")
        if ws is not None and was_open:
            self.ws = ws
            self.closed(ws)
            return
        self.view.set_state("closed")
        self.view.set_status("Socket Closed", "Stopped reconnecting.")
        self.set_buttons(connect=True, disconnect=False)
        self.view.log("close", "stopped reconnecting")
        self.refresh()

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
        view.log("close", close_text(ws))
        self.on_close(ws)
        self.refresh()

    # -- switches --------------------------------------------------------------------

    async def switch_reconnect(self) -> None:
        """The Auto-reconnect switch moved: a live connection starts over in the new mode
        (what a session had queued is dropped); otherwise it applies at the next Connect."""
        on = self.reconnects
        if self.connecting or not self.live:
            self.view.log("info", f"auto-reconnect {'on' if on else 'off'} from the next Connect")
            return
        self.view.log("info", f"auto-reconnect {'on' if on else 'off'}: connecting again")
        await self.disconnect()
        await self.connect()

    def apply_binary_type(self) -> None:
        """Switch the open socket to the Send-as choice, so echoes come back in kind."""
        ws, mode = self.ws, self.binary_type
        if ws is not None and ws.state <= pyws.State.OPEN:
            ws.binary_type = mode
            self.view.log("info", f"binary_type = {mode!r}")
        self.refresh()
