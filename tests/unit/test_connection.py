"""The connection logic in CPython, over a fake browser socket."""

from __future__ import annotations

import array
import asyncio
import warnings
from typing import Any

import pytest

import pyws
from pyws import (
    ConcurrencyError,
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionClosedOK,
    InvalidHandshake,
    State,
    _wakeup,
)
from pyws.bounds import Bounds, check_bounds
from tests.unit.fake import NativeBinary, new_socket, open_socket


async def test_recv_returns_queued_messages_in_order_without_suspending() -> None:
    ws, transport = open_socket()
    for i in range(3):
        transport.events.on_message(f"m{i}")
    # A coroutine that never suspends finishes on its first step.
    coro = ws.recv()
    with pytest.raises(StopIteration) as done:
        coro.send(None)
    assert done.value.value == "m0"
    assert [await ws.recv(), await ws.recv()] == ["m1", "m2"]


async def test_recv_waits_for_the_next_message() -> None:
    ws, transport = open_socket()
    task = asyncio.create_task(ws.recv())
    await asyncio.sleep(0)
    assert not task.done()
    transport.events.on_message(b"\x00")
    assert await task == b"\x00"


async def test_messages_before_close_come_first_then_the_close() -> None:
    ws, transport = open_socket()
    transport.events.on_message("a")
    transport.events.on_message(b"b")
    transport.closed(1011, "boom", True)
    assert await ws.recv() == "a"
    assert await ws.recv() == b"b"
    with pytest.raises(ConnectionClosedError) as info:
        await ws.recv()
    assert (info.value.code, info.value.reason, info.value.was_clean) == (1011, "boom", True)
    assert transport.released


@pytest.mark.parametrize(
    ("code", "clean", "kind"),
    [
        (1000, True, ConnectionClosedOK),
        (1001, True, ConnectionClosedOK),
        (1005, True, ConnectionClosedOK),
        (1000, False, ConnectionClosedError),
        (1006, False, ConnectionClosedError),
        (3000, True, ConnectionClosedError),
    ],
)
def test_close_codes_map_to_ok_or_error(code: int, clean: bool, kind: type) -> None:
    exc = ConnectionClosed.from_close(code, "r", clean)
    assert type(exc) is kind
    assert str(code) in str(exc)


async def test_timeout_loses_no_message() -> None:
    ws, transport = open_socket()
    with pytest.raises(TimeoutError):
        await ws.recv(timeout=0.01)
    with pytest.raises(TimeoutError):
        await ws.recv(timeout=0)
    transport.events.on_message("late")
    assert await ws.recv(timeout=0) == "late"


async def test_cancelled_recv_loses_no_message() -> None:
    ws, transport = open_socket()
    task = asyncio.create_task(ws.recv())
    await asyncio.sleep(0)
    transport.events.on_message("kept")  # arrives, and then the reader is cancelled before it runs
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await ws.recv() == "kept"


async def test_concurrent_recv_raises() -> None:
    ws, transport = open_socket()
    first = asyncio.create_task(ws.recv())
    await asyncio.sleep(0)
    with pytest.raises(ConcurrencyError, match="already running"):
        await ws.recv()
    transport.events.on_message("x")
    assert await first == "x"


async def test_decode() -> None:
    ws, transport = open_socket()
    transport.events.on_message("é")
    transport.events.on_message("é".encode())
    assert await ws.recv(decode=False) == "é".encode()
    assert await ws.recv(decode=True) == "é"


async def test_async_for_ends_on_normal_close_and_raises_on_abnormal() -> None:
    ws, transport = open_socket()
    transport.events.on_message("1")
    transport.closed(1000)
    assert [m async for m in ws] == ["1"]

    ws, transport = open_socket()
    transport.events.on_message("1")
    transport.closed(1006, "", False)
    got = []
    with pytest.raises(ConnectionClosedError):
        async for m in ws:
            got.append(m)
    assert got == ["1"]


async def test_send_types() -> None:
    ws, transport = open_socket()
    await ws.send("t")
    await ws.send(b"b")
    await ws.send(bytearray(b"ba"))
    await ws.send(memoryview(b"xmv")[1:])
    await ws.send(array.array("H", [1, 2]))
    await ws.send(memoryview(b"abcd")[::2])  # not contiguous: copied
    blob, native = pyws.Blob(b"blob", "image/png"), NativeBinary()
    await ws.send(blob)
    await ws.send(native)
    assert transport.sent == [
        "t",
        b"b",
        b"ba",
        b"mv",
        array.array("H", [1, 2]).tobytes(),
        b"ac",
        blob,
        native,
    ]
    for bad in (None, {}, 1, 1.5, ["x"]):
        with pytest.raises(TypeError, match="cannot send"):
            await ws.send(bad)
    with pytest.raises(UnicodeEncodeError):
        await ws.send("lone \udc80 surrogate")
    assert len(transport.sent) == 8


