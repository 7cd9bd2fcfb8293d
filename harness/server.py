"""The bundled server, ``python -m server --port 0``, as a real subprocess.

One launcher, two faces: :func:`start_server` (a context manager, for tests) and
:func:`serve` (an async one, for code already inside an event loop, such as the benchmark).
Both start the server, wait for its ``Serving on http://HOST:PORT/`` line and stop it.
"""

from __future__ import annotations

import asyncio
import os
import re
import select
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

from harness import ROOT
from harness.config import HOST
from harness.process import stop

START_TIMEOUT = 30.0
"""Hang guard for the server to start listening; never a timing assertion."""
STOP_TIMEOUT = 30.0
"""How long a SIGTERMed server may take to exit before it is SIGKILLed."""

_SERVING = re.compile(rf"Serving on (https?://{re.escape(HOST)}:(\d+))/")


@dataclass
class ServerProcess:
    proc: subprocess.Popen[str]
    url: str
    """``http://HOST:PORT``, or ``https://`` when it serves TLS (no trailing slash)."""
    port: int
    log: list[str] = field(default_factory=list)
    """Lines the server wrote to stderr so far (its log)."""

    @property
    def tls(self) -> bool:
        return self.url.startswith("https:")

    def ws_url(self, path: str = "/echo") -> str:
        return f"{'wss' if self.tls else 'ws'}://{HOST}:{self.port}{path}"

    def wait_for_log(
        self, predicate: Callable[[str], bool], count: int = 1, timeout: float = 10.0
    ) -> list[str]:
        """Log lines matching ``predicate`` once at least ``count`` are in (or after
        ``timeout`` s, a hang guard: the caller checks what it got)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in list(self.log) if predicate(line)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.02)


class _Launch:
    """One server subprocess: spawned at once, serving after its first line, then stopped."""

    def __init__(self, args: tuple[str, ...], env: dict[str, str] | None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server", "--host", HOST, "--port", "0", *args],
            cwd=ROOT,
            env=None if env is None else {**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        # Drain stderr continuously so a chatty server never blocks on a full pipe.
        self._drain = threading.Thread(
            target=lambda: self.log.extend(self.proc.stderr or ()), daemon=True
        )
        self._drain.start()

    def serving(self, timeout: float) -> ServerProcess:
        """Wait (blocking, at most ``timeout`` s) for the line that says it listens."""
        stdout = self.proc.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], timeout)
        first = stdout.readline() if ready else ""  # "" too if it exited first
        if match := _SERVING.search(first):
            return ServerProcess(self.proc, match[1], int(match[2]), self.log)
        self.stop(timeout)
        raise RuntimeError(f"server did not start: {first!r}\n{''.join(self.log)[-4000:]}")

    def stop(self, timeout: float) -> None:
        stop(self.proc, timeout)
        self._drain.join(timeout)


@contextmanager
def start_server(
    *args: str, env: dict[str, str] | None = None, timeout: float = STOP_TIMEOUT
) -> Iterator[ServerProcess]:
    """Run ``python -m server --port 0 ARGS`` until the block ends, then SIGTERM it.

    ``env`` adds to this process's environment; ``timeout`` bounds the wait for it to exit.
    """
    launch = _Launch(args, env)
    try:
        yield launch.serving(START_TIMEOUT)
    finally:
        launch.stop(timeout)


class Restartable:
    """:func:`serve`, whose server can be killed and started again on the same port::

    async with Restartable("--web", folder) as served:
        served.server.url  # the one running now
        await served.restart()  # SIGKILL (no close frame, no goodbye), then a new one
    """

    def __init__(self, *args: str) -> None:
        self._args = args
        self._launch: _Launch | None = None
        self.server: ServerProcess | None = None
        """The server running now."""
        self.restarts = 0

    async def _start(self, *args: str) -> None:
        self._launch = _Launch((*self._args, *args), None)
        self.server = await asyncio.to_thread(self._launch.serving, START_TIMEOUT)

    async def __aenter__(self) -> Restartable:
        await self._start()
        return self

    async def restart(self) -> None:
        """Kill the server at once, as a crash would, and start it again on its port."""
        assert self._launch is not None and self.server is not None
        self._launch.proc.kill()
        await asyncio.to_thread(self._launch.stop, STOP_TIMEOUT)
        await self._start("--port", str(self.server.port))  # the last --port wins
        self.restarts += 1

    async def __aexit__(self, *exc: object) -> None:
        if self._launch is not None:
            await asyncio.to_thread(self._launch.stop, STOP_TIMEOUT)


@asynccontextmanager
async def serve(
    *args: str, env: dict[str, str] | None = None, timeout: float = STOP_TIMEOUT
) -> AsyncIterator[ServerProcess]:
    """:func:`start_server` inside an event loop: the blocking waits run in worker threads."""
    launch = _Launch(args, env)
    try:
        yield await asyncio.to_thread(launch.serving, START_TIMEOUT)
    finally:
        await asyncio.to_thread(launch.stop, timeout)
