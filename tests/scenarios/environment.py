"""What the platform running the suite offers, detected where it runs."""

from __future__ import annotations

import importlib.util
import platform as _platform
import sys
from typing import Any

import pyws

FEATURES = {
    "js": "platform JS objects (Blob, ArrayBuffer, typed arrays) exist only under Pyodide",
    "location": "relative URLs need a page or worker location (Node and CPython have none)",
    "proxy_count": "pyws holds JS proxies only under Pyodide",
    "jspi": "JavaScript Promise Integration (Pyodide's run_sync): Chromium, Firefox, Safari "
    "from 27, and Node with --experimental-wasm-stack-switching have it; WebKitGTK 2.50 lacks it",
    "buffered_amount": "a bufferedAmount that counts what is not yet on the network: WebKitGTK's "
    "network process (libsoup) takes every message at once and reports 0, so a page sees no "
    "backpressure there (measured: 64 MiB sent to /sink, which reads nothing, bufferedAmount 0)",
    "sync": "pyws.sync blocks in CPython (a thread), in Pyodide with JSPI, or through its "
    "relay in a Web Worker of a cross-origin isolated page (not on a main thread without JSPI)",
    "relay": "pyws.sync blocks through its relay (a worker, Atomics.wait): where the runtime "
    "lacks JSPI (WebKit), or where a target forces it (pyws.sync.set_mode('relay'))",
    "main_thread": "a page's main thread in Pyodide (not a worker, Node or CPython)",
    "patch": "pyws.patch_websockets(), pyws.patch_aiohttp() and pyws.patch_websocket_client() "
    "patch only under Pyodide",
    "stream": "WebSocketStream: Chromium has it (page and worker); Firefox, WebKit, Node and "
    "CPython do not",
    "pause": "holding a sender back (overflow='pause') needs a transport that can stop "
    "reading: WebSocketStream (Chromium) or CPython's socket",
    "ssl": "gql and python-engineio import ssl, which Pyodide 0.29 ships as a package of its "
    "own that the npm distribution lacks",
    "https_page": "a page or worker loaded over https (Node and CPython have none; WebKit's "
    "is http, as WebKitGTK blocks ws:// even to loopback from an https page, and the suite's "
    "control and most scenarios use ws://127.0.0.1): relative URLs resolve to wss against "
    "it, and mixed-content blocking applies",
    "cors": "fetch() applies CORS in a page or worker (a cross-origin response the server "
    "did not allow is refused); Node and CPython have no such rule",
    "wss": "a TLS server whose certificate the target trusts: the harness makes every target "
    "trust the CA made for the run, or that server's certificate alone (harness/tls.py)",
}
"""Every feature a scenario may need, with why a target may lack it."""

IN_PYODIDE = sys.platform == "emscripten"


def features() -> set[str]:
    """The features of this platform."""
    found = {"ssl"} if importlib.util.find_spec("ssl") is not None else set()
    if not IN_PYODIDE:
        return found | {"sync", "buffered_amount", "pause"}
    import js

    from pyws._platform import browser as _ffi

    found |= {"js", "proxy_count", "patch"}
    if getattr(js, "document", None) is not None:
        found.add("main_thread")
    if not _webkitgtk():
        found.add("buffered_amount")
    if getattr(js, "location", None) is not None:
        found |= {"location", "cors"}
        if str(js.location.href).removeprefix("blob:").startswith("https:"):
            found.add("https_page")
    if getattr(js, "WebSocketStream", None) is not None:
        found |= {"stream", "pause"}
    if _ffi.jspi_supported():
        found.add("jspi")
    mode = sync_mode()
    if mode is not None:
        found.add("sync")
    if mode == "relay":
        found.add("relay")
    return found


def sync_mode() -> str | None:
    """How pyws.sync blocks here (``pyws.sync.mode()``), or None where it cannot."""
    import pyws.sync

    try:
        return pyws.sync.mode()
    except RuntimeError:
        return None


def _webkitgtk() -> bool:
    """WebKitGTK (Safari's engine on Linux): the one platform measured without a useful
    bufferedAmount. Apple's Safari is not tested here, so it is not assumed to lack it."""
    import js

    navigator = getattr(js, "navigator", None)
    agent = str(getattr(navigator, "userAgent", "")) if navigator else ""
    return "AppleWebKit" in agent and "Chrome" not in agent and "Linux" in agent


def received_close_code(code: int) -> int:
    """The close code a script sees when the server closes with ``code``: that code, except
    in WebKitGTK for the codes registered after RFC 6455's list (1012 service restart, 1013
    try again later, 1014 bad gateway): it fails the connection instead, an ``error`` event
    and 1006 (measured on 2.50.6 with /close?code=N: 1000, 1001, 1011, 3000 and 4000 come
    through, 1012, 1013 and 1014 are 1006)."""
    if IN_PYODIDE and code in (1012, 1013, 1014) and _webkitgtk():
        return 1006
    return code


def facts() -> dict[str, Any]:
    """What the report says about where it ran."""
    facts: dict[str, Any] = {
        "python": _platform.python_version(),
        "pyws": pyws.__version__,
        "fast_wakeup": pyws.fast_wakeup(),
        "features": sorted(features()),
        "transport": auto_transport(),
        "sync_mode": sync_mode(),
    }
    if IN_PYODIDE:
        import js
        import pyodide

        facts["pyodide"] = pyodide.__version__
        navigator = getattr(js, "navigator", None)
        facts["user_agent"] = str(getattr(navigator, "userAgent", "")) if navigator else ""
        if getattr(js, "document", None) is not None:
            facts["context"] = "window"
        elif getattr(js, "importScripts", None) is not None:
            facts["context"] = "worker"
        else:
            facts["context"] = "node"
    return facts


def auto_transport() -> str:
    """What ``pyws.connect(transport="auto")`` picks here when nothing needs one."""
    from pyws import _platform
    from pyws.bounds import check_bounds

    backend = _platform.backend()
    chosen = _platform.choose(backend, "auto", check_bounds(None, None, "close"))
    return "stream" if chosen is backend.stream else "websocket"


def tls_options(server: Any) -> dict[str, Any]:
    """What ``pyws.connect`` needs to trust the run's CA, on top of what the target does by
    itself: CPython's ``ssl=`` (a context that trusts that CA); nothing in Pyodide, whose
    platform was made to trust it (the harness told the browser, or Node)."""
    if IN_PYODIDE or not server.ca:
        return {}
    import ssl

    return {"ssl": ssl.create_default_context(cafile=server.ca)}


def live_proxies() -> int:
    """pyws's live JS proxies; always 0 where it holds none (outside Pyodide)."""
    if not IN_PYODIDE:
        return 0
    from pyws._platform import browser as _ffi

    return _ffi.live_proxies()