async def test_send_after_close_raises() -> None:
    ws, transport = open_socket()
    transport.close(1000, "")  # closing, no close event yet
    with pytest.raises(ConnectionClosed):
        await ws.send("x")
    transport.closed(1000)
    with pytest.raises(ConnectionClosedOK):
        await ws.send("x")
    assert transport.sent == []


async def test_send_waits_while_over_write_limit_and_timeout_sends_nothing() -> None:
    ws, transport = open_socket(write_limit=100)
    await ws.send(b"x" * 101)  # the network is stuck: it all stays buffered
    assert transport.buffered_amount == 101
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await ws.send("blocked")
    assert transport.sent == [b"x" * 101]
    task = asyncio.create_task(ws.send("later"))
    await asyncio.sleep(0.01)
    assert transport.sent == [b"x" * 101]
    transport.buffered_amount = 100
    await task
    assert transport.sent == [b"x" * 101, "later"]
    drain = asyncio.create_task(ws.drain())
    await asyncio.sleep(0.01)
    assert not drain.done()
    transport.buffered_amount = 0
    await drain


async def test_close_is_validated_idempotent_and_waits_for_the_close_event() -> None:
    ws, transport = open_socket()
    for code in (0, 999, 1001, 1004, 1005, 1006, 1015, 2999, 5000):
        with pytest.raises(ValueError, match=str(code)):
            await ws.close(code)
    with pytest.raises(ValueError, match="124 UTF-8 bytes"):
        await ws.close(1000, "x" * 124)
    closing = asyncio.create_task(ws.close(4000, "bye"))
    await asyncio.sleep(0)
    assert transport.closes == [(4000, "bye")]
    assert ws.state is State.CLOSING
    transport.closed(4000, "bye", True)
    await closing
    await ws.close()
    assert transport.closes == [(4000, "bye")]
    assert (ws.close_code, ws.close_reason, ws.was_clean) == (4000, "bye", True)


async def test_close_timeout_gives_up_with_1006() -> None:
    ws, transport = open_socket(close_timeout=0.01)
    await ws.close()
    assert ws.close_code == 1006
    assert transport.released


async def test_close_before_open_is_an_invalid_handshake() -> None:
    ws, transport = new_socket("ws://127.0.0.1:1/")
    opening = asyncio.create_task(ws._wait_open(5))
    await asyncio.sleep(0)
    transport.closed(1006, "", False)
    with pytest.raises(InvalidHandshake, match=r"ws://127\.0\.0\.1:1/"):
        await opening


async def test_an_error_before_open_carries_its_cause() -> None:
    # CPython's transport passes the exception that failed the connection with "error".
    ws, transport = new_socket("wss://127.0.0.1:1/")
    opening = asyncio.create_task(ws._wait_open(5))
    await asyncio.sleep(0)
    cause = ConnectionRefusedError(111, "Connection refused")
    transport.events.on_error(cause)
    with pytest.raises(InvalidHandshake) as info:
        await opening
    assert info.value.__cause__ is cause
    assert info.value.why == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert str(info.value) == f"could not connect to wss://127.0.0.1:1/: {info.value.why}"


def test_invalid_handshake_without_a_reason_says_so_without_browser_words() -> None:
    # Outside Pyodide there is no browser to blame; its wording is for browsers only.
    error = InvalidHandshake("ws://h/", 1006)
    assert str(error) == "could not connect to ws://h/ (close code 1006); no reason was given"
    assert (error.why, error.__cause__) == (None, None)


async def test_open_timeout_closes_the_browser_socket() -> None:
    ws, transport = new_socket()
    with pytest.raises(TimeoutError, match="timed out"):
        await ws._wait_open(0.01)
    assert transport.closes == [(1000, "")]
    assert transport.released


async def test_binary_type_is_validated_and_applied() -> None:
    ws, transport = open_socket()
    ws.binary_type = "blob"
    assert transport.binary_type == "blob"
    with pytest.raises(ValueError, match="'arraybuffer'"):
        ws.binary_type = "arraybuffer"  # type: ignore[assignment]


@pytest.mark.parametrize(
    ("wake", "inline"), [(_wakeup.wake_inline, True), (_wakeup.wake_plain, False)]
)
async def test_a_message_resumes_the_waiting_recv(wake: _wakeup.Wake, inline: bool) -> None:
    """Inline: inside the event handler. Plain: on the loop's next iteration."""
    ws, transport = open_socket()
    ws._wake = wake
    received: list[object] = []

    async def reader() -> None:
        received.append(await ws.recv())

    task = asyncio.create_task(reader())
    await asyncio.sleep(0)
    resumed_in_handler: list[bool] = []

    def browser_event() -> None:  # runs as the loop runs a JS handler: no task current
        transport.events.on_message("now")
        resumed_in_handler.append(task.done())

    asyncio.get_running_loop().call_soon(browser_event)
    await task
    assert received == ["now"]
    assert resumed_in_handler == [inline]


