"""`python -m server --tls-cert FILE --tls-key FILE`: https and wss on the same routes, with
a CA made for the test (harness/tls.py); and /restart, which TLS survives."""

from __future__ import annotations

import asyncio
import http.client
import ssl
import time
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError

from harness.tls import RunCA, make_ca
from tests.server.conftest import Server, Tree, run_server
from tests.server.helpers import run
from tests.server.test_cli import assert_one_line_error, run_cli

RESTART_GUARD = 30.0
"""Hang guard for the server to listen again after /restart; never a timing assertion."""


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> RunCA:
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def tls_server(tree: Tree, ca: RunCA) -> Iterator[Server]:
    with run_server(tree, *ca.server_args()) as server:
        yield server


def https_get(port: int, path: str, context: ssl.SSLContext) -> tuple[int, bytes]:
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_serves_https_and_says_so(tls_server: Server, ca: RunCA) -> None:
    assert tls_server.url.startswith("https://127.0.0.1:") and tls_server.tls
    status, body = https_get(tls_server.port, "/inside.txt", ca.client_context())
    assert (status, body) == (200, b"inside")


def test_wss_echo_on_the_same_routes(tls_server: Server, ca: RunCA) -> None:
    async def go() -> None:
        url = tls_server.ws_url("/echo")
        assert url.startswith("wss://")
        async with connect(url, ssl=ca.client_context(), subprotocols=["v1.echo"]) as ws:
            assert ws.subprotocol == "v1.echo"
            for message in ("tls ✓", b"\x00" * 70_000):
                await ws.send(message)
                assert await ws.recv() == message

    run(go())


def test_a_client_that_does_not_trust_the_ca_is_refused(tls_server: Server) -> None:
    # The system's CAs do not include the test's: the certificate does not verify.
    with pytest.raises(ssl.SSLCertVerificationError):
        https_get(tls_server.port, "/inside.txt", ssl.create_default_context())


def test_plain_http_to_the_tls_port_gets_no_page(tls_server: Server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", tls_server.port, timeout=10)
    try:
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            conn.request("GET", "/inside.txt")
            conn.getresponse()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "flags",
    [
        ["--tls-cert", "CERT"],
        ["--tls-key", "KEY"],
        ["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "KEY"],
        ["--tls-cert", "KEY", "--tls-key", "KEY"],  # a key is no certificate
    ],
)
def test_bad_tls_flags(tree: Tree, ca: RunCA, flags: list[str]) -> None:
    named = {"CERT": str(ca.server_chain), "KEY": str(ca.server_key)}
    args = [named.get(flag, flag) for flag in flags]
    result = run_cli("--port", "0", "--web", str(tree.web), "--dist", str(tree.dist), *args)
    assert_one_line_error(result)
    assert "--tls-" in result.stderr


def test_restart_closes_with_1012_and_listens_again(tree: Tree, ca: RunCA) -> None:
    context = ca.client_context()

    async def go(server: Server) -> None:
        url = server.ws_url("/echo")
        async with (
            connect(url, ssl=context) as bystander,
            connect(server.ws_url("/restart?down=0.5"), ssl=context) as trigger,
        ):
            await trigger.send("go")
            assert await trigger.recv() == "go"
            for ws in (trigger, bystander):
                with pytest.raises(ConnectionClosedError) as info:
                    await ws.recv()
                assert info.value.rcvd is not None
                assert (info.value.rcvd.code, info.value.rcvd.reason) == (1012, "service restart")
        deadline = time.monotonic() + RESTART_GUARD
        while True:
            try:
                async with connect(url, ssl=context) as ws:
                    await ws.send("back")
                    assert await ws.recv() == "back"
                    break
            except OSError:  # refused while down
                assert time.monotonic() < deadline, "not listening again"
                await asyncio.sleep(0.05)

    with run_server(tree, *ca.server_args()) as server:
        run(go(server))
        lines = server.wait_for_log(lambda line: "restart: " in line, count=2)
        assert len(lines) == 2, server.log
        assert "closing 2 WebSocket(s), down for 0.5 s" in lines[0], lines
        assert "listening again on port" in lines[1], lines


def test_restart_needs_down(tls_server: Server, ca: RunCA) -> None:
    status, _ = https_get(tls_server.port, "/restart", ca.client_context())
    assert status == 400
