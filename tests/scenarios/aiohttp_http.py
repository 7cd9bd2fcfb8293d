"""Scenarios: code written for aiohttp's HTTP client (``ClientSession.get/post/...``), run
unchanged: in Pyodide over ``pyws.patch_aiohttp()`` (``fetch`` underneath), in CPython
over the real aiohttp, unpatched, as the proof that they state aiohttp's semantics. Only
the scenarios marked ``patch`` or ``cors`` are about what a browser makes different.

The requests go to the plain server's ``/http/...`` routes (server/http.py), which a
page reaches cross-origin (its own origin is the TLS server's): they answer with CORS.
"""

from __future__ import annotations

import asyncio
import base64
import warnings
from typing import Any

from . import environment
from .aiohttp_compat import aiohttp_ready
from .check import raises
from .suite import Server, scenario

MiB = 1024 * 1024
DOWNLOAD = 64 * MiB
HEAP_MARGIN = 16 * MiB
"""How far the wasm heap may grow while 64 MiB stream through (issue 30)."""


def pattern(start: int, size: int) -> bytes:
    """The bytes ``/http/bytes`` sends from offset ``start`` (``i % 251``)."""
    return bytes((start + i) % 251 for i in range(size))


@scenario()
async def aiohttp_http_get_gives_aiohttps_response(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp
    from multidict import CIMultiDictProxy

    async with aiohttp.ClientSession() as session:
        url = server.http + "/http/echo?x=1"
        async with session.get(url, params={"y": "two words"}, headers={"X-Test": "a"}) as resp:
            assert isinstance(resp, aiohttp.ClientResponse), type(resp)
            assert (resp.status, resp.reason, resp.ok) == (200, "OK", True)
            assert resp.method == "GET"
            assert isinstance(resp.headers, CIMultiDictProxy), type(resp.headers)
            assert resp.headers["content-type"].startswith("application/json"), resp.headers
            assert resp.content_type == "application/json"
            assert str(resp.url) == url + "&y=two+words", resp.url
            assert resp.history == ()
            got = await resp.json()
            assert got["method"] == "GET" and got["path"] == "/http/echo", got
            assert got["query"] == [["x", "1"], ["y", "two words"]], got
            assert got["headers"]["x-test"] == "a", got
            assert (await resp.text()).startswith("{"), "text() after json(): the same body"
            assert await resp.read() == (await resp.text()).encode()
            assert resp.request_info.method == "GET"
        assert resp.closed
        # Without async with, and every verb.
        for verb in ("post", "put", "patch", "delete", "options"):
            resp = await getattr(session, verb)(server.http + "/http/echo")
            assert (await resp.json())["method"] == verb.upper(), verb
            resp.release()
        resp = await session.request("PUT", server.http + "/http/echo", data=b"r")
        assert (await resp.json())["body"] == "r"
        async with session.head(server.http + "/http/echo") as resp:
            assert resp.status == 200
            assert await resp.read() == b""


@scenario()
async def aiohttp_http_request_bodies(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    echo = server.http + "/http/echo"
    async with aiohttp.ClientSession() as session:

        async def sent(**request: Any) -> dict[str, Any]:
            async with session.post(echo, **request) as resp:
                return await resp.json()  # type: ignore[no-any-return]

        got = await sent(data=b"\x00\xffbytes")
        assert got["body"] == "\x00\xffbytes", got
        assert got["headers"]["content-type"] == "application/octet-stream", got
        got = await sent(data="text é")
        assert got["body"] == "text é".encode().decode("latin-1"), got
        assert got["headers"]["content-type"] == "text/plain; charset=utf-8", got
        got = await sent(json={"a": [1, None]})
        assert got["body"] == '{"a": [1, null]}', got
        assert got["headers"]["content-type"] == "application/json", got
        got = await sent(data={"k": "v", "n": "1"})
        assert got["form"] == {"k": "v", "n": "1"}, got
        assert got["headers"]["content-type"] == "application/x-www-form-urlencoded", got
        form = aiohttp.FormData()
        form.add_field("field", "value")
        form.add_field("file", b"\x01" * 3000, filename="f.bin", content_type="x/y")
        got = await sent(data=form)
        assert got["form"] == {
            "field": "value",
            "file": {"filename": "f.bin", "type": "x/y", "size": 3000},
        }, got

        async def generated() -> Any:
            for part in (b"one ", b"two ", b"three"):
                yield part

        got = await sent(data=generated())
        assert got["body"] == "one two three", got
        got = await sent(data=b"x", headers={"Content-Type": "text/csv", "X-Mine": "1"})
        assert (got["headers"]["content-type"], got["headers"]["x-mine"]) == ("text/csv", "1")
        with raises(ValueError, match="data and json"):
            await sent(data=b"x", json={})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # aiohttp 3.14: auth=
            got = await sent(auth=aiohttp.BasicAuth("user", "pässword"))
        token = base64.b64encode("user:pässword".encode("latin-1")).decode()
        assert got["headers"]["authorization"] == f"Basic {token}", got


@scenario()
async def aiohttp_http_status_and_raise_for_status(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    missing = server.http + "/http/echo?status=404"
    async with aiohttp.ClientSession() as session:
        async with session.get(missing) as resp:
            assert (resp.status, resp.reason, resp.ok) == (404, "Not Found", False)
            with raises(aiohttp.ClientResponseError) as caught:
                resp.raise_for_status()
            assert caught.value.status == 404 and caught.value.message == "Not Found"
            assert caught.value.request_info.url == resp.url
        async with session.get(server.http + "/http/echo?status=500", raise_for_status=False) as r:
            assert r.status == 500
        with raises(aiohttp.ClientResponseError) as caught:
            await session.get(missing, raise_for_status=True)
        assert caught.value.status == 404

    seen: list[int] = []

    async def check(resp: aiohttp.ClientResponse) -> None:
        seen.append(resp.status)

    async with aiohttp.ClientSession(raise_for_status=True) as session:
        with raises(aiohttp.ClientResponseError):
            await session.get(missing)
        async with session.get(server.http + "/http/echo") as resp:
            assert resp.status == 200
    async with (
        aiohttp.ClientSession(raise_for_status=check) as session,
        session.get(missing) as resp,
    ):
        assert resp.status == 404
    assert seen == [404]


@scenario()
async def aiohttp_http_text_encoding_and_json_content_type(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    async with aiohttp.ClientSession() as session:
        url = server.http + "/http/echo?x=%C3%A9&type=text/plain;%20charset=latin-1"
        async with session.get(url) as resp:
            assert resp.get_encoding() == "iso8859-1", resp.get_encoding()
            assert resp.charset == "latin-1"
            text = await resp.text()
            assert '"x", "\\u00e9"' in text, text  # the JSON escapes it; latin-1 decodes
            with raises(aiohttp.ContentTypeError, match="unexpected mimetype: text/plain"):
                await resp.json()
            assert (await resp.json(content_type=None))["query"] == [
                ["x", "é"],
                ["type", "text/plain; charset=latin-1"],
            ]
        async with session.get(server.http + "/http/echo?type=application/vnd.x%2Bjson") as resp:
            assert (await resp.json(content_type="application/vnd.x+json"))["method"] == "GET"


@scenario()
async def aiohttp_http_redirects_followed(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp
    from yarl import URL

    async with aiohttp.ClientSession() as session:
        start = server.http + "/http/redirect?times=2&to=/http/echo%3Fafter=1"
        async with session.get(start) as resp:
            assert resp.status == 200
            assert str(resp.url) == server.http + "/http/echo?after=1", resp.url
            assert (await resp.json())["query"] == [["after", "1"]]
            # aiohttp: one entry a redirect; a browser shows pages only that there was one.
            assert 1 <= len(resp.history) <= 2, resp.history
            assert resp.history[0].url == URL(start), resp.history[0].url
        # 303 after a POST: the browser and aiohttp both go on with GET, without the body.
        async with session.post(
            server.http + "/http/redirect?code=303&to=/http/echo", data=b"x"
        ) as resp:
            got = await resp.json()
            assert (got["method"], got["body"]) == ("GET", ""), got
        # 307 keeps the method and the body.
        async with session.put(
            server.http + "/http/redirect?code=307&to=/http/echo", data=b"kept"
        ) as resp:
            got = await resp.json()
            assert (got["method"], got["body"]) == ("PUT", "kept"), got


@scenario()
async def aiohttp_http_body_streams_through_content(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    async with aiohttp.ClientSession() as session:
        size = 3 * MiB + 7
        async with session.get(server.http + f"/http/bytes?size={size}&chunk=100000") as resp:
            assert resp.headers["Content-Length"] == str(size)
            assert resp.content.at_eof() is False
            head = await resp.content.readexactly(1000)
            assert head == pattern(0, 1000)
            seen = 1000
            async for chunk in resp.content.iter_chunked(256 * 1024):
                assert 0 < len(chunk) <= 256 * 1024, len(chunk)
                assert chunk[:300] == pattern(seen, min(300, len(chunk)))
                seen += len(chunk)
            assert seen == size
            assert resp.content.at_eof()
        async with session.get(server.http + "/http/bytes?size=10") as resp:
            assert await resp.content.read(4) == pattern(0, 4)
            assert await resp.read() == pattern(4, 6)  # the rest
        # Released unread: the body is dropped, and the session goes on.
        resp = await session.get(server.http + f"/http/bytes?size={8 * MiB}")
        resp.release()
        async with session.get(server.http + "/http/bytes?size=5") as resp:
            assert await resp.read() == pattern(0, 5)


@scenario()
async def aiohttp_http_download_64mib_streams_with_a_flat_heap(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    heap = _wasm_heap()
    total = 0
    checked = 0
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.http + f"/http/bytes?size={DOWNLOAD}&chunk={MiB}") as resp,
    ):
        async for chunk in resp.content.iter_chunked(MiB):
            if total // (8 * MiB) != (total + len(chunk)) // (8 * MiB) or not total:
                assert chunk[:64] == pattern(total, 64), total  # a sample every 8 MiB
                checked += 1
            total += len(chunk)
    assert total == DOWNLOAD, total
    assert checked >= 8, checked
    grown = _wasm_heap() - heap
    print(f"64 MiB through iter_chunked: the wasm heap grew by {grown} bytes")
    # Where there is a wasm heap (Pyodide): aiohttp's reader holds at most 2x its buffer
    # before the pump stops reading; 64 MiB buffered whole would grow the heap by 64 MiB.
    assert grown <= HEAP_MARGIN, f"the wasm heap grew by {grown} bytes for a 64 MiB download"


def _wasm_heap() -> int:
    """The wasm heap's size (it never shrinks), 0 outside Pyodide."""
    if not environment.IN_PYODIDE:
        return 0
    import pyodide_js

    return int(pyodide_js._module.HEAPU8.length)


@scenario()
async def aiohttp_http_timeouts(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    async with aiohttp.ClientSession() as session:
        # sock_read bounds the wait for the head and for each piece of the body.
        quick = aiohttp.ClientTimeout(sock_read=0.2)
        with raises(aiohttp.ServerTimeoutError):
            await session.get(server.http + "/http/slow?head=10", timeout=quick)
        async with session.get(server.http + "/http/slow?body=10", timeout=quick) as resp:
            assert resp.status == 200
            with raises(aiohttp.ServerTimeoutError):
                await resp.read()
        # total bounds everything: asyncio.TimeoutError (aiohttp's own, not a ClientError).
        with raises(asyncio.TimeoutError):
            await session.get(
                server.http + "/http/slow?head=10", timeout=aiohttp.ClientTimeout(total=0.2)
            )
        async with session.get(
            server.http + "/http/slow?body=10", timeout=aiohttp.ClientTimeout(total=0.3)
        ) as resp:
            with raises(asyncio.TimeoutError):
                await resp.read()
        # The session goes on.
        async with session.get(server.http + "/http/slow") as resp:
            assert await resp.text() == "first second"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.2)) as session:
        with raises(asyncio.TimeoutError):
            await session.get(server.http + "/http/slow?head=10")


@scenario()
async def aiohttp_http_failures_are_client_errors(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    async with aiohttp.ClientSession() as session:
        # Port 2: closed, and on no browser's list of blocked ports (WebKitGTK leaves a
        # fetch to blocked port 1 pending, where Chromium fails it at once).
        with raises(aiohttp.ClientConnectorError) as refused:
            await session.get("http://127.0.0.1:2/")
        assert isinstance(refused.value, aiohttp.ClientConnectionError)
        assert (refused.value.host, refused.value.port) == ("127.0.0.1", 2), refused.value
        async with session.get(server.http + "/http/cut?size=1000") as resp:
            with raises(aiohttp.ClientPayloadError):
                await resp.read()
        with raises(aiohttp.InvalidURL):
            await session.get("http://")
        with raises(aiohttp.NonHttpUrlClientError):
            await session.get("ftp://127.0.0.1/")
    with raises(RuntimeError, match="Session is closed"):
        await session.get(server.http + "/http/echo")


@scenario("cors")
async def aiohttp_http_cors_refusal_says_what_the_server_must_send(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    from pyws._platform.fetch import cross_origin

    # The plain server, or where the page is its origin (WebKit's page is http), the TLS one.
    other = server.http if cross_origin(server.http)[0] else server.https
    assert cross_origin(other)[0], other
    async with aiohttp.ClientSession() as session:
        with raises(aiohttp.ClientConnectionError) as caught:
            await session.get(other + "/http/nocors")
        said = str(caught.value)
        assert "CORS" in said and "Access-Control-Allow-Origin:" in said, said
        with raises(aiohttp.ClientConnectionError) as caught:
            await session.put(other + "/http/nocors", headers={"X-Custom": "1"})
        said = str(caught.value)
        assert "Access-Control-Allow-Methods: PUT" in said, said
        assert "Access-Control-Allow-Headers: " in said and "X-Custom" in said, said


@scenario("patch")
async def aiohttp_http_what_a_browser_cannot_do_warns(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    from pyws._platform import fetch

    node = fetch.in_node()
    async with aiohttp.ClientSession() as session:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            async with session.get(server.http + "/http/echo") as resp:
                quiet = await resp.json()  # aiohttp's own forbidden headers: no warning
            async with session.get(
                server.http + "/http/echo",
                headers={"Keep-Alive": "timeout=5", "X-Fine": "1"},
                proxy="http://127.0.0.1:3128",
                ssl=False,
            ) as resp:
                got = await resp.json()
        said = [str(w.message) for w in caught if w.category is RuntimeWarning]
        assert "x-fine" in got["headers"], got
        assert "timeout=5" not in got["headers"].get("keep-alive", ""), got
        # aiohttp's User-Agent goes out from Node; a browser sends its own.
        assert ("aiohttp" in quiet["headers"].get("user-agent", "")) is node, quiet
        assert any("proxy='http://127.0.0.1:3128'" in s for s in said), said
        assert any("ssl=False" in s for s in said), said
        assert any("drops the header Keep-Alive" in s for s in said), said
        if not node:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", RuntimeWarning)
                async with session.get(
                    server.http + "/http/echo", headers={"Cookie": "a=b"}
                ) as resp:
                    got = await resp.json()
            assert "cookie" not in got["headers"], got
            said = [str(w.message) for w in caught if w.category is RuntimeWarning]
            assert any("drops the header Cookie" in s for s in said), said
    with raises(aiohttp.ClientConnectionError, match="unix sockets"):
        async with aiohttp.ClientSession(connector=aiohttp.UnixConnector("/x")) as unix:
            await unix.get("http://localhost/")


# -- real code over HTTP: Socket.IO's long-polling, gql's AIOHTTPTransport ----------------


@scenario("ssl")
async def socketio_default_connect_polls_then_upgrades(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    from .aiohttp_compat import socketio_client

    requests: list[tuple[str, str]] = []

    async def started(_: Any, __: Any, params: aiohttp.TraceRequestStartParams) -> None:
        requests.append((params.method, params.url.query.get("transport", "")))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(started)
    async with aiohttp.ClientSession(trace_configs=[trace]) as http:
        # As socket.io's docs write it: default transports, long-polling first.
        client, events = socketio_client(http_session=http)
        await client.connect(server.http)
        try:
            assert await events.next("connect") is True
            assert requests[0] == ("GET", "polling"), requests  # the engine.io handshake
            assert client.transport() == "websocket"  # upgraded
            assert await client.call("echo", {"n": [1, b"\x00"]}) == {"n": [1, b"\x00"]}
        finally:
            await client.disconnect()

        # Long-polling alone: every packet over HTTP, a GET waiting while a POST sends.
        client, events = socketio_client(http_session=http)
        await client.connect(server.http, transports=["polling"])
        try:
            assert client.transport() == "polling"
            assert (await events.next("welcome"))["sid"] == client.get_sid()
            assert await client.call("echo", "over polling") == "over polling"
            await client.emit("shout", b"binary over polling")
            assert await events.next("shouted") == b"binary over polling"
        finally:
            # Over polling, disconnect() waits for the GET the server holds, up to its 25 s
            # ping interval: ~31 s of this scenario, the same over aiohttp in CPython.
            await client.disconnect()
    assert ("POST", "polling") in requests, requests


@scenario("ssl")
async def gql_aiohttp_transport_queries_over_http(server: Server) -> None:
    await aiohttp_ready()
    from .patch import load_gql

    await load_gql()
    from gql import Client, gql
    from gql.transport.aiohttp import AIOHTTPTransport
    from gql.transport.exceptions import TransportQueryError

    transport = AIOHTTPTransport(url=server.http + "/graphql")
    async with Client(transport=transport) as session:
        result: Any = await session.execute(gql('query { hello(name: "pyws") }'))
        assert result == {"hello": "Hello pyws!"}, result
        with raises(TransportQueryError, match="nope"):
            await session.execute(gql("query { nope }"))
        result = await session.execute(gql("query { hello }"))
        assert result == {"hello": "Hello world!"}, result
    assert transport.session is None  # closed by the client
