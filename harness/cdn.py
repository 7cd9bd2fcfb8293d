"""A stand-in for jsDelivr, and plain static servers, for the install-path examples.

The examples in examples/ load Pyodide and PyScript from ``https://cdn.jsdelivr.net/`` and
pyws from ``http://127.0.0.1:8000/simple/``, as a user copies them. The tests serve them
unchanged: Chromium is told (``--host-rules``, :func:`host_rules`) that cdn.jsdelivr.net:443
is :func:`serve_cdn`'s port and 127.0.0.1:8000 the bundled server's, and trusts the CDN's
one certificate (``--ignore-certificate-errors-spki-list``).

What the stand-in serves, with jsDelivr's ``Access-Control-Allow-Origin: *`` and
``Cross-Origin-Resource-Policy: cross-origin``:

- ``/npm/pyodide@V/`` and ``/npm/@pyscript/core@V/``: the npm packages' files, from
  web/node_modules (V must be the pinned version);
- ``/pyodide/vV/full/``: Pyodide's full distribution, as far as the examples need it: the
  npm package's files, and its lock file, whose ``micropip`` entry names the micropip wheel
  of the same version from PyPI (:func:`full_distribution`). Pyodide's own build of that
  wheel cannot be fetched here, and the lock checks each wheel's SHA-256.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from harness import ROOT
from harness.config import HOST
from server.static import content_type

NODE_MODULES = ROOT / "web" / "node_modules"
CDN_HOST = "cdn.jsdelivr.net"
INDEX_ORIGIN = "127.0.0.1:8000"
"""Where the examples expect the bundled server (``make demo``)."""


def pinned(package: str) -> str:
    """The version of an npm package that web/node_modules holds."""
    data: dict[str, Any] = json.loads((NODE_MODULES / package / "package.json").read_text())
    return str(data["version"])


def full_distribution(folder: Path) -> Path:
    """Pyodide's full distribution as the examples use it, in ``folder``: the npm package's
    files, micropip's wheel, and the npm lock with micropip's entry pointing at that wheel.
    """
    npm = NODE_MODULES / "pyodide"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(npm, folder, ignore=shutil.ignore_patterns("console*.html"))
    lock = json.loads((npm / "pyodide-lock.json").read_text())
    ours = json.loads((ROOT / "build" / "pyodide" / "pyodide-lock.json").read_text())
    entry = ours["packages"]["micropip"]
    if entry["version"] != lock["packages"]["micropip"]["version"]:
        raise RuntimeError(
            f"micropip {entry['version']} in scripts/pyodide-wheels.txt, but Pyodide's lock "
            f"has {lock['packages']['micropip']['version']}: pin the same version"
        )
    lock["packages"]["micropip"] = entry
    shutil.copy2(ROOT / "build" / "pyodide" / entry["file_name"], folder / entry["file_name"])
    (folder / "pyodide-lock.json").write_text(json.dumps(lock))
    return folder


def node_cache(folder: Path, npm: Path = NODE_MODULES / "pyodide") -> Path:
    """``node_modules/pyodide`` as a Node run of examples/node leaves it: the npm package
    (``npm``: by default the pinned one), and the micropip wheel that Node's Pyodide
    downloads from Pyodide's CDN and keeps beside it (its ``packageCacheDir``; Node reads a
    cached wheel without the lock's SHA-256 check). The wheel is PyPI's, of the version the
    npm lock names."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(npm, folder)
    lock = json.loads((npm / "pyodide-lock.json").read_text())
    name = lock["packages"]["micropip"]["file_name"]
    shutil.copy2(ROOT / "build" / "pyodide" / name, folder / name)
    return folder


def cdn_roots(full: Path) -> dict[str, Path]:
    """URL prefix -> folder, for the stand-in."""
    pyodide, pyscript = pinned("pyodide"), pinned("@pyscript/core")
    return {
        f"/npm/pyodide@{pyodide}/": NODE_MODULES / "pyodide",
        f"/npm/@pyscript/core@{pyscript}/": NODE_MODULES / "@pyscript" / "core",
        f"/pyodide/v{pyodide}/full/": full,
    }


class _Handler(http.server.SimpleHTTPRequestHandler):
    roots: ClassVar[dict[str, Path]] = {}
    requested: ClassVar[list[str]] = []
    cross_origin = False

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        for prefix, root in self.roots.items():
            if path.startswith(prefix):
                tail = [p for p in path[len(prefix) :].split("/") if p not in ("", ".", "..")]
                return str(root.joinpath(*tail))
        return str(Path("/nonexistent") / "404")

    def guess_type(self, path: str | Any) -> str:
        return content_type(Path(str(path)))

    def end_headers(self) -> None:
        if self.cross_origin:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.requested.append(f"{code} {self.path}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _serve(
    roots: dict[str, Path],
    *,
    cross_origin: bool,
    tls: ssl.SSLContext | None = None,
    requested: list[str] | None = None,
) -> Iterator[int]:
    attributes = {
        "roots": roots,
        "cross_origin": cross_origin,
        "requested": [] if requested is None else requested,
    }
    handler = type("Handler", (_Handler,), attributes)
    httpd = http.server.ThreadingHTTPServer((HOST, 0), functools.partial(handler))
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def serve_cdn(full: Path, cert_chain: Path, key: Path) -> Iterator[int]:
    """The jsDelivr stand-in over TLS on a free loopback port; yields the port."""
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_chain, key)
    with _serve(cdn_roots(full), cross_origin=True, tls=tls) as port:
        yield port


@contextmanager
def serve_folder(folder: Path, requested: list[str] | None = None) -> Iterator[int]:
    """``folder``'s files as they are, over plain http on a free loopback port (the page's
    own origin, as ``python -m http.server`` would serve it); yields the port. Each request
    is appended to ``requested`` as ``"STATUS PATH"``."""
    with _serve({"/": folder}, cross_origin=False, requested=requested) as port:
        yield port


def host_rules(index_port: int, cdn_port: int) -> str:
    """Chromium's ``--host-rules``: the examples' two foreign origins, mapped to ours."""
    return f"MAP {INDEX_ORIGIN} {HOST}:{index_port}, MAP {CDN_HOST} {HOST}:{cdn_port}"
