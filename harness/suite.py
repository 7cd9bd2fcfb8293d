"""The one scenario suite (tests/scenarios) run unchanged on one target, for its report.

A target is a program that opens the *runner URL* ``https://HOST:PORT/?control=ws://...``:

- a browser on ``harness/suite_web/`` (the page, or with ``&worker=1`` a dedicated worker),
  launched as a plain subprocess by :func:`harness.browser.launch` (no DevTools attached):
  Chromium, Firefox ESR, or WebKitGTK's MiniBrowser on a private Xvfb (started by
  WebKitWebDriver, the one way to make it trust a single certificate, and asked nothing
  more: harness/webkit_open.py);
- Node on ``harness/suite_web/suite.mjs``, with Pyodide from npm;
- a CPython interpreter on ``harness/suite_main.py``.

:func:`run_target` assembles the runner's web folder (``suite_web/`` and ``scenarios.zip``,
which holds ``tests/scenarios`` as the package ``scenarios`` and ``suite_main.py``), makes
a certificate authority for the run (:mod:`harness.tls`), starts the bundled server on it
three times (``--dist`` the target's Pyodide distribution): plain, over TLS with a
certificate of that CA (the runner URL's origin: pages are https), and over TLS with a
certificate of a CA nobody trusts; and a control WebSocket
(:class:`harness.control.Control`). It launches the target, made to trust the run's CA in
its own way (its :data:`SuiteCommand`), relays the lines the suite prints, and returns the
report it sends: ``{"facts": ..., "results": [...]}``.

``python -m harness.suite TARGET [--only module.scenario ...]`` does the same from a shell.
A new browser is one more :class:`Target` whose ``command`` is its own
:data:`SuiteCommand`: a :data:`harness.browser.Command` that trusts the run's CA, and maps
:data:`MIXED_HOST` to loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
    chromium_command,
    firefox_command,
    launch,
)
from harness.config import HOST
from harness.control import Control
from harness.server import Restartable, ServerProcess, serve
from harness.suite_main import CA_ENV
from harness.tls import RunCA, add_to_nss, make_ca

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


MIXED_HOST = "mixed.test"
"""A name that is not loopback, which each browser target maps to 127.0.0.1: an https
page may not open ``ws://`` to it (mixed content); loopback by address is exempt."""

SuiteCommand = Callable[[str, Path, RunCA], list[str]]
"""``command(url, profile, ca)``: the argv that opens the runner ``url`` (as
:data:`harness.browser.Command` does), with the target made to trust ``ca``, the run's
certificate authority, in its own way (and, in a browser, :data:`MIXED_HOST` mapped to
loopback)."""


def chromium_suite(url: str, profile: Path, ca: RunCA) -> list[str]:
    """Chromium trusting the run's server certificate alone (its public key's hash), not
    ignoring certificate errors at large."""
    flags = [
        f"--ignore-certificate-errors-spki-list={ca.spki}",
        f"--host-resolver-rules=MAP {MIXED_HOST} {HOST}",
    ]
    return chromium_command(url, profile, flags)


def firefox_suite(url: str, profile: Path, ca: RunCA) -> list[str]:
    """Firefox with the run's CA in the test profile's certificate store (NSS)."""
    add_to_nss(profile, ca)
    return firefox_command(url, profile, {"network.dns.localDomains": MIXED_HOST})


def webkit_suite(url: str, profile: Path, ca: RunCA) -> list[str]:
    """WebKitGTK's MiniBrowser, started by WebKitWebDriver (harness/webkit_open.py), which
    accepts the run's server certificate alone for its host (``webkitgtk:browserOptions``
    ``certificates``): MiniBrowser by itself can only ignore every TLS error. Its data,
    cache and settings stay under ``profile`` (the XDG folders).

    Its runner page is plain http (``Target.tls_page``), the TLS server named in the query:
    WebKitGTK 2.50 blocks ``ws://`` from an https page even to loopback (measured: to
    127.0.0.1 and localhost, an ``error`` event and no exception, while Chromium and
    Firefox exempt loopback), and the control WebSocket and most scenarios use ``ws://``
    to 127.0.0.1. So the wss scenarios run against the trusted server from that page, and
    those that need an https page (``https_page``) are skipped there."""
    # WebKitGTK 2.50 hides SharedArrayBuffer even on a cross-origin isolated page (measured:
    # crossOriginIsolated true, typeof SharedArrayBuffer "undefined", a shared
    # WebAssembly.Memory's buffer not cloneable); JavaScriptCore's option exposes it, as
    # Safari does: pyws.sync's relay needs it (docs/sync-relay.md).
    env = [f"HOME={profile}", f"PYTHONPATH={ROOT}", "JSC_useSharedArrayBuffer=1"] + [
        f"XDG_{kind}_HOME={profile / kind.lower()}" for kind in ("CONFIG", "CACHE", "DATA")
    ]
    return [
        "env", *env, sys.executable, "-m", "harness.webkit_open",
        "--certificate", f"{HOST}={ca.server_cert}", url,
    ]  # fmt: skip


def node_command(url: str, profile: Path, ca: RunCA) -> list[str]:
    """Node 20 with its experimental WebSocket (and JSPI's stack switching) on suite.mjs,
    trusting the run's CA besides its own (``NODE_EXTRA_CA_CERTS``)."""
    node = shutil.which("node") or "node"
    return [
        "env", f"NODE_EXTRA_CA_CERTS={ca.ca_cert}",
        node, "--experimental-websocket", "--experimental-wasm-stack-switching",
        str(WEB / "suite.mjs"), url, str(NPM_PYODIDE / "pyodide.mjs"), f"{DIST}/",
    ]  # fmt: skip


