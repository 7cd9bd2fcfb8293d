"""Scenarios: code written for aiohttp's WebSocket client, and python-socketio's
``AsyncClient`` (its engine.io client opens its WebSocket with aiohttp), run unchanged.

In Pyodide they run over ``pyws.patch_aiohttp()``; in CPython over the real aiohttp,
unpatched (``patch_aiohttp()`` returns False there), as the proof that they test aiohttp's
semantics and not pyws's. Only the scenarios marked ``patch`` are about the patch itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import warnings
from collections.abc import Callable
from typing import Any

import pyws

from . import environment
from .check import raises
from .suite import Server, scenario

PACKAGES = ["aiohttp", "python-socketio"]
"""What the scenarios load from the local Pyodide distribution (with their dependencies)."""
GUARD = 60.0
"""Hang guard for waiting on a Socket.IO event; never a timing assertion."""


async def aiohttp_ready() -> None:
    """aiohttp (and python-socketio) importable, and ``ws_connect`` working: in Pyodide
    loaded from the distribution and patched; in CPython the real ones, untouched."""
    if environment.IN_PYODIDE:
        import pyodide_js

        await pyodide_js.loadPackage(PACKAGES, messageCallback=lambda _: None)
        assert pyws.patch_aiohttp() is True
    else:
        assert pyws.patch_aiohttp() is False


# -- aiohttp's ClientWebSocketResponse ---------------------------------------------------


@scenario()
async def aiohttp_patch_replaces_ws_connect_only(server: Server) -> None:
    if environment.IN_PYODIDE:
        import pyodide_js

        await pyodide_js.loadPackage(PACKAGES, messageCallback=lambda _: None)
    import aiohttp

    before = dict(vars(aiohttp.ClientSession))
    if environment.IN_PYODIDE:
        from pyws.compat import aiohttp as compat

        assert pyws.patch_aiohttp() is True
        assert pyws.patch_aiohttp() is True  # a second call changes nothing more
        changed = [n for n, v in vars(aiohttp.ClientSession).items() if before.get(n) is not v]
        # [] when patched before; _request keeps allow_redirects for fetch (aiohttp_http).
        assert sorted(changed) in ([], ["_request", "_ws_connect"]), changed
        assert aiohttp.ClientSession._ws_connect is compat._ws_connect
        original = compat.ORIGINAL["_ws_connect"]
        assert original is not compat._ws_connect
        # aiohttp's own ws_connect: its upgrade request now goes over fetch, which drops
        # the Upgrade and Sec-WebSocket-* headers (warning), so it fails.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            async with aiohttp.ClientSession() as session:
                with raises(aiohttp.ClientError):
                    await original(session, server.url("/echo"))
    else:
        assert pyws.patch_aiohttp() is False
        assert pyws.patch_aiohttp() is False
        assert dict(vars(aiohttp.ClientSession)) == before
    # The public methods stay aiohttp's own (their signature checks too).
    assert vars(aiohttp.ClientSession)["ws_connect"] is before["ws_connect"]
    assert vars(aiohttp.ClientSession)["get"] is before["get"]


@scenario()
async def aiohttp_messages_come_as_aiohttp_messages(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp
    from aiohttp import WSMessage, WSMsgType

    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(server.url("/echo"), protocols=["v1.echo"]) as ws,
    ):
        assert isinstance(ws, aiohttp.ClientWebSocketResponse)
        assert ws.protocol == "v1.echo"
        assert (ws.closed, ws.close_code, ws.exception()) == (False, None, None)
        assert ws.get_extra_info("no such thing", "default") == "default"
        # What libraries read beyond the documented API: the handshake's response.
        assert ws._response.status == 101
        assert ws._response.headers.get("Sec-WebSocket-Protocol") == "v1.echo"
        assert ws._response.headers.get("Upgrade", "").lower() == "websocket"
        await ws.send_str("text")
        msg = await ws.receive()
        assert isinstance(msg, WSMessage) and msg.type is WSMsgType.TEXT, msg
        assert msg.data == "text"
        await ws.send_bytes(b"\x00\x01\xff")
        msg = await ws.receive()
        assert (msg.type, msg.data) == (WSMsgType.BINARY, b"\x00\x01\xff"), msg
        await ws.send_bytes(bytearray(b"ba"))
        assert await ws.receive_bytes() == b"ba"
        await ws.send_json({"a": [1, 2]})
        assert await ws.receive_json() == {"a": [1, 2]}
        await ws.send_str("once more")
        assert await ws.receive_str() == "once more"
        await ws.send_str('{"json": true}')
        assert (await ws.receive()).json() == {"json": True}
        with raises(TypeError):
            await ws.send_str(b"not str")  # type: ignore[arg-type]
        with raises(TypeError):
            await ws.send_bytes("not bytes")  # type: ignore[arg-type]
        await ws.send_bytes(b"binary")
        with raises(aiohttp.WSMessageTypeError):
            await ws.receive_str()
    assert ws.closed and ws.close_code == 1000


@scenario()
async def aiohttp_async_for_ends_on_close(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp
    from aiohttp import WSMsgType

    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(server.url("/push?count=5&size=8&type=binary"))
        got = [msg async for msg in ws]
        assert [(m.type, len(m.data)) for m in got] == [(WSMsgType.BINARY, 8)] * 5, got
        assert [m.data.split()[0] for m in got] == [b"0", b"1", b"2", b"3", b"4"], got
        assert (ws.closed, ws.close_code) == (True, 1000)
        assert (await ws.receive()).type is WSMsgType.CLOSED
        assert await ws.close() is False


@scenario()
async def aiohttp_server_close_gives_close_then_closed(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp
    from aiohttp import WSMsgType

    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(server.url("/close?code=4000&reason=bye"))
        msg = await ws.receive()
        assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 4000, "bye"), msg
        assert (ws.closed, ws.close_code) == (True, 4000)  # autoclose answered it
        assert (await ws.receive()).type is WSMsgType.CLOSED
        with raises(aiohttp.ClientConnectionError):
            await ws.send_str("too late")

        url = server.url("/close?code=4001&reason=later")
        ws = await session.ws_connect(url, autoclose=False)
        msg = await ws.receive()
        assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 4001, "later"), msg
        assert (ws.closed, ws.close_code) == (False, 4001)  # it is up to the client now
        assert (await ws.receive()).type is WSMsgType.CLOSED
        assert (ws.closed, ws.close_code) == (True, 4001)


@scenario()
async def aiohttp_close_wakes_a_waiting_receive(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp
    from aiohttp import WSMsgType

    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(server.url("/echo"))
        waiting = asyncio.create_task(ws.receive())
        await asyncio.sleep(0)  # let it start waiting
        assert await ws.close(code=4002, message=b"done") is True
        msg = await waiting
        assert msg.type is WSMsgType.CLOSING, msg
        assert (ws.closed, ws.close_code) == (True, 4002)  # /echo answers with the same code
        assert await ws.close() is False  # a second call
        assert (await ws.receive()).type is WSMsgType.CLOSED
        with raises(RuntimeError, match="Concurrent call to receive"):
            ws2 = await session.ws_connect(server.url("/echo"))
            first = asyncio.create_task(ws2.receive())
            await asyncio.sleep(0)
            try:
                await ws2.receive()
            finally:
                await ws2.close()
                await first


@scenario()
async def aiohttp_connection_lost_is_closed_1006(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp
    from aiohttp import WSMsgType

    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(server.url("/drop?after=1"))
        await ws.send_str("one")
        assert await ws.receive_str() == "one"
        msg = await ws.receive()
        assert msg.type is WSMsgType.CLOSED, msg
        assert (ws.closed, ws.close_code) == (True, 1006)
        assert isinstance(ws.exception(), aiohttp.ClientConnectionError), ws.exception()


@scenario()
async def aiohttp_receive_timeouts_keep_the_connection(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(server.url("/echo"))
        with raises(asyncio.TimeoutError):
            await ws.receive(timeout=0.05)  # /echo sends nothing unasked
        assert ws.closed is False
        assert ws.close_code == 1006  # aiohttp marks a timed-out receive so; still open
        await ws.send_str("still there")
        assert await ws.receive_str() == "still there"
        await ws.close()

        timeout = aiohttp.ClientWSTimeout(ws_receive=0.05, ws_close=5.0)
        ws = await session.ws_connect(server.url("/echo"), timeout=timeout)
        with raises(asyncio.TimeoutError):
            await ws.receive()
        with raises(asyncio.TimeoutError):
            await ws.receive_str(timeout=0.05)
        await ws.send_str("late")
        assert await ws.receive_str() == "late"
        await ws.close()


ROUND_TRIPS = 1000
WAITS = (0.0005, 0.001, 0.0015, 0.002)
"""Read timeouts near a loopback round trip, so that some run out as the echo arrives.
Never 0: a retry must wait on a timer, or Pyodide's loop never lets the message event in."""
CANCEL_MARGIN = 0.001
"""Added to the timeouts of reads cancelled by a timer, as ``wait_for`` cancels them."""
PROBE_EVERY = 50
"""Timeouts in a row after which one more probe follows (a probe can be lost too)."""


