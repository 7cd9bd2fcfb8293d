"""wss in CPython: ``ssl=`` and ``server_hostname=`` honoured as ``websockets`` takes them,
and ``InvalidHandshake`` carrying the real cause, against the bundled server over TLS with a
CA made for these tests."""

from __future__ import annotations

import socket
import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus, NegotiationError

import pyws
import pyws.sync
from harness.config import HOST
from harness.server import ServerProcess, start_server
from harness.tls import RunCA, make_ca


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> RunCA:
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def tls_server(ca: RunCA) -> Iterator[ServerProcess]:
    with start_server(*ca.server_args()) as server:
        yield server


async def test_ssl_context_is_honoured_without_a_warning(
    tls_server: ServerProcess, ca: RunCA
) -> None:
    url = tls_server.ws_url("/echo")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "a browser's WebSocket cannot" here
        async with pyws.connect(url, ssl=ca.client_context()) as ws:
            assert ws.url == url
            await ws.send("over TLS")
            assert await ws.recv() == "over TLS"
            await ws.send(b"\x00" * 2**20)
            assert await ws.recv() == b"\x00" * 2**20


async def test_https_url_with_ssl(tls_server: ServerProcess, ca: RunCA) -> None:
    async with pyws.connect(f"{tls_server.url}/echo", ssl=ca.client_context()) as ws:
        assert ws.url == tls_server.ws_url("/echo")


async def test_untrusted_certificate_carries_the_cause(tls_server: ServerProcess) -> None:
    url = tls_server.ws_url("/echo")
    with pytest.raises(pyws.InvalidHandshake) as info:
        await pyws.connect(url)  # the default context: the system's CAs only
    error = info.value
    assert isinstance(error.__cause__, ssl.SSLCertVerificationError)
    assert error.why is not None and error.why.startswith("SSLCertVerificationError: ")
    assert str(error).startswith(f"could not connect to {url}: SSLCertVerificationError: ")
    assert "CERTIFICATE_VERIFY_FAILED" in str(error)
    assert "browser" not in str(error)


async def test_server_hostname_is_what_the_certificate_must_match(
    tls_server: ServerProcess, ca: RunCA
) -> None:
    url = tls_server.ws_url("/echo")
    async with pyws.connect(url, ssl=ca.client_context(), server_hostname="localhost") as ws:
        await ws.send("sni")
        assert await ws.recv() == "sni"
    with pytest.raises(pyws.InvalidHandshake, match=r"Hostname mismatch|doesn.t match") as info:
        await pyws.connect(url, ssl=ca.client_context(), server_hostname="elsewhere.test")
    assert isinstance(info.value.__cause__, ssl.SSLCertVerificationError)


async def test_ssl_true_is_the_default_context(tls_server: ServerProcess) -> None:
    with pytest.raises(pyws.InvalidHandshake, match="CERTIFICATE_VERIFY_FAILED"):
        await pyws.connect(tls_server.ws_url("/echo"), ssl=True)


@pytest.mark.parametrize("value", ["yes", False, 1, ssl.Purpose.SERVER_AUTH])
async def test_ssl_of_another_type_is_a_type_error(value: object) -> None:
    with pytest.raises(TypeError, match=r"ssl must be an ssl\.SSLContext"):
        pyws.connect(f"wss://{HOST}:1/", ssl=value)


async def test_ssl_on_a_ws_url_is_a_value_error(ca: RunCA) -> None:
    with pytest.raises(ValueError, match="ssl= is for wss URLs"):
        await pyws.connect(f"ws://{HOST}:1/", ssl=ca.client_context())
    with pytest.raises(ValueError, match="server_hostname= is for wss URLs"):
        await pyws.connect(f"ws://{HOST}:1/", server_hostname="x")


async def test_refused_connection_carries_the_cause() -> None:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]  # bound, never listening: connecting is refused
        with pytest.raises(pyws.InvalidHandshake) as info:
            await pyws.connect(f"ws://{HOST}:{port}/")
    assert isinstance(info.value.__cause__, ConnectionRefusedError)
    assert "ConnectionRefusedError" in str(info.value)


async def test_rejected_handshake_carries_the_status(server: ServerProcess) -> None:
    with pytest.raises(pyws.InvalidHandshake, match="HTTP 403") as info:
        await pyws.connect(server.ws_url("/reject?status=403"))
    assert isinstance(info.value.__cause__, InvalidStatus)
    assert info.value.__cause__.response.status_code == 403


async def test_unmatched_subprotocol_carries_the_cause(server: ServerProcess) -> None:
    with pytest.raises(pyws.InvalidHandshake, match="subprotocols") as info:
        await pyws.connect(server.ws_url("/echo"), subprotocols=["chat"])
    assert isinstance(info.value.__cause__, NegotiationError)


def test_sync_honours_ssl(tls_server: ServerProcess, ca: RunCA) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pyws.sync.connect(tls_server.ws_url("/echo"), ssl=ca.client_context()) as ws:
            ws.send("sync over TLS")
            assert ws.recv() == "sync over TLS"
    with pytest.raises(pyws.InvalidHandshake) as info:
        pyws.sync.connect(tls_server.ws_url("/echo"))
    assert isinstance(info.value.__cause__, ssl.SSLCertVerificationError)


def test_other_browser_only_options_still_warn(tmp_path: Path) -> None:
    with pytest.warns(RuntimeWarning, match="ping_interval"):
        pyws.connect(f"ws://{HOST}:1/", ping_interval=None)
