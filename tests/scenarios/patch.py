"""Scenarios: pyws.patch_websockets(), and code written for ``websockets`` that nobody here
wrote, run unchanged over it: the "hello" clients of the websockets documentation, and
gql's WebsocketsTransport (a GraphQL client) against the server's /graphql."""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pyws

from .check import raises
from .suite import Server, scenario
from .sync_api import blocking

# The hello clients of the websockets documentation (docs/index.rst includes them from
# example/asyncio/hello.py and example/sync/hello.py; websockets is BSD-3-Clause,
# copyright Aymeric Augustin and contributors). Only the server address is replaced.
ASYNCIO_HELLO = '''\
#!/usr/bin/env python

"""Client using the asyncio API."""

import asyncio
from websockets.asyncio.client import connect


async def hello():
    async with connect("ws://localhost:8765") as websocket:
        await websocket.send("Hello world!")
        message = await websocket.recv()
        print(message)


if __name__ == "__main__":
    asyncio.run(hello())
'''
SYNC_HELLO = '''\
#!/usr/bin/env python

"""Client using the threading API."""

from websockets.sync.client import connect


def hello():
    with connect("ws://localhost:8765") as websocket:
        websocket.send("Hello world!")
        message = websocket.recv()
        print(message)


if __name__ == "__main__":
    hello()
'''


@contextlib.contextmanager
def patched() -> Iterator[None]:
    """Patch, and put ``sys.modules`` and ``sys.meta_path`` back as they were afterwards,
    so later scenarios (and targets that use the real websockets) see no change."""
    before = {n: m for n, m in sys.modules.items() if n.split(".")[0] == "websockets"}
    meta_path = list(sys.meta_path)
    try:
        assert pyws.patch_websockets() is True
        yield
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == "websockets"]:
            del sys.modules[name]
        sys.modules.update(before)
        sys.meta_path[:] = meta_path


def run_example(source: str, server: Server) -> str:
    """Run an example as ``__main__``, as ``python example.py`` would; what it printed."""
    code = compile(source.replace("ws://localhost:8765", server.url("/echo")), "hello", "exec")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {"__name__": "__main__"})
    return printed.getvalue()


@scenario("not:patch")
async def patch_websockets_does_nothing_outside_pyodide(server: Server) -> None:
    before = sys.modules.get("websockets")
    assert pyws.patch_websockets() is False
    assert pyws.patch_websockets() is False
    assert sys.modules.get("websockets") is before


@scenario("patch")
async def websockets_imports_resolve_to_pyws(server: Server) -> None:
    with patched():
        assert pyws.patch_websockets() is True  # a second call changes nothing
        import websockets
        import websockets.asyncio.client
        import websockets.client
        import websockets.exceptions
        import websockets.protocol
        import websockets.sync.client

        from pyws.compat import websockets as patch

        assert websockets.connect is websockets.asyncio.client.connect is patch.connect
        assert websockets.client.connect is patch.connect
        assert websockets.sync.client.connect is patch.sync_connect
        assert websockets.protocol.State is websockets.State is pyws.State
        assert websockets.__version__.endswith(f"+pyws.{pyws.__version__}")
        for name, ours in (
            ("WebSocketException", pyws.WebSocketError),
            ("ConnectionClosed", pyws.ConnectionClosed),
            ("ConnectionClosedOK", pyws.ConnectionClosedOK),
            ("ConnectionClosedError", pyws.ConnectionClosedError),
            ("InvalidURI", pyws.InvalidURI),
            ("InvalidHandshake", pyws.InvalidHandshake),
        ):
            assert getattr(websockets.exceptions, name) is getattr(websockets, name) is ours
        assert issubclass(websockets.exceptions.InvalidStatus, pyws.InvalidHandshake)
        with raises(ModuleNotFoundError, match="client API"):
            import websockets.server
    assert not getattr(sys.modules.get("websockets"), "__pyws__", False)  # put back


