"""pyws.sync's relay, the worker's end: the hello to the page, the ring's shared memory, and
the transport whose socket lives in the page (``relay.mjs``, the host, tells how it works).
Imported lazily, in Pyodide only."""

from __future__ import annotations

import json
import math
import struct
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

import js
from pyodide.code import run_js
from pyodide.ffi import JsProxy, to_js

from .._redact import redact
from .._relay import Facts, RelayLoop, no_host, refusal
from .._ring import CAPACITY, HEADER_SLOTS, HELLO, Kind, Record, RingReader
from .._transport import DETACHED, BinaryType, Events
from ..blob import Blob
from ..exceptions import InvalidURI
from .browser import is_binary, jspi_supported, resources

RING_BYTES = 2**20
"""The ring's data bytes (one ring per worker, for all its sockets). A larger message goes
through in pieces; 1 MiB holds a 1 MiB message in two."""

_facts = run_js(
    """
    () => [
        typeof DedicatedWorkerGlobalScope !== "undefined"
            && globalThis instanceof DedicatedWorkerGlobalScope,
        globalThis.crossOriginIsolated === true,
        typeof SharedArrayBuffer === "function",
        typeof process !== "undefined" && !!process.versions?.node,
    ]
    """
)
_hello = run_js(
    """
    (slots, capacity) => {
        const sab = new SharedArrayBuffer(slots * 4 + capacity);
        const header = new Int32Array(sab, 0, slots);
        header[4] = capacity;
        const channel = new MessageChannel();
        globalThis.postMessage(
            { "pyws-relay": "hello", sab, port: channel.port2 }, [channel.port2]);
        return [header, new Uint8Array(sab, slots * 4, capacity), channel.port1];
    }
    """
)
_post = run_js("(port, op, id, a, b, c) => port.postMessage([op, id, a, b, c])")
# A copy of the scratch view, its buffer transferred: the host gets it without a second copy.
_post_copy = run_js(
    """
    (port, id, view) => {
        const copy = view.slice();
        port.postMessage(["send", id, copy.buffer], [copy.buffer]);
    }
    """
)
_size = run_js("(data) => data.byteLength ?? data.size")
_BUFFERED = struct.Struct("<II")
_CONNECTING, _OPEN, _CLOSING, _CLOSED = range(4)
_ANSWERS = (Kind.CREATED, Kind.REFUSED)

HELLO_TIMEOUT = 10.0
"""How long the worker's first call waits for its page to answer the hello, in seconds.
Not ``open_timeout``: a short one (0.2 s) would take a page busy for a moment for a page
that hosts nothing, which is a set-up error, not a slow connection."""

forced = False
"""``pyws.sync.set_mode("relay")``: the relay even where JSPI exists."""


def facts() -> Facts:
    worker, isolated, shared, node = _facts().to_py()
    return Facts(jspi_supported(), bool(node), bool(worker), bool(isolated), bool(shared))


def why_not() -> str | None:
    """Why pyws.sync cannot use the relay here, or None (it can, or JSPI serves)."""
    return refusal(facts(), forced)


def wanted() -> bool:
    """Whether pyws.sync blocks through the relay here (forced, or no JSPI)."""
    return forced or not jspi_supported()


class _Memory:
    """The ring's SharedArrayBuffer, through ``Atomics``."""

    def __init__(self, header: JsProxy, data: JsProxy) -> None:
        self._header = header
        self._data = data

    def load(self, slot: int) -> int:
        return int(js.Atomics.load(self._header, slot))

    def store(self, slot: int, value: int) -> None:
        js.Atomics.store(self._header, slot, value)

    def exchange(self, slot: int, value: int) -> int:
        return int(js.Atomics.exchange(self._header, slot, value))

    def copy(self, start: int, end: int) -> bytes:
        return bytes(self._data.slice(start, end).to_bytes())

    def wait(self, slot: int, value: int, timeout: float | None) -> None:
        ms = math.inf if timeout is None else max(timeout, 0.0) * 1000
        js.Atomics.wait(self._header, slot, value, ms)


class Channel:
    """This worker's link to its relay host: the port for commands, the ring for events,
    the sockets by id, and the loop that runs pyws.sync's coroutines."""

    def __init__(self, hello_timeout: float) -> None:
        header, data, self._port = _hello(HEADER_SLOTS, RING_BYTES)
        memory = _Memory(header, data)
        memory.wait(HELLO, 0, hello_timeout)
        if memory.load(HELLO) != 1:
            self._port.close()
            raise RuntimeError(no_host(hello_timeout))
        assert memory.load(CAPACITY) == RING_BYTES
        self._reader = RingReader(memory, RING_BYTES, self._space)
        self._backlog: deque[Record] = deque()
        self.transports: dict[int, RelayTransport] = {}
        self._next_id = 0
        self.loop = RelayLoop(self)

    def _space(self) -> None:
        _post(self._port, "space", 0)

    def post(self, op: str, id: int, a: Any = None, b: Any = None, c: Any = None) -> None:
        _post(self._port, op, id, a, b, c)

    def post_bytes(self, id: int, view: JsProxy) -> None:
        _post_copy(self._port, id, view)

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def take(self, timeout: float | None) -> list[Record]:
        if self._backlog:
            records = list(self._backlog)
            self._backlog.clear()
            return records
        records = self._reader.read()
        if records or timeout == 0:
            return records
        self._reader.wait(timeout)
        return self._reader.read()

    def dispatch(self, records: list[Record]) -> None:
        for record in records:
            transport = self.transports.get(record.id)
            if transport is not None:
                transport.deliver(record)

    def created(self, id: int) -> Record:
        """Block until the host says whether it could construct socket ``id``; other
        records wait in the backlog, in order."""
        answer = None
        while answer is None:
            for record in self._reader.read():
                if answer is None and record.id == id and record.kind in _ANSWERS:
                    answer = record
                else:
                    self._backlog.append(record)
            if answer is None:
                self._reader.wait(None)
        return answer


