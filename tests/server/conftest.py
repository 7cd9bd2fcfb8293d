"""Fixtures for the bundled server's own tests: real `python -m server` subprocesses on loopback.

Every server gets a throwaway web/dist/simple tree (plus a secret file outside it and symlinks
pointing at it) so MIME, caching and confinement can be checked without the real build.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVING = re.compile(r"^Serving on http://127\.0\.0\.1:(\d+)/$")
SECRET = "TOP-SECRET-OUTSIDE-THE-SERVED-FOLDERS"
HEAD_TIMEOUT = 1.0
"""Request-head timeout for test servers (the default is 10 s), via PYWS_SERVER_HEAD_TIMEOUT."""
MAX_SIZE = 2 * 1024 * 1024
"""--max-size for the shared server: room for the 1 MiB echo, small enough to overflow cheaply."""
STOP_TIMEOUT = 15.0
"""Upper bound on waiting for a server to exit; only a hang guard, not a timing assertion."""


@dataclass
class Tree:
    root: Path
    web: Path
    dist: Path
    simple: Path
    secret: Path


@dataclass
class Server:
    proc: subprocess.Popen[str]
    port: int
    log: list[str] = field(default_factory=list)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws(self, path: str = "/echo") -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def wait_for_log(self, predicate: Callable[[str], bool], timeout: float = 10.0) -> list[str]:
        """Lines matching predicate, waiting (bounded) for at least one to appear."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in list(self.log) if predicate(line)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.02)


def make_tree(root: Path) -> Tree:
    web, dist, simple = root / "web", root / "build" / "pyodide", root / "build" / "simple"
    for folder in (web, dist, simple / "pyws"):
        folder.mkdir(parents=True)
    secret = root / "secret.txt"
    secret.write_text(SECRET)
    (web / "index.html").write_text("<!doctype html><title>index</title>")
    (web / "app.js").write_text("export {};")
    (web / "inside.txt").write_text("inside")
    (web / "link-inside.txt").symlink_to(web / "inside.txt")
    (web / "link-outside.txt").symlink_to(secret)
    (web / "dir-outside").symlink_to(root / "build", target_is_directory=True)
    (dist / "pyodide.mjs").write_text("export const loadPyodide = 1;")
    (dist / "pyodide.js").write_text("var loadPyodide = 1;")
    (dist / "pyodide.asm.wasm").write_bytes(b"\0asm\1\0\0\0")
    (dist / "pyodide-lock.json").write_text("{}")
    (dist / "python_stdlib.zip").write_bytes(b"PK\5\6" + bytes(18))
    (dist / "pyws-0.1.0-py3-none-any.whl").write_bytes(b"PK\5\6" + bytes(18))
    (dist / "module.py").write_text("x = 1\n")
    (dist / "link-outside.txt").symlink_to(secret)
    (simple / "index.html").write_text("<a href='pyws/'>pyws</a>")
    (simple / "pyws" / "index.html").write_text("<a href='../../pyodide/x.whl'>x</a>")
    return Tree(root, web, dist, simple, secret)


@pytest.fixture(scope="session")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return make_tree(tmp_path_factory.mktemp("served"))


@contextmanager
def run_server(tree: Tree, *args: str) -> Iterator[Server]:
    """`python -m server --port 0` on the tree until the block ends; then SIGTERM it."""
    env = {**os.environ, "PYWS_SERVER_HEAD_TIMEOUT": str(HEAD_TIMEOUT)}
    folders = ("--web", str(tree.web), "--dist", str(tree.dist))
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--port", "0", *folders, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    log: list[str] = []
    # Drain stderr all along so a chatty server never blocks on a full pipe.
    drain = threading.Thread(target=lambda: log.extend(proc.stderr or ()), daemon=True)
    drain.start()
    first = proc.stdout.readline()  # blocks until the server listens, or exits
    match = SERVING.match(first.strip())
    if not match:
        proc.kill()
        proc.wait()
        drain.join(STOP_TIMEOUT)
        raise RuntimeError(f"server did not start: {first!r} {''.join(log)}")
    server = Server(proc, int(match[1]), log)
    try:
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        drain.join(STOP_TIMEOUT)
        proc.stdout.close()


@pytest.fixture(scope="session")
def server(tree: Tree) -> Iterator[Server]:
    """One shared server for the read-only checks."""
    with run_server(tree, "--max-size", str(MAX_SIZE)) as srv:
        yield srv
    log = "".join(srv.log)
    # Whatever the tests threw at it, the log must never carry a traceback.
    assert "Traceback" not in log, log
