"""pyws under PyScript: one script for both the main-thread and the worker pages.

main.html runs it as ``<script type="py" src="./roundtrip.py">``, worker.html as
``<script type="py" worker src="./roundtrip.py">``; both get pyws from the local Pyodide
distribution through ``"packages": ["pyws"]`` in pyscript.json (``"packages_cache":
"never"``: PyScript would otherwise keep the lock file micropip froze in IndexedDB, and a
rebuilt wheel of the same version then fails its integrity check). It connects to the
bundled server's ``/echo`` by a relative URL, echoes one text and one binary message,
closes with a code and a reason, checks that ``recv()`` and ``send()`` then raise
``ConnectionClosedOK``, and writes what it saw as JSON into ``<pre id="result-main">``
or ``<pre id="result-worker">`` (through PyScript's ``document``, which a worker reaches
over SharedArrayBuffer), with ``data-state`` set to ``done`` or ``error``.
tests/pyscript/test_pyscript.py asserts every value.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import traceback
from typing import Any

import js
from pyodide.ffi import JsException

import pyws

# PyScript's own package exists only inside PyScript: imported by name, it is Any to mypy.
pyscript = importlib.import_module("pyscript")

TEXT = "Hello from PyScript: ünïcødé ✓"
DATA = bytes(range(256)) + b"\x00\xff\x00"
CLOSE_CODE = 1000
CLOSE_REASON = "bye from PyScript ✓"
RELATIVE_URL = "/echo"
TIMEOUT = 10.0

WHERE = "worker" if pyscript.RUNNING_IN_WORKER else "main"


def browser_resolves(url: str) -> str | None:
    """What the browser's own URL parser makes of url against this context's location
    (``new WebSocket(url)`` parses it the same way), or None where it refuses it."""
    try:
        return str(js.URL.new(url, js.location.href).href)
    except JsException:
        return None


def _closed(exc: pyws.ConnectionClosed) -> dict[str, Any]:
    return {
        "type": type(exc).__name__,
        "code": exc.code,
        "reason": exc.reason,
        "was_clean": exc.was_clean,
    }


async def round_trip(url: str) -> dict[str, Any]:
    """Open url, echo text and bytes, close with CLOSE_CODE and CLOSE_REASON."""
    ws = await pyws.connect(url, open_timeout=TIMEOUT, close_timeout=TIMEOUT)
    out: dict[str, Any] = {"url": ws.url, "state_open": ws.state.name}
    await ws.send(TEXT)
    text = await ws.recv(timeout=TIMEOUT)
    out["text"] = text
    out["text_type"] = type(text).__name__
    await ws.send(DATA)
    data = await ws.recv(timeout=TIMEOUT)
    out["bytes_type"] = type(data).__name__
    out["bytes_hex"] = data.hex() if isinstance(data, bytes) else repr(data)
    await ws.close(CLOSE_CODE, CLOSE_REASON)
    out["close"] = {
        "state": ws.state.name,
        "code": ws.close_code,
        "reason": ws.close_reason,
        "was_clean": ws.was_clean,
    }
    try:
        await ws.recv(timeout=TIMEOUT)
    except pyws.ConnectionClosed as exc:
        out["recv_after_close"] = _closed(exc)
    else:
        out["recv_after_close"] = None
    try:
        await ws.send("too late")
    except pyws.ConnectionClosed as exc:
        out["send_after_close"] = _closed(exc)
    else:
        out["send_after_close"] = None
    return out


async def check() -> dict[str, Any]:
    """Everything the tests assert, for this context."""
    result: dict[str, Any] = {
        "where": WHERE,
        "location": str(js.location.href),
        "cross_origin_isolated": bool(getattr(js, "crossOriginIsolated", False)),
        "pyws_version": pyws.__version__,
        "pyws_file": pyws.__file__,
        "browser_resolves": browser_resolves(RELATIVE_URL),
    }
    try:
        result["relative"] = await round_trip(RELATIVE_URL)
    except Exception as exc:  # reported to the test, which says what was expected
        result["relative"] = {"error": type(exc).__name__, "message": str(exc)}
        # Still exercise the socket through an absolute URL built from the origin.
        origin = str(js.location.origin)
        absolute = "ws" + origin.removeprefix("http") + RELATIVE_URL
        result["absolute"] = await round_trip(absolute)
    return result


def report(state: str, payload: dict[str, Any]) -> None:
    node = pyscript.document.getElementById(f"result-{WHERE}")
    node.textContent = json.dumps(payload, ensure_ascii=False, indent=2)
    node.setAttribute("data-state", state)


async def main() -> None:
    try:
        result = await check()
    except BaseException as exc:
        report("error", {"where": WHERE, "error": "".join(traceback.format_exception(exc))})
        raise
    report("done", result)


# Top-level await would need <script async> (and is no valid Python for ruff and mypy); a
# task keeps this file plain Python. The set holds the task so it is not collected.
RUNNING: set[asyncio.Future[None]] = set()
RUNNING.add(asyncio.ensure_future(main()))
