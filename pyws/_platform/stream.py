"""The platform's ``WebSocketStream`` as a :class:`~pyws._transport.Transport`: Chromium's
streams API for WebSockets, in a page or a worker. Imported lazily, in Pyodide only.

It behaves as :mod:`.websocket`'s transport does (the same events, in the same order, with
the same close codes), and adds what ``WebSocket`` cannot do: stop reading. Messages come
from the ``ReadableStream``'s reader, pulled by a loop in JS that calls into Python once
per message; :meth:`StreamTransport.pause_reading` stops the loop before its next
``read()``, and an unread stream holds the sender back (Chromium 156: ``/push`` stalled at
9 of 64 MiB, tests/reliability/test_websocketstream_canary.py).

What differs from ``WebSocket`` and how it is made to look the same:

- ``bufferedAmount``: bytes handed to the writer whose ``write()`` has not resolved yet
  (Chromium resolves it once the data went to the network service). ``write_limit``
  applies to that.
- ``binaryType``: the stream gives ArrayBuffers; in blob mode each becomes a JS ``Blob``.
- A JS ``Blob`` to send: the writer takes no Blob, so its bytes are read first, and every
  write after it waits its turn, so messages keep their order.
- ``close()``: sent once every write before it has completed, as ``WebSocket`` sends what
  it buffered before its close frame (Chromium's own ``close()`` drops the writes still
  queued: 3, 10 or 50 sends then ``close()`` reached the server as 1 message, and a Blob
  still being read never went). Until then the socket is CLOSING; if ``close_timeout``
  runs out first, :meth:`StreamTransport.release` closes it at once, giving them up.
- ``close``: reported once ``closed`` settled and the reader has returned every message
  before it, so no message is lost behind the close, as with ``WebSocket``'s events.
  Chromium completes the closing handshake while messages still wait in the stream, and a
  paused connection reports them, then the close, as ``recv()`` takes them; meanwhile the
  socket is CLOSING, and a send raises (the writer is closed: the write would be lost).
  Messages that arrive after a local ``close()`` are dropped, as WHATWG ``WebSocket``
  drops them (the socket is no longer OPEN); reading goes on, paused or not, so that the
  server's close frame behind them can arrive.
- A server's close while reading is paused: Chromium 156 ends the readable then and
  discards what it had buffered and not handed over, with no count of it. What the page
  had already taken is still delivered, then the close, reported unclean
  (:exc:`~pyws.ConnectionClosedError`, ``was_clean`` False, the server's code and reason).
- Every promise handler is JS and calls Python only through the proxies made here, which
  :meth:`StreamTransport.release` frees; the JS state then forgets them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import js
from pyodide.code import run_js
from pyodide.ffi import to_js

from .._members import forward
from .._redact import redact
from .._transport import BinaryType, Events
from .browser import BrowserSocket, refused_urls

_log = logging.getLogger("pyws")


def available() -> bool:
    """Whether this runtime has ``WebSocketStream`` (Chromium 124+; not Firefox, WebKit,
    or Node 20)."""
    return getattr(js, "WebSocketStream", None) is not None


# One JS object per connection holds the stream, its reader and writer, the state pyws
# reads (readyState, bufferedAmount...) and the Python callbacks; the functions below are
# the only ones to touch it.
_js = run_js(
    """
    (() => {
        const finish = (s) => {
            // The close, once closed settled and every message before it was read.
            if (s.finished || s.closeInfo === null || (s.reader !== null && !s.readDone)) return;
            s.finished = true;
            s.state = 3;
            const [code, reason, clean] = s.closeInfo;
            if (!clean && s.cb !== null) s.cb.error();
            if (s.cb !== null) s.cb.close(code, reason, clean);  // error may have released
        };
        // After an abrupt end (a server killed) Chromium may leave the readable open, and a
        // read() then waits for ever. One still pending a task later has nothing before it
        // (queued messages resolve it at once): cancel it, so the close can be reported.
        const stopIfPending = (s) => {
            setTimeout(() => {
                if (s.readPending && !s.readDone) s.reader.cancel().catch(() => {});
            }, 0);
        };
        const pump = async (s) => {
            if (s.reading || s.reader === null) return;
            s.reading = true;
            try {
                // Paused: no read(), so the stream's queue fills and Chromium stops reading
                // the socket. After close(): read on, dropping, up to the server's close.
                while (s.cb !== null && (!s.paused || s.local)) {
                    s.readPending = true;
                    if (s.closeInfo !== null && !s.closeInfo[2]) stopIfPending(s);
                    const { value, done } = await s.reader.read();
                    s.readPending = false;
                    if (done) { s.readDone = true; break; }
                    if (s.local || s.cb === null) continue;  // after close(): dropped
                    if (typeof value === "string") s.cb.text(value);
                    else s.cb.binary(s.binaryType === "blob" ? new Blob([value]) : value);
                }
            } catch {
                s.readDone = true;  // errored: the connection failed; closed says how
            }
            s.reading = false;
            if (s.readDone) finish(s);
        };
        const settle = (s, code, reason, clean) => {
            // Reported once every message before it was read: while paused, that waits
            // for resume_reading() (the data is in the browser already, but recv() keeps
            // its order and the queue its bound). Until then the socket is CLOSING: the
            // writer is closed, and a send must be refused, not lost (issue 25, defect 2).
            if (s.closeInfo !== null) return;
            // Chromium 156 ends the readable at the server's close, discarding what it had
            // buffered and the page had not read yet (the canary records it), and gives no
            // count of it: such a close is not clean (issue 25, defect 18).
            s.closedWhilePaused = s.paused && !s.local && s.reader !== null && !s.readDone;
            s.closeInfo = [code, reason, clean && !s.closedWhilePaused];
            if (s.state === 1) s.state = 2;
            if (!clean && s.readPending) stopIfPending(s);
            finish(s);
        };
        const open = (url, protocols, binaryType, cb) => {
            const ws = new WebSocketStream(url, protocols.length ? { protocols } : {});
            const s = {
                ws, cb, binaryType, state: 0, buffered: 0, protocol: "", extensions: "",
                reader: null, writer: null, reading: false, readDone: false, paused: false,
                closeInfo: null, finished: false, chain: null, local: false,
                closedWhilePaused: false, readPending: false, last: null, shutting: false,
            };
            ws.opened.then(
                (info) => {
                    s.reader = info.readable.getReader();
                    s.writer = info.writable.getWriter();
                    s.protocol = info.protocol;
                    s.extensions = info.extensions;
                    if (s.state !== 0 || s.cb === null) return;  // closing: closed follows
                    s.state = 1;
                    s.cb.open();
                    pump(s);
                },
                () => {},  // closed rejects too, and says it
            );
            ws.closed.then(
                (info) => settle(s, info.closeCode ?? 1005, info.reason ?? "", true),
                // An unclean close, or a failed handshake: WebSocket's error, then 1006.
                () => settle(s, 1006, "", false),
            );
            return s;
        };
        // Buffers for binary sends. The writer keeps a chunk until it is sent, so each send
        // needs a buffer of its own; a new one per send left 1 MiB of garbage a message,
        // so a buffer goes back here once its write completed (Chromium has copied it).
        // At most 16 buffers and 16 MiB stay, for every connection of the page together.
        const pool = [];
        let pooled = 0;
        const take = (size) => {
            for (let i = pool.length - 1; i >= 0; i--) {
                if (pool[i].byteLength >= size) {
                    const [buffer] = pool.splice(i, 1);
                    pooled -= buffer.byteLength;
                    return new Uint8Array(buffer, 0, size);
                }
            }
            return new Uint8Array(new ArrayBuffer(Math.max(size, 4096)), 0, size);
        };
        const give = (buffer) => {
            if (pool.length < 16 && pooled + buffer.byteLength <= 16 * 1024 * 1024) {
                pool.push(buffer);
                pooled += buffer.byteLength;
            }
        };
        const write = (s, chunk, size, recycle) => {
            s.buffered += size;
            const done = () => { s.buffered -= size; };
            let promise;
            if (chunk instanceof Blob || s.chain !== null) {
                // The writer takes no Blob: read it first; later writes wait their turn.
                const writer = s.writer;
                const mine = (s.chain ?? Promise.resolve())
                    .then(() => (chunk instanceof Blob ? chunk.arrayBuffer() : chunk))
                    .then((data) => writer.write(data));
                s.chain = mine;
                const last = () => { if (s.chain === mine) s.chain = null; };
                mine.then(last, last);
                promise = mine;
            } else {
                promise = s.writer.write(chunk);
            }
            promise.then(recycle === undefined ? done : () => { done(); give(recycle); }, done);
            s.last = promise;  // writes settle in order: this one settles after the others
            return s.buffered;
        };
        const copy = (data) =>
            data instanceof ArrayBuffer ? data.slice(0)
            : ArrayBuffer.isView(data)
                ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice()
                : data;
        return {
            open,
            // Each send: check OPEN, write, report the buffer; undefined if not OPEN.
            sendText: (s, text, size) => (s.state === 1 ? write(s, text, size) : undefined),
            take,
            // A view from take(), filled by Python: the writer keeps it until it is sent.
            sendTaken: (s, view) => {
                if (s.state === 1) return write(s, view, view.byteLength, view.buffer);
                give(view.buffer);
                return undefined;
            },
            sendNative: (s, data) =>
                s.state === 1
                    ? write(s, copy(data), data instanceof Blob ? data.size : data.byteLength)
                    : undefined,
            close: (s, code, reason) => {
                if (s.state === 0) {
                    s.state = 2;
                    s.ws.close();  // fails the handshake: closed rejects, so error and 1006
                } else if (s.state === 1) {
                    s.state = 2;
                    s.local = true;
                    // What send() accepted goes first, as WebSocket's close() sends what it
                    // buffered: Chromium's close() drops the writes still queued in the
                    // writer (3, 10 or 50 sends then close() reached the server as 1).
                    const shut = () => {
                        s.shutting = false;
                        if (s.closeInfo === null) {
                            try { s.ws.close({ closeCode: code, reason }); } catch {}
                        }
                    };
                    if (s.last === null) shut();
                    else { s.shutting = true; s.last.then(shut, shut); }
                    pump(s);  // read on, paused or not, up to the server's close frame
                } else if (s.state === 2 && !s.local && s.closeInfo !== null) {
                    s.local = true;  // the server's close waits behind unread messages:
                    pump(s);  // read them, dropping, as after any close(), then report it
                }
            },
            // The server's close while it waits behind unread messages: [code, reason, clean].
            pending: (s) => (s.closeInfo !== null && !s.finished ? s.closeInfo : undefined),
            pause: (s) => { s.paused = true; },
            resume: (s) => { s.paused = false; pump(s); },
            release: (s) => {
                s.cb = null;
                // Nobody listens any more: stop the connection and what is queued in it.
                // (A close() still waiting for its writes gives them up: close_timeout ran out.)
                if (s.closeInfo === null && (s.state < 2 || s.shutting)) {
                    s.state = 2;
                    s.shutting = false;
                    try { s.ws.close(); } catch {}
                }
                if (s.reader !== null && !s.readDone) s.reader.cancel().catch(() => {});
            },
        };
    })()
    """
)
_open = _js.open
_send_text = _js.sendText
_take = _js.take
_send_taken = _js.sendTaken
_send_native = _js.sendNative
_close = _js.close
_pending = _js.pending
_pause = _js.pause
_resume = _js.resume
_release = _js.release
_callbacks = run_js("(open, text, binary, error, close) => ({ open, text, binary, error, close })")


class StreamTransport(BrowserSocket):
    """One ``js.WebSocketStream``, its reader and writer, and the proxies of its callbacks,
    freed by :meth:`release`."""

    can_pause = True
    """Whether :meth:`pause_reading` holds the sender back: yes, Chromium's streams do."""

    def __init__(
        self, url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> None:
        super().__init__(events, self._on_close)
        self._events = events
        try:
            with refused_urls(url):  # mixed content: InvalidURI
                self._s: Any = _open(url, to_js(protocols), binary_type, _callbacks(*self._proxies))
        except BaseException:
            self._free()
            raise
        # Bound to this connection: a send is then one call into JS.
        self._send_text: Callable[[str, int], int | None] = _send_text.bind(None, self._s)
        self._send_taken: Callable[[Any], int | None] = _send_taken.bind(None, self._s)

    def _on_close(self, code: int, reason: str, was_clean: bool) -> None:
        if self._s.closedWhilePaused:
            _log.warning(
                "WebSocketStream to %s: the server closed (%d) while reading was paused; "
                "Chromium discards the messages it had buffered and not handed over, and "
                "does not say how many, so the close is reported unclean (have the server "
                "wait for the client before it closes)",
                redact(self.url),
                code,
            )
        self._events.on_close(code, reason, was_clean)

    ready_state = forward[int]("_s", "``readyState``.", name="state", convert=int)
    buffered_amount = forward[int](
        "_s",
        "Bytes handed to the writer whose ``write()`` has not resolved yet.",
        name="buffered",
        convert=int,
    )
    url = forward[str]("_s.ws", "``url``.", convert=str)
    protocol = forward[str]("_s", "``protocol``.", convert=str)
    extensions = forward[str]("_s", "``extensions``.", convert=str)

    @property
    def pending_close(self) -> tuple[int, str, bool] | None:
        info = _pending(self._s)
        return None if info is None else (int(info[0]), str(info[1]), bool(info[2]))

    def set_binary_type(self, binary_type: BinaryType) -> None:
        self._s.binaryType = binary_type

    def send_text(self, data: str) -> int | None:
        size = len(data) if data.isascii() else len(data.encode("utf-8", "surrogatepass"))
        return self._send_text(data, size)

    def send_bytes(self, data: memoryview) -> int | None:
        # One copy, into a pooled buffer the writer may keep (send() copies, WebSocket's too).
        view = _take(data.nbytes)
        view.assign(data)
        return self._send_taken(view)

    def send_native(self, data: Any) -> int | None:
        buffered: int | None = _send_native(self._s, data)
        return buffered

    def close(self, code: int, reason: str) -> None:
        _close(self._s, code, reason)

    def pause_reading(self) -> None:
        """Stop reading before the next message: the stream's queue fills, and Chromium
        stops reading the socket, so TCP holds the sender back."""
        _pause(self._s)

    def resume_reading(self) -> None:
        _resume(self._s)

    def release(self) -> None:
        if not self._proxies:
            return
        _release(self._s)
        self._free()
