"""`python -m server` as a process: startup errors, shutdown signals, logging, compression."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.server.conftest import ROOT, STOP_TIMEOUT, Tree, run_server
from tests.server.helpers import run


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=STOP_TIMEOUT,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "error" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus"],
        ["--port", "http"],
        ["--port", "70000"],
        ["--compression", "gzip"],
        ["--max-size", "0"],
        ["--max-size", "lots"],
        ["--web", "/nonexistent/web"],
        ["--dist", "/nonexistent/dist"],
    ],
)
def test_bad_arguments(tree: Tree, args: list[str]) -> None:
    result = run_cli("--port", "0", "--web", str(tree.web), "--dist", str(tree.dist), *args)
    assert_one_line_error(result)


def test_busy_port(tree: Tree) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("--port", str(port), "--web", str(tree.web), "--dist", str(tree.dist))
    assert_one_line_error(result)
    assert str(port) in result.stderr


def test_help_mentions_every_flag() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for flag in ("--host", "--port", "--compression", "--max-size", "--web", "--dist"):
        assert flag in result.stdout


async def _recv_close_code(ws: ClientConnection) -> int | None:
    try:
        while True:
            await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_closes_every_websocket_with_1001(tree: Tree, signum: signal.Signals) -> None:
    with run_server(tree) as srv:

        async def go() -> list[int | None]:
            clients = [
                await connect(srv.ws_url("/echo"), max_size=None),
                await connect(srv.ws_url("/echo"), subprotocols=["v1.echo"]),  # type: ignore[list-item]
                await connect(srv.ws_url("/sink"), max_size=None),
                await connect(srv.ws_url("/push?count=1000000&size=1000"), max_size=None),
            ]
            await clients[0].send("ping")
            assert await clients[0].recv() == "ping"
            # Load: keep the push client reading while a sink sender fills its buffers.
            sink_send = asyncio.ensure_future(clients[2].send(b"z" * (8 * 1024 * 1024)))
            srv.proc.send_signal(signum)
            codes = await asyncio.gather(*(_recv_close_code(ws) for ws in clients))
            sink_send.cancel()
            for ws in clients:
                ws.transport.abort()
            return list(codes)

        codes = run(go())
        assert srv.proc.wait(STOP_TIMEOUT) == 0
    assert codes == [1001, 1001, 1001, 1001]
    log = "".join(srv.log)
    assert "Traceback" not in log
    assert log.count("ws closed") == 4


def test_one_log_line_per_connection(tree: Tree) -> None:
    with run_server(tree) as srv:

        async def go() -> None:
            async with connect(srv.ws_url("/echo"), subprotocols=["v2.echo"]) as ws:  # type: ignore[list-item]
                await ws.send("abc")
                await ws.recv()
                await ws.send(b"\x00" * 10)
                await ws.recv()
            async with connect(srv.ws_url("/push?count=2&size=5")) as ws:
                await ws.recv()
                await ws.recv()
                await ws.wait_closed()

        run(go())
        lines = srv.wait_for_log(lambda line: "path=/push" in line)
    lines = [line for line in srv.log if "ws closed" in line]
    assert len(lines) == 2
    echo, push = lines
    for part in ("path=/echo", "subprotocol=v2.echo", "in=2 msgs/13 B", "out=2 msgs/13 B"):
        assert part in echo
    assert "code=1000" in echo
    for part in ("path=/push", "subprotocol=-", "in=0 msgs/0 B", "out=2 msgs/10 B", "code=1000"):
        assert part in push
    # WebSocket upgrades are not logged a second time by the access log.
    assert not any('"GET /echo' in line for line in srv.log)


@pytest.mark.parametrize(("flag", "negotiated"), [("none", False), ("deflate", True)])
def test_compression_flag(tree: Tree, flag: str, negotiated: bool) -> None:
    with run_server(tree, "--compression", flag) as srv:

        async def go() -> str | None:
            async with connect(srv.ws_url("/echo"), compression="deflate") as ws:
                payload = "compressible " * 10_000
                await ws.send(payload)
                assert await ws.recv() == payload
                assert ws.response is not None
                return ws.response.headers.get("Sec-WebSocket-Extensions")

        extensions = run(go())
    assert ("permessage-deflate" in (extensions or "")) == negotiated
