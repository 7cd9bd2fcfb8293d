"""What the demo page says: the state, the status lines, the notice, the inspector, the log.

The other demo modules change the page's wording only through a :class:`View` and the
formatting helpers here, so how things are said (and the log's length, the inspector's dash
for "nothing") is decided in one place.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

import js

import pyws

MiB = 2**20
LOG_LIMIT = 200
TEXT_PREVIEW = 80
REFRESH_SECONDS = 0.1
"""How often the inspector and the large transfer's progress are redrawn."""
NOTHING = "\u2013"


def element(id_: str) -> Any:
    """The element with this id; the page is ours, so it must exist."""
    node = js.document.getElementById(id_)
    if node is None:
        raise LookupError(f"the page has no element #{id_}")
    return node


def size_text(n: int) -> str:
    """A byte count for people: 512 B, 3.4 KiB, 32.0 MiB."""
    if n < 1024:
        return f"{n} B"
    if n < MiB:
        return f"{n / 1024:.1f} KiB"
    return f"{n / MiB:.1f} MiB"


def count(n: int, noun: str = "message") -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def shorten(text: str, limit: int = TEXT_PREVIEW) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def message_size(message: pyws.Data) -> int:
    """A message's size in bytes, text counted as UTF-8."""
    if isinstance(message, str):
        return len(message.encode())
    if isinstance(message, pyws.Blob):
        return message.size
    return len(message)


class Handled(Exception):
    """Raised after a problem was already shown in the page; the task runner ignores it."""


@dataclass
class Traffic:
    """Messages and bytes each way since the page loaded: the inspector's last two rows."""

    sent_messages: int = 0
    sent_bytes: int = 0
    received_messages: int = 0
    received_bytes: int = 0

    def sent(self, size: int) -> None:
        self.sent_messages += 1
        self.sent_bytes += size

    def received(self, size: int) -> None:
        self.received_messages += 1
        self.received_bytes += size


class View:
    """The page's text about the connection, and the boot progress line's last word."""

    def __init__(self, boot_seconds: float) -> None:
        self.boot_seconds = boot_seconds
        self.booted = False
        self.body = js.document.body
        self.progress = element("progress")
        self.status = element("serverStatus")
        self.close_detail = element("closeDetail")
        self.notice = element("notice")
        self.log_list = element("log")

    def started(self) -> None:
        """Say which versions run, and how long loading them took."""
        python = ".".join(map(str, sys.version_info[:3]))
        element("versions").textContent = (
            f"pyws {pyws.__version__} · Python {python} in Pyodide · "
            f"started in {self.boot_seconds:.1f} s · everything stays on this machine"
        )
        self.log("info", f"Pyodide and pyws loaded in {self.boot_seconds:.1f} s")

    def set_state(self, state: str) -> None:
        """``body[data-state]``: loading, open, reconnecting, closed or error (tests wait
        on it)."""
        self.body.dataset.state = state

    def set_status(self, text: str, detail: str = "") -> None:
        self.status.removeAttribute("aria-busy")
        self._say(text, detail)

    def reconnecting(self, next_in: float | None, attempt: int, queued: int) -> None:
        """The auto-reconnect countdown, redrawn on every refresh while it waits. The status
        is marked busy meanwhile, so that screen readers do not read out every tenth."""
        when = "now" if next_in is None else f"in {next_in:.1f} s"
        self.set_state("reconnecting")
        self.status.setAttribute("aria-busy", "true")
        self._say(
            f"Reconnecting {when} (attempt {attempt})",
            f"{count(queued)} queued, sent once the server is back. Disconnect stops trying.",
        )

    def _say(self, text: str, detail: str) -> None:
        self._put_text(self.status, f"WebSocket Status:: {text}")
        self._put_text(self.close_detail, detail)

    def connecting(self, url: str) -> None:
        """The first connection is part of booting, so the progress line follows it."""
        if not self.booted:
            self.progress.textContent = f"Connecting to {url}…"

    def ready(self, connection: str) -> None:
        """The end of the boot progress line; later connections leave it alone."""
        if not self.booted:
            self.booted = True
            self.progress.textContent = (
                f"Ready: Python and pyws loaded in {self.boot_seconds:.1f} s, {connection}."
            )

    def show_notice(self, text: str) -> None:
        self.notice.textContent = text
        self.notice.hidden = False

    def clear_notice(self) -> None:
        self.notice.textContent = ""
        self.notice.hidden = True

    def log(self, kind: str, text: str) -> None:
        """A line on top of the event log, which keeps the newest LOG_LIMIT lines."""
        item = js.document.createElement("li")
        item.className = f"log-{kind}"
        stamp = js.document.createElement("time")
        stamp.textContent = time.strftime("%H:%M:%S")
        label = js.document.createElement("strong")
        label.textContent = kind
        message = js.document.createElement("span")
        message.textContent = text
        item.append(stamp, label, message)
        self.log_list.prepend(item)
        while self.log_list.childElementCount > LOG_LIMIT:
            self.log_list.lastElementChild.remove()

    def report(self, exc: BaseException) -> None:
        """Show an exception raised in Python: in the log and in the notice line."""
        self.log("exception", error_text(exc))
        if isinstance(exc, pyws.ConnectionClosed):
            self.show_notice(f"Not sent: the connection is closed ({exc}). Press Connect.")
        else:
            self.show_notice(error_text(exc))

    def inspect(
        self, ws: pyws.WebSocket | None, traffic: Traffic, binary_type: str, queued: int | None
    ) -> None:
        """Copy the connection's live attributes into the inspector; ``queued`` is what an
        auto-reconnecting session holds (None without one)."""
        self._put("insUrl", ws and ws.url)
        self._put("insState", ws and f"{ws.state.name} ({int(ws.state)})")
        self._put("insSubprotocol", ws and (ws.subprotocol or "(none)"))
        self._put("insExtensions", ws and (ws.extensions or "(none)"))
        self._put("insBinaryType", ws.binary_type if ws else binary_type)
        self._put("insBuffered", ws and f"{ws.buffered_amount:,} B")
        self._put("insCloseCode", ws and ws.close_code)
        self._put("insCloseReason", ws and ws.close_reason)
        sent, received = traffic.sent_messages, traffic.received_messages
        self._put("insSent", f"{count(sent)}, {size_text(traffic.sent_bytes)}")
        self._put("insReceived", f"{count(received)}, {size_text(traffic.received_bytes)}")
        self._put("insQueued", queued if queued is None else count(queued))

    @staticmethod
    def _put(id_: str, value: object) -> None:
        View._put_text(element(id_), NOTHING if value is None or value == "" else str(value))

    @staticmethod
    def _put_text(node: Any, text: str) -> None:
        if node.textContent != text:  # setting it, even to the same text, replaces the node
            node.textContent = text