async def test_plain_wakeup_back_to_back_messages_resume_the_reader_once() -> None:
    """Resumed on the loop's next iteration (the fallback wake-up), the reader finds the
    messages dispatched meanwhile queued, and takes them in order without waiting again."""
    ws, transport = open_socket()
    ws._wake = _wakeup.wake_plain
    taken: list[tuple[object, int]] = []  # (message, messages still queued after it)

    async def reader() -> None:
        async for message in ws:
            taken.append((message, len(ws._messages)))
            if len(taken) == 4:
                return

    task = asyncio.create_task(reader())
    await asyncio.sleep(0)
    resumed_in_handler: list[bool] = []

    def browser_events() -> None:  # three message events, dispatched one after another
        for data in ("a", "b", "c"):
            transport.events.on_message(data)
            resumed_in_handler.append(bool(taken))

    asyncio.get_running_loop().call_soon(browser_events)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert resumed_in_handler == [False, False, False]
    assert taken == [("a", 2), ("b", 1), ("c", 0)]  # one resume, three messages
    transport.events.on_message("d")
    await task
    assert [m for m, _ in taken] == ["a", "b", "c", "d"]


def test_this_python_takes_the_fast_wakeup_path() -> None:
    assert _wakeup.probe() is None
    assert pyws.fast_wakeup()


def test_missing_internals_fall_back_to_plain_set_result_with_one_warning() -> None:
    class OpaqueFuture(asyncio.Future[Any]):
        @property
        def _callbacks(self) -> None:  # type: ignore[override]
            return None

    reason = _wakeup.probe(OpaqueFuture)
    assert reason is not None and "_callbacks" in reason
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _wakeup.select(reason) is _wakeup.wake_plain
        assert _wakeup.select(None) is _wakeup.wake_inline
    assert [str(w.message) for w in caught] == [
        f"pyws: resuming recv() one loop iteration later (slower), because {reason}"
    ]
    assert [w.category for w in caught] == [RuntimeWarning]


@pytest.mark.parametrize("name", ["on_message", "onmessage", "on_close", "handler"])
async def test_assigning_an_event_handler_raises_and_points_to_recv(name: str) -> None:
    ws, _ = open_socket()
    with pytest.raises(AttributeError, match=r"recv\(\)") as info:
        setattr(ws, name, print)
    assert repr(name) in str(info.value)
    with pytest.raises(AttributeError, match="no setter"):
        ws.url = "ws://elsewhere/"  # type: ignore[misc]


async def test_a_message_while_a_task_runs_resumes_the_reader_later() -> None:
    ws, transport = open_socket()
    task = asyncio.create_task(ws.recv())
    await asyncio.sleep(0)
    transport.events.on_message("later")  # this test's own task is running: no direct resume
    assert not task.done()
    assert await task == "later"


async def test_an_error_before_open_fails_the_handshake_without_a_close_event() -> None:
    # Node 20's WebSocket reports a refused handshake with an error event and no close.
    ws, transport = new_socket("ws://127.0.0.1:1/")
    opening = asyncio.create_task(ws._wait_open(5))
    await asyncio.sleep(0)
    transport.events.on_error()
    with pytest.raises(InvalidHandshake, match=r"127\.0\.0\.1:1"):
        await opening
    assert transport.closes == [(1000, "")] and transport.released


async def test_an_error_after_open_waits_for_the_close_event() -> None:
    ws, transport = open_socket()
    transport.events.on_error()
    assert ws.state is State.OPEN and ws.close_code is None
    transport.closed(1006, "", False)
    assert ws.close_code == 1006


@pytest.mark.parametrize(
    "bounds",
    [{"max_queue": 4}, {"max_queue_bytes": 4 * 8}],
)
async def test_overflow_close_keeps_what_was_queued_then_raises(bounds: dict[str, int]) -> None:
    ws, transport = open_socket(
        bounds=Bounds(bounds.get("max_queue"), bounds.get("max_queue_bytes"), "close")
    )
    for i in range(10):
        transport.events.on_message(f"message{i}")  # 8 bytes each
    assert transport.closes == [(4009, "receive queue overflow")] and transport.released
    assert [await ws.recv() for _ in range(4)] == [f"message{i}" for i in range(4)]
    with pytest.raises(ConnectionClosedError) as info:
        await ws.recv()
    assert (info.value.code, info.value.reason) == (4009, "receive queue overflow")
    assert ws.dropped == 0


