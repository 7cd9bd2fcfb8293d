"""The demo page over https (Chromium): the README's "demo over https" with a local CA."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from harness.server import start_server
from harness.tls import make_ca
from tests.page.test_demo import open_demo, send_text


def test_the_demo_over_https_speaks_wss(
    browser: Browser, tmp_path: Path, browser_context_args: dict[str, object]
) -> None:
    # A local CA's certificate, which this context accepts (the scenario suite trusts
    # exactly its CA instead: harness/tls.py).
    ca = make_ca(tmp_path / "ca")
    with start_server(*ca.server_args()) as server:
        options = {**browser_context_args, "base_url": server.url, "ignore_https_errors": True}
        context = browser.new_context(**options)
        try:
            page = context.new_page()
            open_demo(page)
            expect(page.locator("#insUrl")).to_have_text(server.ws_url("/echo"))
            assert server.ws_url("/echo").startswith("wss://")
            send_text(page, "over wss ✓")
        finally:
            context.close()
