"""The install paths of examples/, each run as a user copies it (docs/getting-started.md).

Each page is served unchanged from a loopback origin of its own; it loads Pyodide (or
PyScript) from https://cdn.jsdelivr.net and pyws from http://127.0.0.1:8000/simple/, which
Chromium reaches through conftest.py's ``--host-rules`` (the jsDelivr stand-in, the bundled
server). Each echoes one message through the bundled server's /echo and shows
``echo: <message>`` in ``#output``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Request

import pyws
from harness import ROOT, cdn
from harness.server import ServerProcess

BOOT_TIMEOUT_MS = 120_000
"""Pyodide from the stand-in, micropip and pyws: ~5 s here; a hang guard on a loaded machine."""
NODE_TIMEOUT = 180.0
"""Hang guard for the Node example."""


@dataclass
class Shown:
    output: str
    urls: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


def show(browser: Browser, folder: Path) -> Shown:
    """Serve ``folder`` as it is, open it, and wait for its ``#output`` to end."""
    with cdn.serve_folder(folder) as port:
        context = browser.new_context()
        try:
            page = context.new_page()
            shown = Shown(output="")

            def on_console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    shown.console.append(message.text)

            def on_request(request: Request) -> None:
                shown.urls.append(request.url)

            page.on("console", on_console)
            page.on("pageerror", lambda exc: shown.console.append(f"pageerror: {exc}"))
            context.on("request", on_request)  # the worker's fetches too
            page.goto(f"http://127.0.0.1:{port}/")
            done = page.locator("#output", has_text=re.compile(r"^(echo|error): "))
            done.or_(page.locator(".py-error")).first.wait_for(timeout=BOOT_TIMEOUT_MS)
            shown.output = page.locator("#output").text_content() or ""
            return shown
        finally:
            context.close()


def assert_pyodide_from_npm_and_pyws_from_the_index(shown: Shown) -> None:
    urls = shown.urls
    npm = f"https://cdn.jsdelivr.net/npm/pyodide@{cdn.pinned('pyodide')}/"
    assert f"{npm}pyodide.asm.wasm" in urls, urls
    assert any(re.fullmatch(r"http://127\.0\.0\.1:8000/simple/pyws/pyws-.*\.whl", u) for u in urls)
    assert not [u for u in urls if u.startswith("http://127.0.0.1:8000/pyodide/")], urls


def test_plain_html_page(examples_browser: Browser, example_dir: Path) -> None:
    shown = show(examples_browser, example_dir / "html-page")
    assert shown.output == "echo: Hello from a page of my own", shown
    assert_pyodide_from_npm_and_pyws_from_the_index(shown)


def test_web_worker_page(examples_browser: Browser, example_dir: Path) -> None:
    shown = show(examples_browser, example_dir / "worker")
    assert shown.output == "echo: Hello from a worker", shown
    assert_pyodide_from_npm_and_pyws_from_the_index(shown)


def test_pyscript_page(examples_browser: Browser, example_dir: Path) -> None:
    shown = show(examples_browser, example_dir / "pyscript")
    assert shown.output == "echo: Hello from PyScript", shown
    core = f"https://cdn.jsdelivr.net/npm/@pyscript/core@{cdn.pinned('@pyscript/core')}/"
    assert f"{core}dist/core.js" in shown.urls
    assert any(re.search(r"127\.0\.0\.1:8000/simple/pyws/pyws-.*\.whl$", u) for u in shown.urls)


OLD_PYODIDE = (ROOT / "scripts" / "older-pyodide.txt").read_text().strip()
NODE_RUNTIMES = {
    # the pinned Pyodide (Python 3.14): micropip takes the precompiled py314 wheel
    "pinned": (cdn.NODE_MODULES / "pyodide", "py314"),
    # the older one `make test` builds too (Python 3.13): it falls back to the pure wheel
    OLD_PYODIDE: (ROOT / "build" / "npm" / OLD_PYODIDE / "node_modules" / "pyodide", "py3"),
}