@scenario("patch")
async def websockets_exceptions_carry_what_websockets_code_reads(server: Server) -> None:
    with patched():
        from websockets.asyncio.client import connect
        from websockets.exceptions import (
            ConnectionClosed,
            ConnectionClosedError,
            ConnectionClosedOK,
            InvalidHandshake,
            InvalidURI,
            WebSocketException,
        )

        async with connect(server.url("/close?code=4000&reason=bye")) as ws:
            with raises(ConnectionClosedError) as caught:
                await ws.recv()
        error = caught.value
        assert isinstance(error, ConnectionClosed) and isinstance(error, WebSocketException)
        assert error.rcvd is not None and (error.rcvd.code, error.rcvd.reason) == (4000, "bye")
        assert (error.code, error.reason) == (4000, "bye")
        assert (ws.close_code, ws.close_reason) == (4000, "bye")
        assert ws.close_exc.rcvd == error.rcvd
        async with connect(server.url("/close?code=1000")) as ws:
            with raises(ConnectionClosedOK):
                await ws.recv()
        # One echo first: a drop right after the handshake races the open event (Firefox
        # then fails the handshake).
        async with connect(server.url("/drop?after=1")) as ws:
            await ws.send("one")
            assert await ws.recv() == "one"
            with raises(ConnectionClosedError) as caught:
                await ws.recv()
        assert isinstance(caught.value, ConnectionClosed) and caught.value.rcvd is None
        with raises(InvalidHandshake):
            await connect(server.url("/reject?status=403"))
        with raises(InvalidURI):
            await connect("ws://exa mple.com/")


@scenario("patch")
async def websockets_patch_covers_what_the_review_found(server: Server) -> None:
    # Issue 21, items 4 and 10: send() sent garbage where websockets raises TypeError;
    # Headers was no mapping; ConnectionClosed did not take websockets' arguments; some
    # exception names and frames.Opcode could not be imported.
    with patched():
        from websockets.asyncio.client import connect
        from websockets.datastructures import Headers
        from websockets.exceptions import (
            ConnectionClosed,
            ConnectionClosedOK,
            InvalidHandshake,
            InvalidHeader,
            InvalidHeaderValue,
            InvalidOrigin,
            InvalidProxyMessage,
            InvalidProxyStatus,
            ProxyError,
        )
        from websockets.frames import Close, Opcode

        async with connect(server.url("/echo")) as ws:
            with raises(TypeError, "data is a dict-like object"):
                await ws.send({"type": "subscribe", "id": 1})  # type: ignore[arg-type]
            with raises(TypeError, "data must be str, bytes, iterable, or async iterable"):
                await ws.send(5, text=True)  # type: ignore[arg-type]
            await ws.send("next")
            assert await ws.recv() == "next"  # nothing was sent before it
        headers = Headers([("Set-Cookie", "a"), ("set-cookie", "b"), ("Host", "h")])
        assert len(headers) == 2 and dict(Headers(Host="h")) == {"host": "h"}
        headers["X"] = "1"
        assert headers.get_all("x") == ["1"] and ("x", "1") in headers.items()
        with raises(InvalidHeaderValue):
            headers["Y"] = "a\nb"
        assert ConnectionClosedOK(None, None).rcvd is None
        closed = ConnectionClosed(Close(1000, ""), None)
        assert closed.rcvd is not None and closed.rcvd.code == 1000 and closed.sent is None
        for name in (
            "InvalidStatusCode",
            "ProxyError",
            "InvalidProxyMessage",
            "InvalidProxyStatus",
            "InvalidHeaderValue",
            "InvalidOrigin",
        ):
            assert issubclass(getattr(sys.modules["websockets.exceptions"], name), Exception)
        assert issubclass(InvalidProxyMessage, ProxyError) and issubclass(
            InvalidProxyStatus, ProxyError
        )
        assert issubclass(InvalidOrigin, InvalidHeader) and issubclass(
            InvalidHeader, InvalidHandshake
        )
        assert Opcode.TEXT == 1 and Opcode.BINARY == 2


