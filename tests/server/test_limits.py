"""Hostile HTTP: oversized request lines and headers, and a client dribbling its headers."""

from __future__ import annotations

import socket
import time

from tests.server.conftest import HEAD_TIMEOUT, Server
from tests.server.helpers import get, raw, status_of

DRIBBLE_BOUND = 20 * HEAD_TIMEOUT
"""Give up (and fail) if the server still listens after this long; a hang guard only."""


def test_long_url_is_4xx(server: Server) -> None:
    status, _, _ = get(server.port, "/" + "a" * 20_000)
    assert 400 <= status < 500


def test_long_header_is_4xx(server: Server) -> None:
    status, _, _ = get(server.port, "/", {"X-Long": "b" * 20_000})
    assert 400 <= status < 500


def test_many_headers_is_4xx(server: Server) -> None:
    headers = "".join(f"X-H{i}: v\r\n" for i in range(500))
    response = raw(server.port, f"GET / HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    assert 400 <= status_of(response) < 500


def test_garbage_request_is_400(server: Server) -> None:
    assert status_of(raw(server.port, b"\x16\x03\x01 not http at all\r\n\r\n")) == 400


def test_header_dribble_is_cut_off(server: Server) -> None:
    """One byte at a time: the server must close before the head is ever complete."""
    endless = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"z" * 100_000
    with socket.create_connection(("127.0.0.1", server.port), timeout=0.1) as sock:
        deadline = time.monotonic() + DRIBBLE_BOUND
        closed = False
        for byte in endless:
            if time.monotonic() > deadline:
                break
            try:
                sock.send(bytes([byte]))
                if sock.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue  # nothing from the server yet: keep dribbling
            except ConnectionError:
                closed = True
                break
        assert closed


def test_keepalive_connection_serves_several_requests(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for _ in range(3):
            sock.sendall(b"GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while not data.endswith(b"export {};"):
                chunk = sock.recv(65536)
                assert chunk
                data += chunk
            assert data.startswith(b"HTTP/1.1 200")
