"""Collecting and running the scenarios, and what a run reports.

``await run(Server(...))`` runs every scenario of :data:`MODULES` in order and returns a
JSON-able :class:`Report`; it prints one line per scenario and a total. A scenario that
needs a platform feature the target lacks is skipped, and its line names the feature. One
that runs longer than :data:`SCENARIO_GUARD` fails, and the suite goes on. ``notify`` lets
a target's harness follow the run (so a crash or hang still tells which scenario it was).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from importlib import import_module
from types import ModuleType
from typing import Any

import pyws

from . import environment

ScenarioFunction = Callable[["Server"], Awaitable[None]]

MODULES = (
    "messages",
    "closing",
    "failures",
    "flow",
    "inputs",
    "leaks",
    "reconnect",
    "bounded",
    "streams",
    "sync_api",
    "patch",
    "aiohttp_compat",
    "aiohttp_http",
    "websocket_client_compat",
    "websocket_client_libraries",
    "tls",
)
"""The scenario modules of this package, in the order they run."""

SCENARIO_GUARD = 180.0
"""Hang guard for one scenario, in seconds: never a timing assertion."""


@dataclass(frozen=True)
class Server:
    """Where the bundled server (``python -m server``) listens, as a scenario sees it.

    Three of them run for the suite: one plain, one over TLS with a certificate of a CA made
    for the run (which the target trusts, in its own way), and one over TLS with a
    certificate of another CA, which nobody trusts. Pages and workers are loaded from the
    TLS one: an https page.
    """

    ws: str
    """``ws://127.0.0.1:PORT``: prefix of the scenario endpoints (``/echo``...)."""
    http: str
    """``http://127.0.0.1:PORT``."""
    wss: str = ""
    """``wss://127.0.0.1:PORT``: the same endpoints over TLS, with a certificate the target
    trusts; empty where the target cannot be made to trust it (feature ``wss``)."""
    https: str = ""
    """``https://127.0.0.1:PORT``: the TLS server's origin; the page's, in a browser."""
    untrusted: str = ""
    """``wss://127.0.0.1:PORT``: a TLS server whose certificate no target trusts."""
    mixed: str = ""
    """``ws://NAME:PORT``: the plain server under a name that is not loopback (the target
    maps it to 127.0.0.1), which mixed-content blocking applies to."""
    ca: str = ""
    """The file of the run's CA certificate (PEM), where the scenarios must pass it
    themselves (CPython's ``ssl=``); empty where the target trusts it on its own."""
    send: Callable[[str], object] | None = field(default=None, compare=False, repr=False)
    """Sends a text message to the harness's control WebSocket (None: no harness)."""

    def url(self, path: str) -> str:
        return self.ws + path

    def wss_url(self, path: str) -> str:
        return self.wss + path

    def restart(self) -> None:
        """Ask the harness to kill the server (SIGKILL: no close frame, no goodbye) and
        start it again on the same port. Returns at once: the server goes down a moment
        later, and clients notice by themselves, as they would a real crash."""
        if self.send is None:
            raise RuntimeError("no harness to restart the server: run through harness.suite")
        self.send(json.dumps({"op": "restart_server"}))


@dataclass(frozen=True)
class Scenario:
    name: str
    function: ScenarioFunction
    needs: tuple[str, ...]
    """Platform features (see :mod:`.environment`) without which it cannot run; "not:X"
    for a scenario about the lack of feature X."""


@dataclass
class Result:
    name: str
    outcome: str
    """``passed``, ``failed`` or ``skipped``."""
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Report:
    facts: dict[str, Any]
    results: list[Result] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {o: sum(r.outcome == o for r in self.results) for o in _OUTCOMES}

    def to_json(self) -> dict[str, Any]:
        return {"facts": self.facts, "results": [asdict(r) for r in self.results]}


_OUTCOMES = ("passed", "failed", "skipped")


def scenario(*needs: str) -> Callable[[ScenarioFunction], ScenarioFunction]:
    """Mark an ``async def name(server)`` as a scenario needing these platform features."""
    unknown = {n.removeprefix("not:") for n in needs} - set(environment.FEATURES)
    if unknown:
        raise ValueError(f"unknown features {sorted(unknown)}; known: {environment.FEATURES}")

    def mark(function: ScenarioFunction) -> ScenarioFunction:
        function.needs = needs  # type: ignore[attr-defined]
        return function

    return mark


def _module(name: str) -> ModuleType:
    return import_module(f"{__package__}.{name}")


def collect() -> list[Scenario]:
    """Every scenario, as ``module.function`` names, in definition order."""
    found = []
    for module_name in MODULES:
        module = _module(module_name)
        for name, value in vars(module).items():
            needs = getattr(value, "needs", None)
            if callable(value) and isinstance(needs, tuple) and value.__module__ == module.__name__:
                found.append(Scenario(f"{module_name}.{name}", value, needs))
    return found


Notify = Callable[[str, "Result | None"], None]
"""``notify(name, None)`` as a scenario starts, ``notify(name, result)`` once it is done."""


async def run(
    server: Server, only: list[str] | None = None, notify: Notify | None = None
) -> Report:
    """Run the scenarios (or those named in ``only``) one after another."""
    features = environment.features()
    if server.wss:
        features.add("wss")  # a TLS server the target trusts
    report = Report(facts=environment.facts())
    for item in collect():
        if only is not None and item.name not in only:
            continue
        if notify is not None:
            notify(item.name, None)
        unmet = [_unmet(need, features) for need in item.needs]
        if any(unmet):
            result = Result(item.name, "skipped", "; ".join(filter(None, unmet)))
        else:
            start = time.monotonic()
            try:
                async with asyncio.timeout(SCENARIO_GUARD) as guard:
                    await item.function(server)
            except Exception as exc:
                if guard.expired():
                    exc.add_note(f"the suite's hang guard: no result within {SCENARIO_GUARD} s")
                detail = "".join(traceback.format_exception(exc, limit=-4))
                result = Result(item.name, "failed", detail)
            else:
                result = Result(item.name, "passed")
            result.seconds = round(time.monotonic() - start, 3)
        report.results.append(result)
        _print(result)
        if notify is not None:
            notify(item.name, result)
    counts = report.counts()
    print(", ".join(f"{counts[o]} {o}" for o in _OUTCOMES), flush=True)
    return report


def _unmet(need: str, features: set[str]) -> str:
    """Why this platform does not meet ``need``, or "" when it does."""
    feature = need.removeprefix("not:")
    if need.startswith("not:"):
        return f"has {feature}: it is about platforms without it" if feature in features else ""
    return "" if feature in features else f"no {feature}: {environment.FEATURES[feature]}"


def _print(result: Result) -> None:
    line = f"{result.outcome.upper():7} {result.name}"
    if result.outcome != "passed":
        line += f": {result.detail.strip().splitlines()[-1] if result.detail else ''}"
    print(line, file=sys.stdout, flush=True)


__all__ = ["Report", "Result", "Scenario", "Server", "collect", "pyws", "run", "scenario"]