@scenario()
async def aiohttp_timeouts_and_cancels_lose_no_message(server: Server) -> None:
    """Issue 25 defect 1: engine.io reads with ``wait_for(ws.receive(), ...)``; a read that
    times out or is cancelled as the message arrives must leave it for the next read.

    Half the reads are cancelled by a timer, as ``wait_for`` cancels them; not through
    ``wait_for`` itself: in Pyodide its ``asyncio.timeout`` raises "Can't schedule in the
    past" when the clock passes the deadline between its two readings of it (seen in
    Node with a 2.5 ms timeout, on 5f7ec8f's code and pyws alike).

    Each echo is awaited, retrying after each timeout; after a first timeout a probe follows
    it (and another every :data:`PROBE_EVERY`), and /echo keeps the order: a probe's echo
    coming first means the echo was lost.
    """
    await aiohttp_ready()
    import aiohttp

    loop = asyncio.get_running_loop()
    lost = timeouts = 0
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(server.url("/echo")) as ws,
    ):
        for i in range(ROUND_TRIPS):
            await ws.send_str(f"m{i}")
            misses = 0
            while True:
                wait = WAITS[i % len(WAITS)]
                try:
                    if i % 2:  # cancelled by a timer, as by wait_for; or its own timeout
                        read = asyncio.ensure_future(ws.receive())
                        timer = loop.call_later(wait + CANCEL_MARGIN, read.cancel)
                        try:
                            msg = await read
                        except asyncio.CancelledError:
                            if not read.cancelled():
                                raise  # this scenario is cancelled
                            raise TimeoutError from None
                        finally:
                            timer.cancel()
                    else:
                        msg = await ws.receive(timeout=wait)
                except TimeoutError:
                    if misses % PROBE_EVERY == 0:
                        await ws.send_str(f"p{i}.{misses}")
                    misses += 1
                    timeouts += 1
                    continue
                assert msg.type is aiohttp.WSMsgType.TEXT, msg
                if msg.data == f"m{i}":
                    break
                assert msg.data.startswith("p"), (i, msg)
                if msg.data.split(".")[0] == f"p{i}":
                    lost += 1
                    break
                # else: the probe of an earlier echo, which came first
    assert lost == 0, f"{lost} of {ROUND_TRIPS} echoes lost ({timeouts} reads timed out)"


