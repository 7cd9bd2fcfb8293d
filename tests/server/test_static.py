"""Static routes: MIME types, caching, cross-origin isolation headers, and confinement."""

from __future__ import annotations

import pytest

from tests.server.conftest import SECRET, Server
from tests.server.helpers import get

ISOLATION = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
ASSETS = "public, max-age=3600"


@pytest.mark.parametrize(
    ("path", "content_type", "cache"),
    [
        ("/", "text/html", "no-cache"),
        ("/index.html", "text/html", "no-cache"),
        ("/app.js", "text/javascript", "no-cache"),
        ("/pyodide/pyodide.mjs", "text/javascript", ASSETS),
        ("/pyodide/pyodide.js", "text/javascript", ASSETS),
        ("/pyodide/pyodide.asm.wasm", "application/wasm", ASSETS),
        ("/pyodide/pyodide-lock.json", "application/json", ASSETS),
        ("/pyodide/python_stdlib.zip", "application/zip", ASSETS),
        ("/pyodide/pyws-0.1.0-py3-none-any.whl", "application/zip", ASSETS),
        ("/pyodide/module.py", "text/x-python", ASSETS),
    ],
)
def test_type_cache_and_isolation_headers(
    server: Server, path: str, content_type: str, cache: str
) -> None:
    status, headers, _ = get(server.port, path)
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == content_type
    assert headers["Cache-Control"] == cache
    assert headers["ETag"] and headers["Last-Modified"]
    for name, value in ISOLATION.items():
        assert headers[name] == value
    assert "Access-Control-Allow-Origin" not in headers, "only the index is cross-origin"


INDEX_ISOLATION = {**ISOLATION, "Cross-Origin-Resource-Policy": "cross-origin"}
"""The index, which pages on other origins fetch: readable (CORS) and embeddable (CORP)."""


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/simple/", "text/html"),
        ("/simple/pyws/", "text/html"),
        ("/simple/pyws/pyws-0.1.0-py3-none-any.whl", "application/zip"),
    ],
)
def test_index_is_readable_from_any_origin(server: Server, path: str, content_type: str) -> None:
    status, headers, _ = get(server.port, path, {"Origin": "http://127.0.0.1:9"})
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == content_type
    assert headers["Cache-Control"] == ASSETS
    assert headers["Access-Control-Allow-Origin"] == "*"
    for name, value in INDEX_ISOLATION.items():
        assert headers[name] == value


def test_index_answers_a_preflight(server: Server) -> None:
    request = {
        "Origin": "http://127.0.0.1:9",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-installer",
    }
    status, headers, _ = get(server.port, "/simple/pyws/", request, method="OPTIONS")
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Access-Control-Allow-Headers"] == "x-installer"
    assert "GET" in headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("path", ["/", "/pyodide/pyodide.mjs", "/missing"])
def test_nothing_but_the_index_is_cross_origin(server: Server, path: str) -> None:
    _, headers, _ = get(server.port, path, {"Origin": "http://127.0.0.1:9"})
    assert "Access-Control-Allow-Origin" not in headers
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    status, _, _ = get(server.port, path, {"Origin": "http://127.0.0.1:9"}, method="OPTIONS")
    assert status == 405


def test_python_source_declares_utf8(server: Server) -> None:
    _, headers, _ = get(server.port, "/pyodide/module.py")
    assert headers["Content-Type"] == "text/x-python; charset=utf-8"


@pytest.mark.parametrize("path", ["/missing", "/echo", "/push?count=x", "/pyodide/../x"])
def test_isolation_headers_on_errors_too(server: Server, path: str) -> None:
    status, headers, _ = get(server.port, path)
    assert 400 <= status < 500
    for name, value in ISOLATION.items():
        assert headers[name] == value


def test_etag_revalidation(server: Server) -> None:
    _, headers, _ = get(server.port, "/pyodide/pyodide.mjs")
    status, _, body = get(server.port, "/pyodide/pyodide.mjs", {"If-None-Match": headers["ETag"]})
    assert status == 304
    assert body == b""


def test_project_page_without_slash_redirects(server: Server) -> None:
    status, headers, _ = get(server.port, "/simple/pyws")
    assert status == 301
    assert headers["Location"] == "/simple/pyws/"


@pytest.mark.parametrize(
    ("path", "title"), [("/docs/", b"pyws docs"), ("/docs/guide/", b"a guide")]
)
def test_docs_site_is_served_at_docs(server: Server, path: str, title: bytes) -> None:
    """`make demo` serves build/docs (`make docs`) at /docs/, as pages: always revalidated."""
    status, headers, body = get(server.port, path)
    assert status == 200
    assert title in body
    assert headers["Cache-Control"] == "no-cache"
    assert "Access-Control-Allow-Origin" not in headers


def test_docs_without_slash_redirects(server: Server) -> None:
    status, headers, _ = get(server.port, "/docs")
    assert status == 301
    assert headers["Location"] == "/docs/"


def test_folder_without_index_is_not_listed(server: Server) -> None:
    status, _, body = get(server.port, "/pyodide/")
    assert status == 404
    assert b"pyodide.mjs" not in body


TRAVERSALS = [
    "../secret.txt",
    "../../secret.txt",
    "%2e%2e/secret.txt",
    "%2e%2e/%2e%2e/secret.txt",
    "%2E%2E%2Fsecret.txt",
    "%252e%252e/secret.txt",
    "%252e%252e%252fsecret.txt",
    "..\\secret.txt",
    "..%5csecret.txt",
    "..%5c..%5csecret.txt",
    "./../secret.txt",
    "sub/../../secret.txt",
    "%00../secret.txt",
    "link-outside.txt",
    "dir-outside/pyodide/pyodide.mjs",
]


@pytest.mark.parametrize("prefix", ["/", "/pyodide/", "/simple/"])
@pytest.mark.parametrize("attack", TRAVERSALS)
def test_no_file_outside_the_folder(server: Server, prefix: str, attack: str) -> None:
    status, _, body = get(server.port, prefix + attack)
    assert 400 <= status < 500
    assert SECRET.encode() not in body


def test_symlink_inside_the_folder_is_served(server: Server) -> None:
    status, _, body = get(server.port, "/link-inside.txt")
    assert (status, body) == (200, b"inside")


def test_head_request(server: Server) -> None:
    status, headers, body = get(server.port, "/pyodide/pyodide.asm.wasm", method="HEAD")
    assert status == 200
    assert headers["Content-Type"] == "application/wasm"
    assert body == b""
