"""Run a command on a private X display: ``python -m harness.xvfb [--size WxH] -- ARGV...``.

WebKitGTK's MiniBrowser and WebKitWebDriver need an X display. ``xvfb-run -a`` picks a
display by looking for a free lock file, which races when two runs start together (the
scenario suite and the page tests may run in parallel worktrees). Here Xvfb picks its
own display (``-displayfd``), so parallel runs never collide. The command runs with
``DISPLAY`` set; its exit status is this program's. SIGTERM (or SIGINT) is passed on to the
command; once it has exited, Xvfb is stopped.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
from types import FrameType

from harness.process import stop

START_TIMEOUT = 30.0
"""How long Xvfb may take to report its display number."""


def start_xvfb(size: str) -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb on a display of its own choosing; the process and ``:N``."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("no Xvfb: install it with `make webkit` (Debian's xvfb)")
    read, write = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", f"{size}x24"],
        pass_fds=(write,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # it tries displays in turn, complaining of those taken
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        # Xvfb writes the number once it accepts connections; EOF means it died.
        number = pipe.readline().strip()
    if not number:
        stop(proc, 5)
        raise SystemExit(f"Xvfb did not start (exit status {proc.poll()})")
    return proc, f":{number}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.xvfb", description=__doc__)
    parser.add_argument("--size", default="1440x900", help="the screen, WIDTHxHEIGHT")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")
    xvfb, display = start_xvfb(args.size)
    try:
        child = subprocess.Popen(command, env={**os.environ, "DISPLAY": display})

        def terminate(signum: int, frame: FrameType | None) -> None:
            # Only signal: waiting here would deadlock with the child.wait() below.
            child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, terminate)
        signal.signal(signal.SIGINT, terminate)
        return child.wait()
    finally:
        stop(xvfb, 10)


if __name__ == "__main__":
    sys.exit(main())
