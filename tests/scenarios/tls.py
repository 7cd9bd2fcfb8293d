"""Scenarios: wss://, against the suite's TLS server, whose certificate comes from a CA made
for the run. Each target trusts that CA in its own way (see harness/tls.py); CPython passes
it as ``ssl=``, which :func:`environment.tls_options` gives."""

from __future__ import annotations

import hashlib

import pyws
import pyws.sync

from . import environment
from .check import raises
from .suite import Server, scenario
from .sync_api import blocking

RESTART_DOWN = 1.0
"""Seconds the server stays down in the restart scenario: several reconnect attempts fail."""


def _quick() -> pyws.Backoff:
    return pyws.Backoff(initial=0.1, factor=2.0, max_delay=0.4)


@scenario("wss")
async def wss_round_trips_text_binary_and_blob(server: Server) -> None:
    url = server.wss_url("/echo")
    async with pyws.connect(url, **environment.tls_options(server)) as ws:
        assert ws.url == url, ws.url
        for text in ("", "wss ✓ ünïcødé", "x" * 70_000):
            await ws.send(text)
            assert await ws.recv() == text
        for size in (0, 1, 125, 126, 65536, 2**20 + 3):
            data = bytes(range(256)) * (size // 256) + bytes(size % 256)
            await ws.send(data)
            got = await ws.recv()
            assert isinstance(got, bytes) and hashlib.sha256(got).digest() == (
                hashlib.sha256(data).digest()
            ), (size, len(got))
        await ws.send(pyws.Blob("blob ✓".encode(), type="text/plain"))
        assert await ws.recv() == "blob ✓".encode()
        ws.binary_type = "blob"
        await ws.send(b"as a blob")
        blob = await ws.recv()
        assert isinstance(blob, pyws.Blob), type(blob)
        assert await blob.bytes() == b"as a blob"
    assert (ws.close_code, ws.was_clean) == (1000, True)
    assert environment.live_proxies() == 0


@scenario("wss")
async def https_urls_map_to_wss(server: Server) -> None:
    async with pyws.connect(server.https + "/echo?q=1", **environment.tls_options(server)) as ws:
        assert ws.url == server.wss_url("/echo?q=1"), ws.url
        await ws.send("mapped")
        assert await ws.recv() == "mapped"


@scenario("wss", "https_page")
async def relative_urls_from_an_https_page_resolve_to_wss(server: Server) -> None:
    import js

    # The runner's page or worker is served by the TLS server.
    page = str(js.location.href).removeprefix("blob:")
    assert page.startswith(server.https + "/"), page
    host = server.https.removeprefix("https://")
    for url in ("/echo", "echo", f"//{host}/echo", "./echo?x=1"):
        async with pyws.connect(url) as ws:
            assert ws.url.startswith(server.wss_url("/echo")), (url, ws.url)
            await ws.send(url)
            assert await ws.recv() == url


@scenario()
async def an_untrusted_certificate_is_an_invalid_handshake(server: Server) -> None:
    url = server.untrusted + "/echo"
    with raises(pyws.InvalidHandshake) as caught:
        await pyws.connect(url, open_timeout=20, **environment.tls_options(server))
    error = caught.value
    assert isinstance(error, pyws.InvalidHandshake) and url in str(error), error
    if environment.IN_PYODIDE:
        # The browser (or Node) tells scripts nothing more: pyws says where to look.
        assert error.__cause__ is None and error.why is None, repr(error.__cause__)
        if "location" in environment.features():
            assert "the browser does not tell page scripts why" in str(error), error
        else:
            assert "browser" not in str(error), error
    else:
        import ssl

        # CPython knows why, and says it: the cause, and its text in the message.
        assert isinstance(error.__cause__, ssl.SSLCertVerificationError), repr(error.__cause__)
        assert "CERTIFICATE_VERIFY_FAILED" in str(error), error
        assert "browser" not in str(error), error
        # The system's CAs do not include the run's: without ssl=, the trusted server fails
        # too. So ssl= is what made the other scenarios work.
        with raises(pyws.InvalidHandshake, match="CERTIFICATE_VERIFY_FAILED"):
            await pyws.connect(server.wss_url("/echo"), open_timeout=20)
    assert environment.live_proxies() == 0


@scenario("https_page")
async def mixed_content_is_an_invalid_uri(server: Server) -> None:
    import js

    page = str(js.location.href).removeprefix("blob:")
    url = server.mixed + "/echo"  # not loopback by name, so not exempt
    with raises(pyws.InvalidURI) as caught:
        await pyws.connect(url)
    message = str(caught.value)
    assert page in message and "wss://" in message and "mixed content" in message, message
    assert type(caught.value.__cause__).__name__ == "JsException", repr(caught.value.__cause__)
    assert environment.live_proxies() == 0
    # Loopback is exempt: the plain server by its address is fine from this https page.
    async with pyws.connect(server.url("/echo")) as ws:
        await ws.send("loopback")
        assert await ws.recv() == "loopback"


@scenario("wss", "sync")
async def sync_over_wss(server: Server) -> None:
    options = environment.tls_options(server)

    def run() -> None:
        url = server.wss_url("/echo")
        with pyws.sync.connect(url, subprotocols=["v1.echo"], **options) as ws:
            assert (ws.state, ws.subprotocol, ws.url) == (pyws.State.OPEN, "v1.echo", url)
            ws.send("sync ✓")
            assert ws.recv() == "sync ✓"
            data = bytes(range(256)) * 4096
            ws.send(data)
            assert ws.recv() == data
        assert (ws.close_code, ws.was_clean) == (1000, True)
        with raises(pyws.InvalidHandshake):
            pyws.sync.connect(server.untrusted + "/echo", open_timeout=20, **options)

    await blocking(run)


@scenario("wss")
async def reconnecting_websocket_over_wss_through_a_server_restart(server: Server) -> None:
    options = environment.tls_options(server)
    async with pyws.ReconnectingWebSocket(
        server.wss_url("/echo"), backoff=_quick(), min_uptime=0, **options
    ) as rws:
        await rws.send("before")
        assert await rws.recv() == "before"
        first = rws.ws
        assert first is not None
        # /restart: after one echo, the server stops listening, closes every WebSocket
        # with 1012, and listens again on the same port after RESTART_DOWN seconds.
        async with pyws.connect(
            server.wss_url(f"/restart?down={RESTART_DOWN}"), **options
        ) as trigger:
            await trigger.send("restart")
            assert await trigger.recv() == "restart"  # the restart begins after this echo
            with raises(pyws.ConnectionClosedError) as caught:
                await trigger.recv()
        assert caught.value is not None
        restart_code = environment.received_close_code(1012)
        assert getattr(caught.value, "code", None) == restart_code, caught.value
        await first.wait_closed()
        assert first.close_code == restart_code, first.close_code
        # Queued while the server is down; sent once a reconnect gets through.
        for message in ("after 1", "after 2"):
            await rws.send(message)
        got = [await rws.recv() for _ in range(2)]
        assert got == ["after 1", "after 2"], got
        assert rws.ws is not first and rws.state is pyws.State.OPEN
    assert rws.state is pyws.State.CLOSED
    assert environment.live_proxies() == 0
