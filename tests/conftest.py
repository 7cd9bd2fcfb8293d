"""Shared fixtures: the bundled server, and one Chromium for both kinds of browser test.

- pytest-playwright's ``page`` tests load pages from the bundled server (``live_server``).
- pytest-pyodide's ``@run_in_pyodide`` tests run in a page served from build/pyodide by
  ``web_server_main`` and reach the bundled server's WebSockets through ``live_server``.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from pytest_pyodide.server import DefaultHandler

from harness import ROOT, firefox_bidi
from harness.config import browser_config
from harness.server import ServerProcess, start_server
from harness.suite import TARGETS
from harness.webdriver import webkit_page

config = browser_config()  # playwright.config.py, the one place for browser settings
DIST = ROOT / "build" / "pyodide"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--target",
        action="append",
        choices=sorted(TARGETS),
        metavar="NAME",
        help="run the scenario suite (tests/targets) only on this target (repeatable)",
    )


@pytest.fixture(scope="session")
def live_server() -> Iterator[ServerProcess]:
    """The bundled server (`python -m server`) on a free loopback port, for the session."""
    if not (DIST / "pyodide-lock.json").is_file():
        pytest.exit("build/pyodide is missing: run the tests with `make test`", returncode=2)
    with start_server() as server:
        yield server


# --- pytest-playwright -------------------------------------------------------------


# Browsers: pytest-playwright's --browser; by default config.BROWSERS. Firefox and WebKit run
# only the tests marked ``firefox`` / ``webkit``: their variants of the others are deselected.
# WebKit's ``page`` is harness/webdriver.py's Page, over WebKitWebDriver (Playwright cannot
# drive Debian's WebKit).


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "firefox: also run this browser test in Firefox ESR")
    config.addinivalue_line("markers", "webkit: also run this page test in WebKitGTK")
    config.addinivalue_line(
        "markers", "not_in_webkit(reason): a page test WebDriver cannot run in WebKitGTK"
    )
    if not config.option.browser:
        config.option.browser = list(browser_config().BROWSERS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def chromium_only(item: pytest.Item) -> bool:
        callspec = getattr(item, "callspec", None)
        browser = callspec.params.get("browser_name") if callspec is not None else None
        if browser == "webkit" and item.get_closest_marker("not_in_webkit") is not None:
            return True
        return browser in ("firefox", "webkit") and item.get_closest_marker(browser) is None

    if dropped := [item for item in items if chromium_only(item)]:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not chromium_only(item)]


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any],
    browser_name: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    if browser_name == "firefox":
        if not config.firefox_executable_path():
            pytest.skip("no Firefox ESR: install it with `make firefox` (or set PYWS_FIREFOX)")
        folder = tmp_path_factory.mktemp("firefox-bidi")
        return {**browser_type_launch_args, **firefox_bidi.launch_options(folder)}
    return {**browser_type_launch_args, **config.launch_options()}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], browser_name: str) -> dict[str, Any]:
    args = {**browser_context_args, "viewport": config.VIEWPORT}
    return {**args, **config.FIREFOX_CONTEXT_ARGS} if browser_name == "firefox" else args


@pytest.fixture(scope="session")
def base_url(live_server: ServerProcess) -> str:
    return live_server.url


@pytest.fixture
def page(request: pytest.FixtureRequest, browser_name: str, tmp_path: Path) -> Iterator[Page]:
    """pytest-playwright's page (``context.new_page()``); in WebKit, harness/webdriver.py's."""
    with ExitStack() as stack:
        if browser_name == "webkit":
            if not (config.webkit_executable_path() and config.webkit_driver_path()):
                pytest.skip("no WebKitGTK: install it with `make webkit`")
            base = request.getfixturevalue("base_url")
            page: Page = stack.enter_context(webkit_page(base, tmp_path / "webkitwebdriver.log"))
        else:
            page = request.getfixturevalue("context").new_page()
        page.set_default_timeout(config.TIMEOUT_MS)
        page.set_default_navigation_timeout(config.NAVIGATION_TIMEOUT_MS)
        yield page


# --- pytest-pyodide ------------------------------------------------------------------


@pytest.fixture(scope="module")
def playwright_browsers(browser: Browser) -> dict[str, Browser]:
    """Reuse pytest-playwright's browser: a second sync_playwright() fails inside its loop."""
    return {"chrome": browser}


class _QuietHandler(DefaultHandler):
    def log_message(self, format_: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def web_server_main() -> Iterator[tuple[str, int, Path | None]]:
    """pytest-pyodide's page server, bound to loopback (its own binds every interface)."""
    handler = functools.partial(_QuietHandler, directory=str(DIST), extra_headers={})
    httpd = http.server.ThreadingHTTPServer((config.HOST, 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield config.HOST, httpd.server_address[1], None
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def echo_url(live_server: ServerProcess) -> str:
    return live_server.ws_url("/echo")


@pytest.fixture(scope="session")
def ws_base(live_server: ServerProcess) -> str:
    """``ws://127.0.0.1:PORT`` of the bundled server, for scenario paths."""
    return f"ws://127.0.0.1:{live_server.port}"


@pytest.fixture(scope="session")
def http_base(live_server: ServerProcess) -> str:
    """``http://127.0.0.1:PORT`` of the bundled server."""
    return live_server.url
