"""The platform's ``WebSocket`` as a :class:`~pyws._transport.Transport`: in a browser
page, a worker, or Node (``--experimental-websocket``). Imported lazily, in Pyodide only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js
from pyodide.code import run_js
from pyodide.ffi import JsBuffer, JsProxy, to_js

from .._transport import BinaryType, Events
from ..blob import Blob
from .browser import JsBlob, Timer, is_binary, refused_urls, resources, to_js_blob

# Handlers pass only what Python needs (e.data; code, reason, wasClean as primitives), so
# no event object is proxied per message. Returns a function that detaches them again.
_attach = run_js(
    """
    (ws, onopen, ontext, onbinary, onerror, onclose) => {
        ws.onopen = () => onopen();
        ws.onmessage = (e) => (typeof e.data === "string" ? ontext : onbinary)(e.data);
        ws.onerror = () => onerror();
        ws.onclose = (e) => onclose(e.code, e.reason, e.wasClean);
        return () => { ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null; };
    }
    """
)
# One call into JS per send: check, send, and report the buffer (each JS access costs).
_send = run_js("(ws, data) => ws.readyState === 1 ? (ws.send(data), ws.bufferedAmount) : undefined")
_BINARY_TYPES = {"bytes": "arraybuffer", "blob": "blob"}


class BrowserTransport:
    """One ``js.WebSocket`` and the proxies of its handlers, freed by :meth:`release`."""

    can_pause = False
    """``WebSocket`` delivers every message as it comes, read or not: no backpressure."""
    pending_close = None
    """It never holds a close back: it cannot pause."""

    def __init__(
        self, url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> None:
        with refused_urls(url):  # mixed content: InvalidURI
            self._ws: Any = js.WebSocket.new(url, to_js(protocols))
        # _send bound to this socket: a send is then one call into JS.
        self._send: Callable[[Any], int | None] = _send.bind(None, self._ws)
        self._ws.binaryType = _BINARY_TYPES[binary_type]
        self._on_message = events.on_message
        self._proxies = [
            resources.proxy(events.on_open),
            resources.proxy(events.on_message),  # text goes straight to the connection
            resources.proxy(self._on_binary),
            resources.proxy(events.on_error),
            resources.proxy(events.on_close),
        ]
        self._detach: Any = _attach(self._ws, *self._proxies)

    def _on_binary(self, data: Any) -> None:
        if isinstance(data, JsBuffer):  # an ArrayBuffer: binaryType "arraybuffer"
            self._on_message(data.to_bytes())
        else:
            self._on_message(JsBlob(data))

    @property
    def ready_state(self) -> int:
        return int(self._ws.readyState)

    @property
    def buffered_amount(self) -> int:
        return int(self._ws.bufferedAmount)

    @property
    def url(self) -> str:
        return str(self._ws.url)

    @property
    def protocol(self) -> str:
        return str(self._ws.protocol)

    @property
    def extensions(self) -> str:
        return str(self._ws.extensions)

    def set_binary_type(self, binary_type: BinaryType) -> None:
        self._ws.binaryType = _BINARY_TYPES[binary_type]

    def send_text(self, data: str) -> int | None:
        return self._send(data)

    def send_native(self, data: Any) -> int | None:
        return self._send(data)

    def send_bytes(self, data: memoryview) -> int | None:
        return self._send(resources.filled(data))

    def send_blob(self, blob: Blob) -> int | None:
        return self._send(to_js_blob(blob))

    def is_native_binary(self, data: Any) -> bool:
        return isinstance(data, JsProxy) and bool(is_binary(data))

    def close(self, code: int, reason: str) -> None:
        self._ws.close(code, reason)

    def pause_reading(self) -> None:
        raise RuntimeError("js.WebSocket cannot stop reading: pause needs WebSocketStream")

    def resume_reading(self) -> None:
        pass

    def call_later(self, delay: float, callback: Callable[[], None]) -> Callable[[], None]:
        return Timer(delay, callback).cancel

    def release(self) -> None:
        if not self._proxies:
            return
        self._detach()
        for proxy in self._proxies:
            resources.destroy(proxy)
        self._proxies = []
