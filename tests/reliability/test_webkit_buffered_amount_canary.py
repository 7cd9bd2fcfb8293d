"""Canary: does WebKitGTK's ``bufferedAmount`` count what the peer has not read?

It does not (measured 2026-11-30, WebKitGTK 2.50.6): the page hands every message to
WebKit's network process (libsoup) at once, so with 64 MiB sent to ``/sink``, which never
reads, ``bufferedAmount`` is back to 0 shortly after the last ``send()``. A page there
sees no send backpressure, so pyws's ``write_limit`` never makes ``send()`` wait and
``drain()`` returns at once; the scenario suite withholds its ``buffered_amount`` feature
from WebKitGTK (tests/scenarios/environment.py) for that reason. This test records
today's fact, with raw JS and no pyws, so that a WebKit update that changes it fails here
and the scenario can run there again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.config import browser_config
from harness.server import ServerProcess
from harness.webdriver import Page, webkit_page

MIB = 64
"""Sent to /sink, 1 MiB at a time: far more than any socket buffer holds."""

SEND_UNREAD = """async ({url, mib}) => {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const chunk = new Uint8Array(1 << 20);
    let most = 0;
    for (let i = 0; i < mib; i++) {
        ws.send(chunk);
        most = Math.max(most, ws.bufferedAmount);
        await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const after = [];
    for (let i = 0; i < 10; i++) {  // 2 s, while the peer still reads nothing
        await new Promise((resolve) => setTimeout(resolve, 200));
        after.push(ws.bufferedAmount);
    }
    const state = ws.readyState;
    ws.close();
    return {most, after, state};
}"""


@pytest.fixture
def webkit(live_server: ServerProcess, tmp_path: Path) -> Iterator[Page]:
    config = browser_config()
    if not (config.webkit_executable_path() and config.webkit_driver_path()):
        pytest.skip("no WebKitGTK: install it with `make webkit`")
    with webkit_page(live_server.url, tmp_path / "webkitwebdriver.log") as page:
        page.goto("/no-such-page")  # a blank origin on the server: no Pyodide needed
        yield page


def test_webkitgtk_reports_nothing_buffered_for_a_peer_that_reads_nothing(
    webkit: Page, live_server: ServerProcess
) -> None:
    result = webkit.evaluate(SEND_UNREAD, {"url": live_server.ws_url("/sink"), "mib": MIB})
    assert result["state"] == 1, result  # still open: the sink accepts and never reads
    assert result["most"] > 0, result  # it does count what the page has not handed on yet
    assert result["after"][-1] == 0, (
        f"WebKitGTK now reports {result['after'][-1]} bytes buffered for a peer that reads "
        "nothing: give the scenario suite's buffered_amount feature back to it "
        "(tests/scenarios/environment.py) and update the README"
    )
