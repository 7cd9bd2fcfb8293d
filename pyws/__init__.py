"""pyws: a Pythonic asyncio WebSocket client for Pyodide, backed by the browser's WebSocket.

::

    import pyws

    async with pyws.connect("ws://127.0.0.1:8000/echo") as ws:
        await ws.send("hello")
        async for message in ws:
            ...
"""

from . import sync
from ._wakeup import fast_wakeup
from .backoff import Backoff
from .blob import Blob
from .client import DEFAULT_WRITE_LIMIT, connect
from .connection import Data, State, WebSocket
from .exceptions import (
    ConcurrencyError,
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionClosedOK,
    InvalidHandshake,
    InvalidURI,
    WebSocketError,
)
from .heartbeat import Heartbeat
from .reconnecting import ReconnectingWebSocket

__version__ = "0.1.0"


def patch_websockets() -> bool:
    """Make code written for the ``websockets`` client run unchanged in Pyodide.

    Installs pyws-backed ``websockets`` modules in ``sys.modules`` (see :mod:`pyws.patch`)
    and returns True; outside Pyodide it does nothing and returns False. Idempotent.
    """
    from .patch import patch_websockets as patch

    return patch()


__all__ = [
    "DEFAULT_WRITE_LIMIT",
    "Backoff",
    "Blob",
    "ConcurrencyError",
    "ConnectionClosed",
    "ConnectionClosedError",
    "ConnectionClosedOK",
    "Data",
    "Heartbeat",
    "InvalidHandshake",
    "InvalidURI",
    "ReconnectingWebSocket",
    "State",
    "WebSocket",
    "WebSocketError",
    "connect",
    "fast_wakeup",
    "patch_websockets",
    "sync",
]
