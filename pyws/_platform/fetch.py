"""HTTP over the platform's ``fetch``: in a browser page, a worker, or Node (undici's
``fetch``). What :mod:`pyws.compat.aiohttp_http` carries a ``ClientSession``'s requests
over; imported lazily, in Pyodide only.

One request is one ``fetch`` with its own ``AbortController``: :func:`fetch` resolves with
the status line and headers (a :class:`FetchResponse`), whose body is then read chunk by
chunk from the response's ``ReadableStream`` (``response.body.getReader()``), so a large
body is never held whole. Cancelling the Python side aborts the request.

What a page cannot do, this module does not hide: it reports it. The browser drops the
*forbidden* request headers (``Host``, ``Cookie``, ``Connection``...: the caller leaves them
out), refuses a cross-origin response the server did not allow (CORS), and shows a failed
request as one ``TypeError`` whatever the cause (refused, DNS, TLS, CORS): a
:exc:`FetchFailed` says which causes are possible.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, Literal

import js
from pyodide.code import run_js
from pyodide.ffi import create_proxy, to_js

Redirect = Literal["follow", "manual", "error"]
PIECE = 64 * 1024
"""The most of a body copied into the wasm heap at a time: aiohttp's ``read_bufsize``."""

# One call into JS per request: the init object, the AbortController, and a promise of
# what Python needs from the Response as one array (status, statusText, url, redirected,
# type, [[name, value]...], reader or undefined). Headers iterate with each Set-Cookie
# apart. And the next chunk of a body (a Uint8Array), or undefined (None) at its end.
#
# A rejection becomes a resolved ["failed", what the runtime said]: the promises Python
# awaits only ever resolve. (WebKitGTK without JSPI never woke Python for a rejected fetch:
# a refused port and a CORS refusal waited out the 30 s connect timeout, measured on the
# webkit targets, 2026-12-07, where Chromium and Firefox raised at once.)
_start, _read = run_js(
    """
    (() => {
        const failed = (e) => {
            const cause = e && e.cause ? ` (${e.cause.message || e.cause})` : "";
            return ["failed", String((e && e.message) || e) + cause];
        };
        const start = (url, method, headers, body, redirect, credentials, duplex) => {
            const controller = new AbortController();
            const init = { method, headers, redirect, credentials, signal: controller.signal };
            if (body !== undefined && body !== null) {
                init.body = body;
                if (duplex) init.duplex = "half";
            }
            const promise = fetch(url, init).then(
                (r) => [
                    r.status, r.statusText, r.url, r.redirected, r.type, [...r.headers],
                    r.body ? r.body.getReader() : undefined,
                ],
                failed,
            );
            return [promise, controller];
        };
        const read = (reader) => reader.read().then((r) => (r.done ? undefined : r.value), failed);
        return [start, read];
    })()
    """
)
# A ReadableStream over a Python async pull: an upload streamed where the runtime allows.
_upload_stream = run_js(
    """
    (pull) => new ReadableStream({
        async pull(controller) {
            const chunk = await pull();
            if (chunk === undefined || chunk === null) controller.close();
            else controller.enqueue(chunk);
        },
    })
    """
)
_origin = run_js(
    """
    (url) => {
        try {
            const page = globalThis.location ? String(globalThis.location.href) : "";
            const base = page.startsWith("blob:") ? page.slice(5) : page;
            return [new URL(url, base || undefined).origin, base ? new URL(base).origin : ""];
        } catch {
            return ["", ""];
        }
    }
    """
)


def in_node() -> bool:
    """Node: a ``process`` and no ``document`` nor worker scope (no CORS, no cookies)."""
    return (
        getattr(js, "process", None) is not None
        and getattr(js, "document", None) is None
        and getattr(js, "importScripts", None) is None
    )


def can_stream_uploads() -> bool:
    """Whether a request body may be a stream here: Node's undici streams it over
    HTTP/1.1 (``duplex: "half"``). Browsers are not asked: Chromium streams uploads over
    HTTP/2 and HTTP/3 only (over HTTP/1.1 the ``fetch`` fails), Firefox and WebKit not at
    all, and a page cannot see which protocol a request would use."""
    return in_node()


def cross_origin(url: str) -> tuple[bool, str]:
    """Whether a page here would send ``url`` cross-origin (so CORS applies), and the
    page's origin ("" in Node, where there is no page and no CORS)."""
    if in_node():
        return False, ""
    target, page = _origin(url).to_py()
    return bool(page) and target != page, page


