"""pyws against the server's scenario endpoints: closes, rejects, drops, pushes, stalls."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_pyodide import run_in_pyodide


@pytest.mark.parametrize(
    ("code", "ok"), [(1000, True), (1001, True), (1011, False), (3000, False), (4999, False)]
)
@run_in_pyodide(packages=["pyws"])
async def test_server_close_codes(selenium: Any, ws_base: str, code: int, ok: bool) -> None:
    import pyws

    reason = f"reason {code} é"
    async with pyws.connect(f"{ws_base}/close?code={code}&reason={reason}") as ws:
        got: list[object] = []
        try:
            async for message in ws:
                got.append(message)
        except pyws.ConnectionClosedError as exc:
            assert not ok
            assert (exc.code, exc.reason) == (code, reason)
        else:
            assert ok
        assert got == []
        assert (ws.close_code, ws.close_reason, ws.was_clean) == (code, reason, True)
        try:
            await ws.recv()
        except pyws.ConnectionClosed as exc:
            assert isinstance(exc, pyws.ConnectionClosedOK) is ok
            assert str(code) in str(exc)


@pytest.mark.parametrize("status", [403, 404])
@run_in_pyodide(packages=["pyws"])
async def test_rejected_handshake(selenium: Any, ws_base: str, status: int) -> None:
    import pyws
    from pyws import _ffi

    url = f"{ws_base}/reject?status={status}"
    try:
        await pyws.connect(url)
    except pyws.InvalidHandshake as exc:
        assert url in str(exc)
        assert "browser" in str(exc)
    else:
        raise AssertionError("connected despite the rejection")
    assert _ffi.live_proxies() == 0


@run_in_pyodide(packages=["pyws"])
async def test_closed_port_is_an_invalid_handshake(selenium: Any) -> None:
    import socket

    import pyws

    # Port 1 on loopback: nothing listens there (tcpmux is long dead).
    del socket
    try:
        await pyws.connect("ws://127.0.0.1:1/echo", open_timeout=10)
    except pyws.InvalidHandshake as exc:
        assert "ws://127.0.0.1:1/echo" in str(exc)
    else:
        raise AssertionError("connected to a closed port")


@run_in_pyodide(packages=["pyws"])
async def test_drop_delivers_every_earlier_message_then_1006(selenium: Any, ws_base: str) -> None:
    import pyws

    async with pyws.connect(f"{ws_base}/drop?after=5") as ws:
        for i in range(5):
            await ws.send(f"m{i}")
        await ws.wait_closed()
        got = []
        try:
            async for message in ws:
                got.append(message)
        except pyws.ConnectionClosedError as exc:
            assert (exc.code, exc.was_clean) == (1006, False)
        else:
            raise AssertionError("a dropped connection ended quietly")
        assert got == [f"m{i}" for i in range(5)]


@pytest.mark.parametrize("kind", ["text", "binary"])
@run_in_pyodide(packages=["pyws"])
async def test_push_delivers_all_in_order_then_closes_ok(
    selenium: Any, ws_base: str, kind: str
) -> None:
    import pyws

    count = 2000
    async with pyws.connect(f"{ws_base}/push?count={count}&size=64&type={kind}") as ws:
        got = [message async for message in ws]
    assert len(got) == count
    for i, message in enumerate(got):
        assert isinstance(message, str if kind == "text" else bytes)
        assert len(message) == 64
        head = message.split(" " if kind == "text" else b" ")[0]
        assert int(head) == i
    assert ws.close_code == 1000


@run_in_pyodide(packages=["pyws"])
async def test_open_timeout_closes_the_browser_socket(selenium: Any, ws_base: str) -> None:
    import time

    import pyws
    from pyws import _ffi

    start = time.monotonic()
    try:
        await pyws.connect(f"{ws_base}/slow?delay=10", open_timeout=0.5)
    except TimeoutError as exc:
        assert "timed out after 0.5 s" in str(exc)
    else:
        raise AssertionError("no TimeoutError")
    assert time.monotonic() - start < 9  # bounded by open_timeout, not by the server
    assert _ffi.live_proxies() == 0


@run_in_pyodide(packages=["pyws"])
async def test_cancelling_connect_closes_the_browser_socket(selenium: Any, ws_base: str) -> None:
    import asyncio

    import pyws
    from pyws import _ffi

    task = asyncio.ensure_future(pyws.connect(f"{ws_base}/slow?delay=10"))
    await asyncio.sleep(0.2)
    assert _ffi.live_proxies() > 0  # its handlers and its open timer
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert _ffi.live_proxies() == 0


@run_in_pyodide(packages=["pyws"])
async def test_slow_server_within_open_timeout_works(selenium: Any, ws_base: str) -> None:
    import pyws

    async with pyws.connect(f"{ws_base}/slow?delay=0.3", open_timeout=10) as ws:
        await ws.send("late but fine")
        assert await ws.recv() == "late but fine"
