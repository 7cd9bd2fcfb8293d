"""The one scenario suite (tests/scenarios) run unchanged on one target, for its report.

A target is a program that opens the *runner URL* ``http://HOST:PORT/?control=ws://...``:

- a browser on ``harness/suite_web/`` (the page, or with ``&worker=1`` a dedicated worker),
  launched as a plain subprocess by :func:`harness.browser.launch` (no DevTools attached):
  Chromium, Firefox ESR, or WebKitGTK's MiniBrowser on a private Xvfb;
- Node on ``harness/suite_web/suite.mjs``, with Pyodide from npm;
- a CPython interpreter on ``harness/suite_main.py``.

:func:`run_target` assembles the runner's web folder (``suite_web/`` and ``scenarios.zip``,
which holds ``tests/scenarios`` as the package ``scenarios`` and ``suite_main.py``), starts
the bundled server on it (``--dist`` the target's Pyodide distribution) and a control
WebSocket (:class:`harness.control.Control`), launches the target, relays the lines the
suite prints, and returns the report it sends: ``{"facts": ..., "results": [...]}``.

``python -m harness.suite TARGET [--only module.scenario ...]`` does the same from a shell.
A new browser is one more :class:`Target` whose ``command`` is its own
:data:`harness.browser.Command`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from harness import ROOT
from harness.browser import (
    BrowserProcess,
    Command,
    chromium_command,
    firefox_command,
    launch,
    webkit_command,
)
from harness.control import Control
from harness.server import Restartable

SCENARIOS = ROOT / "tests" / "scenarios"
WEB = Path(__file__).resolve().parent / "suite_web"
MAIN = Path(__file__).resolve().parent / "suite_main.py"
DIST = ROOT / "build" / "pyodide"
NPM_PYODIDE = ROOT / "web" / "node_modules" / "pyodide"
"""Node's Pyodide: the npm package itself (web/package.json's pin), packages from DIST."""
OLD_PYODIDE = (ROOT / "scripts" / "older-pyodide.txt").read_text().strip()
"""The older Pyodide that the Makefile also builds (build/pyodide-VERSION/), pinned in one
place, scripts/older-pyodide.txt; web/package.json pins the default one."""
OLD_MINOR = OLD_PYODIDE.rsplit(".", 1)[0]
OLD_DIST = ROOT / "build" / f"pyodide-{OLD_PYODIDE}"
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
"""The harness's own CPython (the main .venv), the ``cpython`` target."""
PYTHON_312 = ROOT / ".venv-3.12" / "bin" / "python"
"""Made by ``make .venv-3.12/.installed``."""

IDLE_GUARD = 240.0
"""Hang guard, in seconds: a target that says nothing for this long is stopped. Longer
than the suite's own guard per scenario (``SCENARIO_GUARD``, 180 s)."""
POLL = 1.0
"""How often the wait for the report checks that the target is still running."""

Say = Callable[[str], None]


class TargetError(RuntimeError):
    """The target did not report: it failed to start, crashed, hung, or said why."""

    def __init__(self, message: str, progress: Progress | None = None) -> None:
        super().__init__(message)
        self.progress = progress or Progress()
        """How far the suite got before."""


@dataclass
class Progress:
    """What a target has said so far: the results of finished scenarios, the running one."""

    results: list[dict[str, Any]] = field(default_factory=list)
    running: str | None = None


def _ignore(line: str) -> None:
    pass


def node_command(url: str, profile: Path) -> list[str]:
    """Node 20 with its experimental WebSocket (and JSPI's stack switching) on suite.mjs."""
    node = shutil.which("node") or "node"
    return [
        node, "--experimental-websocket", "--experimental-wasm-stack-switching",
        str(WEB / "suite.mjs"), url, str(NPM_PYODIDE / "pyodide.mjs"), f"{DIST}/",
    ]  # fmt: skip


def python_command(python: Path | str) -> Command:
    """A CPython interpreter on harness/suite_main.py (it needs pyws and websockets)."""

    def command(url: str, profile: Path) -> list[str]:
        return [str(python), str(MAIN), url]

    return command


