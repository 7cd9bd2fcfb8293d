"""The one place for browser settings, read through harness.config by the tests and the bench.

Playwright cannot download its own browsers on this network, so the executable is
``$PYWS_BROWSER`` if set, else Debian's ``chromium`` on PATH, else Playwright's own build.
"""

from __future__ import annotations

import os
import shutil

HOST = "127.0.0.1"
"""Servers bind to, and pages are served from, loopback only: Chromium's Local Network
Access checks block ``ws://127.0.0.1`` from pages that are not loopback themselves."""

LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium floods this closed network with refused connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

TIMEOUT_MS = 30_000
"""Default timeout of Playwright actions and expectations."""

NAVIGATION_TIMEOUT_MS = 60_000
"""Loading Pyodide cold takes 2-3 s; leave room on a loaded 2-core machine."""

VIEWPORT = {"width": 1440, "height": 900}


def executable_path() -> str | None:
    """The browser to launch; None lets Playwright use its own download."""
    return os.environ.get("PYWS_BROWSER") or shutil.which("chromium")


def launch_options() -> dict[str, object]:
    """Keyword arguments for ``playwright.chromium.launch``."""
    options: dict[str, object] = {"args": LAUNCH_ARGS, "headless": True}
    if path := executable_path():
        options["executable_path"] = path
    return options
