"""Every Python example in the README and in docs/*.md, run as it is written.

Each ```python block must start with a comment naming where it runs: ``# CPython`` (run
here with ``pyws[cpython]``, as a script) or ``# Pyodide`` (run in Chromium under Pyodide,
with top-level await, through pytest-pyodide's page). The one change made to a block is the
bundled server's address: ``127.0.0.1:8000``, where ``make demo`` serves, becomes the port
of the server this session started. Each block must end by itself and print something.

A ``# Pyodide`` block whose first line says ``once pyws is installed`` shows code that runs
where pyws already is (a worker's synchronous call, say): the test loads pyws into the page
first, as getting-started.md's recipes do. Every other block says itself how pyws got there.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness import ROOT
from harness.server import ServerProcess

DEMO_ADDRESS = "127.0.0.1:8000"
RUN_TIMEOUT = 120.0
"""Hang guard for one example; each ends in well under a second against /echo."""
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    code: str

    @property
    def where(self) -> str:
        first = self.code.splitlines()[0] if self.code.strip() else ""
        for kind in ("CPython", "Pyodide"):
            if first.startswith(f"# {kind}"):
                return kind
        return ""

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def examples() -> list[Example]:
    found = []
    for page in PAGES:
        text = page.read_text()
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(Example(page, line, match.group(1)))
    return found


EXAMPLES = examples()


def test_every_example_says_where_it_runs() -> None:
    unmarked = [str(e) for e in EXAMPLES if not e.where]
    assert not unmarked, (
        f"```python blocks without a '# CPython' or '# Pyodide' first line: {unmarked}"
    )
    assert len(EXAMPLES) >= 10


def _params(kind: str) -> list[Any]:
    return [pytest.param(e, id=str(e)) for e in EXAMPLES if e.where == kind]


@pytest.mark.parametrize("example", _params("CPython"))
def test_cpython_example(example: Example, live_server: ServerProcess, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(example.code.replace(DEMO_ADDRESS, f"127.0.0.1:{live_server.port}"))
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=tmp_path,
    )
    assert done.returncode == 0, f"{example}\n{done.stdout}{done.stderr}"
    assert done.stdout.strip(), f"{example} printed nothing"
    assert "Warning" not in done.stderr, done.stderr


@pytest.mark.driver_timeout(RUN_TIMEOUT)
@pytest.mark.parametrize("example", _params("Pyodide"))
def test_pyodide_example(example: Example, selenium: Any, live_server: ServerProcess) -> None:
    """In Chromium, through ``runPythonAsync`` as a page would (no loadPackagesFromImports:
    the example itself says how its packages get there)."""
    code = example.code.replace(DEMO_ADDRESS, f"127.0.0.1:{live_server.port}")
    installed = "once pyws is installed" in example.code.splitlines()[0]
    printed = selenium.run_js(
        f"""
        if ({"true" if installed else "false"}) await pyodide.loadPackage("pyws");
        const printed = [];
        pyodide.setStdout({{ batched: (line) => printed.push(line) }});
        try {{
            await pyodide.runPythonAsync({code!r});
        }} finally {{
            pyodide.setStdout();
        }}
        return printed.join("\\n");
        """
    )
    assert printed.strip(), f"{example} printed nothing"
