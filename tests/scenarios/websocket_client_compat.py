"""Scenarios: code written for websocket-client (``import websocket``, the synchronous
client) runs unchanged.

In Pyodide it runs over ``pyws.patch_websocket_client()`` (blocking through JSPI); in
CPython over the real websocket-client, unpatched (``patch_websocket_client()`` returns
False there), as the proof that these scenarios test websocket-client's semantics and not
pyws's. Where a browser cannot do what websocket-client does (docs/websocket-client-compat.md),
the scenario says so with ``environment.IN_PYODIDE``; the scenarios marked ``patch`` are
about the patch itself.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
import warnings
from collections.abc import Callable
from typing import Any

import pyws

from . import environment
from .check import raises
from .suite import Server, scenario
from .sync_api import blocking

PACKAGES = ["websocket-client"]
"""What the scenarios load from the local Pyodide distribution."""
GUARD = 60.0
"""Hang guard for waiting on a callback; never a timing assertion."""


async def websocket_client_ready() -> None:
    """websocket-client importable and patched in Pyodide; the real one, untouched, in
    CPython."""
    if environment.IN_PYODIDE:
        import pyodide_js

        await pyodide_js.loadPackage(PACKAGES, messageCallback=lambda _: None)
        assert pyws.patch_websocket_client() is True
    else:
        assert pyws.patch_websocket_client() is False
        import websocket

        assert websocket.WebSocket.__module__ == "websocket._core", websocket.WebSocket


# -- the patch itself --------------------------------------------------------------------


@scenario("patch", "sync")
async def websocket_client_patch_replaces_what_touches_a_socket(server: Server) -> None:
    import pyodide_js

    await pyodide_js.loadPackage(PACKAGES, messageCallback=lambda _: None)
    pyws.unpatch_websocket_client()
    import websocket
    from websocket import _app, _core

    real = (websocket.WebSocket, websocket.WebSocketApp, websocket.create_connection)
    assert real[0].__module__ == "websocket._core"
    # Unpatched, websocket-client cannot reach a server from Pyodide, whose socket
    # emulation has no network: in a browser Pyodide 314 waits out the timeout, 0.29
    # raises "Protocol not available" at once, Node "Host is unreachable".
    with raises((websocket.WebSocketTimeoutException, OSError)):
        websocket.create_connection(server.url("/echo"), timeout=1)
    with pyws.patched_websocket_client() as patched:
        from pyws.compat import websocket_client as compat

        assert patched is True
        assert pyws.patch_websocket_client() is True  # a second call changes nothing
        assert websocket.WebSocket is compat.WebSocket is _core.WebSocket
        assert websocket.WebSocketApp is compat.WebSocketApp is _app.WebSocketApp
        assert websocket.create_connection is _core.create_connection is compat.create_connection
        assert issubclass(compat.WebSocket, real[0])
        assert issubclass(compat.WebSocketApp, real[1])
        # websocket-client's own everything else.
        assert websocket.ABNF.__module__ == "websocket._abnf"
        assert websocket.WebSocketTimeoutException.__module__ == "websocket._exceptions"
    assert (websocket.WebSocket, websocket.WebSocketApp, websocket.create_connection) == real
    assert pyws.unpatch_websocket_client() is False  # nothing left to undo
    assert pyws.patch_websocket_client() is True
    assert pyws.unpatch_websocket_client() is True
    assert pyws.patch_websocket_client() is True  # the other scenarios run patched


@scenario("js", "not:sync")
async def websocket_client_without_jspi_refuses_saying_where_it_works(server: Server) -> None:
    import pyodide_js

    await pyodide_js.loadPackage(PACKAGES, messageCallback=lambda _: None)
    with raises(RuntimeError, match="JavaScript Promise Integration") as caught:
        pyws.patch_websocket_client()
    message = str(caught.value)
    for words in ("Chromium, Firefox and Safari from 27", "--experimental-wasm-stack-switching",
                  "pyws.connect"):  # fmt: skip
        assert words in message, message
    import websocket

    assert websocket.WebSocket.__module__ == "websocket._core"  # nothing was patched


@scenario("patch", "sync")
async def websocket_client_warns_of_what_a_browser_cannot_do(server: Server) -> None:
    await websocket_client_ready()
    import websocket

    def run() -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ws = websocket.create_connection(
                server.url("/echo"),
                timeout=10,
                header={"Authorization": "Bearer x"},
                cookie="a=b",
                sslopt={"cert_reqs": 0},
                http_proxy_host="proxy.example",
                http_proxy_port=3128,
                origin="https://example.com",
            )
            ws.ping("are you there")
            ws.pong()
            ws.send("still works")
            assert ws.recv() == "still works"
            ws.close(status=1001)  # a page sends 1000 in its place
            assert ws.close_frame is not None and ws.close_frame.data[:2] == b"\x03\xe8"
        return [str(w.message) for w in caught if w.category is RuntimeWarning]

    said = await blocking(run)
    for words in ("header=", "cookie=", "sslopt=", "http_proxy_host=", "http_proxy_port=",
                  "origin=", "ping not sent", "pong not sent", "not 1001"):  # fmt: skip
        assert any(words in line for line in said), (words, said)

    def threaded() -> None:
        app = websocket.WebSocketApp(server.url("/echo"))
        with raises(NotImplementedError, match="file descriptor"):
            app.run_forever(dispatcher=object())

    await blocking(threaded)


# -- WebSocket and create_connection ----------------------------------------------------


@scenario("sync")
async def websocket_client_round_trips(server: Server) -> None:
    await websocket_client_ready()
    import websocket
    from websocket import ABNF

    def run() -> None:
        ws = websocket.create_connection(server.url("/echo"), timeout=10, subprotocols=["v1.echo"])
        assert isinstance(ws, websocket.WebSocket)
        assert (ws.connected, ws.subprotocol, ws.getsubprotocol()) == (True, "v1.echo", "v1.echo")
        assert (ws.status, ws.getstatus(), ws.is_ssl(), ws.gettimeout()) == (101, 101, False, 10)
        assert ws.headers is ws.getheaders()
        assert ws.headers["sec-websocket-protocol"] == "v1.echo"
        assert ws.headers["upgrade"].lower() == "websocket"
        # Each send returns the frame's length on the wire (client frames are masked).
        assert ws.send("héllo") == 2 + 4 + 6
        assert ws.recv() == "héllo"
        assert ws.send_text("text") == 10
        assert ws.recv_data() == (ABNF.OPCODE_TEXT, b"text")
        assert ws.send_binary(b"\x00\xff") == 8
        assert ws.recv() == b"\x00\xff"
        assert ws.send_bytes(bytearray(200)) == 2 + 2 + 4 + 200
        opcode, frame = ws.recv_data_frame()
        assert (opcode, frame.fin, frame.opcode, frame.data) == (2, 1, 2, bytes(200))
        assert ws.send(b"raw", ABNF.OPCODE_BINARY) == 9
        assert ws.recv_data(control_frame=True) == (ABNF.OPCODE_BINARY, b"raw")
        assert ws.send("latin", ABNF.OPCODE_BINARY) == 11  # a str sent as binary
        assert ws.recv() == b"latin"
        big = bytes(range(256)) * 4096
        assert ws.send_binary(big) == 2 + 8 + 4 + len(big)
        assert ws.recv() == big
        with raises(ValueError, match="Invalid OPCODE"):
            ws.send("x", opcode=3)
        ws.send("a")
        ws.send("b")
        assert next(ws) == "a" and ws.next() == "b"
        ws.send("c")
        assert next(iter(ws)) == "c"
        # A message sent in fragments leaves when its last fragment does.
        ws.send_frame(ABNF.create_frame("frag", ABNF.OPCODE_TEXT, 0))
        ws.send_frame(ABNF.create_frame("men", ABNF.OPCODE_CONT, 0))
        ws.send_frame(ABNF.create_frame("ted", ABNF.OPCODE_CONT, 1))
        assert ws.recv() == "fragmented"
        ws.close(status=4000, reason="bye")
        assert ws.close_frame is not None
        assert (ws.close_frame.opcode, ws.close_frame.data) == (ABNF.OPCODE_CLOSE, b"\x0f\xa0bye")
        assert (ws.connected, ws.sock, ws.status) == (False, None, 101)
        with raises(websocket.WebSocketConnectionClosedException):
            ws.recv()
        with raises(websocket.WebSocketConnectionClosedException):
            ws.send("too late")
        ws.close()  # nothing once closed
        with raises(websocket.WebSocketException, match="Connection not established"):
            ws.fileno()

    await blocking(run)


@scenario("sync")
async def websocket_client_websocket_connect_and_timeouts(server: Server) -> None:
    await websocket_client_ready()
    import websocket

    def run() -> None:
        ws = websocket.WebSocket()
        assert (ws.connected, ws.status, ws.subprotocol, ws.headers, ws.gettimeout()) == (
            False, None, None, None, None,
        )  # fmt: skip
        ws.connect(server.url("/echo"), timeout=10)
        assert (ws.connected, ws.timeout) == (True, 10)
        ws.settimeout(0.05)
        assert ws.gettimeout() == 0.05
        with raises(websocket.WebSocketTimeoutException):
            ws.recv()
        ws.timeout = 10
        ws.send("late")
        assert ws.recv() == "late"  # the timeout lost nothing
        ws.settimeout(0)
        with raises(BlockingIOError):  # a non-blocking socket with nothing to read
            ws.recv()
        ws.settimeout(10)
        ws.send("after")
        assert ws.recv() == "after"
        ws.close()
        # create_connection's default timeout is getdefaulttimeout()'s.
        assert websocket.getdefaulttimeout() is None
        websocket.setdefaulttimeout(7)
        try:
            ws = websocket.create_connection(server.url("/echo"))
            assert ws.gettimeout() == 7
            ws.close()
        finally:
            websocket.setdefaulttimeout(None)

    await blocking(run)


@scenario("sync")
async def websocket_client_server_close_then_lost(server: Server) -> None:
    await websocket_client_ready()
    import websocket

    def run() -> None:
        ws = websocket.create_connection(server.url("/close?code=4001&reason=bye"), timeout=10)
        assert ws.recv() == ""  # the close frame: recv() gives "" and answers it
        assert ws.connected is False
        with raises(websocket.WebSocketConnectionClosedException, match="lost"):
            ws.recv()
        ws.close()  # nothing: not connected any more

        ws = websocket.create_connection(server.url("/close?code=4002&reason=data"), timeout=10)
        assert ws.recv_data() == (websocket.ABNF.OPCODE_CLOSE, b"\x0f\xa2data")

        ws = websocket.create_connection(server.url("/push?count=3&size=4&type=binary"), timeout=10)
        assert [ws.recv() for _ in range(3)] == [b"0 xx", b"1 xx", b"2 xx"]
        assert ws.recv_data() == (websocket.ABNF.OPCODE_CLOSE, b"\x03\xe8")

        ws = websocket.create_connection(server.url("/drop?after=1"), timeout=10)
        ws.send("one")
        assert ws.recv() == "one"
        with raises(websocket.WebSocketConnectionClosedException, match="lost"):
            ws.recv()
        assert ws.connected is False

    await blocking(run)


@scenario("sync")
async def websocket_client_failed_openings(server: Server) -> None:
    await websocket_client_ready()
    import websocket

    def run() -> None:
        with raises(websocket.WebSocketException) as caught:
            websocket.create_connection(server.url("/reject?status=403"), timeout=10)
        if not environment.IN_PYODIDE:  # a browser hides the status from pages
            assert isinstance(caught.value, websocket.WebSocketBadStatusException)
            assert caught.value.status_code == 403
        else:
            assert "does not tell" in str(caught.value), caught.value
        with raises(ValueError, match="scheme http is invalid"):
            websocket.create_connection(server.http + "/echo", timeout=10)
        # The server chooses none of the subprotocols: websocket-client fails the handshake,
        # and so does the browser (which does not say why).
        with raises(websocket.WebSocketException) as caught:
            websocket.create_connection(server.url("/echo"), timeout=10, subprotocols=["nope"])
        if not environment.IN_PYODIDE:
            assert str(caught.value) == "Invalid WebSocket Header", caught.value
        with raises(websocket.WebSocketTimeoutException):
            websocket.create_connection(server.url("/slow?delay=5"), timeout=0.2)

    await blocking(run)


@scenario("sync")
async def websocket_client_enable_trace_logs_frames(server: Server) -> None:
    await websocket_client_ready()
    import websocket

    def run() -> str:
        out = io.StringIO()
        handler = logging.StreamHandler(out)
        websocket.enableTrace(True, handler)
        try:
            ws = websocket.create_connection(server.url("/echo"), timeout=10)
            ws.send("traced")
            assert ws.recv() == "traced"
            ws.close()
        finally:
            websocket.enableTrace(False)
            logging.getLogger("websocket").removeHandler(handler)
        return out.getvalue()

    log = await blocking(run)
    assert "++Sent decoded: fin=1 opcode=1 data=b'traced'" in log, log
    assert "++Rcv decoded: fin=1 opcode=1 data=b'traced'" in log, log


# -- WebSocketApp ------------------------------------------------------------------------


Events = list[tuple[Any, ...]]


def app_with_events(
    url: str, script: Callable[[Any, Any], None], **options: Any
) -> tuple[Any, Events]:
    """A WebSocketApp whose every callback appends what it got to the events, then calls
    ``script(app, message or "open")``."""
    import websocket

    events: Events = []

    def on_open(app: Any) -> None:
        events.append(("open",))
        script(app, "open")

    def on_message(app: Any, message: Any) -> None:
        events.append(("message", message))
        script(app, message)

    def on_data(app: Any, data: Any, opcode: int, fin: bool) -> None:
        events.append(("data", data, opcode, fin))

    def on_error(app: Any, error: Exception) -> None:
        events.append(("error", type(error).__name__, str(error)))

    def on_close(app: Any, code: int | None, reason: str | None) -> None:
        events.append(("close", code, reason))

    app = websocket.WebSocketApp(
        url, on_open=on_open, on_message=on_message, on_data=on_data, on_error=on_error,
        on_close=on_close, **options,
    )  # fmt: skip
    return app, events


@scenario("sync")
async def websocket_client_app_callbacks_in_order(server: Server) -> None:
    await websocket_client_ready()

    def script(app: Any, message: Any) -> None:
        if message == "open":
            app.send("one")
            app.send_bytes(b"two")
        elif message == b"two":
            app.send_text("three")
        elif message == "three":
            app.close(status=4002, reason="done")  # closing from inside a callback

    def run() -> tuple[bool, Events, Any]:
        app, events = app_with_events(server.url("/echo"), script, subprotocols=["v2.echo"])
        returned = app.run_forever()
        return returned, events, app

    returned, events, app = await blocking(run)
    assert events == [
        ("open",),
        ("data", "one", 1, True),
        ("message", "one"),
        ("data", b"two", 2, True),
        ("message", b"two"),
        ("data", "three", 1, True),
        ("message", "three"),
        ("close", 4002, "done"),
    ], events
    assert (returned, app.keep_running, app.sock) == (False, False, None)
    assert app.last_close_frame.data == b"\x0f\xa2done"


@scenario("sync")
async def websocket_client_app_server_close_error_and_lost(server: Server) -> None:
    await websocket_client_ready()

    def first(app: Any, message: Any) -> None:
        if message == "open" and "drop" in app.url:
            app.send("first")

    def run(url: str) -> tuple[bool, Events]:
        app, events = app_with_events(server.url(url), first)
        return app.run_forever(), events

    closed = "WebSocketConnectionClosedException"
    returned, events = await blocking(lambda: run("/close?code=4003&reason=r"))
    assert (returned, events) == (False, [
        ("open",), ("error", closed, "Connection closed (code 4003): r"), ("close", 4003, "r"),
    ]), events  # fmt: skip
    returned, events = await blocking(lambda: run("/push?count=1&size=4"))
    assert (returned, events) == (False, [
        ("open",), ("data", "0 xx", 1, True), ("message", "0 xx"),
        ("error", closed, "Connection closed normally (code 1000)"), ("close", 1000, None),
    ]), events  # fmt: skip
    # After one echo: Firefox fails a handshake whose socket closes at once (/restart).
    returned, events = await blocking(lambda: run("/drop?after=1"))
    assert (returned, events) == (True, [
        ("open",), ("data", "first", 1, True), ("message", "first"),
        ("error", closed, "Connection to remote host was lost."), ("close", None, None),
    ]), events  # fmt: skip
    returned, events = await blocking(lambda: run("/reject?status=404"))
    assert returned is True, events
    failed = "WebSocketException" if environment.IN_PYODIDE else "WebSocketBadStatusException"
    assert [e[:2] for e in events] == [("error", failed), ("close", None)], events


@scenario("sync")
async def websocket_client_app_errors_in_callbacks_and_reconnect(server: Server) -> None:
    await websocket_client_ready()
    import websocket

    def script(app: Any, message: Any) -> None:
        if message == "open":
            app.send("boom")
        elif message == "boom":
            raise KeyError("from on_message")
        elif message == "last":
            app.close()

    def run() -> tuple[bool, Events]:
        app, events = app_with_events(server.url("/echo"), script)

        def on_error(app: Any, error: Exception) -> None:
            events.append(("error", type(error).__name__, str(error)))
            app.send("last")  # the callback's error reaches on_error; the loop goes on

        app.on_error = on_error
        return app.run_forever(), events

    returned, events = await blocking(run)
    assert returned is False, events
    assert events == [
        ("open",), ("data", "boom", 1, True), ("message", "boom"),
        ("error", "KeyError", "'from on_message'"),
        ("data", "last", 1, True), ("message", "last"), ("close", 1000, None),
    ], events  # fmt: skip

    def reconnecting() -> tuple[bool, Events]:
        def nothing(app: Any, message: Any) -> None:
            pass

        app, events = app_with_events(server.url("/close?code=4004"), nothing)

        def on_reconnect(app: Any) -> None:
            events.append(("reconnect",))
            app.keep_running = False  # stop after this one: its loop checks it first

        app.on_reconnect = on_reconnect
        return app.run_forever(reconnect=1), events

    # With reconnect=, a close frame is no error: after 1 s, on_reconnect (not on_open) on
    # the new connection; then the loop ends, and on_close has no close frame to give.
    returned, events = await blocking(reconnecting)
    assert (returned, events) == (False, [("open",), ("reconnect",), ("close", None, None)]), (
        returned,
        events,
    )
    with raises(websocket.WebSocketException, match="ping_timeout > 0"):
        websocket.WebSocketApp(server.url("/echo")).run_forever(ping_timeout=0)


@scenario("sync", "not:relay")
async def websocket_client_app_in_a_thread_or_a_task(server: Server) -> None:
    """Libraries run ``run_forever`` in a thread. Pyodide cannot start one, and says so at
    once (no hang); what runs there instead is ``run_forever`` in an asyncio task, blocking
    that task (JSPI) while the rest of the program goes on (docs/websocket-client-compat.md).
    Not through the relay: there a blocking call blocks the whole worker, every task."""
    await websocket_client_ready()

    def script(app: Any, message: Any) -> None:
        if message == "open":
            app.send("hello")

    app, events = app_with_events(server.url("/echo"), script)
    if environment.IN_PYODIDE:
        with raises(RuntimeError, match="can't start new thread"):
            threading.Thread(target=app.run_forever, daemon=True).start()

        async def in_a_task() -> bool:
            await asyncio.sleep(0)  # off the stack of whatever resumed this task
            returned: bool = app.run_forever()
            return returned

        running: asyncio.Future[bool] = asyncio.ensure_future(in_a_task())
    else:
        running = asyncio.ensure_future(asyncio.to_thread(app.run_forever))
    async with asyncio.timeout(GUARD):
        while ("message", "hello") not in events:
            await asyncio.sleep(0.01)
    await blocking(lambda: app.send("from outside"))
    async with asyncio.timeout(GUARD):
        while ("message", "from outside") not in events:
            await asyncio.sleep(0.01)
    await blocking(app.close)
    async with asyncio.timeout(GUARD):
        returned = await running
    assert returned is False, events
    assert events[:3] == [("open",), ("data", "hello", 1, True), ("message", "hello")], events
    # on_close once. Its code is 1000 when close() got the server's close frame before the
    # loop saw the end; else None (a race in websocket-client's threads as in the tasks).
    closes = [e for e in events if e[0] == "close"]
    assert closes in ([("close", 1000, None)], [("close", None, None)]), events
