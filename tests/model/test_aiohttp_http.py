"""The HTTP half of the aiohttp patch against the real aiohttp, request by request (issue 30):
a differential machine.

Each generated sequence of requests runs on two ``ClientSession``s, in CPython, against a
local server with the bundled server's ``/http/`` routes (server/http.py):

- **real**: aiohttp 3.14's own client, its connector opening sockets;
- **patch**: the same aiohttp with ``pyws.compat.aiohttp_http``'s patch installed (what
  ``patch_aiohttp()`` installs in Pyodide), over a stand-in for the runtime's ``fetch``
  (tests/model/fetch_standin.py: h11 over asyncio sockets, doing what the Fetch standard
  says), as Node's or as a browser's.

The steps: requests with every verb, bodies (bytes, str, form dicts, ``FormData``, json, an
async generator), params, headers, ``BasicAuth``, ``allow_redirects`` and
``raise_for_status`` either way, to an echo (any status), redirects (301-308, one to three
of them), bodies of several sizes, a body cut short, a refused port; the response read
whole, as text or json, in chunks through ``content.iter_chunked``, or partly and then
released; and the session closed. After each, what each shows must be the same: status,
reason, content type, final URL, ``history``'s statuses and URLs, the body as read (for an
echo: what the server received), or the exception's type (and status).

Where docs/aiohttp-compat.md documents a browser limit (the browser follows redirects
itself and shows one ``history`` entry of status 0; with ``allow_redirects=False`` it shows
an opaque redirect, status 0), the browser-mode machine checks the patch against that.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

import pyws._platform
from pyws.compat import aiohttp_http
from server import http
from tests.model import fetch_standin
from tests.model.settings import run_machine

METHODS = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
BODIES = st.sampled_from(["none", "bytes", "str", "form", "formdata", "json", "generator"])
DESTINATIONS = st.one_of(
    st.tuples(st.just("echo"), st.sampled_from([200, 201, 204, 301, 404, 500])),
    st.tuples(st.just("redirect"), st.sampled_from([301, 302, 303, 307, 308])),
    st.tuples(st.just("bytes"), st.sampled_from([0, 10, 70_000, 300_000])),
    st.tuples(st.just("cut"), st.just(1000)),
    st.tuples(st.just("refused"), st.just(0)),
)
READS = st.sampled_from(["read", "text", "json", "chunks", "partial"])
SIDES = ("real", "patch")
RESPONSE_HEADERS = ("Content-Type", "Location")
"""Response headers compared (``Date`` differs by the clock; an echo's ``Content-Length``
by the headers each runtime adds, and the length of every body is compared anyway)."""
REQUEST_HEADERS = ("content-type", "authorization", "x-custom", "content-encoding")
"""What the echo saw of the request headers, compared: those the code chose. The others
are the runtime's own (``Host``, ``User-Agent``, ``Accept-Encoding``, framing)."""


def _body(kind: str) -> Any:
    if kind == "bytes":
        return b"\x00\xffbody"
    if kind == "str":
        return "text é"
    if kind == "form":
        return {"k": "v", "n": "1"}
    if kind == "formdata":
        form = aiohttp.FormData()
        form.add_field("field", "value")
        form.add_field("file", b"\x01" * 3000, filename="f.bin", content_type="x/y")
        return form
    if kind == "generator":

        async def chunks() -> Any:
            for part in (b"one ", b"two"):
                yield part

        return chunks()
    return None


def _aiohttps(cls: type) -> str:
    """The class's name, or its nearest aiohttp (or built-in) base's: the patch raises
    subclasses of aiohttp's exceptions (``BrowserFetchError``, a ``ClientConnectorError``)."""
    for base in cls.__mro__:
        if base.__module__.split(".")[0] in ("aiohttp", "builtins", "asyncio"):
            return base.__name__
    return cls.__name__


