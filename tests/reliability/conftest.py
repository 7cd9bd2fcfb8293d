"""Helpers for the server reliability tests (tests/reliability/test_server_*.py).

Plain functions only, no fixtures: every test starts its own `python -m server` subprocess
(harness.server.start_server) so figures such as peak RSS belong to that test alone.
"""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from harness.server import ServerProcess, start_server

LOG_WAIT = 10.0
"""Hang guard for waiting on a server log line; never a timing assertion."""


def raise_nofile(needed: int) -> int:
    """Raise this process's RLIMIT_NOFILE soft limit towards the hard limit; return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        new = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        soft = new
    return soft


def peak_rss(pid: int) -> int:
    """The process's peak resident set size in bytes (VmHWM in /proc/PID/status).

    Read it while the process runs: once it has exited, the status has no Vm* lines.
    """
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            value, unit = line.split()[1:3]
            assert unit == "kB", line
            return int(value) * 1024
    raise AssertionError(f"no VmHWM for pid {pid}")


def server_args(folder: Path) -> tuple[str, ...]:
    """--web/--dist pointing at an empty folder: these tests need /echo, not the build."""
    return ("--web", str(folder), "--dist", str(folder))


def wait_for_log(
    server: ServerProcess, predicate: Callable[[str], bool], count: int = 1
) -> list[str]:
    """Lines matching predicate once at least `count` are in (or LOG_WAIT has passed)."""
    return server.wait_for_log(predicate, count, LOG_WAIT)


OPEN_WAIT = 120.0
"""Hang guard for the page to load Pyodide and open its sockets, on a loaded machine."""


@contextmanager
def server_killed_then_restarted(
    opened: int, after: float, down: float = 0.0
) -> Iterator[ServerProcess]:
    """A server that is SIGKILLed ``after`` seconds once ``opened`` WebSockets have opened on
    it (no close frame, no goodbye of any kind), then, ``down`` seconds later, started again
    on the same port. Counting the opens, not the time since the block began, keeps the kill
    after the page's connections however long the page takes to load."""
    with start_server() as first, ExitStack() as restarted:

        def kill_and_restart() -> None:
            first.wait_for_log(lambda line: "ws opened" in line, opened, OPEN_WAIT)
            time.sleep(after)
            first.proc.kill()
            first.proc.wait()
            time.sleep(down)
            restarted.enter_context(start_server("--port", str(first.port)))

        timer = threading.Thread(target=kill_and_restart)
        timer.start()
        try:
            yield first
        finally:
            timer.join()
