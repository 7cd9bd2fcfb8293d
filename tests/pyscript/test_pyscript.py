"""pyws under PyScript (``@pyscript/core``, pinned in web/package.json), in real Chromium.

Two pages of web/pyscript/ run the same web/pyscript/roundtrip.py: main.html as
``<script type="py">`` on the main thread, worker.html as ``<script type="py" worker>``.
Both get pyws from the local Pyodide distribution through ``"packages": ["pyws"]`` in
web/pyscript/pyscript.json, echo text and bytes through ``pyws.connect("/echo")``, close
with a code and a reason, and write what they saw as JSON into ``<pre id="result-...">``.

Each page is loaded once per module (in its own browser context, so PyScript's IndexedDB
package cache starts empty); the tests below assert on what it reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Request

from harness.server import ServerProcess

BOOT_TIMEOUT_MS = 60_000
"""PyScript boots its own Pyodide and installs pyws with micropip: 3-7 s here."""

# What roundtrip.py sends; the tests compare what came back with these exact values.
TEXT = "Hello from PyScript: ünïcødé ✓"
DATA = bytes(range(256)) + b"\x00\xff\x00"
CLOSE_CODE = 1000
CLOSE_REASON = "bye from PyScript ✓"


@dataclass
class Run:
    """One page load: what the page reported, said on its console, and fetched."""

    variant: str
    result: dict[str, Any]
    state: str
    console_errors: list[str] = field(default_factory=list)
    py_errors: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def reported(self) -> dict[str, Any]:
        """The page's report; fails the test with what went wrong if it has none."""
        detail = {"console": self.console_errors, "py-error": self.py_errors}
        assert self.state == "done", {"state": self.state, **self.result, **detail}
        return self.result

    def foreign(self) -> list[str]:
        """URLs that would leave 127.0.0.1 (data: and blob: stay in the browser)."""
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme not in ("data", "blob")
            and urlsplit(url).hostname != "127.0.0.1"
        ]


def _load(browser: Browser, base_url: str, variant: str) -> Run:
    context = browser.new_context(base_url=base_url)
    try:
        page = context.new_page()
        errors: list[str] = []
        urls: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors.append(message.text)

        def on_request(request: Request) -> None:
            urls.append(request.url)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        context.on("request", on_request)  # the worker's fetches too
        page.goto(f"/pyscript/{variant}.html")
        pre = page.locator(f"#result-{variant}")
        # Until roundtrip.py reports, or PyScript shows an error (e.g. pyws failed to
        # install), or the page throws: then there is no point waiting for the deadline.
        page.locator(
            f"#result-{variant}[data-state=done], #result-{variant}[data-state=error], .py-error"
        ).first.wait_for(timeout=BOOT_TIMEOUT_MS)
        page.wait_for_timeout(200)  # let late console lines arrive
        state = pre.get_attribute("data-state") or ""
        return Run(
            variant=variant,
            result=json.loads(pre.text_content() or "{}") if state != "loading" else {},
            state=state,
            console_errors=errors,
            py_errors=page.locator(".py-error").all_text_contents(),
            urls=urls,
        )
    finally:
        context.close()


@pytest.fixture(scope="module")
def run(browser: Browser, base_url: str) -> Iterator[Callable[[str], Run]]:
    """``run("main")`` or ``run("worker")``: that page, loaded once for the module."""
    runs: dict[str, Run] = {}

    def get(variant: str) -> Run:
        if variant not in runs:
            runs[variant] = _load(browser, base_url, variant)
        return runs[variant]

    yield get


def round_trip(result: dict[str, Any]) -> dict[str, Any]:
    """The round trip's report: by the relative URL, else by the absolute fallback."""
    trip: dict[str, Any] = result.get("absolute") or result["relative"]
    return trip


VARIANTS = ["main", "worker"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_pyws_comes_from_the_local_distribution(
    run: Callable[[str], Run], variant: str, live_server: ServerProcess
) -> None:
    r = run(variant)
    r.reported()
    assert r.result["where"] == variant
    assert r.result["pyws_version"] == "0.1.0"
    assert r.result["pyws_file"] == "/lib/python3.14/site-packages/pyws/__init__.py"
    # The worker reaches the page's document over SharedArrayBuffer: it needs isolation.
    assert r.result["cross_origin_isolated"] is True
    assert f"{live_server.url}/pyodide/pyodide.mjs" in r.urls
    assert f"{live_server.url}/pyodide/pyodide-lock.json" in r.urls
    assert any(re.fullmatch(rf"{live_server.url}/pyodide/pyws-[^/]+\.whl", u) for u in r.urls)
    assert f"{live_server.url}/pyscript/roundtrip.py" in r.urls
    assert r.foreign() == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_text_and_bytes_round_trip(run: Callable[[str], Run], variant: str) -> None:
    trip = round_trip(run(variant).reported())
    assert trip["state_open"] == "OPEN"
    assert trip["text_type"] == "str"
    assert trip["text"] == TEXT
    assert trip["bytes_type"] == "bytes"
    assert trip["bytes_hex"] == DATA.hex()


@pytest.mark.parametrize("variant", VARIANTS)
def test_close_with_code_and_reason_then_connection_closed_ok(
    run: Callable[[str], Run], variant: str
) -> None:
    trip = round_trip(run(variant).reported())
    closed = {"code": CLOSE_CODE, "reason": CLOSE_REASON, "was_clean": True}
    assert trip["close"] == {"state": "CLOSED", **closed}
    assert trip["recv_after_close"] == {"type": "ConnectionClosedOK", **closed}
    assert trip["send_after_close"] == {"type": "ConnectionClosedOK", **closed}


def test_main_thread_relative_url_resolves_against_the_page(
    run: Callable[[str], Run], live_server: ServerProcess
) -> None:
    result = run("main").reported()
    assert result["location"] == f"{live_server.url}/pyscript/main.html"
    assert result["relative"]["url"] == live_server.ws_url("/echo")
    assert "absolute" not in result


def test_worker_location_is_a_blob_url_that_the_browser_cannot_resolve_against(
    run: Callable[[str], Run], live_server: ServerProcess
) -> None:
    """PyScript starts its worker from a blob: URL, so that is the worker's location; the
    browser's URL parser (and so ``new WebSocket("/echo")``) refuses relative URLs there."""
    result = run("worker").reported()
    assert re.fullmatch(rf"blob:{live_server.url}/[0-9a-f-]{{36}}", result["location"])
    assert result["browser_resolves"] is None


def test_worker_relative_url_resolves_against_the_page_origin(
    run: Callable[[str], Run], live_server: ServerProcess
) -> None:
    """pyws resolves against the URL inside the blob: one, as polyscript does for its paths."""
    result = run("worker").reported()
    assert result["relative"].get("url") == live_server.ws_url("/echo"), result["relative"]
    assert "absolute" not in result


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_errors(run: Callable[[str], Run], variant: str) -> None:
    """Nothing on the console at error level, and no error box from PyScript: this caught
    `import pyws` leaving a second WebLoop running (fixed in pyws/_wakeup.py, 7d13750)."""
    r = run(variant)
    assert r.console_errors == []
    assert r.py_errors == []
