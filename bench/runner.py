"""Run the plan: servers, the benchmark page in Chromium (or WebKit), the CPython reference,
start-up."""

from __future__ import annotations

import asyncio
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import cpython, pinning
from bench.plan import LABELS, NEEDS_STREAM, Case, Plan
from harness import ROOT
from harness.browser import (
    chromium,
    chromium_version,
    firefox,
    firefox_version,
    webkit,
    webkit_version,
)
from harness.control import Control
from harness.server import ServerProcess, serve

SETUP_TIMEOUT = 240.0
RUN_TIMEOUT = 300.0
ARRIVAL_TIMEOUT = 120.0

Progress = Callable[[str], None]

BROWSERS = {
    "chromium": (chromium, chromium_version),
    "firefox": (firefox, firefox_version),
    "webkit": (webkit, webkit_version),
}
"""``--browser``: how to launch it on a URL, as a plain subprocess (no DevTools, BiDi or
WebDriver session attached), and its version."""


@dataclass
class Run:
    case: str
    contender: str
    rep: int
    result: dict[str, Any] | None = None
    error: str | None = None
    run: int = 0
    """Which run of the whole bench (``--runs N``) it belongs to, from 0."""


@dataclass
class Measurements:
    plan: Plan
    runs: list[Run] = field(default_factory=list)
    startup: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    """"cold" and "warm": per repetition {"base": ms, "pyws": ms, "pyws_in_load": ms}."""
    page: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    """Contenders the page could not run, and why (e.g. no WebSocketStream)."""
    runs_done: int = 0
    """How many runs of the whole bench these measurements hold (``--runs N``)."""
    browser: str = "chromium"
    """The browser the page ran in: a key of :data:`BROWSERS`."""
    cores: list[int] | None = None
    """``--cpus N``: the cores every process of the run was pinned to (None: not pinned)."""
    pinned: list[str] = field(default_factory=list)
    """``--cpus N``: what the check of the live process tree found, once per page."""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info(browser: str = "chromium") -> dict[str, str]:
    core = ROOT / "web" / "node_modules" / "@pyscript" / "core" / "package.json"
    return {
        "cpu": f"{_cpu_model()}, {os.cpu_count()} logical cores",
        "os": platform.platform(),
        "browser": BROWSERS[browser][1](),
        "python": f"CPython {platform.python_version()}",
        "websockets": version("websockets"),
        "aiohttp (server)": version("aiohttp"),
        "@pyscript/core": (core.read_text().split('"version"', 1)[1].split('"')[1])
        if core.is_file()
        else "missing",
    }


def _page_url(base: ServerProcess, control: Control, **query: str) -> str:
    extra = "".join(f"&{key}={value}" for key, value in query.items())
    return f"{base.url}/bench/?control={quote(control.url, safe='')}{extra}"


async def _run_one(
    plan: Plan,
    case: Case,
    contender: str,
    page: Any,
    servers: dict[bool, ServerProcess],
    payloads: list[bytes],
) -> dict[str, Any]:
    options = {**case.options_for(contender), "url": servers[case.deflate].ws_url()}
    if contender == "cpython":
        async with asyncio.timeout(RUN_TIMEOUT):
            return await cpython.run(case.scenario, options, payloads)
    result: dict[str, Any] = await page.call(
        "run", RUN_TIMEOUT, contender=contender, scenario=case.scenario, options=options
    )
    return result


async def _main_page(
    plan: Plan,
    servers: dict[bool, ServerProcess],
    control: Control,
    out: Measurements,
    say: Progress,
) -> None:
    payloads = [os.urandom(plan.payload_size) for _ in range(plan.payloads)]
    launch = BROWSERS[out.browser][0]
    async with launch(_page_url(servers[False], control)):
        page, _ = await control.arrival(ARRIVAL_TIMEOUT)
        if out.cores is not None:
            _check_pinning(out, say)
        say("page connected; loading Pyodide, pyws and PyScript in it")
        out.page = await page.call(
            "setup",
            SETUP_TIMEOUT,
            payloads=plan.payloads,
            payload_size=plan.payload_size,
            pyscript=True,
            pyscript_timeout_ms=120_000,
        )
        skipped: dict[str, str] = {}
        if not out.page["pyscript"]["ok"]:
            skipped["pyscript"] = f"PyScript did not load: {out.page['pyscript']['error']}"
            out.errors.append(skipped["pyscript"])
            say(out.errors[-1])
        if not out.page.get("websocketstream"):
            # Not an error: these contenders record what WebSocketStream does where it exists.
            for contender in NEEDS_STREAM:
                skipped[contender] = "this browser has no WebSocketStream"
                say(f"skipping {LABELS[contender]}: {skipped[contender]}")
        out.skipped.update(skipped)
        for case in plan.cases:
            contenders = [c for c in case.contenders if c not in skipped]
            for rep in range(plan.reps):
                # Alternate, and rotate who goes first, so no contender always follows another.
                shift = rep % len(contenders)
                for contender in contenders[shift:] + contenders[:shift]:
                    run = Run(case.name, contender, rep, run=out.runs_done)
                    try:
                        run.result = await _run_one(plan, case, contender, page, servers, payloads)
                    except Exception as exc:  # recorded and reported; the others still run
                        run.error = f"{type(exc).__name__}: {exc}"
                        out.errors.append(f"{case.name}/{contender}/{rep}: {run.error}")
                    out.runs.append(run)
                    say(_describe(run))


