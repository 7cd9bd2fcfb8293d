"""What every browser transport shares, and the only place besides them that touches ``js``
and ``pyodide.ffi``: the JS resources pyws owns (proxies, the send buffer, timers), URL
parsing against the page, received Blobs, JSPI, and the reconnect pause. In a browser
page, a worker, or Node; imported lazily, in Pyodide only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import js
from pyodide.code import run_js
from pyodide.ffi import JsBuffer, JsException, JsProxy, create_proxy
from pyodide.ffi import can_run_sync as _can_run_sync
from pyodide.ffi import run_sync as _run_sync

from .._transport import DETACHED, Events
from .._validation import ParsedURL
from ..blob import Blob
from ..exceptions import InvalidURI

is_binary = run_js("(x) => x instanceof Blob || x instanceof ArrayBuffer || ArrayBuffer.isView(x)")
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


# A wait that ends after ``ms``, or when the page comes back online or becomes visible
# again (reconnecting then is worth it at once); returns the promise and a cancel that
# removes the listeners and the timer. Workers get "online" too; Node has neither event.
_pause = run_js(
    """
    (ms, MAX_TIMER_MS) => {
        let finish;
        const promise = new Promise((resolve) => {
            const g = globalThis;
            const doc = g.document;
            const online = () => finish("online");
            const visible = () => { if (doc.visibilityState === "visible") finish("visible"); };
            // setTimeout fires at once past 2**31-1 ms: a longer wait is a chain of them.
            let timer;
            const arm = (left) => {
                timer = setTimeout(
                    () => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : finish("timer")),
                    Math.min(left, MAX_TIMER_MS),
                );
            };
            arm(ms);
            finish = (why) => {
                clearTimeout(timer);
                g.removeEventListener?.("online", online);
                doc?.removeEventListener("visibilitychange", visible);
                resolve(why);
            };
            g.addEventListener?.("online", online);
            doc?.addEventListener("visibilitychange", visible);
        });
        return [promise, (why) => finish(why)];
    }
    """
)


async def pause(delay: float) -> None:
    """Wait ``delay`` seconds, or less if the page comes back online or becomes visible.

    Cancelling it removes its listeners and clears its timer at once.
    """
    promise, finish = _pause(delay * 1000, MAX_TIMER_MS)
    try:
        await promise
    finally:
        finish("done")


class Resources:
    """What this module owns across sockets: the send buffer, and a count of live proxies."""

    def __init__(self) -> None:
        # send() copies synchronously, so one reused buffer serves every send: filling it
        # costs a memcpy, where to_js() would allocate and convert (measured: 31 us
        # against 570 us a MiB).
        self._scratch: Any = js.Uint8Array.new(64 * 1024)
        self.live_proxies = 0

    def filled(self, data: memoryview) -> JsProxy:
        """A view of the scratch buffer holding a copy of ``data``; valid until the next call."""
        size = data.nbytes
        if self._scratch.length < size:
            self._scratch = js.Uint8Array.new(max(size, 2 * self._scratch.length))
        view = self._scratch.subarray(0, size)
        view.assign(data)
        return view

    def proxy(self, function: Callable[..., Any]) -> JsProxy:
        """A counted proxy of ``function``; give it back with :meth:`destroy`."""
        self.live_proxies += 1
        return create_proxy(function)

    def destroy(self, proxy: JsProxy) -> None:
        proxy.destroy()
        self.live_proxies -= 1


resources = Resources()


def live_proxies() -> int:
    """How many handler and timer proxies pyws holds now; 0 once every socket is closed."""
    return resources.live_proxies


def has_location() -> bool:
    """Whether relative URLs have something to resolve against: a page or a worker; not Node."""
    return getattr(js, "location", None) is not None


def parse_url(url: str) -> ParsedURL | None:
    """``url`` parsed as the platform's ``URL`` does, against the page or worker it runs in.

    A worker started from a ``blob:`` URL (PyScript starts every worker so) resolves
    against the URL inside it, the page's: ``blob:`` URLs cannot be a base, so the browser
    itself would refuse every relative URL there.
    """
    location = getattr(js, "location", None)  # none in Node
    base = None if location is None else str(location.href).removeprefix("blob:")
    parts = _parse_url(url, base)
    return None if parts is None else ParsedURL(*parts.to_py())


def _location() -> str | None:
    """The page's or worker's URL (a ``blob:`` worker's is the page's), None in Node."""
    location = getattr(js, "location", None)
    return None if location is None else str(location.href).removeprefix("blob:")


@contextmanager
def refused_urls(url: str) -> Iterator[None]:
    """Around the construction of a browser socket (``new WebSocket``, ``new
    WebSocketStream``): the browser's ``SecurityError`` becomes :exc:`InvalidURI`.

    A page (or worker) loaded over https may not open ``ws://`` to a host that is not
    loopback (mixed content): the browser throws at construction, and the message says so,
    naming the page. Any other ``SecurityError`` is an :exc:`InvalidURI` with the
    browser's own words. (A port the browser blocks, such as 25, is no such error:
    Chromium 156 and Firefox 153 fail that connection later, an ``InvalidHandshake``.)
    """
    try:
        yield
    except JsException as exc:
        if _js_error_name(exc) != "SecurityError":
            raise
        page = _location()
        if url.startswith("ws:") and page is not None and page.startswith("https:"):
            where = "the page" if getattr(js, "document", None) is not None else "the worker"
            raise InvalidURI(
                url,
                f"{where} {page} was loaded over https, and the browser refuses an "
                "insecure ws:// connection from it (mixed content): use wss://",
            ) from exc
        raise InvalidURI(url, f"the browser refused it: {_js_error_text(exc)}") from exc


def _js_error_name(exc: JsException) -> str:
    name = getattr(exc, "name", None)
    if isinstance(name, str) and name:
        return name
    return str(exc).partition(":")[0].strip()


def _js_error_text(exc: JsException) -> str:
    message = getattr(exc, "message", None)
    return message if isinstance(message, str) and message else str(exc)


def jspi_supported() -> bool:
    """Whether this runtime has JavaScript Promise Integration (JSPI), which
    :func:`run_sync` needs: Chromium and Firefox do; Node 20 with
    ``--experimental-wasm-stack-switching``."""
    import pyodide_js

    # Node 20's JSPI is the older API, which Pyodide uses but does not flag as supported
    # (checked: jspiSupported false, run_sync working); a stack that can suspend proves it.
    return bool(getattr(pyodide_js._module, "jspiSupported", False)) or can_run_sync()


def can_run_sync() -> bool:
    """Whether :func:`run_sync` can suspend the current call stack: JSPI is there, and
    Python was entered from ``runPythonAsync``, an asyncio task or ``callPromising``."""
    return bool(_can_run_sync())


def run_sync[T](awaitable: Awaitable[T]) -> T:
    """Block until ``awaitable`` is done (``pyodide.ffi.run_sync``); check
    :func:`can_run_sync` first."""
    result: T = _run_sync(awaitable)
    return result


class JsBlob(Blob):
    """A :class:`~pyws.Blob` whose data stays in the browser: what blob mode receives."""

    __slots__ = ("_js",)

    def __init__(self, js_blob: JsProxy) -> None:
        self._js = js_blob

    @property
    def js(self) -> JsProxy:
        return self._js

    @property
    def size(self) -> int:
        return int(self._js.size)

    @property
    def type(self) -> str:
        return str(self._js.type)

    async def bytes(self) -> bytes:
        buffer = await self._js.arrayBuffer()
        return bytes(buffer.to_bytes())

    async def text(self) -> str:
        return str(await self._js.text())


MAX_TIMER_MS = 2**31 - 1
"""The longest ``setTimeout`` delay: past it, browsers and Node fire at once (measured
by issue 21: ``recv(timeout=30 days)`` timed out after 2 ms). Longer waits chain timers."""


class Timer:
    """``setTimeout``, with a cancel that really clears the timer and frees its proxy.

    A delay over :data:`MAX_TIMER_MS` is a chain of timers; ``inf`` never fires.
    """

    def __init__(self, delay: float, callback: Callable[[], None]) -> None:
        self._callback = callback
        self._left = delay * 1000
        self._proxy: JsProxy | None = resources.proxy(self._fire)
        self._id = self._arm()

    def _arm(self) -> Any:
        step = min(self._left, MAX_TIMER_MS)
        self._left -= step
        return js.setTimeout(self._proxy, step)

    def _fire(self) -> None:
        if self._left > 0:
            self._id = self._arm()
            return
        self.cancel()
        self._callback()

    def cancel(self) -> None:
        if self._proxy is None:
            return
        js.clearTimeout(self._id)
        resources.destroy(self._proxy)
        self._proxy = None


class BrowserSocket:
    """What the browser transports share: the proxies of a connection's handlers (given
    back by :meth:`_free`), binary messages in (an ArrayBuffer as bytes, else a
    :class:`JsBlob`), the JS binary objects they send as they are, and timers."""

    def __init__(self, events: Events, on_close: Callable[[int, str, bool], None]) -> None:
        self._on_message = events.on_message
        # In the order of the JS side's handlers: open, text, binary, error, close.
        self._proxies = [
            resources.proxy(events.on_open),
            resources.proxy(events.on_message),  # text goes straight to the connection
            resources.proxy(self._on_binary),
            resources.proxy(events.on_error),
            resources.proxy(on_close),
        ]

    def _on_binary(self, data: Any) -> None:
        if isinstance(data, JsBuffer):  # an ArrayBuffer (or a typed array)
            self._on_message(data.to_bytes())
        else:
            self._on_message(JsBlob(data))

    def send_bytes(self, data: memoryview) -> int | None:
        raise NotImplementedError

    def send_native(self, data: Any) -> int | None:
        raise NotImplementedError

    def send_blob(self, blob: Blob) -> int | None:
        if blob.js is None:  # a Python-made Blob: its bytes are all it has
            return self.send_bytes(memoryview(blob._data))
        return self.send_native(blob.js)

    def is_native_binary(self, data: Any) -> bool:
        return isinstance(data, JsProxy) and bool(is_binary(data))

    def call_later(self, delay: float, callback: Callable[[], None]) -> Callable[[], None]:
        return Timer(delay, callback).cancel

    def _free(self) -> None:
        """Give back the handler proxies; the JS side must not call them any more. The
        connection's handler goes too: the connection holds this transport, and would
        otherwise sit in a reference cycle with it."""
        for proxy in self._proxies:
            resources.destroy(proxy)
        self._proxies = []
        self._on_message = DETACHED.on_message
