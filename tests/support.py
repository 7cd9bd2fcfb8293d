"""Start the bundled server (`python -m server`) as a real subprocess for tests."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ASYNC_TIMEOUT = 60.0
"""Hang guard for each asyncio test body; never a timing assertion."""


def run_async[T](coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)`` in a thread of its own, bounded by ASYNC_TIMEOUT.

    pytest-playwright's sync API keeps an event loop running in the main thread, where
    ``asyncio.run`` refuses to start once a browser test has run.
    """

    async def guarded() -> T:
        async with asyncio.timeout(ASYNC_TIMEOUT):
            return await coro

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, guarded()).result()


_SERVING = re.compile(r"Serving on (http://127\.0\.0\.1:(\d+))/")


@dataclass
class ServerProcess:
    proc: subprocess.Popen[str]
    url: str
    port: int
    log: list[str] = field(default_factory=list)
    """Lines the server wrote to stderr so far (its log)."""

    def ws_url(self, path: str = "/echo") -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def wait_for_log(self, predicate: Callable[[str], bool], timeout: float = 10.0) -> list[str]:
        """Log lines matching ``predicate``, waiting (bounded) for at least one to appear."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in list(self.log) if predicate(line)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.02)


@contextmanager
def start_server(
    *args: str, env: dict[str, str] | None = None, timeout: float = 30.0
) -> Iterator[ServerProcess]:
    """Run ``python -m server --port 0 ARGS`` until the block ends, then SIGTERM it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--host", "127.0.0.1", "--port", "0", *args],
        cwd=ROOT,
        env=None if env is None else {**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    log: list[str] = []
    # Drain stderr continuously so a chatty server never blocks on a full pipe.
    drain = threading.Thread(target=lambda: log.extend(proc.stderr or ()), daemon=True)
    drain.start()
    first = proc.stdout.readline()  # blocks until the server listens, or exits
    match = _SERVING.search(first)
    if not match:
        proc.kill()
        drain.join(timeout)
        raise RuntimeError(f"server did not start: {first!r} {''.join(log)}")
    server = ServerProcess(proc, match[1], int(match[2]), log)
    try:
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        drain.join(timeout)