@scenario("patch")
async def websockets_connection_members_say_what_a_browser_allows(server: Server) -> None:
    with patched():
        import websockets
        from websockets.asyncio.client import ClientConnection, connect

        async with connect(server.url("/echo"), subprotocols=["v1.echo"]) as ws:
            assert isinstance(ws, ClientConnection)
            assert ws.state is websockets.protocol.State.OPEN
            assert ws.subprotocol == "v1.echo"
            assert ws.response is not None and ws.response.status_code == 101
            assert ws.response.headers["Sec-WebSocket-Protocol"] == "v1.echo"
            assert dict(ws.response.headers.raw_items())["Sec-WebSocket-Protocol"] == "v1.echo"
            assert ws.request is not None and ws.request.path == "/echo"
            assert (ws.local_address, ws.remote_address, ws.latency) == (None, None, 0.0)
            assert len(str(ws.id)) == 36
            for call in (ws.ping, ws.pong):
                with raises(NotImplementedError, match="cannot send WebSocket"):
                    call()
            await ws.send(["frag", "ments"])  # a fragmented message goes as one
            assert await ws.recv() == "fragments"
            await ws.send(b"as text", text=True)
            assert await ws.recv() == "as text"
            await ws.send("as binary", text=False)
            assert [m async for m in ws.recv_streaming()] == [b"as binary"]
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                await ws.close(1001, "going away")
            assert "a page may send only 1000" in str(caught[0].message), caught
            assert (ws.close_code, ws.close_reason) == (1000, "going away")


@scenario("patch")
async def websockets_options_a_browser_cannot_honour_warn(server: Server) -> None:
    with patched():
        from websockets.asyncio.client import connect

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # The values code passes when it asks for nothing special: no warning.
            quiet = connect(server.url("/echo"), ssl=None, additional_headers={}, max_size=None)
            loud = connect(server.url("/echo"), max_size=2**20, ping_interval=5)
        assert [str(w.message).split(":")[0] for w in caught] == [
            "websockets.connect() over pyws ignores max_size=1048576",
            "websockets.connect() over pyws ignores ping_interval=5",
        ], [str(w.message) for w in caught]
        for opening in (quiet, loud):
            async with opening as ws:
                await ws.send("x")
                assert await ws.recv() == "x"


@scenario("patch")
async def websockets_async_for_reconnects(server: Server) -> None:
    with patched():
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        connections = 0
        async for ws in connect(server.url("/drop?after=1")):
            connections += 1
            await ws.send("x")
            assert await ws.recv() == "x"
            if connections == 2:
                break
            try:
                await ws.recv()
            except ConnectionClosed:
                continue
        assert connections == 2


@scenario("patch", "jspi")
async def websockets_hello_examples_run_unchanged(server: Server) -> None:
    await blocking(lambda: None)  # yield to the loop first: see blocking()
    with patched():
        assert run_example(ASYNCIO_HELLO, server) == "Hello world!\n"
        assert run_example(SYNC_HELLO, server) == "Hello world!\n"


@scenario("patch", "sync")
async def websockets_sync_hello_example_runs_unchanged(server: Server) -> None:
    """The threading example, wherever pyws.sync blocks: also through the relay (WebKit's
    worker), where the asyncio one cannot run (Pyodide's asyncio.run needs JSPI)."""
    await blocking(lambda: None)  # yield to the loop first: see blocking()
    with patched():
        assert run_example(SYNC_HELLO, server) == "Hello world!\n"


async def load_gql() -> None:
    """gql and its dependencies, from the local Pyodide distribution."""
    try:
        import gql  # noqa: F401
    except ImportError:
        import pyodide_js

        await pyodide_js.loadPackage("gql", messageCallback=lambda _: None)


@scenario("patch", "ssl")
async def gql_websockets_transport_runs_unchanged(server: Server) -> None:
    await load_gql()
    with patched():
        from gql import Client, gql
        from gql.transport.exceptions import TransportQueryError
        from gql.transport.websockets import WebsocketsTransport

        transport = WebsocketsTransport(url=server.url("/graphql"))
        async with Client(transport=transport) as session:
            result: Any = await session.execute(gql('query { hello(name: "pyws") }'))
            assert result == {"hello": "Hello pyws!"}, result
            counted = [
                r["count"] async for r in session.subscribe(gql("subscription { count(to: 5) }"))
            ]
            assert counted == [1, 2, 3, 4, 5], counted
            # Leaving a subscription early sends "complete"; the session stays usable.
            slow = gql("subscription { count(to: 1000, delay: 0.01) }")
            async for r in session.subscribe(slow):
                if r["count"] == 3:
                    break
            with raises(TransportQueryError):
                await session.execute(gql("query { nope }"))
            result = await session.execute(gql("query { hello }"))
            assert result == {"hello": "Hello world!"}, result
        assert transport.adapter.websocket is None  # closed by the client
