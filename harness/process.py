"""Stopping a subprocess that the harness started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from typing import Any


def stop(proc: subprocess.Popen[Any], timeout: float, *, group: bool = False) -> None:
    """SIGTERM ``proc`` (with ``group``, its whole process group), SIGKILL it after ``timeout`` s.

    Returns once it has exited. ``group`` is for a process started with
    ``start_new_session=True``, such as a browser with its helper processes.
    """
    if proc.poll() is not None:
        return

    def send(signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)

    send(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        proc.wait()
