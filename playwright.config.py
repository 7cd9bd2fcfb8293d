"""The one place for browser settings, read through harness.config by the tests and the bench.

Playwright cannot download its own browsers on this network, so the executable is
``$PYWS_BROWSER`` if set, else Debian's ``chromium`` on PATH, else Playwright's own build.
"""

from __future__ import annotations

import json
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


# --- Firefox ESR ---------------------------------------------------------------------
# Debian's firefox-esr (`make firefox`), or $PYWS_FIREFOX. Playwright drives it over
# WebDriver BiDi (channel "moz-firefox") through harness/firefox_bidi.py; the scenario
# suite runs it as a plain subprocess with these prefs in the profile's user.js.

BROWSERS = ["chromium", "firefox", "webkit"]
"""pytest-playwright's ``--browser`` default. Every browser test runs in Chromium; those marked
``firefox`` or ``webkit`` also run there (in WebKit through harness/webdriver.py)."""

FIREFOX_ARGS = ["--headless", "--no-remote"]

FIREFOX_PREFS: dict[str, bool | int | str] = {
    # No first-run, default-browser or crash-recovery pages: open the URL and nothing else.
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "browser.newtabpage.enabled": False,
    "browser.aboutwelcome.enabled": False,
    "startup.homepage_welcome_url": "about:blank",
    "startup.homepage_welcome_url.additional": "",
    "browser.sessionstore.resume_from_crash": False,
    "toolkit.startup.max_resumed_crashes": -1,
    "dom.max_script_run_time": 0,  # never the slow-script prompt while Pyodide works
    # Without these, Firefox tries this closed network for updates, telemetry, remote
    # settings, safe browsing lists, captive portals, DNS-over-HTTPS and prefetches.
    "app.update.disabledForTesting": True,
    "app.update.auto": False,
    "app.normandy.enabled": False,
    "app.shield.optoutstudies.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.server": "",
    "telemetry.fog.test.localhost_port": -1,  # Glean: no deletion-request ping either
    "datareporting.usage.uploadEnabled": False,
    "dom.push.connection.enabled": False,
    "dom.push.serverURL": "",
    "browser.ping-centre.telemetry": False,
    "browser.newtabpage.activity-stream.feeds.telemetry": False,
    "browser.newtabpage.activity-stream.telemetry": False,
    "services.settings.server": "data:,#remote-settings-dummy/v1",
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.update.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.blocklist.enabled": False,
    "browser.search.update": False,
    "browser.region.network.url": "",
    "browser.region.update.enabled": False,
    "browser.topsites.contile.enabled": False,
    "geo.provider.network.url": "",
    "media.gmp-manager.updateEnabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.trr.mode": 5,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.predictor.enabled": False,
    "network.http.speculative-parallel-limit": 0,
    "security.OCSP.enabled": 0,
    # Two Firefox defaults that the scenario suite cannot live with (see the README):
    # at most 200 WebSockets in the whole browser (raised so that no scenario comes near it:
    # the suite opens 150 at once, besides the harness's control socket; it opened 200 until
    # WebKitGTK's limit of 199), and RFC 6455's growing delay (up to 60 s) before each
    # reconnect to a host:port whose last handshake failed (the suite fails 50 in a row).
    "network.websocket.max-connections": 256,
    "network.websocket.delay-failed-reconnects": False,
}

FIREFOX_ENV = {"MOZ_REMOTE_SETTINGS_DEVTOOLS": "1"}
"""Release builds ignore ``services.settings.server`` unless this is set: without it Firefox
polls its remote-settings server (a DNS lookup every few seconds here)."""

FIREFOX_CONTEXT_ARGS: dict[str, object] = {"color_scheme": "no-override"}
"""Playwright context options for Firefox: no media emulation (ESR 153 has none to offer)."""


def firefox_executable_path() -> str | None:
    """Firefox ESR, or None when it is not installed (``make firefox`` installs it)."""
    return os.environ.get("PYWS_FIREFOX") or shutil.which("firefox-esr")


def firefox_user_js(extra: dict[str, object] | None = None) -> str:
    """FIREFOX_PREFS (and ``extra``) as a profile's ``user.js``."""
    prefs = {**FIREFOX_PREFS, **(extra or {})}
    return "".join(
        f"user_pref({json.dumps(name)}, {json.dumps(value)});\n" for name, value in prefs.items()
    )


# --- WebKit (WebKitGTK) ----------------------------------------------------------------
# Debian's WebKitGTK (`make webkit`): its MiniBrowser for the scenario suite and the bench,
# WebKitWebDriver for the page tests (tests/page, through harness/webdriver.py). Both need
# an X display: harness/xvfb.py gives each run a private Xvfb. Playwright cannot drive it:
# its WebKit is a patched build of its own, which cannot be downloaded here.

WEBKIT_LIBEXEC = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1"

WEBKIT_ARGS = [
    # Console lines on stdout, into the browser log the harness shows when a target fails.
    "--enable-write-console-messages-to-stdout=true",
    "--enable-page-cache=false",
]


def webkit_executable_path() -> str | None:
    """WebKitGTK's MiniBrowser ($PYWS_WEBKIT), or None when it is not installed."""
    path = os.environ.get("PYWS_WEBKIT") or os.path.join(WEBKIT_LIBEXEC, "MiniBrowser")
    return path if os.access(path, os.X_OK) else None


def webkit_driver_path() -> str | None:
    """WebKitWebDriver ($PYWS_WEBKIT_DRIVER), or None when it is not installed."""
    return os.environ.get("PYWS_WEBKIT_DRIVER") or shutil.which("WebKitWebDriver")
