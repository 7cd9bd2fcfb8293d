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
from .browser import JsBlob, Timer, is_binary, refused_urls, resources

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
_close = run_js("(ws, code, reason) => ws.close(code, reason)")
# Node 20's WebSocket (undici 6.24) reads a Blob to send asynchronously, and its close()
# does not wait for it: "a", a Blob, "b", then close() reached the server as 1 message
# (measured, Node 20.20); browsers send it in order before their close frame. In Node, a
# send waits its turn behind a Blob being read, and close() behind them: the sends of one
# socket, once a Blob is among them, form a chain, which close() ends.
if run_js("typeof process === 'object' && !!process.versions?.node"):
    _send, _close = run_js(
        """
        (() => {
            const chains = new WeakMap();  // ws -> { last, size, closing } while one runs
            const owned = (data) =>  // Python reuses its send buffer: the chain keeps a copy
                typeof data === "string" || data instanceof Blob ? data
                : ArrayBuffer.isView(data) ? data.slice() : data.slice(0);
            const send = (ws, data) => {
                const chain = chains.get(ws);
                if (ws.readyState !== 1 || chain?.closing) return undefined;
                if (chain === undefined && !(data instanceof Blob)) {
                    ws.send(data);
                    return ws.bufferedAmount;
                }
                const c = chain ?? { last: Promise.resolve(), size: 0, closing: false };
                const size = typeof data === "string" ? new TextEncoder().encode(data).length
                    : data instanceof Blob ? data.size : data.byteLength;
                const copy = owned(data);
                c.size += size;
                const mine = c.last
                    .then(() => (copy instanceof Blob ? copy.arrayBuffer() : copy))
                    .then((ready) => { if (ws.readyState === 1) ws.send(ready); })
                    .catch(() => {})  // an unreadable Blob: nothing to send
                    .finally(() => {
                        c.size -= size;
                        if (c.last === mine && !c.closing) chains.delete(ws);
                    });
                c.last = mine;
                chains.set(ws, c);
                return ws.bufferedAmount + c.size;
            };
            const close = (ws, code, reason) => {
                const chain = chains.get(ws);
                if (chain === undefined) return ws.close(code, reason);
                chain.closing = true;
                chain.last.then(() => { chains.delete(ws); ws.close(code, reason); });
            };
            return [send, close];
        })()
        """
    )
_BINARY_TYPES = {"bytes": "arraybuffer", "blob": "blob"}


class BrowserTransport:
    """One ``js.WebSocket`` and the proxies of its handlers, freed by :meth:`release`."""

    can_pause = False
    """``WebSocket`` delivers every message as it comes, read or not: no backpressure."""

    def __init__(
        self, url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> None:
        with refused_urls(url):  # mixed content: InvalidURI
            self._ws: Any = js.WebSocket.new(url, to_js(protocols))
        # _send bound to this socket: a send is then one call into JS.
        self._send: Callable[[Any], int | None] = _send.bind(None, self._ws)
        self._closing = False
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
        state = int(self._ws.readyState)
        return 2 if state == 1 and self._closing else state  # (Node: close() may wait)

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
        if blob.js is None:  # a Python-made Blob: its bytes are all it has
            return self.send_bytes(memoryview(blob._data))
        return self._send(blob.js)

    def is_native_binary(self, data: Any) -> bool:
        return isinstance(data, JsProxy) and bool(is_binary(data))

    def close(self, code: int, reason: str) -> None:
        self._closing = True
        _close(self._ws, code, reason)

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
