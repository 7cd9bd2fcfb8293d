"""Scenarios: connections that fail before they open, and opening that takes too long."""

from __future__ import annotations

import asyncio
import time

import pyws

from . import environment
from .check import raises
from .suite import Server, scenario


@scenario()
async def a_rejected_handshake_is_an_invalid_handshake(server: Server) -> None:
    for status in (403, 404):
        url = server.url(f"/reject?status={status}")
        start = time.monotonic()
        with raises(pyws.InvalidHandshake) as caught:
            await pyws.connect(url, open_timeout=20)
        assert url in str(caught.value)
        assert time.monotonic() - start < 15, "failed by timing out, not at once"
    assert environment.live_proxies() == 0


@scenario()
async def a_closed_port_is_an_invalid_handshake(server: Server) -> None:
    # Port 1 on loopback: nothing listens there (tcpmux is long dead).
    start = time.monotonic()
    with raises(pyws.InvalidHandshake, match="127.0.0.1:1/echo"):
        await pyws.connect("ws://127.0.0.1:1/echo", open_timeout=20)
    assert time.monotonic() - start < 15, "failed by timing out, not at once"


@scenario()
async def an_unmatched_subprotocol_fails_the_handshake(server: Server) -> None:
    # The server accepts without a subprotocol. WHATWG fails such a handshake (Chromium
    # does); pyws makes every platform agree.
    url = server.url("/echo")
    with raises(pyws.InvalidHandshake) as caught:
        await pyws.connect(url, subprotocols=["chat"])
    assert url in str(caught.value)
    assert environment.live_proxies() == 0


@scenario()
async def open_timeout_closes_the_socket(server: Server) -> None:
    start = time.monotonic()
    with raises(TimeoutError, match=r"timed out after 0\.5 s"):
        await pyws.connect(server.url("/slow?delay=10"), open_timeout=0.5)
    assert time.monotonic() - start < 9  # bounded by open_timeout, not by the server
    assert environment.live_proxies() == 0


@scenario()
async def cancelling_connect_closes_the_socket(server: Server) -> None:
    task = asyncio.ensure_future(pyws.connect(server.url("/slow?delay=10")))
    await asyncio.sleep(0.2)
    if "proxy_count" in environment.features():
        assert environment.live_proxies() > 0  # its handlers and its open timer
    task.cancel()
    results = await asyncio.gather(task, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError), results
    assert environment.live_proxies() == 0


@scenario()
async def a_slow_server_within_open_timeout_works(server: Server) -> None:
    async with pyws.connect(server.url("/slow?delay=0.3"), open_timeout=10) as ws:
        await ws.send("late but fine")
        assert await ws.recv() == "late but fine"
