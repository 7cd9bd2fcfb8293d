"""The only module that touches ``js`` and ``pyodide.ffi``: a browser WebSocket as a
:class:`~pyws._transport.Transport`. Imported lazily, in Pyodide only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js
from pyodide.code import run_js
from pyodide.ffi import JsBuffer, JsProxy, create_proxy, to_js

from ._transport import Events
from ._validation import BinaryType, ParsedURL
from .blob import Blob

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
_is_binary = run_js("(x) => x instanceof Blob || x instanceof ArrayBuffer || ArrayBuffer.isView(x)")
_BINARY_TYPES = {"bytes": "arraybuffer", "blob": "blob"}

# send() copies synchronously, so one reused buffer serves every send: filling it costs a
# memcpy, where to_js() would allocate and convert (measured: 31 us against 570 us a MiB).
_scratch: Any = js.Uint8Array.new(64 * 1024)

_live_proxies = 0


def live_proxies() -> int:
    """How many handler proxies pyws holds now; 0 once every socket is closed."""
    return _live_proxies


_parse_url = run_js(
    """
    (url, base) => {
        try {
            const u = base === undefined ? new URL(url) : new URL(url, base);
            return [u.href, u.protocol.slice(0, -1), u.host];
        } catch {
            return undefined;
        }
    }
    """
)


def parse_url(url: str) -> ParsedURL | None:
    """``url`` parsed as the browser does, against the page (or worker) it runs in."""
    location = getattr(js, "location", None)  # none in Node
    parts = _parse_url(url, None if location is None else location.href)
    return None if parts is None else ParsedURL(*parts.to_py())


def new_blob(data: memoryview, mime_type: str) -> JsProxy:
    # The Blob constructor copies, so the scratch buffer may be reused at once.
    return js.Blob.new(
        to_js([_filled(data)]), to_js({"type": mime_type}, dict_converter=js.Object.fromEntries)
    )


def _filled(data: memoryview) -> JsProxy:
    """A view of the scratch buffer holding a copy of ``data``; valid until the next call."""
    global _scratch
    size = data.nbytes
    if _scratch.length < size:
        _scratch = js.Uint8Array.new(max(size, 2 * _scratch.length))
    view = _scratch.subarray(0, size)
    view.assign(data)
    return view


class _Timer:
    """``setTimeout``, with a cancel that really clears the timer and frees its proxy."""

    def __init__(self, delay: float, callback: Callable[[], None]) -> None:
        global _live_proxies
        self._callback = callback
        self._proxy: Any = create_proxy(self._fire)
        _live_proxies += 1
        self._id = js.setTimeout(self._proxy, delay * 1000)

    def _fire(self) -> None:
        self.cancel()
        self._callback()

    def cancel(self) -> None:
        global _live_proxies
        if self._proxy is None:
            return
        js.clearTimeout(self._id)
        self._proxy.destroy()
        self._proxy = None
        _live_proxies -= 1


def call_later(delay: float, callback: Callable[[], None]) -> Callable[[], None]:
    return _Timer(delay, callback).cancel


class BrowserTransport:
    """One ``js.WebSocket`` and the proxies of its handlers, freed by :meth:`release`."""

    def __init__(
        self, url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> None:
        global _live_proxies
        self._ws: Any = js.WebSocket.new(url, to_js(protocols))
        # _send bound to this socket: a send is then one call, with no Python frame of ours.
        self.send_text: Callable[[str], int | None] = _send.bind(None, self._ws)
        self.send_js: Callable[[Any], int | None] = self.send_text
        self._ws.binaryType = _BINARY_TYPES[binary_type]
        self._events = events
        self._proxies = [
            create_proxy(events.on_open),
            create_proxy(events.on_message),  # text goes straight to the connection
            create_proxy(self._on_binary),
            create_proxy(events.on_error),
            create_proxy(events.on_close),
        ]
        _live_proxies += len(self._proxies)
        self._detach: Any = _attach(self._ws, *self._proxies)

    def _on_binary(self, data: Any) -> None:
        if isinstance(data, JsBuffer):  # an ArrayBuffer: binaryType "arraybuffer"
            self._events.on_message(data.to_bytes())
        else:
            self._events.on_message(Blob(data))

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

    def send_bytes(self, data: memoryview) -> int | None:
        return self.send_js(_filled(data))

    def is_js_binary(self, data: Any) -> bool:
        return isinstance(data, JsProxy) and bool(_is_binary(data))

    def close(self, code: int, reason: str) -> None:
        self._ws.close(code, reason)

    call_later = staticmethod(call_later)

    def release(self) -> None:
        global _live_proxies
        if not self._proxies:
            return
        self._detach()
        for proxy in self._proxies:
            proxy.destroy()
        _live_proxies -= len(self._proxies)
        self._proxies = []
