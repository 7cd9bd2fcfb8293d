"""The seam between the connection logic and the browser.

:class:`pyws.connection.WebSocket` talks only to a :class:`Transport` and receives only
:class:`Events`; ``pyws._ffi`` implements them over ``js.WebSocket``, and the unit tests
over a fake socket in CPython.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ._validation import BinaryType


class Events(Protocol):
    """What the browser reports; each method runs inside a JS event handler, so keep it short."""

    def on_open(self) -> None: ...

    def on_message(self, data: Any) -> None:
        """``data`` is a str, bytes, or a :class:`pyws.Blob` in blob mode."""

    def on_error(self) -> None: ...

    def on_close(self, code: int, reason: str, was_clean: bool) -> None: ...


class Transport(Protocol):
    """One browser ``WebSocket``: its live attributes, and the calls pyws makes on it."""

    @property
    def ready_state(self) -> int: ...

    @property
    def buffered_amount(self) -> int: ...

    @property
    def url(self) -> str: ...

    @property
    def protocol(self) -> str: ...

    @property
    def extensions(self) -> str: ...

    def set_binary_type(self, binary_type: BinaryType) -> None: ...

    # Each send_* sends one message if the socket is OPEN and returns the new
    # bufferedAmount, in the same call; it returns None, sending nothing, if it is not OPEN.

    def send_text(self, data: str) -> int | None: ...

    def send_bytes(self, data: memoryview) -> int | None:
        """Send a contiguous byte buffer as one binary message; the browser copies it."""

    def send_js(self, data: Any) -> int | None:
        """Send a JS Blob, ArrayBuffer or typed array as is."""

    def is_js_binary(self, data: Any) -> bool:
        """Whether ``data`` is a JS Blob, ArrayBuffer or typed array."""

    def close(self, code: int, reason: str) -> None: ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> Callable[[], None]:
        """Run ``callback`` after ``delay`` seconds, unless the returned cancel is called.

        Cancelling frees the timer at once (Pyodide's loop keeps cancelled ones alive).
        """

    def release(self) -> None:
        """Detach the handlers and free what they hold; no event is reported after it."""


class TransportFactory(Protocol):
    def __call__(
        self, url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> Transport: ...