_channel: Channel | None = None


def channel() -> Channel:
    """This worker's channel, made (the hello) on first use; :exc:`RuntimeError` when no
    host answers within :data:`HELLO_TIMEOUT` seconds."""
    global _channel
    if _channel is None:
        _channel = Channel(HELLO_TIMEOUT)
    return _channel


def owns(loop: object) -> bool:
    """Whether ``loop`` is the relay's: a connection pyws.sync opened through it."""
    return _channel is not None and loop is _channel.loop


def run[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on the relay's loop, blocking; :func:`channel` was called first."""
    assert _channel is not None
    return _channel.loop.run_blocking(coroutine)


def transport(url: str, protocols: list[str], binary_type: BinaryType, events: Events) -> Any:
    """The relay's transport factory (for :func:`pyws._platform.relay_backend`)."""
    assert _channel is not None
    return RelayTransport(_channel, url, protocols, binary_type, events)


class RelayTransport:
    """A socket in the page, driven through the channel: commands posted, events read from
    the ring. Its state mirrors the page's socket as the ring has told it so far."""

    can_pause = False
    """The page's ``WebSocket`` delivers every message as it comes: no backpressure."""
    pending_close = None
    """It never holds a close back: it cannot pause."""

    def __init__(
        self,
        channel: Channel,
        url: str,
        protocols: list[str],
        binary_type: BinaryType,
        events: Events,
    ) -> None:
        self._channel = channel
        self._events = events
        self._id = channel.new_id()
        self._state = _CONNECTING
        # Plain attributes: the page's socket's, as the ring has told them so far.
        self.url = url
        self.protocol = ""
        self.extensions = ""
        self._reported = 0
        self._unacked: deque[int] = deque()
        self._done = 0
        self._posted = 0
        channel.post("open", self._id, url, to_js(protocols), binary_type)
        answer = channel.created(self._id)
        if answer.kind == Kind.REFUSED:
            error = json.loads(answer.payload)
            raise _refused(url, str(error["name"]), str(error["message"]))
        self.url = answer.payload.decode()
        channel.transports[self._id] = self

    def deliver(self, record: Record) -> None:
        kind, payload, events = record.kind, record.payload, self._events
        if kind == Kind.TEXT:
            events.on_message(payload.decode())
        elif kind == Kind.BINARY:
            events.on_message(payload)
        elif kind == Kind.BLOB:
            events.on_message(Blob(payload))
        elif kind == Kind.BUFFERED:
            self._reported, done = _BUFFERED.unpack(payload)
            while self._done < done and self._unacked:
                self._unacked.popleft()
                self._done += 1
        elif kind == Kind.OPEN:
            opened = json.loads(payload)
            self.url, self.protocol = opened["url"], opened["protocol"]
            self.extensions = opened["extensions"]
            if self._state == _CONNECTING:
                self._state = _OPEN
            events.on_open()
        elif kind == Kind.ERROR:
            events.on_error()
        elif kind == Kind.CLOSE:
            closed = json.loads(payload)
            self._state = _CLOSED
            events.on_close(int(closed["code"]), str(closed["reason"]), bool(closed["wasClean"]))

    @property
    def ready_state(self) -> int:
        return self._state

    @property
    def buffered_amount(self) -> int:
        """What the page's socket reported, plus the sends it has not taken yet."""
        return self._reported + sum(self._unacked)

    def set_binary_type(self, binary_type: BinaryType) -> None:
        self._channel.post("binaryType", self._id, binary_type)

    def _sent(self, size: int) -> int:
        self._unacked.append(size)
        return self.buffered_amount

    def send_text(self, data: str) -> int | None:
        if self._state != _OPEN:
            return None
        self._channel.post("send", self._id, data)
        return self._sent(len(data) if data.isascii() else len(data.encode()))

    def send_bytes(self, data: memoryview) -> int | None:
        if self._state != _OPEN:
            return None
        self._channel.post_bytes(self._id, resources.filled(data))
        return self._sent(data.nbytes)

    def send_blob(self, blob: Blob) -> int | None:
        if blob.js is None:  # a Python-made Blob: its bytes are all it has
            return self.send_bytes(memoryview(blob._data))
        return self.send_native(blob.js)

    def send_native(self, data: Any) -> int | None:
        if self._state != _OPEN:
            return None
        self._channel.post("send", self._id, data)
        return self._sent(int(_size(data)))

    def is_native_binary(self, data: Any) -> bool:
        return isinstance(data, JsProxy) and bool(is_binary(data))

    def close(self, code: int, reason: str) -> None:
        if self._state < _CLOSING:
            self._state = _CLOSING
        self._channel.post("close", self._id, code, reason)

    def pause_reading(self) -> None:
        raise RuntimeError("the relay's WebSocket cannot stop reading")

    def resume_reading(self) -> None:
        pass

    def call_later(self, delay: float, callback: Callable[[], None]) -> Callable[[], None]:
        return self._channel.loop.call_later(delay, callback).cancel

    def release(self) -> None:
        self._events = DETACHED  # the connection's methods: held, a reference cycle
        if self._channel.transports.pop(self._id, None) is not None:
            self._channel.post("release", self._id)


def _refused(url: str, name: str, message: str) -> Exception:
    """What the page's ``new WebSocket()`` threw, as pyws raises it in the page itself."""
    if name == "SecurityError":
        return InvalidURI(url, f"the browser refused it: {message}")
    return RuntimeError(redact(f"the page could not open {url}: {name}: {message}"))
