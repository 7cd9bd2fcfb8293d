"""The platform, detected in one place: pyws works only where Pyodide gives it ``js``."""

from __future__ import annotations

import sys
from types import ModuleType

IN_PYODIDE = sys.platform == "emscripten"


def ffi() -> ModuleType:
    """The browser binding, ``pyws._ffi``; import it lazily so CPython can import pyws."""
    if not IN_PYODIDE:
        raise RuntimeError(
            "pyws needs Pyodide: it wraps the browser's WebSocket, which CPython lacks; "
            "outside the browser use the `websockets` library"
        )
    from . import _ffi

    return _ffi
