"""Scenarios: pyws.sync, the blocking API. In Pyodide the calls block through JSPI (they
run inside the scenario's task, where run_sync can suspend); in CPython they run in a
thread, as a blocking program would, while this coroutine waits for it."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Callable

import pyws
import pyws.sync

from . import environment
from .check import raises
from .suite import Server, scenario


async def blocking[T](function: Callable[[], T]) -> T:
    """Run blocking code: right here where JSPI suspends it, else in a thread."""
    if environment.IN_PYODIDE:
        # A task that pyws's fast wake-up resumed inside a message handler (the previous
        # scenario's last recv()) runs on that handler's synchronous stack, which JSPI
        # cannot suspend, until it next yields to the loop: yield first.
        await asyncio.sleep(0)
        return function()
    return await asyncio.to_thread(function)


@scenario("sync")
async def sync_round_trips(server: Server) -> None:
    def run() -> None:
        with pyws.sync.connect(server.url("/echo"), subprotocols=["v1.echo"]) as ws:
            assert (ws.state, ws.subprotocol) == (pyws.State.OPEN, "v1.echo")
            assert ws.url == server.url("/echo"), ws.url
            assert isinstance(ws.extensions, str) and ws.buffered_amount >= 0
            for size in (0, 1, 125, 65536, 2**20):
                data = bytes(range(256)) * (size // 256) + bytes(size % 256)
                ws.send(data)
                assert hashlib.sha256(ws.recv()).digest() == hashlib.sha256(data).digest()
            ws.send("é")
            assert ws.recv() == "é"
            ws.send("text")
            assert ws.recv(decode=False) == b"text"
            ws.send("é".encode())
            assert ws.recv(decode=True) == "é"
            ws.drain()
            assert ws.close_code is None
        assert (ws.state, ws.close_code, ws.close_reason, ws.was_clean) == (
            pyws.State.CLOSED,
            1000,
            "",
            True,
        )
        assert repr(ws).startswith("<pyws.sync.WebSocket ")

    await blocking(run)


@scenario("sync")
async def sync_recv_timeout_loses_nothing(server: Server) -> None:
    def run() -> None:
        with pyws.sync.connect(server.url("/echo")) as ws:
            with raises(TimeoutError):
                ws.recv(timeout=0.05)
            with raises(TimeoutError):
                ws.recv(timeout=0)
            ws.send("late")
            ws.send("later")
            assert ws.recv(timeout=10) == "late"
            assert ws.recv(timeout=10) == "later"
            for index in range(20):  # timeouts racing with arrivals lose none either
                ws.send(str(index))
                with_timeout = []
                while not with_timeout:
                    with contextlib.suppress(TimeoutError):
                        with_timeout.append(ws.recv(timeout=0.001))
                assert with_timeout == [str(index)], (index, with_timeout)

    await blocking(run)


@scenario("sync")
async def sync_iteration_ends_on_a_normal_close(server: Server) -> None:
    def run() -> list[pyws.Data]:
        with pyws.sync.connect(server.url("/push?count=5&size=8&type=text")) as ws:
            return list(ws)

    got = await blocking(run)
    assert got == [f"{i} ".ljust(8, "x") for i in range(5)], got


@scenario("sync")
async def sync_iteration_raises_on_an_abnormal_close(server: Server) -> None:
    def run() -> pyws.ConnectionClosed | None:
        with pyws.sync.connect(server.url("/drop?after=1")) as ws:
            ws.send("one")
            with raises(pyws.ConnectionClosedError) as caught:
                assert [*ws] == ["one"]
            return caught.value if isinstance(caught.value, pyws.ConnectionClosed) else None

    closed = await blocking(run)
    assert closed is not None
    assert (closed.code, closed.was_clean, closed.rcvd) == (1006, False, None), closed


@scenario("sync")
async def sync_queued_messages_outlive_the_close(server: Server) -> None:
    def run() -> None:
        ws = pyws.sync.connect(server.url("/push?count=3&size=4&type=binary"))
        ws.wait_closed()
        assert [ws.recv() for _ in range(3)] == [b"0 xx", b"1 xx", b"2 xx"]
        with raises(pyws.ConnectionClosedOK) as caught:
            ws.recv()
        assert isinstance(caught.value, pyws.ConnectionClosed)
        assert caught.value.rcvd == pyws.exceptions.Close(1000, "")
        ws.close()  # idempotent once closed

    await blocking(run)


@scenario("sync")
async def sync_close_follows_the_page_rules(server: Server) -> None:
    def run() -> None:
        with pyws.sync.connect(server.url("/echo")) as ws:
            with raises(ValueError, match="1000 or 3000-4999"):
                ws.close(1001)
            with raises(ValueError, match="123 are allowed"):
                ws.close(3000, "é" * 62)
            ws.close(4000, "done")
            assert (ws.close_code, ws.close_reason) == (4000, "done")
            ws.close()
            with raises(pyws.ConnectionClosedError):  # 4000 is not a normal-close code
                ws.send("x")

    await blocking(run)


@scenario("sync")
async def sync_connect_fails_as_the_async_one(server: Server) -> None:
    def run() -> None:
        with raises(pyws.InvalidURI):
            pyws.sync.connect("ws://exa mple.com/")
        with raises(pyws.InvalidHandshake):
            pyws.sync.connect(server.url("/reject?status=403"))
        with raises(TimeoutError):
            pyws.sync.connect(server.url("/slow?delay=5"), open_timeout=0.2)
        with raises(TypeError, match="unexpected keyword"):
            pyws.sync.connect(server.url("/echo"), no_such_option=1)

    await blocking(run)


@scenario("sync")
async def sync_blobs(server: Server) -> None:
    def run() -> None:
        with pyws.sync.connect(server.url("/echo"), binary_type="blob") as ws:
            ws.send(pyws.Blob(b"blob"))
            blob = ws.recv()
            assert isinstance(blob, pyws.Blob) and blob.size == 4
            ws.send(b"\xff")
            assert ws.recv(decode=False) == b"\xff"
            ws.binary_type = "bytes"
            assert ws.binary_type == "bytes"
            ws.send(b"b")
            assert ws.recv() == b"b"
            if environment.IN_PYODIDE:  # a JS Blob, then text: sent in that order
                import js
                from pyodide.ffi import to_js

                ws.send(js.Blob.new(to_js([js.Uint8Array.new(to_js([1, 2, 3]))])))
                ws.send("after the blob")
                assert ws.recv() == b"\x01\x02\x03"
                assert ws.recv() == "after the blob"

    await blocking(run)


@scenario("js", "jspi", "not:relay")
async def sync_from_a_synchronous_js_callback_says_how_to_call_it(server: Server) -> None:
    from pyodide.code import run_js

    def callback() -> str:
        try:
            pyws.sync.connect(server.url("/echo"))
        except RuntimeError as exc:
            return str(exc)
        return "connected"

    message = str(run_js("(f) => f()")(callback))
    for words in ("entered synchronously", "runPythonAsync", "callPromising", "async"):
        assert words in message, message


@scenario("js", "not:sync")
async def sync_without_jspi_says_why(server: Server) -> None:
    with raises(RuntimeError, match="JavaScript Promise Integration") as caught:
        pyws.sync.connect(server.url("/echo"))
    message = str(caught.value)
    for words in ("Safari from 27", "--experimental-wasm-stack-switching", "the async API"):
        assert words in message, message
    # WebKit's main thread: the relay needs a worker, and says how to set it up.
    for words in ("main thread", "hostRelays(worker)", "Cross-Origin-Embedder-Policy"):
        assert words in message, message
    with raises(RuntimeError) as again:
        pyws.sync.mode()
    assert str(again.value) == message
    assert environment.live_proxies() == 0, "the refused connect left a socket behind"


@scenario("js", "main_thread")
async def sync_relay_on_a_main_thread_says_what_is_missing(server: Server) -> None:
    """The relay forced on a page's main thread (where JSPI exists) is refused, naming the
    main thread and the set-up; the arguments are checked first."""
    pyws.sync.set_mode("relay")
    try:
        with raises(ValueError, match="binary_type"):
            pyws.sync.connect(server.url("/echo"), binary_type="text")  # type: ignore[arg-type]
        with raises(RuntimeError, match="main thread") as caught:
            pyws.sync.connect(server.url("/echo"))
    finally:
        pyws.sync.set_mode("auto")
    message = str(caught.value)
    for words in ("relay", "Web Worker", "hostRelays(worker)", "pyws-relay.mjs", "async API"):
        assert words in message, message
    assert environment.live_proxies() == 0, "the refused connect left a socket behind"


def in_an_unhosted_worker(url: str) -> str:
    """Run in harness/suite_web/unhosted_worker.mjs, whose page hosts no relay: what
    pyws.sync says there (it waits 1 s for the page's answer, not its usual 10)."""
    from pyws._platform import relay

    relay.HELLO_TIMEOUT = 1.0
    try:
        pyws.sync.connect(url, open_timeout=1)
    except RuntimeError as exc:
        return str(exc)
    return "connected"


@scenario("js", "main_thread", "not:jspi")
async def sync_relay_without_a_host_says_how_to_add_it(server: Server) -> None:
    """WebKit: a worker of this (isolated) page, which calls no hostRelays for it, is told
    that no relay host answered and how to add one."""
    import js
    from pyodide.ffi import create_proxy, to_js

    got: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_message(event: object) -> None:
        data = getattr(event, "data", None)
        if isinstance(data, str) and not got.done():  # not pyws's hello, which nobody takes
            got.set_result(data)

    listener = create_proxy(on_message)
    options = to_js({"type": "module"}, dict_converter=js.Object.fromEntries)
    worker = js.Worker.new(js.URL.new("/unhosted_worker.mjs", js.location.href).href, options)
    worker.addEventListener("message", listener)
    try:
        worker.postMessage(server.url("/echo"))
        said = await asyncio.wait_for(got, 150)
    finally:
        worker.terminate()
        listener.destroy()
    for words in ("no relay host answered this worker within 1 s", "hostRelays(worker)",
                  "pyws-relay.mjs", "Cross-Origin-Embedder-Policy"):  # fmt: skip
        assert words in said, said


@scenario("sync")
async def sync_mode_tells_which_way_blocks(server: Server) -> None:
    mode = pyws.sync.mode()
    features = environment.features()
    expected = (
        "thread" if not environment.IN_PYODIDE else "relay" if "relay" in features else "jspi"
    )
    assert mode == expected, (mode, sorted(features))
    with raises(ValueError, match="mode must be one of 'auto', 'relay', not 'tcp'"):
        pyws.sync.set_mode("tcp")  # type: ignore[arg-type]
    assert pyws.sync.mode() == mode


@scenario("relay")
async def sync_through_the_relay_from_a_synchronous_js_callback(server: Server) -> None:
    """The relay blocks on Atomics.wait, so (unlike JSPI) any call stack may block: a
    synchronous JS callback too."""
    from pyodide.code import run_js

    def callback() -> str:
        with pyws.sync.connect(server.url("/echo")) as ws:
            ws.send("from a callback")
            return str(ws.recv(timeout=10))

    assert str(run_js("(f) => f()")(callback)) == "from a callback"


@scenario("sync")
async def sync_bounds_drop_and_count(server: Server) -> None:
    def run() -> None:
        url = server.url("/push?count=64&size=65536&type=binary")
        with pyws.sync.connect(url, max_queue=4, overflow="drop_oldest") as ws:
            ws.wait_closed()  # nobody read while the server pushed all 64
            got = [int(m.split(b" ")[0]) for m in ws]  # type: ignore[union-attr]
            assert got == [60, 61, 62, 63], got
            assert ws.dropped == 60, ws.dropped

    await blocking(run)
