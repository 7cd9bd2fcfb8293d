"""The processes the harness starts: the bundled server and headless Chromium.

Chromium is launched directly, never through Playwright or a DevTools connection: with
CDP attached it reports every WebSocket frame, which cut browser throughput 3-7x here.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
_SERVING = re.compile(r"Serving on (http://127\.0\.0\.1:(\d+))/")


def browser_config() -> ModuleType:
    """playwright.config.py: LAUNCH_ARGS and executable_path(), shared with the tests."""
    spec = importlib.util.spec_from_file_location(
        "pyws_playwright_config", ROOT / "playwright.config.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


@dataclass
class Server:
    url: str
    port: int

    def ws_url(self, path: str = "/echo") -> str:
        return f"ws://{HOST}:{self.port}{path}"


@contextlib.asynccontextmanager
async def server(*args: str, log: Path) -> AsyncIterator[Server]:
    """``python -m server --port 0 ARGS`` until the block ends."""
    with log.open("w") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "server", "--host", HOST, "--port", "0", *args,
            cwd=ROOT, stdout=subprocess.PIPE, stderr=err,
        )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        match = _SERVING.search(line)
        if not match:
            raise RuntimeError(f"server did not start: {line!r}\n{log.read_text()[-2000:]}")
        yield Server(match[1], int(match[2]))
    finally:
        await _stop(proc)


async def _stop(proc: asyncio.subprocess.Process, group: bool = False) -> None:
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(proc.pid, signal.SIGTERM)  # the group of the browser we started
            else:
                proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                if group:
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
            await proc.wait()


@contextlib.asynccontextmanager
async def chromium(url: str) -> AsyncIterator[Path]:
    """Headless Chromium on ``url`` with a fresh profile (so a cold HTTP cache).

    Same flags as playwright.config.py, no --remote-debugging. Yields its log file.
    """
    flags = list(browser_config().LAUNCH_ARGS)
    with tempfile.TemporaryDirectory(prefix="pyws-bench-profile-") as profile:
        log = Path(profile).parent / (Path(profile).name + ".log")
        with log.open("w") as err:
            proc = await asyncio.create_subprocess_exec(
                chromium_path(), *flags, f"--user-data-dir={profile}", url,
                stdin=subprocess.DEVNULL, stdout=err, stderr=err, start_new_session=True,
            )  # fmt: skip
        try:
            yield log
        finally:
            await _stop(proc, group=True)
            log.unlink(missing_ok=True)
            # Chromium's helpers may still be writing into the profile for a moment.
            await asyncio.sleep(0.2)
            shutil.rmtree(profile, ignore_errors=True)
