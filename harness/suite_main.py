"""The scenario suite's entry point inside a target: Pyodide (page, worker, Node) or CPython.

Standard library only, besides the suite itself: a target imports this module next to the
scenario package. Every target is started on the runner URL,
``http://HOST:PORT/?control=ws://...`` (plus ``&only=a.b,c.d``): the server's address comes
from its origin, and the report goes to the harness's control WebSocket.

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
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit


def _config(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    only = query.get("only", [""])[0]
    return {
        "http": f"{parts.scheme}://{parts.netloc}",
        "ws": f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}",
        "control": query.get("control", [""])[0],
        "only": only.split(",") if only else None,
    }


Send = Callable[[str], object]
"""Sends one text message to the harness's control WebSocket."""


async def run_json(url: str, send: Send, package: str = "scenarios") -> str:
    """Run ``package.suite`` against the server of the runner ``url``; the report as JSON.

    ``send`` gets ``{"op": "start", "name"}`` and ``{"op": "result", "result"}`` for each
    scenario, so that the harness knows how far a target got if it crashes or hangs.
    """
    config = _config(url)
    suite = importlib.import_module(f"{package}.suite")

    def notify(name: str, result: Any) -> None:
        if result is None:
            send(json.dumps({"op": "start", "name": name}))
        else:
            send(json.dumps({"op": "result", "result": dataclasses.asdict(result)}))

    server = suite.Server(ws=config["ws"], http=config["http"], send=send)
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
            report = json.loads(asyncio.run(run_json(url, control.send, "tests.scenarios")))
            message = {"op": "report", "report": report}
        except Exception:
            message = {"op": "error", "error": f"cpython: {traceback.format_exc()}"}
        finally:
            sys.stdout = stdout
        control.send(json.dumps(message))
    return 0 if message["op"] == "report" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
