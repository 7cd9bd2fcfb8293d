"""Scenarios: connections that fail before they open, and opening that takes too long."""

from __future__ import annotations

import asyncio
import logging
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


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@scenario()
async def a_urls_password_is_never_printed(server: Server) -> None:
    # Issue 25, defect 8: the URL's password was in InvalidHandshake's and InvalidURI's
    # text, the WebSocket's repr and (CPython) the "pyws" warning log.
    secret = "s3cret-pw"
    log = _Records()
    logging.getLogger("pyws").addHandler(log)
    try:
        with raises(pyws.InvalidHandshake) as caught:
            await pyws.connect(f"ws://user:{secret}@127.0.0.1:1/echo", open_timeout=20)
        failed = caught.value
        assert isinstance(failed, pyws.InvalidHandshake)
        printed = [str(failed), repr(failed), str(failed.why), str(failed.__cause__)]
        assert "ws://user:****@127.0.0.1:1/echo" in str(failed), failed  # which URL, still
        with raises(pyws.InvalidURI) as invalid:
            await pyws.connect(f"ws://user:{secret}@exa mple.com/echo")
        printed += [str(invalid.value), repr(invalid.value)]
        token = server.url("/echo").replace("//", f"//{secret}@")  # a token as user name
        async with pyws.connect(token) as ws:
            await ws.send("with credentials")
            assert await ws.recv() == "with credentials"
            printed.append(repr(ws))
    finally:
        logging.getLogger("pyws").removeHandler(log)
    printed += log.lines
    leaked = [text for text in printed if secret in text]
    assert not leaked, leaked
    assert environment.live_proxies() == 0
