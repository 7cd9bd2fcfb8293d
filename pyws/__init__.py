"""pyws: a Pythonic asyncio WebSocket client for Pyodide, backed by the browser's WebSocket.

::

    import pyws

    async with pyws.connect("ws://127.0.0.1:8000/echo") as ws:
        await ws.send("hello")
        print(await ws.recv())  # "hello", from the bundled server's /echo

In Pyodide (a page, a worker, PyScript, JupyterLite, Node) it runs over the platform's
``WebSocket`` (or Chromium's ``WebSocketStream``); in CPython over the ``websockets``
library (``pip install "pyws[cpython]"``). ``pyws.sync`` is the blocking API;
:func:`patch_websockets`, :func:`patch_aiohttp` and :func:`patch_websocket_client` make
code written for those clients run unchanged in Pyodide.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from . import sync
    from .reconnecting import ReconnectingWebSocket

__version__ = "0.1.0"

# Imported on first use: every module of a pure wheel is compiled in the page when first
# imported, and `import pyws` is part of every page's start-up (docs/benchmarks.md).
_LAZY = {"sync": ".sync", "ReconnectingWebSocket": ".reconnecting"}


def __getattr__(name: str) -> Any:
    source = _LAZY.get(name)
    if source is None:
        raise AttributeError(f"module 'pyws' has no attribute {name!r}")
    module = import_module(source, __name__)
    value = module if name == "sync" else getattr(module, name)
    globals()[name] = value
    return value


def patch_websockets() -> bool:
    """Make code written for the ``websockets`` client run unchanged in Pyodide.

    Installs pyws-backed ``websockets`` modules in ``sys.modules`` (see
    :mod:`pyws.compat.websockets`) and returns True; outside Pyodide it does nothing and
    returns False. Idempotent.
    """
    from .compat.websockets import patch_websockets as patch

    return patch()


def patch_aiohttp() -> bool:
    """Make code written for aiohttp's WebSocket client run unchanged in Pyodide.

    ``aiohttp.ClientSession.ws_connect`` then returns a pyws-backed object that behaves
    like aiohttp's ``ClientWebSocketResponse`` (see :mod:`pyws.compat.aiohttp`); HTTP
    requests are not touched. Returns True; outside Pyodide, or when aiohttp is not
    installed, it does nothing and returns False. Idempotent.
    """
    from importlib.util import find_spec

    from . import _platform

    if not _platform.IN_PYODIDE or find_spec("aiohttp") is None:
        return False
    from .compat.aiohttp import patch_aiohttp as patch

    return patch()


def patch_websocket_client() -> bool:
    """Make code written for websocket-client (``import websocket``) run unchanged in
    Pyodide, over :mod:`pyws.sync` (JSPI).

    Sets pyws-backed ``WebSocket``, ``WebSocketApp`` and ``create_connection`` in the
    installed websocket-client (see :mod:`pyws.compat.websocket_client`) and returns True;
    outside Pyodide, or when websocket-client is not installed, it does nothing and returns
    False. Idempotent. In a runtime without JSPI (WebKitGTK, Safari before 27) it raises
    :exc:`RuntimeError` naming where it works.
    """
    from importlib.util import find_spec

    from . import _platform

    if not _platform.IN_PYODIDE or find_spec("websocket") is None:
        return False
    from .compat.websocket_client import patch

    return patch()


def unpatch_websocket_client() -> bool:
    """Undo :func:`patch_websocket_client`: websocket-client's own classes and
    ``create_connection`` again (objects made while patched stay pyws-backed). Returns
    False when there was nothing to undo."""
    if "pyws.compat.websocket_client" not in sys.modules:
        return False
    from .compat.websocket_client import unpatch

    return unpatch()


@contextmanager
def patched_websocket_client() -> Iterator[bool]:
    """``with pyws.patched_websocket_client():`` patches (:func:`patch_websocket_client`,
    whose result it gives) and undoes the patch on leaving, unless it was patched before."""
    before = "pyws.compat.websocket_client" in sys.modules and _is_patched()
    patched = patch_websocket_client()
    try:
        yield patched
    finally:
        if patched and not before:
            unpatch_websocket_client()


def _is_patched() -> bool:
    from .compat.websocket_client import is_patched

    return is_patched()


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
    "patch_aiohttp",
    "patch_websocket_client",
    "patch_websockets",
    "patched_websocket_client",
    "sync",
    "unpatch_websocket_client",
]
