"""The seam between the connection logic and the platform's socket.

:class:`pyws.connection.WebSocket` talks only to a :class:`Transport` and hears from it only
through :class:`Events`. ``pyws._platform.websocket`` implements the transport over
``js.WebSocket`` (browsers, workers, Node), ``pyws._platform.stream`` over Chromium's
``WebSocketStream``, ``pyws._platform.cpython`` over asyncio streams in
CPython, and the unit tests over a fake socket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from .blob import Blob

BinaryType = Literal["bytes", "blob"]
"""How binary messages arrive: as ``bytes``, or as a :class:`pyws.Blob`."""

BINARY_TYPES: tuple[BinaryType, ...] = ("bytes", "blob")


class ErrorHandler(Protocol):
    """The ``error`` event: a browser says nothing more (called with no argument); CPython
    passes the exception that failed the connection."""

    def __call__(self, cause: BaseException | None = None) -> None: ...


@dataclass(frozen=True, slots=True)
class Events:
    """What the socket reports, as plain callables the connection hands its transport.

    Each runs inside the platform's event handler (a JS handler in the browser), in the
    order the socket reports them. They may do more than record: :attr:`on_message` can
    resume the task waiting in ``recv()`` before it returns, so user code runs inside the
    handler (see :mod:`pyws._wakeup`). A transport must therefore call them last, with its
    own state already consistent.
    """

    on_open: Callable[[], None]
    on_message: Callable[[Any], None]
    """Called with a str, bytes, or a :class:`pyws.Blob` in blob mode."""
    on_error: ErrorHandler
    on_close: Callable[[int, str, bool], None]
    """Called with the close code, the reason, and whether the closing handshake completed."""


class Transport(Protocol):
    """One socket: its live attributes, and the calls pyws makes on it."""

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

    @property
    def pending_close(self) -> tuple[int, str, bool] | None:
        """The peer's close while it waits behind messages not yet reported (reading is
        paused): its code, its reason, and whether it will be reported clean. None when
        there is none, or once it was reported. While it waits, the socket is CLOSING and
        every ``send_*`` returns None."""

    def set_binary_type(self, binary_type: BinaryType) -> None: ...

    # Each send_* sends one message if the socket is OPEN and returns the new
    # bufferedAmount, in the same call; it returns None, sending nothing, if it is not OPEN.

    def send_text(self, data: str) -> int | None: ...

    def send_bytes(self, data: memoryview) -> int | None:
        """Send a contiguous byte buffer as one binary message; the socket copies it."""

    def send_blob(self, blob: Blob) -> int | None:
        """Send a :class:`pyws.Blob` as one binary message."""

    def send_native(self, data: Any) -> int | None:
        """Send a platform binary object as is (a JS Blob, ArrayBuffer or typed array)."""

    def is_native_binary(self, data: Any) -> bool:
        """Whether ``data`` is a platform binary object that :meth:`send_native` takes."""

    def close(self, code: int, reason: str) -> None: ...

    can_pause: bool
    """Whether :meth:`pause_reading` can hold the sender back: the platform can stop
    reading (``WebSocketStream``, a CPython socket); ``js.WebSocket`` cannot."""

    def pause_reading(self) -> None:
        """Report no message until :meth:`resume_reading`, and stop reading, so the
        sender is held back (TCP flow control). Messages already read are kept, in order;
        the close is reported after them. Only called where :attr:`can_pause` is true."""

    def resume_reading(self) -> None:
        """Report messages again, starting with those held while paused."""

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