@pytest.mark.parametrize(
    ("policy", "kept"), [("drop_oldest", [6, 7, 8, 9]), ("drop_newest", [0, 1, 2, 3])]
)
async def test_overflow_drop_keeps_the_connection_and_counts(policy: str, kept: list[int]) -> None:
    ws, transport = open_socket(bounds=Bounds(4, None, policy))  # type: ignore[arg-type]
    for i in range(10):
        transport.events.on_message(b"%d" % i)
    assert [await ws.recv() for _ in range(4)] == [b"%d" % i for i in kept]
    assert ws.dropped == 6 and ws.state is State.OPEN
    transport.events.on_message(b"more")
    assert await ws.recv() == b"more"


async def test_a_message_alone_over_max_queue_bytes_is_dropped_and_counted() -> None:
    ws, transport = open_socket(bounds=Bounds(None, 10, "drop_oldest"))
    transport.events.on_message(pyws.Blob(b"x" * 5))
    transport.events.on_message("é" * 10)  # 20 UTF-8 bytes
    assert ws.dropped == 2
    transport.events.on_message("ok")
    assert await ws.recv() == "ok"


def test_bad_bounds() -> None:
    with pytest.raises(ValueError, match="'lossy'"):
        check_bounds(None, None, "lossy")
    with pytest.raises(ValueError, match="max_queue must be >= 1"):
        check_bounds(0, None, "close")
    with pytest.raises(TypeError, match="max_queue_bytes"):
        check_bounds(None, "1", "close")


class SlowBlob(pyws.Blob):
    """A Blob whose read suspends until ``release`` is set, like a browser Blob's."""

    __slots__ = ("release",)

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.release = asyncio.Event()

    async def bytes(self) -> bytes:
        await self.release.wait()
        return await super().bytes()

    async def text(self) -> str:
        await self.release.wait()
        return await super().text()


@pytest.mark.parametrize("bounds", [Bounds(1, None, "drop_oldest"), Bounds(None, 4, "drop_oldest")])
@pytest.mark.parametrize("decode", [False, True])
async def test_a_message_being_read_is_never_dropped(bounds: Bounds, decode: bool) -> None:
    # Issue 21, item 2: recv() awaited the head's bytes while it was still queued; the
    # bound dropped it meanwhile, recv() returned it anyway and popped the next one.
    ws, transport = open_socket(bounds=bounds, binary_type="blob")
    head = SlowBlob(b"one")
    transport.events.on_message(head)
    reading = asyncio.ensure_future(ws.recv(decode=decode))
    await asyncio.sleep(0)  # recv() now awaits the head's bytes
    transport.events.on_message(b"two")
    head.release.set()
    assert await reading == ("one" if decode else b"one")
    assert await ws.recv(timeout=0) == b"two"
    assert ws.dropped == 0


async def test_a_cancelled_read_of_the_head_keeps_it_first() -> None:
    ws, transport = open_socket(bounds=Bounds(None, 8, "drop_oldest"), binary_type="blob")
    head = SlowBlob(b"one")
    transport.events.on_message(head)
    reading = asyncio.ensure_future(ws.recv(decode=False))
    await asyncio.sleep(0)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    transport.events.on_message(b"two")
    head.release.set()
    assert await ws.recv(decode=False) == b"one"
    assert await ws.recv() == b"two"
    assert ws.dropped == 0
    transport.events.on_message(b"123456789")  # alone over the bound: dropped, counted
    assert ws.dropped == 1


@pytest.mark.parametrize("binary_type", ["bytes", "blob"])
async def test_decode_of_invalid_utf8_consumes_it_and_fails_with_1007(binary_type: str) -> None:
    # Issue 21, item 5: the message stayed queued, so every recv(decode=True) raised
    # UnicodeDecodeError at once, without end; blob mode decoded with "replace" instead.
    # As websockets: the message is consumed and the connection fails with 1007.
    ws, transport = open_socket(binary_type=binary_type)
    bad = b"ok \xff"
    transport.events.on_message(pyws.Blob(bad) if binary_type == "blob" else bad)
    transport.events.on_message("queued before")
    with pytest.raises(ConnectionClosedError) as info:
        await ws.recv(decode=True)
    assert (info.value.code, info.value.reason) == (1007, "invalid start byte at position 3")
    assert isinstance(info.value.__cause__, UnicodeDecodeError)
    assert transport.closes == [(1000, "invalid start byte at position 3")]  # a page's code
    assert ws.close_code == 1007 and ws.state is State.CLOSING
    assert await ws.recv() == "queued before"  # nothing received is lost
    with pytest.raises(ConnectionClosedError):
        await ws.recv()
