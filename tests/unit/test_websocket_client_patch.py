"""pyws.patch_websocket_client()'s bookkeeping, in CPython: the patch itself applies only in
Pyodide (tests/scenarios/websocket_client_compat.py), but what it sets and what
unpatching puts back are the same here."""

from __future__ import annotations

import websocket
from websocket import _app, _core

import pyws
from pyws.compat import websocket_client as compat

REAL = (_core.WebSocket, _app.WebSocketApp, _core.create_connection)


def members() -> tuple[object, ...]:
    return (
        websocket.WebSocket,
        websocket.WebSocketApp,
        websocket.create_connection,
        _core.WebSocket,
        _app.WebSocketApp,
        _core.create_connection,
    )


def test_outside_pyodide_nothing_changes() -> None:
    assert pyws.patch_websocket_client() is False
    with pyws.patched_websocket_client() as patched:
        assert patched is False
        assert members() == (*REAL, *REAL)
    assert pyws.unpatch_websocket_client() is False


def test_patch_sets_three_members_and_unpatch_puts_them_back() -> None:
    try:
        assert compat.patch() is True
        assert compat.patch() is True  # a second call changes nothing
        patched = (compat.WebSocket, compat.WebSocketApp, compat.create_connection)
        assert members() == (*patched, *patched)
        assert issubclass(compat.WebSocket, REAL[0])
        assert issubclass(compat.WebSocketApp, REAL[1])
        assert websocket.ABNF.__module__ == "websocket._abnf"  # the rest is the library's
    finally:
        assert pyws.unpatch_websocket_client() is True
    assert members() == (*REAL, *REAL)
    assert pyws.unpatch_websocket_client() is False
