"""pyws in CPython through an HTTP proxy: the ``*_proxy`` environment, as ``websockets``
honours it (and a browser its proxy settings), and ``connect(proxy=...)`` (issue 21).

The proxy here is a small HTTP CONNECT tunnel that resolves one made-up host name,
``pyws.test``, to the bundled server: a connection to that name can only succeed through
it. (Loopback hosts are never proxied, as in browsers.)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import warnings
from collections.abc import AsyncIterator

import pytest

import pyws
from harness.server import ServerProcess

FAKE_HOST = "pyws.test"


class ConnectProxy:
    """An HTTP CONNECT proxy on 127.0.0.1 that maps :data:`FAKE_HOST` to 127.0.0.1."""

    def __init__(self, refuse: bool = False) -> None:
        self.requests: list[list[str]] = []
        self.refuse = refuse
        self.port = 0

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        lines = head.split("\r\n")[:-2]
        self.requests.append(lines)
        method, target, _ = lines[0].split(" ")
        host, _, port = target.rpartition(":")
        if self.refuse or method != "CONNECT" or host != FAKE_HOST:
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[ConnectProxy]:
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        async with server:
            yield self
            server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy settings but those the test sets."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    return monkeypatch


async def test_the_proxy_environment_is_honoured(
    server: ServerProcess, clean_env: pytest.MonkeyPatch
) -> None:
    url = f"ws://{FAKE_HOST}:{server.port}/echo"
    async with ConnectProxy().running() as proxy:
        for variable in ("http_proxy", "https_proxy"):  # ws: either, as websockets
            clean_env.setenv(variable, proxy.url.replace("//", "//user:p%40ss@"))
            async with pyws.connect(url) as ws:
                await ws.send("through the proxy")
                assert await ws.recv() == "through the proxy"
            clean_env.delenv(variable)
        assert [r[0] for r in proxy.requests] == [f"CONNECT {FAKE_HOST}:{server.port} HTTP/1.1"] * 2
        assert "Proxy-Authorization: Basic dXNlcjpwQHNz" in proxy.requests[0]  # user:p@ss
        clean_env.setenv("http_proxy", proxy.url)
        clean_env.setenv("no_proxy", FAKE_HOST)  # bypassed: the name does not resolve
        with pytest.raises(pyws.InvalidHandshake):
            await pyws.connect(url, open_timeout=30)
        clean_env.delenv("no_proxy")
        async with pyws.connect(server.ws_url("/echo")) as ws:  # loopback: never proxied
            await ws.send("direct")
            assert await ws.recv() == "direct"
        assert len(proxy.requests) == 2


async def test_proxy_option(server: ServerProcess, clean_env: pytest.MonkeyPatch) -> None:
    url = f"ws://{FAKE_HOST}:{server.port}/echo"
    async with ConnectProxy().running() as proxy:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # honoured in CPython: no "cannot" warning
            async with pyws.connect(url, proxy=proxy.url) as ws:
                await ws.send("option")
                assert await ws.recv() == "option"
        clean_env.setenv("http_proxy", proxy.url)
        with pytest.raises(pyws.InvalidHandshake):
            await pyws.connect(url, proxy=None, open_timeout=30)  # None: no proxy
        assert len(proxy.requests) == 1
    async with ConnectProxy(refuse=True).running() as refusing:
        with pytest.raises(pyws.InvalidHandshake):
            await pyws.connect(url, proxy=refusing.url)
        assert len(refusing.requests) == 1
    with pytest.raises(ValueError, match="SOCKS"):
        pyws.connect(url, proxy="socks5h://127.0.0.1:1080")
    with pytest.raises(TypeError, match="proxy"):
        pyws.connect(url, proxy=1080)


async def test_pyws_sync_takes_the_proxy_option_too(
    server: ServerProcess, clean_env: pytest.MonkeyPatch
) -> None:
    import pyws.sync

    url = f"ws://{FAKE_HOST}:{server.port}/echo"
    async with ConnectProxy().running() as proxy:
        # pyws.sync blocks this thread: let it run in another, this loop serves the proxy.
        def blocking() -> str:
            with pyws.sync.connect(url, proxy=proxy.url) as ws:
                ws.send("sync")
                return ws.recv(timeout=30)

        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            assert await asyncio.to_thread(blocking) == "sync"
        assert len(proxy.requests) == 1


async def test_a_proxy_password_is_never_printed(
    server: ServerProcess, clean_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Issue 25, defect 8: the refusing proxy's password was in the InvalidHandshake's
    # text, its cause (the ConnectionError) and the "pyws" warning log.
    url = f"ws://{FAKE_HOST}:{server.port}/echo"
    secret = "pr0xy-s3cret"
    async with ConnectProxy(refuse=True).running() as refusing:
        proxy = refusing.url.replace("//", f"//user:{secret}@")
        with caplog.at_level("WARNING", logger="pyws"):
            with pytest.raises(pyws.InvalidHandshake) as caught:
                await pyws.connect(url, proxy=proxy)
            clean_env.setenv("http_proxy", proxy)  # the system's setting: the same
            with pytest.raises(pyws.InvalidHandshake) as from_env:
                await pyws.connect(url)
        assert len(refusing.requests) == 2
    for error in (caught.value, from_env.value):
        printed = [str(error), repr(error), str(error.why), str(error.__cause__)]
        assert all(secret not in text for text in printed), printed
        assert "user:****@127.0.0.1" in str(error), error  # which proxy, all the same
    logged = [record.getMessage() for record in caplog.records]
    assert logged and all(secret not in line for line in logged), logged
    for bad in (f"ftp://user:{secret}@proxy:21", f"http://user:{secret}@proxy:3128/path"):
        with pytest.raises(ValueError) as refused:
            pyws.connect(url, proxy=bad)
        assert secret not in str(refused.value), refused.value
