"""The local Pyodide distribution: Pyodide and pyws load from 127.0.0.1 only."""

from __future__ import annotations

import http.client
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page
from pytest_pyodide import run_in_pyodide


@run_in_pyodide(packages=["pyws"])
def test_import_pyws_after_load_package(selenium: Any) -> None:
    import sys

    import pyws

    assert pyws.__version__
    assert sys.version_info[:2] >= (3, 13)


@run_in_pyodide(packages=["pyws"])
def test_pyws_ships_bytecode_for_this_python_and_keeps_its_sources(selenium: Any) -> None:
    """The wheel carries unchecked-hash .pyc for this very Python (import uses them as
    they are), next to the .py that tracebacks show (scripts/build_dist.py, precompile)."""
    import importlib.util
    import sys
    import traceback
    from pathlib import Path

    import pyws
    import pyws.connection

    modules = [m for name, m in sys.modules.items() if name.startswith("pyws")]
    assert len(modules) > 5
    for module in modules:
        source = Path(module.__file__ or "")
        cached = Path(importlib.util.cache_from_source(str(source)))
        assert source.suffix == ".py" and source.is_file(), source
        header = cached.read_bytes()[:8]
        assert header[:4] == importlib.util.MAGIC_NUMBER, (cached, header)
        assert int.from_bytes(header[4:8], "little") == 0b01, "hash-based, unchecked"
    try:
        pyws.connect("ftp://example.com/")
    except pyws.InvalidURI:
        shown = traceback.format_exc()
    assert "pyws/_validation.py" in shown and "raise InvalidURI(" in shown, shown


def test_load_packages_from_imports(selenium: Any) -> None:
    loaded = selenium.run_js(
        """
        await pyodide.loadPackagesFromImports("import pyws");
        return Object.keys(pyodide.loadedPackages);
        """
    )
    assert "pyws" in loaded


@run_in_pyodide(packages=["micropip"])
async def test_micropip_installs_pyws_from_the_local_index(selenium: Any, http_base: str) -> None:
    import micropip

    await micropip.install("pyws", index_urls=[f"{http_base}/simple/{{package_name}}/"])
    import pyws

    assert pyws.connect


@run_in_pyodide()
async def test_js_websocket_round_trip(selenium: Any, echo_url: str) -> None:
    """The browser's own WebSocket reaches /echo from the test page (no pyws yet)."""
    import asyncio

    import js
    from pyodide.ffi import create_proxy

    ws = js.WebSocket.new(echo_url)
    ws.binaryType = "arraybuffer"
    queue: asyncio.Queue[object] = asyncio.Queue()
    handlers = [create_proxy(queue.put_nowait), create_proxy(lambda e: queue.put_nowait(e.data))]
    ws.onopen, ws.onmessage = handlers
    await asyncio.wait_for(queue.get(), 10)
    ws.send("text")
    ws.send(js.Uint8Array.new([0, 1, 255]))
    assert await asyncio.wait_for(queue.get(), 10) == "text"
    echoed = await asyncio.wait_for(queue.get(), 10)
    assert echoed.to_bytes() == b"\x00\x01\xff"
    ws.close()
    for handler in handlers:
        handler.destroy()


def test_page_loads_pyodide_and_pyws_from_loopback_only(page: Page, live_server: Any) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/simple/")  # any page of the bundled server; the demo page has tests of its own
    version = page.evaluate(
        """async () => {
            const { loadPyodide } = await import("/pyodide/pyodide.mjs");
            const pyodide = await loadPyodide({ indexURL: "/pyodide/" });
            await pyodide.loadPackage("pyws");
            return pyodide.runPython("import pyws; pyws.__version__");
        }"""
    )
    assert version
    assert any(url.endswith(".whl") for url in requests)
    outside = [url for url in requests if urlsplit(url).hostname != "127.0.0.1"]
    assert outside == [], outside


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("/pyodide/pyodide.mjs", "text/javascript"),
        ("/pyodide/pyodide.asm.wasm", "application/wasm"),
        ("/pyodide/pyodide-lock.json", "application/json"),
    ],
)
def test_mime_types(live_server: Any, path: str, mime: str) -> None:
    with urllib.request.urlopen(live_server.url + path) as response:
        assert response.headers.get_content_type() == mime


@pytest.mark.parametrize(
    "path",
    [
        "/pyodide/../../pyproject.toml",
        "/pyodide/%2e%2e/%2e%2e/pyproject.toml",
        "/pyodide/..%2f..%2fpyproject.toml",
        "/../pyproject.toml",
    ],
)
def test_traversal_is_refused(live_server: Any, path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert 400 <= response.status < 500
    assert b"[project]" not in body
