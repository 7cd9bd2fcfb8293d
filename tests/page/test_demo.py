"""The demo page at ``/`` (web/index.html + web/demo.py) in real Chromium, Firefox ESR and
WebKitGTK, against the bundled server. One page load per test; everything is observed
through the page. In WebKit, ``page`` is harness/webdriver.py's Playwright-shaped page over
WebKitWebDriver, and ``expect`` (harness.webdriver's) serves both kinds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, WebSocket

from harness import ROOT
from harness.server import ServerProcess, start_server
from harness.webdriver import expect

# Every test here runs in Chromium, Firefox ESR and WebKitGTK.
pytestmark = [pytest.mark.firefox, pytest.mark.webkit]

ARTIFACTS = ROOT / "test-artifacts"
BOOT_TIMEOUT_MS = 60_000
"""Loading Pyodide cold takes 2-3 s; leave room on a loaded machine."""
EXPECT_TIMEOUT_MS = 30_000
LARGE_TIMEOUT_MS = 120_000

# SHA-256 of a canvas's RGBA pixels, computed in the page.
CANVAS_DIGEST = """async (id) => {
    const canvas = document.getElementById(id);
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    const digest = await crypto.subtle.digest("SHA-256", pixels.data);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}"""


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """Give expect() the same patience as page actions (its default is 5 s)."""
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)


@dataclass
class Recorder:
    """What the page said and where it went."""

    errors: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("request", self._request)
        page.on("websocket", self._websocket)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _request(self, request: Request) -> None:
        self.urls.append(request.url)

    def _websocket(self, ws: WebSocket) -> None:
        self.urls.append(ws.url)

    def foreign(self) -> list[str]:
        """URLs that would leave 127.0.0.1 (data: and blob: stay in the page)."""
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme not in ("data", "blob")
            and urlsplit(url).hostname != "127.0.0.1"
        ]


@pytest.fixture
def recorder(page: Page) -> Recorder:
    rec = Recorder()
    rec.attach(page)
    return rec


def open_demo(page: Page, query: str = "", state: str = "open") -> None:
    """Load the page and wait until booting and connecting are over."""
    page.goto(f"/{query}")
    expect(page.locator("body")).to_have_attribute("data-state", state, timeout=BOOT_TIMEOUT_MS)


def send_text(page: Page, text: str) -> None:
    page.fill("#textmessage", text)
    page.click("#sendText")
    expect(page.locator("#serverResponse")).to_have_text(f"Server Reply:: {text}")


def canvas_digest(page: Page, canvas_id: str) -> str:
    digest = page.evaluate(CANVAS_DIGEST, canvas_id)
    assert isinstance(digest, str)
    return digest


def draw(page: Page, points: list[tuple[float, float]]) -> None:
    """Drag the mouse over the source canvas through points given as fractions of its size."""
    source = page.locator("#source")
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    assert box is not None
    xs = [box["x"] + fx * box["width"] for fx, _ in points]
    ys = [box["y"] + fy * box["height"] for _, fy in points]
    page.mouse.move(xs[0], ys[0])
    page.mouse.down()
    for x, y in zip(xs[1:], ys[1:], strict=True):
        page.mouse.move(x, y, steps=5)
    page.mouse.up()


def test_boots_opens_and_echoes_text_cleanly(
    page: Page, recorder: Recorder, live_server: ServerProcess
) -> None:
    open_demo(page)
    expect(page.locator("#serverStatus")).to_have_text("WebSocket Status:: Socket Open")
    expect(page.locator("#progress")).to_contain_text("Ready")
    expect(page.locator("#insUrl")).to_have_text(live_server.ws_url("/echo"))
    expect(page.locator("#insSubprotocol")).to_have_text("v2.echo")
    expect(page.locator("#insBinaryType")).to_have_text("blob")
    expect(page.locator("#log li").first).to_contain_text("open")
    for button in ("disconnect", "sendText", "sendCanvas", "sendLarge"):
        expect(page.locator(f"#{button}")).to_be_enabled()
    expect(page.locator("#connect")).to_be_disabled()  # already connected

    # Text: the Send button, then the Enter key.
    send_text(page, "Hello, echo!")
    text = "sent with Enter: ünïcødé ✓"
    page.fill("#textmessage", text)
    page.press("#textmessage", "Enter")
    expect(page.locator("#serverResponse")).to_have_text(f"Server Reply:: {text}")
    expect(page.locator("#log li").first).to_contain_text(f"text, {len(text)} chars: {text}")
    expect(page.locator("#insSent")).to_contain_text("2 messages")
    expect(page.locator("#insReceived")).to_contain_text("2 messages")

    assert recorder.errors == []
    assert recorder.foreign() == []
    assert any(url.endswith("/pyodide/pyodide.mjs") for url in recorder.urls)
    assert any(re.search(r"/pyws-[^/]+\.whl$", url) for url in recorder.urls)


def test_canvas_round_trip_blob_and_bytes(page: Page) -> None:
    open_demo(page)
    before = canvas_digest(page, "source")
    draw(page, [(0.1, 0.9), (0.5, 0.2), (0.9, 0.8)])
    drawn = canvas_digest(page, "source")
    assert drawn != before, "the mouse did not draw on the source canvas"
    assert canvas_digest(page, "destination") != drawn

    expect(page.locator("#sendCanvas")).to_have_text("Send canvas as Blob")
    page.click("#sendCanvas")
    expect(page.locator("#destination")).to_have_attribute("data-images", "1")
    assert canvas_digest(page, "destination") == drawn
    expect(page.locator("#log li").first).to_contain_text("binary (Blob)")

    page.select_option("#binaryMode", "bytes")
    expect(page.locator("#sendCanvas")).to_have_text("Send canvas as bytes")
    expect(page.locator("#insBinaryType")).to_have_text("bytes")
    page.click("#randomPicture")
    draw(page, [(0.2, 0.2), (0.8, 0.3)])
    redrawn = canvas_digest(page, "source")
    assert redrawn != drawn
    page.click("#sendCanvas")
    expect(page.locator("#destination")).to_have_attribute("data-images", "2")
    assert canvas_digest(page, "destination") == redrawn
    expect(page.locator("#log li").first).to_contain_text("binary (bytes)")


def test_disconnect_and_connect_again(page: Page) -> None:
    open_demo(page)
    page.click("#disconnect")
    expect(page.locator("body")).to_have_attribute("data-state", "closed")
    expect(page.locator("#serverStatus")).to_have_text("WebSocket Status:: Socket Closed")
    expect(page.locator("#closeDetail")).to_contain_text("Close code 1000")
    expect(page.locator("#insCloseCode")).to_have_text("1000")
    expect(page.locator("#log li").first).to_contain_text("close")
    expect(page.locator("#disconnect")).to_be_disabled()

    page.click("#sendText")  # while disconnected
    expect(page.locator("#notice")).to_contain_text("Not connected")

    page.click("#connect")
    expect(page.locator("body")).to_have_attribute("data-state", "open")
    expect(page.locator("#serverStatus")).to_have_text("WebSocket Status:: Socket Open")
    expect(page.locator("#notice")).to_be_hidden()
    send_text(page, "back again")


def test_server_going_away(page: Page, live_server: ServerProcess) -> None:
    with start_server() as other:
        target = other.ws_url("/echo")
        open_demo(page, f"?url={quote(target, safe='')}")
        expect(page.locator("#insUrl")).to_have_text(target)
        send_text(page, "before the server stops")
        other.proc.terminate()
        other.proc.wait(30)

    # The server says goodbye (1001) as it shuts down; the page shows it and stays usable.
    expect(page.locator("#serverStatus")).not_to_contain_text("Socket Open")
    expect(page.locator("#closeDetail")).to_contain_text("1001")
    expect(page.locator("#notice")).to_contain_text("server went away")

    page.click("#sendText")
    expect(page.locator("#notice")).to_contain_text("Not connected")

    # Connecting to the dead port fails with an error, not a hang.
    page.click("#connect")
    expect(page.locator("body")).to_have_attribute("data-state", "error")
    expect(page.locator("#serverStatus")).to_have_text("WebSocket Status:: Error was reported")
    expect(page.locator("#closeDetail")).to_contain_text("could not connect")
    expect(page.locator("#log li").first).to_contain_text("InvalidHandshake")

    # Point it at a live server and carry on.
    page.fill("#url", live_server.ws_url("/echo"))
    page.click("#connect")
    expect(page.locator("body")).to_have_attribute("data-state", "open")
    send_text(page, "after the server stopped")


RECONNECTING = re.compile(r"^WebSocket Status:: Reconnecting (now|in \d+\.\d s) \(attempt \d+\)$")


def test_auto_reconnect_through_a_server_restart(page: Page) -> None:
    with start_server() as first, ExitStack() as restarted:
        port, target = first.port, first.ws_url("/echo")
        open_demo(page, f"?url={quote(target, safe='')}")
        status, log = page.locator("#serverStatus"), page.locator("#log li")

        # The switch starts the live connection over as a ReconnectingWebSocket.
        page.check("#autoReconnect")
        expect(log.filter(has_text="pyws.ReconnectingWebSocket")).to_have_count(1)
        expect(status).to_have_text("WebSocket Status:: Socket Open")
        expect(page.locator("#closeDetail")).to_contain_text("auto-reconnect is on")
        expect(page.locator("#insQueued")).to_have_text("0 messages")
        send_text(page, "before the server stops")

        first.proc.terminate()
        first.proc.wait(30)
        expect(page.locator("body")).to_have_attribute("data-state", "reconnecting")
        expect(status).to_have_text(RECONNECTING)
        shown = status.text_content()
        expect(status).not_to_have_text(shown or "")  # the countdown and attempts move on
        expect(status).to_have_text(RECONNECTING)
        expect(page.locator("#connect")).to_be_disabled()
        expect(page.locator("#disconnect")).to_be_enabled()  # it stops the retries

        outage = "sent during the outage"
        page.fill("#textmessage", outage)
        page.click("#sendText")
        expect(log.first).to_contain_text("queued")
        expect(log.first).to_contain_text(outage)
        expect(page.locator("#insQueued")).to_have_text("1 message")
        expect(page.locator("#notice")).to_be_hidden()

        restarted.enter_context(start_server("--port", str(port)))
        expect(status).to_have_text("WebSocket Status:: Socket Open")
        expect(page.locator("body")).to_have_attribute("data-state", "open")
        expect(page.locator("#closeDetail")).to_contain_text("Reconnected to")
        expect(page.locator("#serverResponse")).to_have_text(f"Server Reply:: {outage}")
        expect(page.locator("#log li.log-message").first).to_contain_text(outage)
        expect(page.locator("#insQueued")).to_have_text("0 messages")
        send_text(page, "after the reconnect")

        page.click("#disconnect")
        expect(page.locator("body")).to_have_attribute("data-state", "closed")
        expect(page.locator("#closeDetail")).to_contain_text("Close code 1000")
        expect(page.locator("#connect")).to_be_enabled()


def test_invalid_url_is_an_error(page: Page) -> None:
    open_demo(page, "?url=ftp://127.0.0.1/echo", state="error")
    expect(page.locator("#serverStatus")).to_have_text("WebSocket Status:: Error was reported")
    expect(page.locator("#closeDetail")).to_contain_text("isn't a valid WebSocket URL")
    expect(page.locator("#notice")).to_contain_text("Could not connect")
    expect(page.locator("#log li").first).to_contain_text("InvalidURI")
    expect(page.locator("#progress")).not_to_contain_text("Loading")
    expect(page.locator("#connect")).to_be_enabled()


def test_large_transfer_is_intact(page: Page) -> None:
    open_demo(page)
    page.click("#sendLarge")
    large = page.locator("#large")
    expect(large).to_have_attribute("data-result", "intact", timeout=LARGE_TIMEOUT_MS)
    expect(large).to_have_attribute("data-percent", "100")
    expect(page.locator("#largeProgress")).to_have_attribute("value", "100")
    expect(page.locator("#largeResult")).to_contain_text("intact")
    expect(page.locator("#largeStatus")).to_contain_text("MiB/s")
    sent = large.get_attribute("data-sent-digest")
    assert sent and re.fullmatch(r"[0-9a-f]{64}", sent)
    assert large.get_attribute("data-received-digest") == sent
    expect(page.locator("#insReceived")).to_contain_text("32.0 MiB")
    expect(page.locator("#sendLarge")).to_be_enabled()


@pytest.fixture
def artifacts(browser_name: str, tmp_path: Path) -> Iterator[Path]:
    """test-artifacts/ keeps Chromium's screenshots (the README shows them); others' are
    only taken, in a temporary folder."""
    if browser_name != "chromium":
        yield tmp_path
        return
    ARTIFACTS.mkdir(exist_ok=True)
    yield ARTIFACTS


@pytest.mark.not_in_webkit(
    "MiniBrowser's window is at least 447 px wide (its toolbar; measured), so WebDriver "
    "cannot give it the 360 px viewport this test needs"
)
def test_screenshots(page: Page, artifacts: Path) -> None:
    open_demo(page)
    send_text(page, "Hello from Python!")
    draw(page, [(0.55, 0.85), (0.65, 0.55), (0.75, 0.85), (0.85, 0.55)])
    page.click("#sendCanvas")
    expect(page.locator("#destination")).to_have_attribute("data-images", "1")

    page.screenshot(path=artifacts / "demo-1440.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"the page scrolls sideways at 360 px ({scroll_width} px)"
    page.screenshot(path=artifacts / "demo-360.png", full_page=True)