@scenario()
async def reads_ended_by_close_leave_nothing_unretrieved(server: Server) -> None:
    """Issue 25 item 19: a read awaited through ``wait_for`` while ``close()`` runs, in
    pyws and over aiohttp (the patch in Pyodide), leaves no exception for the loop to
    report. (The report the issue saw is Pyodide's loop's, for the caller's own task ended
    before it was awaited: docs/reliability.md.)"""
    await aiohttp_ready()
    import aiohttp

    loop = asyncio.get_running_loop()
    reported: list[object] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reported.append(context.get("exception")))
    try:
        async with aiohttp.ClientSession() as session:
            for wait in (5.0, 0.001):
                ws = await pyws.connect(server.url("/echo"))
                closer = asyncio.ensure_future(ws.close())
                with contextlib.suppress(pyws.ConnectionClosedOK, TimeoutError):
                    await asyncio.wait_for(ws.recv(), wait)
                await closer
                ws = await pyws.connect(server.url("/echo"))
                await asyncio.gather(
                    asyncio.wait_for(ws.recv(), wait), ws.close(), return_exceptions=True
                )
                response = await session.ws_connect(server.url("/echo"))
                await asyncio.gather(
                    asyncio.wait_for(response.receive(), wait),
                    response.close(),
                    return_exceptions=True,
                )
        for _ in range(3):
            await asyncio.sleep(0.01)
            gc.collect()  # a task never retrieved reports when it is freed
    finally:
        loop.set_exception_handler(previous)
    assert reported == [], reported


