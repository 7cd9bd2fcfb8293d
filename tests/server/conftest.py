"""Fixtures for the bundled server's own tests: real `python -m server` subprocesses on loopback.

Every server gets a throwaway web/dist/simple tree (plus a secret file outside it and symlinks
pointing at it) so MIME, caching and confinement can be checked without the real build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.server import ServerProcess, start_server

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


Server = ServerProcess


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
    (simple / "pyws" / "index.html").write_text(
        "<a href='pyws-0.1.0-py3-none-any.whl'>pyws-0.1.0-py3-none-any.whl</a>"
    )
    (simple / "pyws" / "pyws-0.1.0-py3-none-any.whl").write_bytes(b"PK\5\6" + bytes(18))
    docs = root / "build" / "docs"
    (docs / "guide").mkdir(parents=True)
    (docs / "index.html").write_text("<!doctype html><title>pyws docs</title>")
    (docs / "guide" / "index.html").write_text("<!doctype html><title>a guide</title>")
    return Tree(root, web, dist, simple, secret)


@pytest.fixture(scope="session")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return make_tree(tmp_path_factory.mktemp("served"))


@contextmanager
def run_server(tree: Tree, *args: str) -> Iterator[Server]:
    """`python -m server --port 0` on the tree until the block ends; then SIGTERM it."""
    folders = ("--web", str(tree.web), "--dist", str(tree.dist))
    env = {"PYWS_SERVER_HEAD_TIMEOUT": str(HEAD_TIMEOUT)}
    with start_server(*folders, *args, env=env, timeout=STOP_TIMEOUT) as server:
        yield server


@pytest.fixture(scope="session")
def server(tree: Tree) -> Iterator[Server]:
    """One shared server for the read-only checks."""
    with run_server(tree, "--max-size", str(MAX_SIZE)) as srv:
        yield srv
    log = "".join(srv.log)
    # Whatever the tests threw at it, the log must never carry a traceback.
    assert "Traceback" not in log, log
