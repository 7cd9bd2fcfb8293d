"""Browsers as plain subprocesses: headless, on one URL, with a fresh temporary profile.

No Playwright and no DevTools connection: with CDP attached, Chromium reports every
WebSocket frame, which cut browser throughput 3-7x in the benchmark. A browser target is a
:data:`Command`, the argv that opens a URL with a given profile folder; :func:`launch` runs
any of them: :func:`chromium`, :func:`firefox` (Firefox ESR) and :func:`webkit` (WebKitGTK's
MiniBrowser, on a private X display).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from harness import ROOT
from harness.config import browser_config
from harness.process import stop

Command = Callable[[str, Path], list[str]]
"""``command(url, profile)``: the argv that opens ``url`` headless, keeping its state
(cache, preferences) in the empty folder ``profile``."""

STOP_TIMEOUT = 10.0
"""How long a SIGTERMed browser may take to exit before its process group is SIGKILLed."""


@dataclass
class BrowserProcess:
    proc: subprocess.Popen[bytes]
    profile: Path
    log: Path
    """The browser's stdout and stderr."""


@asynccontextmanager
async def launch(command: Command, url: str, *, name: str) -> AsyncIterator[BrowserProcess]:
    """Run ``command(url, profile)`` until the block ends, then stop it and its helpers.

    The profile is a fresh temporary folder (so a cold HTTP cache), removed afterwards;
    the browser runs in a session of its own so that stopping reaches every process it
    started. ``name`` labels the temporary folder.
    """
    with tempfile.TemporaryDirectory(prefix=f"pyws-{name}-", ignore_cleanup_errors=True) as folder:
        profile, log = Path(folder) / "profile", Path(folder) / "browser.log"
        profile.mkdir()
        with log.open("wb") as out:
            proc = subprocess.Popen(
                command(url, profile),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        try:
            yield BrowserProcess(proc, profile, log)
        finally:
            await asyncio.to_thread(stop, proc, STOP_TIMEOUT, group=True)
            # A browser's helpers may still be writing into the profile for a moment.
            await asyncio.sleep(0.2)


def chromium_path() -> str:
    path = browser_config().executable_path()
    if not path:
        raise SystemExit("no Chromium: set PYWS_BROWSER or install chromium (make browser)")
    return str(path)


def chromium_version() -> str:
    out = subprocess.run(
        [chromium_path(), "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return out.stdout.strip() or out.stderr.strip()


def chromium_command(url: str, profile: Path, flags: Sequence[str] = ()) -> list[str]:
    """The flags of playwright.config.py (which the Playwright tests use too), and ``flags``."""
    config = browser_config()
    return [chromium_path(), *config.LAUNCH_ARGS, *flags, f"--user-data-dir={profile}", url]


def chromium(url: str) -> AbstractAsyncContextManager[BrowserProcess]:
    """Headless Chromium on ``url``: :func:`launch` with :func:`chromium_command`."""
    return launch(chromium_command, url, name="chromium")


def firefox_path() -> str:
    path = browser_config().firefox_executable_path()
    if not path:
        raise SystemExit("no Firefox: set PYWS_FIREFOX or install firefox-esr (make firefox)")
    return str(path)


def firefox_command(
    url: str, profile: Path, prefs: Mapping[str, object] | None = None
) -> list[str]:
    """Firefox with playwright.config.py's environment and flags, and its prefs (and
    ``prefs``) as the profile's user.js."""
    config = browser_config()
    (profile / "user.js").write_text(config.firefox_user_js(prefs))
    env = [f"{name}={value}" for name, value in config.FIREFOX_ENV.items()]
    return ["env", *env, firefox_path(), *config.FIREFOX_ARGS, "--profile", str(profile), url]


def firefox_version() -> str:
    out = subprocess.run(
        [firefox_path(), "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return out.stdout.strip() or out.stderr.strip()


def firefox(url: str) -> AbstractAsyncContextManager[BrowserProcess]:
    """Headless Firefox ESR on ``url``: :func:`launch` with :func:`firefox_command`."""
    return launch(firefox_command, url, name="firefox")


def webkit_path() -> str:
    path = browser_config().webkit_executable_path()
    if not path:
        raise SystemExit("no WebKit: set PYWS_WEBKIT or install WebKitGTK (make webkit)")
    return str(path)


def webkit_version() -> str:
    """WebKitGTK's version, from Debian's package (MiniBrowser --version needs a display)."""
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "libwebkit2gtk-4.1-0"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return f"WebKitGTK {out.stdout.strip() or '(version unknown)'} MiniBrowser"


def webkit_command(url: str, profile: Path) -> list[str]:
    """WebKitGTK's MiniBrowser on a private Xvfb (harness/xvfb.py), keeping its data, cache
    and settings under ``profile`` (WebKitGTK finds them through the XDG folders)."""
    env = [f"HOME={profile}", f"PYTHONPATH={ROOT}"] + [
        f"XDG_{kind}_HOME={profile / kind.lower()}" for kind in ("CONFIG", "CACHE", "DATA")
    ]
    argv = [webkit_path(), *browser_config().WEBKIT_ARGS, url]
    return ["env", *env, sys.executable, "-m", "harness.xvfb", "--", *argv]


def webkit(url: str) -> AbstractAsyncContextManager[BrowserProcess]:
    """WebKitGTK's MiniBrowser on ``url``: :func:`launch` with :func:`webkit_command`."""
    return launch(webkit_command, url, name="webkit")