@scenario("patch")
async def aiohttp_close_refused_changes_nothing(server: Server) -> None:
    """Issue 25 defect 5: a code or reason a page may not send raised, yet left ``closed``
    True with the socket open for good. Now it raises before changing anything."""
    await aiohttp_ready()
    import aiohttp

    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(server.url("/echo"))
        for code, message in ((999, b""), (5000, b""), (1000, b"x" * 124), (1000, b"\xff")):
            with raises(ValueError):
                await ws.close(code=code, message=message)
            assert (ws.closed, ws.close_code, ws.exception()) == (False, None, None), code
            await ws.send_str("still open")
            assert await ws.receive_str() == "still open"
        assert await ws.close(code=4000, message="bye") is True
        assert (ws.closed, ws.close_code) == (True, 4000)


@scenario()
async def aiohttp_close_with_a_code_no_frame_can_hold(server: Server) -> None:
    """Issue 25 defect 5, as aiohttp does: a code outside 0-65535 cannot be packed into a
    close frame; aiohttp's ``close()`` then returns True, closed, with ``close_code`` 1006
    and the packing error as ``exception()``, and cuts the connection."""
    await aiohttp_ready()
    import struct

    import aiohttp
    from aiohttp import WSMsgType

    async with aiohttp.ClientSession() as session:
        for code in (70000, -1):
            ws = await session.ws_connect(server.url("/echo"))
            assert await ws.close(code=code) is True
            assert (ws.closed, ws.close_code) == (True, 1006), (code, ws.close_code)
            assert isinstance(ws.exception(), struct.error), repr(ws.exception())
            assert (await ws.receive()).type is WSMsgType.CLOSED
            assert await ws.close() is False


@scenario()
async def aiohttp_session_close_closes_its_websockets(server: Server) -> None:
    """Issue 25 defect 6: ``ClientSession.close()`` left a patched WebSocket open and its
    pending ``receive()`` waiting for ever. In aiohttp, closing the session (its connector)
    cuts its connections: a pending ``receive()`` returns CLOSED, ``close_code`` 1006."""
    await aiohttp_ready()
    import aiohttp
    from aiohttp import WSMsgType

    session = aiohttp.ClientSession()
    ws = await session.ws_connect(server.url("/echo"))
    idle = await session.ws_connect(server.url("/echo"))
    waiting = asyncio.ensure_future(ws.receive())
    await asyncio.sleep(0)
    await session.close()
    async with asyncio.timeout(GUARD):  # a hang guard: it waited for ever
        msg = await waiting
    assert msg.type is WSMsgType.CLOSED, msg
    assert (ws.closed, ws.close_code) == (True, 1006)
    assert isinstance(ws.exception(), aiohttp.ClientConnectionError), repr(ws.exception())
    with raises(aiohttp.ClientConnectionError):
        await ws.send_str("too late")
    assert await ws.close() is False
    async with asyncio.timeout(GUARD):
        msg = await idle.receive()
    assert msg.type is WSMsgType.CLOSED, msg
    assert (idle.closed, idle.close_code) == (True, 1006)