class FetchFailed(ConnectionError):
    """``fetch`` rejected: the request never got a response a page may read.

    A browser shows every such failure as one ``TypeError`` (nothing listens, DNS, TLS,
    mixed content, or CORS: a response the server did not allow this page to read), and
    hides which from pages on purpose; the browser's console says. ``cross_origin`` tells
    whether CORS could be the cause, ``origin`` is the page's.
    """

    def __init__(self, url: str, message: str, *, cross_origin: bool, origin: str) -> None:
        super().__init__(message)
        self.url = url
        self.cross_origin = cross_origin
        self.origin = origin


class FetchResponse:
    """The status line and headers of a response, and its body to read chunk by chunk."""

    def __init__(self, parts: Any, controller: Any) -> None:
        status, reason, url, redirected, kind, headers, reader = parts
        self.status: int = int(status)
        self.reason: str = str(reason)
        self.url: str = str(url)
        self.redirected: bool = bool(redirected)
        self.type: str = str(kind)
        """``basic``, ``cors``, ``opaqueredirect`` (a redirect not followed, in a page)..."""
        self.headers: list[tuple[str, str]] = [(str(k), str(v)) for k, v in headers.to_py()]
        self._reader: Any = reader
        self._controller = controller
        self._pending: Any = None
        """The runtime's chunk being handed over, from :attr:`_offset` on."""
        self._offset = 0

    async def read(self) -> bytes | None:
        """The next piece of the body, at most :data:`PIECE` bytes, or None at its end.

        The runtime's chunks stay in JS, and only a piece at a time is copied into the wasm
        heap: WebKitGTK hands over several MiB at once, and copying such chunks whole grew
        the heap by 26-30 MiB during a 64 MiB download (measured, webkit and webkit-worker
        targets, 2026-12-07), where 64 KiB pieces keep it flat like Chromium's chunks.
        Raises :exc:`FetchFailed` when the connection breaks mid-body."""
        while self._pending is None:
            if self._reader is None:
                return None
            chunk = await _read(self._reader)
            if _failed(chunk):
                self._reader = None
                raise FetchFailed(
                    self.url,
                    f"the response body broke off: {chunk[1]}",
                    cross_origin=False,
                    origin="",
                )
            if chunk is None:
                self._reader = None
                return None
            if chunk.length:
                self._pending, self._offset = chunk, 0
        pending, start = self._pending, self._offset
        end = min(start + PIECE, pending.length)
        data: bytes = pending.subarray(start, end).to_bytes()
        if end >= pending.length:
            self._pending = None
        else:
            self._offset = end
        return data

    def abort(self) -> None:
        """Stop the request: the body is not read further (a second call does nothing)."""
        self._reader = self._pending = None
        self._controller.abort()


async def fetch(
    url: str,
    method: str,
    headers: list[tuple[str, str]],
    body: bytes | AsyncIterator[bytes] | None,
    *,
    redirect: Redirect = "follow",
    credentials: str = "same-origin",
) -> FetchResponse:
    """Send one request; return once the response's headers are in.

    ``body`` is bytes, or an async iterator of bytes to stream (where
    :func:`can_stream_uploads`; the caller reads it whole elsewhere). Cancelling this
    aborts the request. Raises :exc:`FetchFailed` when ``fetch`` rejects (a network
    failure, or CORS).
    """
    proxies: list[Any] = []
    js_body: Any = None
    if isinstance(body, bytes | bytearray | memoryview):
        js_body = to_js(bytes(body)) if len(body) else None
    elif body is not None:
        js_body = _streamed(body, proxies)
    js_headers = to_js([list(pair) for pair in headers])
    promise, controller = _start(
        url, method, js_headers, js_body, redirect, credentials, bool(proxies)
    )
    try:
        parts = await promise
    except asyncio.CancelledError:
        controller.abort()
        raise
    finally:
        for proxy in proxies:
            proxy.destroy()
    if _failed(parts):
        crossing, origin = cross_origin(url)
        raise FetchFailed(url, str(parts[1]), cross_origin=crossing, origin=origin)
    return FetchResponse(parts, controller)


def _failed(result: Any) -> bool:
    """Whether a promise of :data:`_start` or :data:`_read` resolved with a failure."""
    return (
        result is not None
        and not isinstance(result, int | str | bytes)
        and getattr(result, "length", 0) == 2
        and result[0] == "failed"
    )


def _streamed(body: AsyncIterator[bytes], proxies: list[Any]) -> Any:
    """A ``ReadableStream`` pulling from ``body``; its proxy goes into ``proxies`` (freed
    once the response head is in: a server answers after reading the body)."""

    async def pull() -> Any:
        try:
            chunk = await anext(body)
        except StopAsyncIteration:
            return None
        return to_js(bytes(chunk))

    proxies.append(create_proxy(pull))
    return _upload_stream(proxies[0])
