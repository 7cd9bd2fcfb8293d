"""The platform's ``WebSocket`` as a :class:`~pyws._transport.Transport`: in a browser
page, a worker, or Node (``--experimental-websocket``). Imported lazily, in Pyodide only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js
from pyodide.code import run_js
from pyodide.ffi import to_js

from .._members import forward
from .._transport import BinaryType, Events
from .browser import BrowserSocket, refused_urls, resources

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
# A socket's sends: one call into JS each (check, send, report the buffer), bound to one
# object per socket. A JS Blob's bytes are read asynchronously before it goes, and not every
# engine keeps close() behind that read: Node 20 (undici 6.24) and WebKitGTK 2.50 send the
# close frame first, losing the Blob and what follows it (measured: "a", a Blob, "b", then
# close() reached the server as 1 message in Node; a Blob then close(), 0 in WebKitGTK;
# Chromium 156 and Firefox 153 sent all). So pyws reads a Blob itself, the sends after it
# wait their turn (in a chain, which ends when the last one has gone), and close() too.
_sender = run_js(
    """
    (() => {
        const owned = (data) =>  // Python reuses its send buffer: a chained send copies it
            typeof data === "string" || data instanceof Blob ? data
            : ArrayBuffer.isView(data) ? data.slice() : data.slice(0);
        const sizeOf = (data) =>
            typeof data === "string" ? new TextEncoder().encode(data).length
            : data instanceof Blob ? data.size : data.byteLength;
        const chained = (s, data) => {
            if (s.ws.readyState !== 1 || s.closing) return undefined;
            const size = sizeOf(data);
            const copy = owned(data);
            s.size += size;
            const mine = (s.last ?? Promise.resolve())
                .then(() => (copy instanceof Blob ? copy.arrayBuffer() : copy))
                .then((ready) => { if (s.ws.readyState === 1) s.ws.send(ready); })
                .catch(() => {})  // an unreadable Blob: nothing to send
                .finally(() => {
                    s.size -= size;
                    if (s.last === mine) s.last = null;
                });
            s.last = mine;
            return s.ws.bufferedAmount + s.size;
        };
        const send = (s, data) =>
            s.last !== null ? chained(s, data)
            : s.ws.readyState === 1 ? (s.ws.send(data), s.ws.bufferedAmount) : undefined;
        return {
            make: (ws) => ({ ws, last: null, size: 0, closing: false }),
            send,
            sendNative: (s, data) => (data instanceof Blob ? chained(s, data) : send(s, data)),
            buffered: (s) => s.ws.bufferedAmount + s.size,
            close: (s, code, reason) => {
                s.closing = true;
                if (s.last === null) s.ws.close(code, reason);
                else s.last.then(() => s.ws.close(code, reason));
            },
        };
    })()
    """
)
_BINARY_TYPES = {"bytes": "arraybuffer", "blob": "blob"}


class BrowserTransport(BrowserSocket):
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
        # Bound to this socket: a send is then one call into JS.
        self._s: Any = _sender.make(self._ws)
        self._send: Callable[[Any], int | None] = _sender.send.bind(None, self._s)
        self._ws.binaryType = _BINARY_TYPES[binary_type]
        super().__init__(events, events.on_close)
        self._detach: Any = _attach(self._ws, *self._proxies)

    @property
    def ready_state(self) -> int:
        state = int(self._ws.readyState)
        return 2 if state == 1 and self._s.closing else state  # close() waits for a chain

    @property
    def buffered_amount(self) -> int:
        return int(_sender.buffered(self._s))

    url = forward[str]("_ws", "``url``.", convert=str)
    protocol = forward[str]("_ws", "``protocol``.", convert=str)
    extensions = forward[str]("_ws", "``extensions``.", convert=str)

    def set_binary_type(self, binary_type: BinaryType) -> None:
        self._ws.binaryType = _BINARY_TYPES[binary_type]

    def send_text(self, data: str) -> int | None:
        return self._send(data)

    def send_native(self, data: Any) -> int | None:
        buffered: int | None = _sender.sendNative(self._s, data)
        return buffered

    def send_bytes(self, data: memoryview) -> int | None:
        return self._send(resources.filled(data))

    def close(self, code: int, reason: str) -> None:
        _sender.close(self._s, code, reason)

    def pause_reading(self) -> None:
        raise RuntimeError("js.WebSocket cannot stop reading: pause needs WebSocketStream")

    def resume_reading(self) -> None:
        pass

    def release(self) -> None:
        if not self._proxies:
            return
        self._detach()
        self._free()