TIMED_RECEIVES = 200


@scenario("patch")
async def aiohttp_receive_timeouts_leave_no_timer(server: Server) -> None:
    """Issue 25 defect 7: each ``receive(timeout=...)`` left a timer (and its JS proxy)
    alive until the timeout ran out, as Pyodide's loop cannot cancel one; now pyws's own
    cancellable timers bound the read."""
    await aiohttp_ready()
    import aiohttp

    def timers() -> int:
        """Cancelled timer handles still alive: Pyodide's loop keeps one (an
        ``asyncio.Handle``, its ``setTimeout`` holding it) until its time comes."""
        gc.collect()
        return sum(isinstance(o, asyncio.Handle) and o.cancelled() for o in gc.get_objects())

    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(server.url("/echo"))
        before = timers(), environment.live_proxies()
        for i in range(TIMED_RECEIVES):
            await ws.send_str(f"m{i}")
            assert await ws.receive_str(timeout=600) == f"m{i}"
        after = timers(), environment.live_proxies()
        await ws.close()
    # One left per receive would be 200; the loop's own few come and go.
    assert after[0] - before[0] < TIMED_RECEIVES // 10, (before, after)
    assert after[1] == before[1], (before, after)


@scenario()
async def aiohttp_timeouts_raise_what_aiohttp_raises(server: Server) -> None:
    """Issue 25 defect 12: a session's ``ClientTimeout(total=...)`` running out in
    ``ws_connect`` raises plain ``TimeoutError`` (not ``ConnectionTimeoutError``), and a
    ``close()`` that ``ws_close`` ends leaves ``TimeoutError()`` as ``exception()``."""
    await aiohttp_ready()
    import aiohttp

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.2)) as session:
        with raises(TimeoutError) as caught:
            await session.ws_connect(server.url("/slow?delay=5"))
        assert type(caught.value) is TimeoutError, repr(caught.value)
    async with aiohttp.ClientSession() as session:
        timeout = aiohttp.ClientWSTimeout(ws_close=0.2)
        ws = await session.ws_connect(server.url("/silent?after=0"), timeout=timeout)
        assert await ws.close() is True
        assert (ws.closed, ws.close_code) == (True, 1006)
        assert type(ws.exception()) is TimeoutError, repr(ws.exception())


