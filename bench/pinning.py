"""``--cpus N``: the whole run on N cores, and a check that every process of it is there.

The harness pins itself before it starts anything (:func:`pin`); on Linux a child inherits
its parent's CPU affinity, so the servers, the browser and every helper process the browser
starts share those cores. :func:`processes_off` then checks it on the live process tree.
"""

from __future__ import annotations

import os
from pathlib import Path


def pin(cpus: int) -> list[int]:
    """Pin this process to the first ``cpus`` of the cores it may use; return them.

    Call it before any thread or subprocess starts: ``sched_setaffinity(0)`` sets the
    calling thread's mask, which later threads and children inherit.
    """
    allowed = sorted(os.sched_getaffinity(0))
    if not 1 <= cpus <= len(allowed):
        raise ValueError(
            f"--cpus {cpus}: this process may use {len(allowed)} core(s) "
            f"({_ranges(allowed)}); ask for 1 to {len(allowed)}"
        )
    chosen = allowed[:cpus]
    os.sched_setaffinity(0, chosen)
    return chosen


def _ranges(cores: list[int]) -> str:
    return ",".join(str(c) for c in cores)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid``."""
    tree = _children()
    found, todo = [], list(tree.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(tree.get(child, []))
    return found


def processes_off(cores: list[int]) -> dict[int, str]:
    """The processes of this run (this one and every descendant) whose threads may run on a
    core outside ``cores``: {pid: its name and allowed cores}. Empty when all are pinned."""
    want = set(cores)
    off: dict[int, str] = {}
    for pid in [os.getpid(), *descendants(os.getpid())]:
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                allowed = os.sched_getaffinity(int(task.name))
                if allowed - want:
                    name = Path(f"/proc/{pid}/comm").read_text().strip()
                    off[pid] = f"{name} (thread {task.name}: cores {_ranges(sorted(allowed))})"
                    break
        except (OSError, ProcessLookupError):  # exited meanwhile
            continue
    return off
