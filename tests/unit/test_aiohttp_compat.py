"""pyws.compat.aiohttp's ClientWebSocketResponse over a fake browser socket: the edges that
a real server cannot time (a close arriving while messages are queued, a close racing a
waiting receive). The scenarios (tests/scenarios/aiohttp_compat.py) check the same object
against a real server, and aiohttp's own in CPython."""

from __future__ import annotations

import asyncio
import sys
import warnings

import aiohttp
import pytest
from aiohttp import WSMsgType

import pyws
from pyws import _platform
from pyws.compat import aiohttp as compat
from pyws.compat import aiohttp_http
from pyws.compat.aiohttp import DEFAULT_TIMEOUT, BrowserWebSocketResponse
from tests.unit.fake import FakeTransport, open_socket


def response(**options: object) -> tuple[BrowserWebSocketResponse, FakeTransport]:
    ws, transport = open_socket()
    return BrowserWebSocketResponse(ws, DEFAULT_TIMEOUT, **options), transport  # type: ignore[arg-type]


def test_patch_does_nothing_outside_pyodide() -> None:
    before = dict(vars(aiohttp.ClientSession))
    assert pyws.patch_aiohttp() is False
    assert pyws.patch_aiohttp() is False
    assert dict(vars(aiohttp.ClientSession)) == before


def test_patch_in_pyodide_replaces_ws_connect_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_platform, "IN_PYODIDE", True)
    monkeypatch.setattr(aiohttp.ClientSession, "_ws_connect", aiohttp.ClientSession._ws_connect)
    for cls, name, _ in aiohttp_http.PATCHES.values():  # put back after the test
        monkeypatch.setattr(cls, name, vars(cls)[name])
    before = dict(vars(aiohttp.ClientSession))
    assert pyws.patch_aiohttp() is True
    patched = dict(vars(aiohttp.ClientSession))
    # _ws_connect, and _request, which keeps allow_redirects for the fetch.
    assert [n for n in patched if patched[n] is not before[n]] == ["_request", "_ws_connect"]
    assert pyws.patch_aiohttp() is True  # a second call changes nothing more
    assert dict(vars(aiohttp.ClientSession)) == patched
    assert compat.ORIGINAL["_ws_connect"] is before["_ws_connect"]
    for key, (cls, name, replacement) in aiohttp_http.PATCHES.items():
        assert vars(cls)[name] is replacement
        assert aiohttp_http.ORIGINAL[key] is not replacement


def test_patch_without_aiohttp_returns_false(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_platform, "IN_PYODIDE", True)
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # as if not installed
    assert pyws.patch_aiohttp() is False


async def test_queued_messages_come_before_the_close() -> None:
    resp, transport = response()
    for data in ("a", b"b", "c"):
        transport.events.on_message(data)
    transport.closed(4000, "bye")
    got = [await resp.receive() for _ in range(5)]
    assert [(m.type, m.data) for m in got] == [
        (WSMsgType.TEXT, "a"),
        (WSMsgType.BINARY, b"b"),
        (WSMsgType.TEXT, "c"),
        (WSMsgType.CLOSE, 4000),
        (WSMsgType.CLOSED, None),
    ]
    assert got[3].extra == "bye"
    assert (resp.closed, resp.close_code) == (True, 4000)


async def test_a_receive_timeout_loses_nothing() -> None:
    resp, transport = response()
    with pytest.raises(asyncio.TimeoutError):
        await resp.receive(timeout=0.01)
    assert resp.close_code == 1006 and not resp.closed  # as aiohttp marks it
    transport.events.on_message("kept")
    assert await resp.receive_str() == "kept"
    waiting = asyncio.create_task(resp.receive())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    transport.events.on_message("also kept")
    assert await resp.receive_str() == "also kept"


async def test_close_wakes_a_waiting_receive_with_closing() -> None:
    resp, transport = response()
    waiting = asyncio.create_task(resp.receive())
    await asyncio.sleep(0)
    closing = asyncio.create_task(resp.close(code=4002, message=b"done"))
    assert (await waiting).type is WSMsgType.CLOSING
    await asyncio.sleep(0)
    assert transport.closes == [(4002, "done")]
    transport.closed(4002, "done")  # the server's answer
    assert await closing is True
    assert (resp.closed, resp.close_code) == (True, 4002)
    assert await resp.close() is False
    assert (await resp.receive()).type is WSMsgType.CLOSED


async def test_a_lost_connection_is_closed_with_1006() -> None:
    resp, transport = response()
    transport.closed(1006, "", was_clean=False)
    assert (await resp.receive()).type is WSMsgType.CLOSED
    assert (resp.closed, resp.close_code) == (True, 1006)
    assert isinstance(resp.exception(), aiohttp.ClientConnectionResetError)
    with pytest.raises(aiohttp.ClientConnectionResetError):
        await resp.send_str("too late")


async def test_autoclose_false_leaves_closing_to_the_code() -> None:
    resp, transport = response(autoclose=False)
    transport.closed(1005, "")  # a close frame without a code
    msg = await resp.receive()
    assert (msg.type, msg.data) == (WSMsgType.CLOSE, 0)  # aiohttp's 0 for "no code"
    assert resp.closed is False
    assert (await resp.receive()).type is WSMsgType.CLOSED
    assert resp.closed is True


async def test_a_message_over_max_msg_size_is_an_error() -> None:
    resp, transport = response(max_msg_size=4)
    transport.events.on_message("12345")
    msg = await resp.receive()
    assert msg.type is WSMsgType.ERROR and msg.data.code == 1009
    assert resp.close_code == 1009
    assert transport.closes == [(4009, "message too big")]  # a page cannot send 1009


async def test_codes_a_page_cannot_send_become_1000() -> None:
    resp, transport = response()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        closing = asyncio.create_task(resp.close(code=1001, message="away"))
        await asyncio.sleep(0)
    assert "a page may send only 1000" in str(caught[0].message)
    assert transport.closes == [(1000, "away")]
    transport.closed(1000, "away")
    assert await closing is True


async def test_decode_text_false_and_wrong_types() -> None:
    resp, transport = response(decode_text=False)
    transport.events.on_message("é")
    assert (await resp.receive()).data == "é".encode()
    transport.events.on_message(b"bin")
    with pytest.raises(aiohttp.WSMessageTypeError, match=r"is not WSMsgType\.TEXT"):
        await resp.receive_str()
    with pytest.raises(NotImplementedError, match="cannot send WebSocket ping"):
        await resp.ping()
    with pytest.raises(NotImplementedError, match="CONTINUATION"):
        await resp.send_frame(b"", WSMsgType.CONTINUATION)
