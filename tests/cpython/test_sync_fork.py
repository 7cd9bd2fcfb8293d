"""pyws.sync in a child process made by os.fork(), in CPython (issue 21, item 9).

The child inherits the parent's memory, pyws.sync's event loop included, but not the
thread that runs it: every call then waited forever on a loop that never ran. The child
now starts a loop of its own; a connection opened before the fork belongs to the parent,
and using it in the child raises RuntimeError rather than hanging.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import warnings

import pytest

import pyws
import pyws.sync
from harness.server import ServerProcess

HANG_GUARD = 30.0
"""Seconds to wait for the child before it is judged hung: never a timing assertion."""


def _in_child(url: str, inherited: pyws.sync.WebSocket) -> int:
    """What the child checks; its exit status: 0 when all went as expected."""
    with pyws.sync.connect(url, open_timeout=10) as ws:
        ws.send("child")
        if ws.recv(timeout=10) != "child":
            return 2
    try:
        inherited.recv(timeout=1)
    except RuntimeError as exc:
        if "fork" not in str(exc):
            return 3
    else:
        return 4
    return 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork() is POSIX only")
def test_pyws_sync_works_in_a_child_after_fork(server: ServerProcess) -> None:
    url = server.ws_url("/echo")
    with pyws.sync.connect(url) as ws:  # pyws.sync's loop thread now runs in the parent
        ws.send("parent")
        assert ws.recv(timeout=10) == "parent"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads
            pid = os.fork()
        if pid == 0:  # the child: report through the exit status only
            status = 1
            try:
                status = _in_child(url, ws)
            except BaseException as exc:  # anything else: say what, fail
                print(f"child failed: {exc!r}", file=sys.stderr, flush=True)
            finally:
                os._exit(status)
        deadline = time.monotonic() + HANG_GUARD
        while (done := os.waitpid(pid, os.WNOHANG))[0] == 0:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pytest.fail(f"the child hung for {HANG_GUARD} s in pyws.sync after os.fork()")
            time.sleep(0.05)
        assert os.waitstatus_to_exitcode(done[1]) == 0
        ws.send("parent again")  # the parent's connection is untouched
        assert ws.recv(timeout=10) == "parent again"