def _check_pinning(out: Measurements, say: Progress) -> None:
    """Every process of the run (harness, servers, browser and its helpers) on ``--cpus``'s
    cores, checked on the live process tree once the page is up."""
    assert out.cores is not None
    checked = 1 + len(pinning.descendants(os.getpid()))
    off = pinning.processes_off(out.cores)
    if off:
        out.errors.append(f"--cpus: not pinned: {'; '.join(off.values())}")
        say(out.errors[-1])
    line = f"{checked - len(off)} of {checked} processes on cores {out.cores}"
    out.pinned.append(line)
    say(f"--cpus: {line}")


def _describe(run: Run) -> str:
    head = f"run {run.run} {run.case:<15} {run.contender:<9} rep {run.rep}: "
    if run.result is None:
        return head + f"ERROR {run.error}"
    r = run.result
    intact = "ok" if r.get("intact") else "DATA MISMATCH"
    return head + f"{r['rate']:>10.1f} {r['unit']:<6} {intact}"


STARTUP_VARIANTS = ("base", "pyws", "preload", "installer")
"""``loadPyodide()`` alone; then ``loadPackage("pyws")`` and ``import pyws``;
``loadPyodide({packages: ["pyws"]})``, which may overlap pyws's load with Pyodide's own; and
``loadPackage("iniconfig")`` (a 6 KiB wheel: the installer's first use, which every
package pays) before ``loadPackage("pyws")``, which then times pyws's own share."""


def _record(pair: dict[str, float], variant: str, message: dict[str, Any]) -> None:
    pair[variant] = float(message["ms"])
    if variant == "pyws":
        # loadPackage("pyws") + import pyws, timed inside the same page load.
        pair["pyws_in_load"] = float(message["ms"]) - float(message["pyodide_ms"])
        pair["load_package"] = float(message["load_package_ms"])
        pair["import_pyws"] = float(message["import_ms"])
    elif variant == "installer":
        pair["installer"] = float(message["installer_ms"])
        pair["own_load_package"] = float(message["load_package_ms"])
        pair["own_import_pyws"] = float(message["import_ms"])


async def _startup(
    plan: Plan, base: ServerProcess, control: Control, out: Measurements, say: Progress
) -> None:
    def url(variant: str) -> str:
        return _page_url(base, control, mode="startup", variant=variant)

    def order(rep: int) -> tuple[str, ...]:
        turn = rep % len(STARTUP_VARIANTS)  # rotated, so no variant always goes first
        return STARTUP_VARIANTS[turn:] + STARTUP_VARIANTS[:turn]

    launch = BROWSERS[out.browser][0]
    cold: list[dict[str, float]] = []
    for rep in range(plan.startup_reps):
        pair: dict[str, float] = {}
        for variant in order(rep):
            async with launch(url(variant)):
                _, message = await control.arrival(ARRIVAL_TIMEOUT)
            _record(pair, variant, message)
        cold.append(pair)
        say(f"start-up cold   rep {rep}: {pair}")
    out.startup.setdefault("cold", []).extend(cold)

    warm: list[dict[str, float]] = []
    async with launch(url("base")):
        page, _ = await control.arrival(ARRIVAL_TIMEOUT)
        for variant in STARTUP_VARIANTS if plan.startup_prime else ():
            # prime the HTTP and code caches for both (the first load above was cold)
            await page.send("goto", url=url(variant))
            page, _ = await control.arrival(ARRIVAL_TIMEOUT)
        for rep in range(plan.startup_reps):
            pair = {}
            for variant in order(rep):
                await page.send("goto", url=url(variant))
                page, message = await control.arrival(ARRIVAL_TIMEOUT)
                _record(pair, variant, message)
            warm.append(pair)
            say(f"start-up warm   rep {rep}: {pair}")
    out.startup.setdefault("warm", []).extend(warm)


async def measure(
    plan: Plan,
    say: Progress,
    startup: bool = True,
    scenarios: bool = True,
    runs: int = 1,
    browser: str = "chromium",
    cores: list[int] | None = None,
) -> Measurements:
    """Run the whole bench ``runs`` times: fresh servers, browser and page each time.
    ``cores``: the cores this process was pinned to (``--cpus``), checked on every page."""
    out = Measurements(plan, machine=machine_info(browser), browser=browser, cores=cores)
    for _ in range(runs):
        say(f"run {out.runs_done + 1} of {runs}")
        async with (
            serve() as plain,
            serve("--compression", "deflate") as deflate,
            Control() as control,
        ):
            say(f"servers on {plain.url} (plain) and {deflate.url} (deflate)")
            if scenarios:
                await _main_page(plan, {False: plain, True: deflate}, control, out, say)
            if startup:
                await _startup(plan, plain, control, out, say)
        out.runs_done += 1
    return out


def run(
    plan: Plan,
    startup: bool = True,
    scenarios: bool = True,
    runs: int = 1,
    browser: str = "chromium",
    cores: list[int] | None = None,
) -> Measurements:
    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    return asyncio.run(measure(plan, say, startup, scenarios, runs, browser, cores))
