"""Canary: Chromium 156's renderer crashes when a ``WebSocketStream`` with a ``write()``
still pending is reset.

Found by issue 17's bisection (docs/reliability.md, "Chromium 156 crashes a page..."): a
stream to ``/sink`` (which never reads) with writes that cannot complete, then the server
SIGKILLed, so the kernel resets the connection: within ~30 ms the page's renderer takes
SIGSEGV at address 0. pyws cannot keep a write from pending (that is what backpressure
is), so ``transport="stream"``'s docs (docs/transports.md) warn and tell users how to
avoid it, and the scenario suite never leaves a write pending on a connection the server
later kills.

This test reproduces the crash in a browser of its own (launched for it, closed after it,
so the crash touches nothing else), against a server of its own. It passes while Chromium
crashes, and fails the day Chromium no longer does: then the warning and the advice in
docs/transports.md can go.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pytest_pyodide import run_in_pyodide
from pytest_pyodide.fixture import selenium_common

from harness.server import start_server

CHUNK = 2**20
WRITES = 64
"""64 MiB handed to the writer: far more than the socket buffers and /sink take."""
CRASH_WAIT = 30.0
"""How long the page may live on after the server's kill (seen: ~30 ms to the crash). A
hang guard for the absence of the crash, which is this canary's failure."""


@pytest.fixture
def own_browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    browser = launch_browser()
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def selenium_own(
    request: pytest.FixtureRequest,
    own_browser: Browser,
    web_server_main: tuple[str, int, Any],
) -> Iterator[Any]:
    """pytest-pyodide's runner (what ``@run_in_pyodide`` calls through) on a page of
    :func:`own_browser`."""
    with selenium_common(request, "chrome", web_server_main, browsers={"chrome": own_browser}) as s:
        yield s


@run_in_pyodide
async def leave_writes_pending(selenium: Any, url: str, chunk: int, writes: int) -> int:
    import sys

    import js

    stream = js.WebSocketStream.new(url)
    writer = (await stream.opened).writable.getWriter()
    data = js.Uint8Array.new(chunk)
    settled: list[int] = []
    for i in range(writes):  # not awaited: the writer queues them
        writer.write(data).then(lambda _, i=i: settled.append(i))
    sys.modules["__main__"].pending_stream = (stream, writer, settled)
    await js.Promise.new(lambda resolve, _: js.setTimeout(resolve, 500))
    return len(settled)


def test_a_reset_websocketstream_with_a_write_pending_crashes_the_renderer(
    selenium_own: Any,
) -> None:
    page = selenium_own.driver
    crashes: list[object] = []
    page.on("crash", lambda crashed: crashes.append(crashed))
    with start_server() as server:
        written = leave_writes_pending(selenium_own, server.ws_url("/sink"), CHUNK, WRITES)
        assert written < WRITES, "every write completed: nothing is pending to test"
        server.proc.kill()  # SIGKILL: the kernel resets the connection
        server.proc.wait()
        with contextlib.suppress(PlaywrightTimeoutError):  # no crash: asserted below
            page.wait_for_event("crash", timeout=CRASH_WAIT * 1000)
    assert crashes, (
        f"the page lived {CRASH_WAIT} s past the reset of a WebSocketStream with "
        f"{WRITES - written} writes pending: Chromium no longer crashes there. The warning "
        "and advice in docs/transports.md and this canary can go (docs/reliability.md)"
    )
