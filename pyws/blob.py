"""A Python face for a JS ``Blob``: what ``binary_type="blob"`` receives, and what
``canvas.toBlob`` gives to send."""

from __future__ import annotations

from typing import Any

from . import _platform


class Blob:
    """A browser ``Blob``: immutable binary data that lives in the browser, not in Python.

    Use :attr:`js` where the browser wants the Blob itself, e.g.
    ``js.URL.createObjectURL(blob.js)``; read it with ``await blob.bytes()``.
    """

    __slots__ = ("_js",)

    def __init__(self, js_blob: Any) -> None:
        self._js = js_blob

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview, type: str = "") -> Blob:
        """Make a Blob holding a copy of ``data``, with MIME type ``type``."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"data must be bytes-like, not {data.__class__.__name__}")
        if not isinstance(type, str):
            raise TypeError(f"type must be a str, not {type!r}")
        return cls(_platform.ffi().new_blob(memoryview(data), type))

    @property
    def js(self) -> Any:
        """The JS ``Blob`` object."""
        return self._js

    @property
    def size(self) -> int:
        """Its size in bytes."""
        return int(self._js.size)

    @property
    def type(self) -> str:
        """Its MIME type, or ``""``."""
        return str(self._js.type)

    async def bytes(self) -> bytes:
        """Read the whole Blob (one copy out of the browser)."""
        buffer = await self._js.arrayBuffer()
        return bytes(buffer.to_bytes())

    async def text(self) -> str:
        """Read the whole Blob as UTF-8 text (invalid bytes become U+FFFD, as in JS)."""
        return str(await self._js.text())

    def __repr__(self) -> str:
        return f"<pyws.Blob size={self.size} type={self.type!r}>"