def python_command(python: Path | str) -> SuiteCommand:
    """A CPython interpreter on harness/suite_main.py (it needs pyws and websockets); the
    scenarios pass the run's CA as ``ssl=`` (its file in ``$PYWS_SUITE_CA``)."""

    def command(url: str, profile: Path, ca: RunCA) -> list[str]:
        return ["env", f"{CA_ENV}={ca.ca_cert}", str(python), str(MAIN), url]

    return command


@dataclass(frozen=True)
class Target:
    name: str
    command: SuiteCommand
    """Opens the runner URL, trusting the run's CA (see :data:`SuiteCommand`)."""
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
    tls_page: bool = True
    """Whether the runner page comes from the TLS server (an https page); else from the
    plain one (WebKit: an https page there may not open ``ws://`` even to loopback, which
    the control WebSocket and most scenarios use; see :func:`webkit_suite`)."""
    transport: str = "websocket"
    """What ``pyws.connect(transport="auto")`` picks when nothing needs a particular one:
    ``"stream"`` runs the whole suite over ``WebSocketStream`` (``&transport=stream``)."""
    only: tuple[str, ...] = ()
    """The scenarios it runs (``module.name``, or ``module`` for all of one), if not all."""
    sync: str = "auto"
    """How ``pyws.sync`` blocks: ``"auto"``, or ``"relay"`` forced (``&sync=relay``)."""

    def expected_facts(self) -> dict[str, Any]:
        """What the report's facts must say (``python`` as ``major.minor``)."""
        if self.context is None:
            return {
                "python": self.python,
                "fast_wakeup": True,
                "context": None,
                "transport": self.transport,
            }
        lock = json.loads((self.dist / "pyodide-lock.json").read_text())
        package = json.loads((self.dist / "package.json").read_text())
        return {
            "python": ".".join(lock["info"]["python"].split(".")[:2]),
            "pyodide": package["version"],
            "fast_wakeup": True,
            "context": self.context,
            "location": self.context in ("window", "worker"),
            "transport": self.transport,
            **({"sync_mode": "relay"} if self.sync == "relay" else {}),
        }

    def runs(self, scenario: str) -> bool:
        """Whether its run includes ``scenario`` (``module.name``)."""
        return not self.only or any(
            scenario == name or scenario.startswith(f"{name}.") for name in self.only
        )


RELAY_SCENARIOS = (
    "sync_api",
    "tls.sync_over_wss",
    "patch.websockets_sync_hello_example_runs_unchanged",
    "websocket_client_compat",
    "websocket_client_libraries",
)
"""What the forced-relay targets run: every scenario that blocks in pyws.sync."""

TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("chromium", chromium_suite, "window"),
        Target("firefox", firefox_suite, "window"),
        Target("worker", chromium_suite, "worker", query="&worker=1"),
        # The whole suite over WebSocketStream, in a page and in a worker (it has one too).
        Target(
            "chromium-stream",
            chromium_suite,
            "window",
            query="&transport=stream",
            transport="stream",
        ),
        Target(
            "worker-stream",
            chromium_suite,
            "worker",
            query="&worker=1&transport=stream",
            transport="stream",
        ),
        Target("webkit", webkit_suite, "window", tls_page=False),
        Target("webkit-worker", webkit_suite, "worker", query="&worker=1", tls_page=False),
        # pyws.sync through the relay where JSPI would serve: the scenarios that block.
        Target(
            "worker-relay",
            chromium_suite,
            "worker",
            query="&worker=1&sync=relay",
            only=RELAY_SCENARIOS,
            sync="relay",
        ),
        Target(
            "firefox-worker-relay",
            firefox_suite,
            "worker",
            query="&worker=1&sync=relay",
            only=RELAY_SCENARIOS,
            sync="relay",
        ),
        Target(
            f"pyodide-{OLD_MINOR}",
            chromium_suite,
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
        web = assemble(Path(folder) / "web")
        ca = make_ca(Path(folder) / "ca")
        other = make_ca(Path(folder) / "untrusted-ca", "pyws untrusted CA")
        folders = ("--web", str(web), "--dist", str(target.dist))
        async with contextlib.AsyncExitStack() as stack:
            served = await stack.enter_async_context(Restartable(*folders))
            assert served.server is not None
            plain = served.server
            tls, untrusted = [
                await stack.enter_async_context(serve(*folders, *args))
                for args in (ca.server_args(), other.server_args())
            ]
            control = await stack.enter_async_context(Control())
            query = (
                f"?control={quote(control.url, safe='')}&plain={quote(plain.url, safe='')}"
                f"&untrusted={quote(untrusted.url, safe='')}&mixed={MIXED_HOST}{target.query}"
            )
            if not target.tls_page:  # the page is plain: it names the TLS server
                query += f"&tls={quote(tls.url, safe='')}"
            if not only and target.only:
                from tests.scenarios.suite import collect

                only = [s.name for s in collect() if target.runs(s.name)]
            if only:
                query += f"&only={quote(','.join(only), safe=',')}"
            url = f"{(tls if target.tls_page else plain).url}/{query}"
            say(f"[harness] {target.name}: {url}")

            def command(url: str, profile: Path) -> list[str]:
                return target.command(url, profile, ca)

            async with launch(command, url, name=target.name) as proc:

                def output() -> str:
                    assert served.server is not None
                    logs = "".join(_server_log(s) for s in (tls, served.server, untrusted))
                    return f"\n--- its output:\n{_tail(proc.log)}{logs}"

                try:
                    report: dict[str, Any] = await _report(
                        control, proc, idle, say, output, served.restart
                    )
                except TargetError as exc:
                    raise TargetError(f"{target.name}: {exc}", exc.progress) from None
                return report


def _server_log(server: ServerProcess) -> str:
    return f"\n--- server log ({server.url}):\n{''.join(server.log)[-2000:]}"


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