@dataclass(frozen=True)
class Target:
    name: str
    command: Command
    """Opens the runner URL (see :data:`harness.browser.Command`)."""
    context: str | None
    """Where the suite runs in Pyodide: ``window``, ``worker``, ``node``; None in CPython."""
    dist: Path = DIST
    """The Pyodide distribution: the server's ``--dist``, or Node's packages."""
    query: str = ""
    """Added to the runner URL's query, e.g. ``&worker=1``."""
    python: str | None = None
    """CPython's ``major.minor``; Pyodide's comes from its distribution."""
    requires: tuple[Path, ...] = ()
    """Files it needs besides the common set-up, made by ``make test-NAME``."""

    def expected_facts(self) -> dict[str, Any]:
        """What the report's facts must say (``python`` as ``major.minor``)."""
        if self.context is None:
            return {"python": self.python, "fast_wakeup": True, "context": None}
        lock = json.loads((self.dist / "pyodide-lock.json").read_text())
        package = json.loads((self.dist / "package.json").read_text())
        return {
            "python": ".".join(lock["info"]["python"].split(".")[:2]),
            "pyodide": package["version"],
            "fast_wakeup": True,
            "context": self.context,
            "location": self.context in ("window", "worker"),
        }


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("chromium", chromium_command, "window"),
        Target("firefox", firefox_command, "window"),
        Target("worker", chromium_command, "worker", query="&worker=1"),
        Target("webkit", webkit_command, "window"),
        Target("webkit-worker", webkit_command, "worker", query="&worker=1"),
        Target(
            f"pyodide-{OLD_MINOR}",
            chromium_command,
            "window",
            dist=OLD_DIST,
            requires=(OLD_DIST / "pyodide-lock.json",),
        ),
        Target("node", node_command, "node", requires=(NPM_PYODIDE / "pyodide.mjs",)),
        Target("cpython", python_command(sys.executable), None, python=PYTHON),
        Target(
            "cpython-3.12", python_command(PYTHON_312), None, python="3.12", requires=(PYTHON_312,)
        ),
    )
}
"""Every target, by name (``pyodide-0.29`` is Chromium on the older Pyodide)."""


def assemble(folder: Path) -> Path:
    """The runner's web folder: suite_web/ and scenarios.zip (scenarios/, suite_main.py)."""
    shutil.copytree(WEB, folder, dirs_exist_ok=True)
    with zipfile.ZipFile(folder / "scenarios.zip", "w") as archive:
        for path in sorted(SCENARIOS.glob("*.py")):
            archive.write(path, f"scenarios/{path.name}")
        archive.write(MAIN, MAIN.name)
    return folder


def _tail(path: Path, size: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


async def _report(
    control: Control,
    process: BrowserProcess,
    idle: float,
    say: Say,
    output: Callable[[], str],
    restart: Callable[[], Awaitable[None]],
) -> Any:
    """The report the target sends, relaying its log lines; or :class:`TargetError` with
    the progress so far (and ``output()`` if the target itself could not say why). A
    scenario's ``{"op": "restart_server"}`` kills the bundled server and starts it again
    on the same port (``restart()``)."""
    progress = Progress()
    deadline = time.monotonic() + idle
    while True:
        try:
            _, message = await control.arrival(POLL)
        except TimeoutError:
            if (code := process.proc.poll()) is not None:
                raise TargetError(f"exited with {code}{output()}", progress) from None
            if time.monotonic() > deadline:
                raise TargetError(f"silent for {idle:.0f} s{output()}", progress) from None
            continue
        deadline = time.monotonic() + idle
        op = message.get("op")
        if op == "log":
            say(str(message["line"]))
        elif op == "hello":
            say(f"[harness] the suite connected from its {message.get('context')}")
        elif op == "start":
            progress.running = str(message["name"])
        elif op == "result":
            progress.results.append(message["result"])
            progress.running = None
        elif op == "restart_server":
            await restart()
            say("[harness] the server was killed and started again on its port")
        elif op == "report":
            return message["report"]
        else:
            raise TargetError(str(message.get("error", message)), progress)


async def run_target(
    target: Target, *, only: list[str] | None = None, say: Say = _ignore, idle: float = IDLE_GUARD
) -> dict[str, Any]:
    """Run the suite (or the scenarios named in ``only``) on ``target``; its report."""
    for path in (target.dist / "pyodide-lock.json", *target.requires):
        if not path.exists():
            raise TargetError(f"{target.name}: no {path}: run `make test-{target.name}`")
    with tempfile.TemporaryDirectory(prefix=f"pyws-suite-{target.name}-") as folder:
        web = assemble(Path(folder))
        async with (
            Restartable("--web", str(web), "--dist", str(target.dist)) as served,
            Control() as control,
        ):
            assert served.server is not None
            server = served.server
            query = f"?control={quote(control.url, safe='')}{target.query}"
            if only:
                query += f"&only={quote(','.join(only), safe=',')}"
            say(f"[harness] {target.name}: {server.url}/{query}")
            async with launch(target.command, f"{server.url}/{query}", name=target.name) as proc:

                def output() -> str:
                    assert served.server is not None
                    server_log = "".join(served.server.log)[-2000:]
                    return f"\n--- its output:\n{_tail(proc.log)}\n--- server log:\n{server_log}"

                try:
                    report: dict[str, Any] = await _report(
                        control, proc, idle, say, output, served.restart
                    )
                except TargetError as exc:
                    raise TargetError(f"{target.name}: {exc}", exc.progress) from None
                return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.suite", description=__doc__)
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--only", nargs="+", metavar="MODULE.SCENARIO")
    parser.add_argument("--json", type=Path, help="write the report here")
    args = parser.parse_args(argv)
    report = asyncio.run(run_target(TARGETS[args.target], only=args.only, say=print))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    print(json.dumps(report["facts"]))
    return int(any(r["outcome"] == "failed" for r in report["results"]))


if __name__ == "__main__":
    sys.exit(main())