class AiohttpHttpMachine(RuleBasedStateMachine):
    node = True
    """Whether the patch's fetch is Node's (redirects shown) or a browser's."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.runner: web.AppRunner | None = None
        self.sessions: dict[str, aiohttp.ClientSession] = {}
        fetch_standin.MODE["node"] = self.node

    def run[T](self, coro: Any) -> T:
        result: T = self.loop.run_until_complete(coro)
        return result

    @initialize()
    def start(self) -> None:
        async def start() -> None:
            app = web.Application(middlewares=[http.cors])
            for method, path, handler in http.ROUTES:
                app.router.add_route(method, path, handler)
            self.runner = web.AppRunner(app, handle_signals=False)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
            real = type(
                "RealConnector",
                (aiohttp.TCPConnector,),
                {"connect": aiohttp_http.ORIGINAL["BaseConnector.connect"]},
            )
            self.sessions = {
                "real": aiohttp.ClientSession(connector=real()),
                "patch": aiohttp.ClientSession(),
            }

        self.run(start())

    def url(self, target: tuple[str, int], params: bool) -> str:
        kind, value = target
        query = "?q=1&r=%C3%A9" if params else ""
        if kind == "echo":
            return f"{self.base}/http/echo?status={value}" + query.replace("?", "&")
        if kind == "redirect":
            return f"{self.base}/http/redirect?code={value}&times=2&to=/http/echo"
        if kind == "bytes":
            return f"{self.base}/http/bytes?size={value}&chunk=65536"
        if kind == "cut":
            return f"{self.base}/http/cut?size={value}"
        return "http://127.0.0.1:1/refused"

    async def one(
        self, side: str, method: str, url: str, body: str, read: str, **options: Any
    ) -> tuple[Any, ...]:
        session = self.sessions[side]
        data = _body(body)
        request: dict[str, Any] = {"json": {"a": [1, None]}} if body == "json" else {"data": data}
        try:
            async with session.request(method, url, **request, **options) as resp:
                shown: tuple[Any, ...] = (
                    resp.status,
                    resp.reason,
                    resp.ok,
                    str(resp.url),
                    [(h.status, str(h.url)) for h in resp.history],
                    [resp.headers.get(name) for name in RESPONSE_HEADERS],
                )
                return ("response", *shown, await self.read(resp, read))
        except (aiohttp.ClientError, ValueError, RuntimeError, TimeoutError) as exc:
            status = getattr(exc, "status", None)
            return ("raised", _aiohttps(type(exc)), status)

    async def read(self, resp: aiohttp.ClientResponse, how: str) -> Any:
        if how == "read":
            body = await resp.read()
        elif how == "text":
            body = (await resp.text()).encode()
        elif how == "json":
            try:
                return ("json", self.echoed(await resp.json()))
            except aiohttp.ContentTypeError as exc:
                return ("ContentTypeError", exc.status)
            except ValueError:
                return ("not json",)
        elif how == "chunks":
            sizes = []
            parts = []
            async for chunk in resp.content.iter_chunked(50_000):
                sizes.append(len(chunk) <= 50_000)
                parts.append(chunk)
            body = b"".join(parts)
        else:
            first = await resp.content.read(5)
            resp.release()
            return ("partial", first, resp.closed)
        try:
            return ("echo", self.echoed(json.loads(body)))
        except ValueError:
            return ("bytes", len(body), base64.b64encode(body[:64]).decode())

    @staticmethod
    def _unbounded(text: str) -> str:
        """``text`` without the random multipart boundaries of a ``FormData``."""
        return re.sub(r"[0-9a-f]{32}", "BOUNDARY", text)

    @staticmethod
    def echoed(got: Any) -> Any:
        """What the echo saw, less what the runtime chooses (its own headers)."""
        if not isinstance(got, dict) or "headers" not in got:
            return got
        unbounded = AiohttpHttpMachine._unbounded
        headers = {k: unbounded(v) for k, v in got["headers"].items() if k in REQUEST_HEADERS}
        return {**got, "headers": headers, "body": unbounded(got["body"])}

    @rule(
        method=METHODS,
        destination=DESTINATIONS,
        body=BODIES,
        read=READS,
        params=st.booleans(),
        allow_redirects=st.booleans(),
        raise_for_status=st.booleans(),
        custom=st.booleans(),
        auth=st.booleans(),
    )
    def request(
        self,
        method: str,
        destination: tuple[str, int],
        body: str,
        read: str,
        params: bool,
        allow_redirects: bool,
        raise_for_status: bool,
        custom: bool,
        auth: bool,
    ) -> None:
        if method in ("GET", "HEAD", "OPTIONS") and body != "none":
            body = "none"  # a GET with a body: fetch refuses it (a TypeError), by design
        target = destination
        url = self.url(target, params)
        options: dict[str, Any] = {
            "allow_redirects": allow_redirects,
            "raise_for_status": raise_for_status,
        }
        if custom:
            options["headers"] = {"X-Custom": "c", "Content-Type": "text/csv"}
        if auth:
            options["auth"] = aiohttp.BasicAuth("user", "pw")
        seen = {
            side: self.run(self.one(side, method, url, body, read, **options)) for side in SIDES
        }
        self.compare(seen["real"], seen["patch"], target, allow_redirects, body)

    def compare(
        self,
        real: tuple[Any, ...],
        patch: tuple[Any, ...],
        target: tuple[str, int],
        follow: bool,
        body: str = "none",
    ) -> None:
        replayed = real[:2] == ("raised", "ClientPayloadError") and patch[0] == "response"
        browser_redirect = not self.node and target[0] == "redirect" and follow
        if browser_redirect and body == "generator" and replayed:
            # aiohttp cannot resend a streamed body it has consumed; a browser, which was
            # given it whole, resends it (docs/aiohttp-compat.md).
            if patch[7][0] in ("echo", "json"):
                assert patch[7][1]["body"] == "one two", patch
            return
        if not self.node and target[0] == "redirect" and real[0] == "response":
            if follow:
                # The browser follows: one history entry, status 0, for the requested URL.
                assert len(patch[5]) == 1 and patch[5][0][0] == 0, patch
                assert patch[5][0][1] == real[5][0][1], (real, patch)
                real = (*real[:5], patch[5], *real[6:])
                echoed = real[7][1] if real[7][0] in ("echo", "json") else None
                if isinstance(echoed, dict) and echoed.get("method") == "GET":
                    # A redirect that turns the request into a GET: the browser also drops
                    # Content-Type (the Fetch standard's request-body headers); aiohttp
                    # keeps it (docs/aiohttp-compat.md).
                    for seen in (real, patch):
                        if isinstance(seen[7][1], dict):
                            seen[7][1].get("headers", {}).pop("content-type", None)
            else:
                # An opaque redirect: status 0, no headers (and a RuntimeWarning).
                assert patch[1] == 0 and patch[6] == [None, None], patch
                return
        assert real == patch, f"real aiohttp: {real!r}\npatch: {patch!r}"

    @rule()
    def close_sessions(self) -> None:
        for session in self.sessions.values():
            self.run(session.close())

    def teardown(self) -> None:
        async def stop() -> None:
            for session in self.sessions.values():
                await session.close()
            if self.runner is not None:
                await self.runner.cleanup()

        try:
            self.run(stop())
        finally:
            self.loop.close()


class BrowserHttpMachine(AiohttpHttpMachine):
    node = False


@contextmanager
def patched() -> Iterator[None]:
    """aiohttp patched as in Pyodide, over the stand-in ``fetch``; put back after."""
    saved = {key: vars(cls)[name] for key, (cls, name, _) in aiohttp_http.PATCHES.items()}
    had = sys.modules.get("pyws._platform.fetch")
    sys.modules["pyws._platform.fetch"] = fetch_standin  # type: ignore[assignment]
    pyws._platform.fetch = fetch_standin  # type: ignore[attr-defined]
    aiohttp_http.patch()
    try:
        yield
    finally:
        for key, (cls, name, _) in aiohttp_http.PATCHES.items():
            setattr(cls, name, saved[key])
        del pyws._platform.fetch  # type: ignore[attr-defined]
        if had is None:
            sys.modules.pop("pyws._platform.fetch", None)
        else:
            sys.modules["pyws._platform.fetch"] = had


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("machine", [AiohttpHttpMachine, BrowserHttpMachine])
def test_the_http_patch_behaves_as_aiohttp(machine: type[RuleBasedStateMachine]) -> None:
    with patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_machine(machine, ci_examples=25, ci_steps=8, fuzz_examples=100)
