"""A fake browser socket for driving pyws's connection logic in CPython."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pyws import Blob
from pyws._transport import BinaryType, Events
from pyws.connection import State, WebSocket


class NativeBinary:
    """Stands for a platform binary object, such as a JS ArrayBuffer."""


class FakeTransport:
    can_pause = True

    def __init__(
        self, url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> None:
        self.events = events
        self.url = url
        self.protocol = ""
        self.extensions = ""
        self.ready_state: int = State.CONNECTING
        self.buffered_amount = 0
        self.binary_type = binary_type
        self.sent: list[Any] = []
        self.closes: list[tuple[int, str]] = []
        self.released = False
        self.paused = False
        self.pauses = 0
        self.held: list[Any] = []
        """Messages the network holds while reading is paused (see :meth:`receive`)."""
        self.pending_close: tuple[int, str, bool] | None = None

    def set_binary_type(self, binary_type: BinaryType) -> None:
        self.binary_type = binary_type

    def send_text(self, data: str) -> int | None:
        return self._send(data)

    def send_bytes(self, data: memoryview) -> int | None:
        return self._send(bytes(data))

    def send_blob(self, blob: Blob) -> int | None:
        return self._send(blob)

    def send_native(self, data: Any) -> int | None:
        return self._send(data)

    def is_native_binary(self, data: Any) -> bool:
        return isinstance(data, NativeBinary)

    def _send(self, data: object) -> int | None:
        if self.ready_state != State.OPEN:
            return None
        self.sent.append(data)
        if isinstance(data, bytes | str):
            self.buffered_amount += len(data)  # as if the network took nothing yet
        return self.buffered_amount

    def close(self, code: int, reason: str) -> None:
        self.closes.append((code, reason))
        self.ready_state = State.CLOSING

    def release(self) -> None:
        self.released = True

    def pause_reading(self) -> None:
        if not self.paused:
            self.pauses += 1
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False
        while self.held and not self.paused:
            self.events.on_message(self.held.pop(0))

    def call_later(self, delay: float, callback: Callable[[], None]) -> Callable[[], None]:
        return asyncio.get_running_loop().call_later(delay, callback).cancel

    # what the browser would do
    def open(self) -> None:
        self.ready_state = State.OPEN
        self.events.on_open()

    def receive(self, message: Any) -> None:
        """A message from the network: reported now, or held while reading is paused."""
        if self.paused or self.held:
            self.held.append(message)
        else:
            self.events.on_message(message)

    def closed(self, code: int = 1000, reason: str = "", was_clean: bool = True) -> None:
        self.ready_state = State.CLOSED
        self.events.on_close(code, reason, was_clean)


def new_socket(url: str = "ws://127.0.0.1/echo", **options: Any) -> tuple[WebSocket, FakeTransport]:
    """A WebSocket on a fake transport, still connecting (call inside a running loop)."""
    kwargs: dict[str, Any] = {"binary_type": "bytes", "close_timeout": 1.0, "write_limit": 100}
    ws = WebSocket(FakeTransport, url, [], **(kwargs | options))
    transport = ws._transport
    assert isinstance(transport, FakeTransport)
    return ws, transport


def open_socket(**options: Any) -> tuple[WebSocket, FakeTransport]:
    """A WebSocket whose fake transport is already open (call inside a running loop)."""
    ws, transport = new_socket(**options)
    transport.open()
    return ws, transport
