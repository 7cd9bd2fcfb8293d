""":class:`Blob`: binary data as the browser's ``Blob`` holds it, as a plain value type.

A Blob made in Python holds bytes. One received with ``binary_type="blob"`` in a browser is
made by the platform layer (``pyws._platform.browser``) and keeps its data in the browser, where the
platform layer reads it; this module imports nothing of the platform.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Blob"]


class Blob:
    """Immutable binary data with a MIME type, like the browser's ``Blob``.

    ``pyws.Blob(data, type="")`` copies ``data`` (bytes-like). Sending a Blob sends one
    binary message. :attr:`js` is the browser's own Blob for a Blob that came from the
    browser (use it with ``js.URL.createObjectURL``), and None for one made in Python.
    """

    __slots__ = ("_data", "_type")

    def __init__(self, data: bytes | bytearray | memoryview = b"", type: str = "") -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"data must be bytes-like, not {data.__class__.__name__}")
        if not isinstance(type, str):
            raise TypeError(f"type must be a str, not {type!r}")
        self._data = bytes(data)
        self._type = type

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview, type: str = "") -> Blob:
        """Make a Blob holding a copy of ``data``, with MIME type ``type``."""
        return cls(data, type)

    @property
    def js(self) -> Any:
        """The browser's Blob object, or None for a Blob made in Python."""
        return None

    @property
    def size(self) -> int:
        """Its size in bytes."""
        return len(self._data)

    @property
    def type(self) -> str:
        """Its MIME type, or ``""``."""
        return self._type

    async def bytes(self) -> bytes:
        """Read the whole Blob (for a browser Blob, one copy out of the browser)."""
        return self._data

    async def text(self) -> str:
        """Read the whole Blob as UTF-8 text (invalid bytes become U+FFFD, as in JS)."""
        return self._data.decode("utf-8", "replace")

    def __repr__(self) -> str:
        return f"<pyws.Blob size={self.size} type={self.type!r}>"
