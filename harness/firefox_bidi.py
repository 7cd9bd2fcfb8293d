"""Playwright on Firefox ESR: its WebDriver BiDi connection, relayed past what ESR lacks.

Playwright 1.65 drives Firefox over WebDriver BiDi (channel ``moz-firefox``), but speaks a
newer BiDi than ESR 153 knows: every new browser context sends
``emulation.setMediaFeaturesOverride`` (even with ``color_scheme="no-override"``, as a
reset), which ESR answers with "unknown command", so ``new_context()`` fails.

Playwright starts its ``executable_path`` and connects to the address in the line
``WebDriver BiDi listening on ws://...`` that the browser prints. :func:`executable` writes
a script that runs this module instead: it starts Firefox, relays that WebSocket, and turns
Firefox's "unknown command" for a command of :data:`NO_OPS` (emulation that the tests never
ask for) into an empty success. Everything else passes through unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import re
import shlex
import signal
import sys
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from harness import ROOT
from harness.browser import firefox_path
from harness.config import HOST, browser_config

NO_OPS = frozenset({"emulation.setMediaFeaturesOverride"})
"""Commands Playwright sends unasked whose absence changes nothing here: the tests emulate
no media features (``color_scheme="no-override"`` makes it a reset)."""

_LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")


def executable(folder: Path) -> Path:
    """A script in ``folder`` for Playwright's ``executable_path``: Firefox behind the relay."""
    script = folder / "firefox-bidi"
    argv = [sys.executable, "-m", "harness.firefox_bidi", firefox_path()]
    script.write_text(f'#!/bin/sh\ncd {shlex.quote(str(ROOT))} && exec {shlex.join(argv)} "$@"\n')
    script.chmod(0o755)
    return script


def launch_options(folder: Path) -> dict[str, Any]:
    """Keyword arguments for ``playwright.firefox.launch``; ``folder`` keeps the script."""
    return {
        "channel": "moz-firefox",
        "executable_path": str(executable(folder)),
        "headless": True,
        "firefox_user_prefs": browser_config().FIREFOX_PREFS,
        "env": {**os.environ, **browser_config().FIREFOX_ENV},
    }


def _answer(raw: str | bytes, methods: dict[Any, str]) -> str | bytes:
    """Firefox's message for Playwright: an unknown no-op command becomes a success."""
    message = json.loads(raw)
    method = methods.pop(message.get("id"), None) if "id" in message else None
    if method in NO_OPS and message.get("error") == "unknown command":
        print(f"firefox_bidi: Firefox lacks {method}: answered as a no-op", file=sys.stderr)
        return json.dumps({"type": "success", "id": message["id"], "result": {}})
    return raw


async def _relay(client: ServerConnection, upstream: str) -> None:
    """One BiDi session (Playwright's ``/session``) between Playwright and Firefox."""
    path = client.request.path if client.request else ""
    async with connect(
        upstream + path, max_size=None, compression=None, ping_interval=None
    ) as browser:
        methods: dict[Any, str] = {}

        async def commands() -> None:
            async for raw in client:
                message = json.loads(raw)
                methods[message.get("id")] = str(message.get("method"))
                await browser.send(raw)

        async def replies() -> None:
            async for raw in browser:
                await client.send(_answer(raw, methods))

        tasks = [asyncio.create_task(commands()), asyncio.create_task(replies())]
        with contextlib.suppress(ConnectionClosed):
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def run(firefox: str, args: list[str]) -> int:
    """Run Firefox with ``args``, relaying its BiDi address; its exit code."""
    proc = await asyncio.create_subprocess_exec(firefox, *args, stderr=asyncio.subprocess.PIPE)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, proc.send_signal, signum)
    assert proc.stderr is not None
    server: Server | None = None
    try:
        async for line in proc.stderr:
            text = line.decode(errors="replace")
            if server is None and (match := _LISTENING.search(text)):
                upstream = match[1]
                server = await serve(
                    functools.partial(_relay, upstream=upstream),
                    HOST,
                    0,
                    max_size=None,
                    compression=None,
                    ping_interval=None,
                )
                port = next(iter(server.sockets)).getsockname()[1]
                text = text.replace(upstream, f"ws://{HOST}:{port}")
            sys.stderr.write(text)
            sys.stderr.flush()
        return await proc.wait()
    finally:
        if server is not None:
            server.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(run(sys.argv[1], sys.argv[2:])))
