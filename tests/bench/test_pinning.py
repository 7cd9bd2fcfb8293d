"""``python -m bench --cpus N``'s pinning and its check, without a browser: a pinned parent's
children inherit its cores, and the check names a child that left them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from bench import pinning
from harness import ROOT

CHILD = textwrap.dedent(
    """
    import os, subprocess, sys
    from bench import pinning
    cores = pinning.pin(1)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        mine = pinning.descendants(os.getpid())
        print(cores, pinning.processes_off(cores) == {}, child.pid in mine)
        if len(os.sched_getaffinity(0)) == 1 and sys.argv[1] == "escape":
            os.sched_setaffinity(child.pid, range(os.cpu_count() or 1))
            off = pinning.processes_off(cores)
            print(sorted(off) == [child.pid], "cores" in off.get(child.pid, ""))
    finally:
        child.kill()
    """
)


def _run(mode: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    return out.stdout.splitlines()


def test_a_pinned_run_and_its_children_are_on_the_chosen_core() -> None:
    first = min(os.sched_getaffinity(0))
    assert _run("stay") == [f"[{first}] True True"]


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: nowhere to escape to")
def test_the_check_names_a_process_off_the_chosen_cores() -> None:
    assert _run("escape")[1] == "True True"


def test_more_cpus_than_allowed_is_refused() -> None:
    allowed = len(os.sched_getaffinity(0))
    with pytest.raises(ValueError, match=f"--cpus {allowed + 1}: this process may use {allowed}"):
        pinning.pin(allowed + 1)
    with pytest.raises(ValueError, match="ask for 1 to"):
        pinning.pin(0)
