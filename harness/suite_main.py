"""The scenario suite's entry point inside a target: Pyodide (page, worker, Node) or CPython.

Standard library only, besides the suite itself: a target imports this module next to the
scenario package. Every target is started on the runner URL, ``https://HOST:PORT/`` with the
query ``?control=ws://...&plain=http://HOST:PORT&untrusted=https://HOST:PORT&mixed=NAME``
(plus ``&only=a.b,c.d``): the servers' addresses come from its origin (the TLS server) and
its query, and the report goes to the harness's control WebSocket.

- Pyodide: ``harness/suite_web/suite.mjs`` unpacks ``scenarios.zip`` (this file and the
  package ``scenarios``), awaits :func:`run_json` and sends the report itself.
- CPython: ``python harness/suite_main.py URL`` runs ``tests.scenarios`` (the repository
  goes first on ``sys.path``) and sends the report over a ``websockets`` client (the one
  third-party module, for that).
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import io
import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit


def _config(url: str) -> dict[str, Any]:
    """The servers of the runner ``url``: the page's own (TLS, for the harness's runs),
    and those its query names (``plain``, ``untrusted``, ``mixed``)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)

    def param(name: str) -> str:
        return query.get(name, [""])[0]

    origin = f"{parts.scheme}://{parts.netloc}"
    plain = param("plain") or origin
    tls = origin if parts.scheme == "https" else param("tls")
    untrusted = param("untrusted")
    plain_host = urlsplit(plain).netloc
    mixed = param("mixed")
    only = param("only")
    return {
        "http": plain,
        "ws": f"ws://{plain_host}",
        "https": tls,
        "wss": f"wss://{urlsplit(tls).netloc}" if tls else "",
        "untrusted": f"wss://{urlsplit(untrusted).netloc}" if untrusted else "",
        "mixed": f"ws://{mixed}:{urlsplit(plain).port}" if mixed else "",
        "control": param("control"),
        "only": only.split(",") if only else None,
        "transport": query.get("transport", [""])[0] or None,
        "sync": param("sync") or None,
    }


CA_ENV = "PYWS_SUITE_CA"
"""The file of the run's CA certificate, for CPython (whose scenarios pass it as ``ssl=``)."""


Send = Callable[[str], object]
"""Sends one text message to the harness's control WebSocket."""


async def run_json(url: str, send: Send, package: str = "scenarios", ca: str = "") -> str:
    """Run ``package.suite`` against the server of the runner ``url``; the report as JSON.

    ``send`` gets ``{"op": "start", "name"}`` and ``{"op": "result", "result"}`` for each
    scenario, so that the harness knows how far a target got if it crashes or hangs.
    ``ca`` is the CA certificate file the scenarios pass as ``ssl=`` (CPython's way).
    """
    config = _config(url)
    if config["transport"] is not None:  # the chromium-stream targets: what "auto" picks
        import pyws._platform

        pyws._platform.auto_prefers = config["transport"]
    if config["sync"] is not None:  # the relay targets: pyws.sync through the relay
        import pyws.sync

        pyws.sync.set_mode(config["sync"])
    suite = importlib.import_module(f"{package}.suite")

    def notify(name: str, result: Any) -> None:
        if result is None:
            send(json.dumps({"op": "start", "name": name}))
        else:
            send(json.dumps({"op": "result", "result": dataclasses.asdict(result)}))

    fields = ("ws", "http", "wss", "https", "untrusted", "mixed")
    server = suite.Server(**{name: config[name] for name in fields}, ca=ca, send=send)
    report = await suite.run(server, only=config["only"], notify=notify)
    return json.dumps(report.to_json())


class _Lines(io.TextIOBase):
    """CPython's stdout, copied to the harness line by line as ``{"op": "log"}``."""

    def __init__(self, send: Send, out: TextIO) -> None:
        self._send, self._out, self._line = send, out, ""

    def write(self, text: str) -> int:
        self._out.write(text)
        *lines, self._line = (self._line + text).split("\n")
        for line in lines:
            self._send(json.dumps({"op": "log", "line": line}))
        return len(text)

    def flush(self) -> None:
        self._out.flush()


def main(argv: list[str]) -> int:
    """CPython: run ``tests.scenarios`` and send ``{"op": "report"}`` (or ``"error"``)."""
    from websockets.sync.client import connect

    (url,) = argv
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with connect(_config(url)["control"], max_size=None) as control:
        control.send(json.dumps({"op": "hello", "context": "cpython"}))
        stdout, sys.stdout = sys.stdout, _Lines(control.send, sys.stdout)
        try:
            ca = os.environ.get(CA_ENV, "")
            report = json.loads(asyncio.run(run_json(url, control.send, "tests.scenarios", ca)))
            message = {"op": "report", "report": report}
        except Exception:
            message = {"op": "error", "error": f"cpython: {traceback.format_exc()}"}
        finally:
            sys.stdout = stdout
        control.send(json.dumps(message))
    return 0 if message["op"] == "report" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
