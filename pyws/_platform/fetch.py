"""HTTP over the platform's ``fetch``: in a browser page, a worker, or Node (undici's
``fetch``). What :mod:`pyws.compat.aiohttp_http` carries a ``ClientSession``'s requests
over; imported lazily, in Pyodide only.

One request is one ``fetch`` with its own ``AbortController``: :func:`fetch` resolves with
the status line and headers (a :class:`FetchResponse`), whose body is then read chunk by
chunk from the response's ``ReadableStream`` (``response.body.getReader()``), so a large
body is never held whole. Cancelling the Python side aborts the request.

What a page cannot do, this module does not hide: it reports it. The browser drops the
*forbidden* request headers (``Host``, ``Cookie``, ``Connection``...: :func:`forbidden`),
refuses a cross-origin response the server did not allow (CORS), and shows a failed
request as one ``TypeError`` whatever the cause (refused, DNS, TLS, CORS): a
:exc:`FetchFailed` says which causes are possible.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, Literal

import js
from pyodide.code import run_js
from pyodide.ffi import JsException, create_proxy, to_js

Redirect = Literal["follow", "manual", "error"]

# One call into JS per request: the init object, the AbortController, and a promise of
# what Python needs from the Response as one array (status, statusText, url, redirected,
# type, [[name, value]...], reader or null). Headers iterate with each Set-Cookie apart.
_start = run_js(
    """
    (url, method, headers, body, redirect, credentials, duplex) => {
        const controller = new AbortController();
        const init = { method, headers, redirect, credentials, signal: controller.signal };
        if (body !== undefined && body !== null) {
            init.body = body;
            if (duplex) init.duplex = "half";
        }
        const promise = fetch(url, init).then((r) => [
            r.status, r.statusText, r.url, r.redirected, r.type, [...r.headers],
            r.body ? r.body.getReader() : undefined,
        ]);
        return [promise, controller];
    }
    """
)
# The next chunk of a body (a Uint8Array), or undefined (None) at its end.
_read = run_js("(reader) => reader.read().then((r) => (r.done ? undefined : r.value))")
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

BROWSER_FORBIDDEN = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
"""The Fetch standard's forbidden request header names (and every ``Proxy-`` and ``Sec-``
one): a page's ``fetch`` drops them, the browser sets its own."""
NODE_FORBIDDEN = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "upgrade", "expect", "content-length"}
)
"""What Node's undici ``fetch`` refuses or sets itself (it throws ``invalid connection
header`` and the like for these; ``Content-Length`` it computes from the body)."""


def in_node() -> bool:
    """Node: a ``process`` and no ``document`` nor worker scope (no CORS, no cookies)."""
    return (
        getattr(js, "process", None) is not None
        and getattr(js, "document", None) is None
        and getattr(js, "importScripts", None) is None
    )


def forbidden(name: str) -> bool:
    """Whether this runtime's ``fetch`` drops or refuses request header ``name``."""
    lower = name.lower()
    if in_node():
        return lower in NODE_FORBIDDEN
    return lower in BROWSER_FORBIDDEN or lower.startswith(("proxy-", "sec-"))


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

    async def read(self) -> bytes | None:
        """The next chunk of the body as the runtime delivers it, or None at its end.

        Raises :exc:`FetchFailed` when the connection breaks mid-body."""
        if self._reader is None:
            return None
        try:
            chunk = await _read(self._reader)
        except JsException as exc:
            self._reader = None
            raise FetchFailed(
                self.url, f"the response body broke off: {exc}", cross_origin=False, origin=""
            ) from exc
        if chunk is None:
            self._reader = None
            return None
        data: bytes = chunk.to_bytes()
        return data

    def abort(self) -> None:
        """Stop the request: the body is not read further (a second call does nothing)."""
        self._reader = None
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
    except JsException as exc:
        crossing, origin = cross_origin(url)
        raise FetchFailed(url, _why(exc), cross_origin=crossing, origin=origin) from exc
    finally:
        for proxy in proxies:
            proxy.destroy()
    return FetchResponse(parts, controller)


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


def _why(exc: JsException) -> str:
    """What the runtime said about a rejected ``fetch`` (Node puts the cause apart)."""
    message = getattr(exc, "message", None) or str(exc)
    cause = getattr(exc, "cause", None)
    if cause is not None:
        message = f"{message} ({getattr(cause, 'message', None) or cause})"
    return str(message)