@scenario()
async def aiohttp_failed_handshakes_are_client_errors(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    async with aiohttp.ClientSession() as session:
        with raises(aiohttp.WSServerHandshakeError) as rejected:
            await session.ws_connect(server.url("/reject?status=403"))
        with raises(aiohttp.ClientConnectionError) as refused:
            await session.ws_connect("ws://127.0.0.1:1/echo")
        with raises(aiohttp.ClientError) as bad:
            await session.ws_connect("ws://exa mple.com/")
        for caught in (rejected, refused, bad):
            assert isinstance(caught.value, aiohttp.ClientError), repr(caught.value)
    with raises(RuntimeError, match="Session is closed"):
        await session.ws_connect(server.url("/echo"))


@scenario()
async def aiohttp_ws_connect_arguments(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp
    from aiohttp import WSMsgType

    async with aiohttp.ClientSession(base_url=server.http) as session:
        # base_url, params, decode_text=False
        ws = await session.ws_connect("/push", params={"count": 1, "size": 8}, decode_text=False)
        msg = await ws.receive()
        assert msg.type is WSMsgType.TEXT and isinstance(msg.data, bytes), msg
        await ws.close()
        # max_msg_size: a larger message is an ERROR, and the connection closes with 1009
        ws = await session.ws_connect("/push?count=1&size=2000", max_msg_size=1000)
        msg = await ws.receive()
        assert msg.type is WSMsgType.ERROR, msg
        assert msg.data.code == 1009, msg
        assert ws.close_code == 1009
        assert (await ws.receive()).type is WSMsgType.CLOSED


@scenario("patch")
async def aiohttp_arguments_a_browser_cannot_honour_warn(server: Server) -> None:
    await aiohttp_ready()
    import aiohttp

    async with aiohttp.ClientSession() as session:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # What code passes when it asks nothing special: no warning.
            quiet = await session.ws_connect(
                server.url("/echo"), headers={}, ssl=True, compress=15, autoping=True
            )
            loud = await session.ws_connect(
                server.url("/echo"), heartbeat=5.0, headers={"X-Token": "t"}, autoping=False
            )
        said = [str(w.message) for w in caught if w.category is RuntimeWarning]
        assert [s.split(": a browser")[0] for s in said] == [
            "aiohttp's ws_connect() over pyws ignores autoping=False",
            "aiohttp's ws_connect() over pyws ignores heartbeat=5.0",
            "aiohttp's ws_connect() over pyws ignores headers={'X-Token': 't'}",
        ], said
        assert "pyws.Heartbeat" in said[1]
        for ws in (quiet, loud):
            await ws.send_str("x")
            assert await ws.receive_str() == "x"
            for call in (ws.ping, ws.pong):
                with raises(NotImplementedError, match="cannot send WebSocket"):
                    await call()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                assert await ws.close(code=1001, message=b"going") is True
            assert "a page may send only 1000" in str(caught[0].message)


# -- python-socketio's AsyncClient -------------------------------------------------------


class Events:
    """What a Socket.IO client received, by event name, to be awaited in order."""

    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue[Any]] = {}

    def queue(self, name: str) -> asyncio.Queue[Any]:
        return self._queues.setdefault(name, asyncio.Queue())

    def handler(self, name: str) -> Callable[..., Any]:
        async def handle(*args: Any) -> None:
            self.queue(name).put_nowait(args[0] if len(args) == 1 else args)

        return handle

    async def next(self, name: str) -> Any:
        async with asyncio.timeout(GUARD):
            return await self.queue(name).get()

    def empty(self, name: str) -> bool:
        return self.queue(name).empty()


def socketio_client(**options: Any) -> tuple[Any, Events]:
    """A python-socketio AsyncClient, its events recorded in an :class:`Events`."""
    import socketio

    client = socketio.AsyncClient(**options)
    events = Events()
    for name in ("welcome", "shouted", "said"):
        client.on(name, events.handler(name))
    client.on("connect", lambda: events.queue("connect").put_nowait(True))
    client.on("disconnect", lambda reason: events.queue("disconnect").put_nowait(reason))
    return client, events


@scenario("ssl")
async def socketio_events_acknowledgements_and_binary(server: Server) -> None:
    await aiohttp_ready()
    client, events = socketio_client()

    @client.event
    async def question(data: Any) -> str:
        return f"the client's answer to {data}"

    await client.connect(server.http, auth={"user": "pyws"})
    try:
        assert client.transport() == "websocket"
        welcome = await events.next("welcome")
        assert welcome == {"sid": client.get_sid(), "auth": {"user": "pyws"}}, welcome
        await client.emit("shout", {"n": 1})
        assert await events.next("shouted") == {"n": 1}
        assert await client.call("echo", {"a": [1, "two", None]}) == {"a": [1, "two", None]}
        answer = await client.call("ask", "life")
        assert answer == {"answer": "the client's answer to life"}, answer
        payload = bytes(range(256)) * 40
        assert await client.call("echo", payload) == payload
        nested = {"blob": b"\x00\xff", "list": [b"a", "b"], "n": 3}
        assert await client.call("echo", nested) == nested
        await client.emit("shout", b"binary both ways")
        assert await events.next("shouted") == b"binary both ways"
    finally:
        await client.disconnect()
    assert client.connected is False


@scenario("ssl")
async def socketio_namespaces_and_rooms(server: Server) -> None:
    await aiohttp_ready()
    import socketio

    clients = [socketio_client() for _ in range(3)]
    (a, a_events), (b, b_events), (c, c_events) = clients
    try:
        await a.connect(server.http, namespaces=["/", "/chat"])
        assert await a.call("echo", "x", namespace="/chat") == {"namespace": "/chat", "data": "x"}
        assert await a.call("echo", "x") == "x"
        for client, _ in clients[1:]:
            await client.connect(server.http)
        sids = [client.get_sid() for client, _ in clients]
        assert await a.call("join", "room1") == sorted([sids[0], "room1"])
        assert await b.call("join", "room1") == sorted([sids[1], "room1"])
        assert await c.call("join", "room2") == sorted([sids[2], "room2"])
        assert await a.call("say", {"room": "room1", "text": "hello room1"}) is True
        said = {"from": sids[0], "text": "hello room1"}
        assert await a_events.next("said") == said
        assert await b_events.next("said") == said
        # c is in room2 only: what it hears next is room2's message, not room1's.
        assert await c.call("say", {"room": "room2", "text": "hello room2"}) is True
        assert await c_events.next("said") == {"from": sids[2], "text": "hello room2"}
        assert a_events.empty("said") and b_events.empty("said")
        assert await b.call("leave", "room1") == [sids[1]]
        assert await a.call("say", {"room": "room1", "text": "again"}) is True
        assert await a_events.next("said") == {"from": sids[0], "text": "again"}
        assert await b.call("echo", "b after") == "b after"  # b's events are in order
        assert b_events.empty("said")
    finally:
        for client, _ in clients:
            await client.disconnect()

    private, _ = socketio_client()
    with raises(socketio.exceptions.ConnectionError):
        await private.connect(server.http, namespaces=["/private"])
    await private.connect(server.http, namespaces=["/private"], auth={"token": "letmein"})
    try:
        assert await private.call("echo", "in", namespace="/private") == "in"
    finally:
        await private.disconnect()


@scenario("ssl")
async def socketio_server_side_disconnect(server: Server) -> None:
    await aiohttp_ready()
    client, events = socketio_client()
    await client.connect(server.http)
    assert await events.next("connect") is True
    await client.emit("kick")
    reason = await events.next("disconnect")
    assert reason == client.reason.SERVER_DISCONNECT, reason
    async with asyncio.timeout(GUARD):
        await client.wait()  # returns: a client does not reconnect after a server disconnect
    assert client.connected is False


@scenario("ssl")
async def socketio_client_reconnects_after_the_server_restarts(server: Server) -> None:
    await aiohttp_ready()
    client, events = socketio_client(reconnection_delay=0.2, reconnection_delay_max=1.0)
    await client.connect(server.http)
    try:
        assert await events.next("connect") is True
        first = client.get_sid()
        assert await client.call("echo", "before") == "before"
        server.restart()  # SIGKILL, then a new server on the same port
        reason = await events.next("disconnect")
        assert reason == client.reason.TRANSPORT_ERROR, reason
        assert await events.next("connect") is True  # the client's own reconnection
        assert client.get_sid() != first
        assert await client.call("echo", "after") == "after"
        welcome = await events.next("welcome")  # the first connection's, then the second's
        assert welcome["sid"] == first
        assert (await events.next("welcome"))["sid"] == client.get_sid()
    finally:
        await client.disconnect()