@pytest.mark.parametrize("runtime", NODE_RUNTIMES)
def test_node_script(
    example_dir: Path, live_server: ServerProcess, tmp_path: Path, runtime: str
) -> None:
    """examples/node as ``npm install`` leaves it: its files, and node_modules/pyodide with
    micropip beside it, where Node's Pyodide caches what it downloads from Pyodide's CDN
    (which this machine cannot reach; the wheel is PyPI's, harness/cdn.py). The index
    offers pyws's pure wheel and the one precompiled for Pyodide 314: each Pyodide takes
    the one it can use."""
    npm, tag = NODE_RUNTIMES[runtime]
    assert (npm / "pyodide.mjs").is_file(), f"{npm} is missing: run the tests with `make test`"
    app = tmp_path / "app"
    shutil.copytree(example_dir / "node", app)
    cdn.node_cache(app / "node_modules" / "pyodide", npm)
    env = {**os.environ, "PYWS_SERVER": live_server.url}
    served = len(live_server.log)
    done = subprocess.run(
        ["node", "--experimental-websocket", "echo.mjs"],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "echo: Hello from Node", done.stdout
    wheels = re.findall(r"GET /simple/pyws/(pyws-[^ ?]+\.whl)", "\n".join(live_server.log[served:]))
    assert wheels == [f"pyws-{pyws.__version__}-{tag}-none-any.whl"], live_server.log[served:]
    assert not (ROOT / "examples" / "node" / "node_modules").exists(), "the example stays clean"


@pytest.mark.parametrize("folder", ["html-page", "worker", "pyscript", "node"])
def test_examples_name_the_pinned_versions(example_dir: Path, folder: str) -> None:
    """The CDN URLs in the examples are the versions web/package.json pins (and tests)."""
    text = "".join(p.read_text() for p in (example_dir / folder).iterdir() if p.is_file())
    for version in re.findall(r"pyodide@([\d.]+)|pyodide/v([\d.]+)/|\"pyodide\": \"([\d.]+)", text):
        assert cdn.pinned("pyodide") in version
    for version in re.findall(r"@pyscript/core@([\d.]+)", text):
        assert version == cdn.pinned("@pyscript/core")


JUPYTERLITE_SITE = ROOT / "build" / "jupyterlite" / "site"
NOTEBOOK = "pyws-echo.ipynb"


def test_jupyterlite_notebook(examples_browser: Browser) -> None:
    """examples/jupyterlite built by ``jupyter lite build`` (scripts/build_jupyterlite.py,
    a file target of ``make test``): its notebook, run cell by cell in JupyterLab as a user
    runs it, installs pyws with ``%pip install pyws`` from the site's piplite index and
    echoes a message. piplite skips the precompiled py314 wheel offered beside the pure
    one, and installs the pure one."""
    index = JUPYTERLITE_SITE / "pypi" / "all.json"
    assert index.is_file(), "build/jupyterlite is missing: run the tests with `make test`"
    served: list[str] = []
    with cdn.serve_folder(JUPYTERLITE_SITE, served) as port:
        context = examples_browser.new_context()
        try:
            page = context.new_page()
            urls: list[str] = []
            context.on("request", lambda request: urls.append(request.url))
            page.goto(f"http://127.0.0.1:{port}/lab/index.html?path={NOTEBOOK}")
            page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=BOOT_TIMEOUT_MS)
            # The status bar says so once the kernel has started (Pyodide, ipython): then
            # Run > Run All Cells, as a user does.
            page.get_by_text("Python (Pyodide) | Idle").wait_for(timeout=BOOT_TIMEOUT_MS)
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()
            outputs = page.locator(".jp-Notebook .jp-OutputArea-output")
            finished = outputs.filter(has_text=re.compile(r"^echo: |Error"))
            finished.first.wait_for(timeout=BOOT_TIMEOUT_MS)
            text = outputs.all_text_contents()
        finally:
            context.close()
    assert "echo: Hello from JupyterLite" in [t.strip() for t in text], text
    wheels = [line.split("?")[0] for line in served if re.search(r"/pyws-.*\.whl", line)]
    assert wheels == [f"200 /pypi/pyws-{pyws.__version__}-py3-none-any.whl"], served
    foreign = [u for u in urls if not u.startswith(("http://127.0.0.1:", "data:", "blob:"))]
    assert not foreign, foreign
