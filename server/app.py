"""The application factory: routes, response headers, and the shutdown hook."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from server import devices, http, scenarios
from server.echo import CLOSE_TIMEOUT, echo
from server.graphql import graphql
from server.registry import Registry
from server.settings import (
    DEFAULT_HEAD_TIMEOUT,
    DEFAULT_MAX_SIZE,
    LISTENER,
    REGISTRY,
    SETTINGS,
    SINKS,
    Listener,
    Settings,
)
from server.sio import attach as attach_socketio
from server.static import CACHE_ASSETS, CACHE_PAGES, static_handler

# Cross-origin isolation (COOP + COEP) lets the benchmark page use SharedArrayBuffer and
# precise timers; CORP keeps our own resources loadable under require-corp.
SECURITY_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}

# The package index (/simple/ and its wheels) is the one thing a page on another origin
# fetches: micropip.install("pyws", index_urls=["http://127.0.0.1:8000/simple/"]) from a
# page served elsewhere (examples/). Its responses say any origin may read them (CORS) and
# embed them under require-corp (CORP); nothing else the server serves does.
INDEX_PREFIX = "/simple/"
INDEX_CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
}

MAX_REQUEST_LINE = 8190
MAX_HEADER_FIELD = 8190
"""aiohttp's defaults, pinned: a longer URL gets 414, a longer header 431 (or 400)."""


async def _add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    if request.path.startswith(INDEX_PREFIX):
        response.headers.update(INDEX_CORS_HEADERS)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


async def _index_preflight(request: web.Request) -> web.Response:
    """A CORS preflight for the index: GET (and HEAD) with any request header, from anywhere.

    micropip's requests are simple ones today (its ``Accept`` is CORS-safelisted), so no
    browser sends this yet; an installer that adds a header of its own still gets in.
    """
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Methods": "GET, HEAD",
            "Access-Control-Allow-Headers": request.headers.get(
                "Access-Control-Request-Headers", "*"
            ),
            "Access-Control-Max-Age": "600",
        },
    )


async def _to_docs(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently("/docs/")


async def _close_websockets(app: web.Application) -> None:
    # Runs after the listening sockets are closed, before aiohttp cancels handlers.
    await app[REGISTRY].close_all(timeout=CLOSE_TIMEOUT)


def make_app(
    *,
    web_dir: Path,
    dist_dir: Path,
    simple_dir: Path | None = None,
    docs_dir: Path | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    compress: bool = False,
    head_timeout: float = DEFAULT_HEAD_TIMEOUT,
) -> web.Application:
    """Build the server application.

    head_timeout bounds how long a connection may take to deliver a complete request head,
    counted from connect or from the end of the previous response. It is aiohttp's
    keep-alive timer: RequestHandler arms it in connection_made() and after each response,
    and when it fires while the handler still waits for a complete request head
    (_process_keepalive) the connection is closed, so a client dribbling its headers is cut
    off at the same deadline as an idle keep-alive connection. It never fires during a
    request (e.g. an open WebSocket).
    """
    app = web.Application(
        middlewares=[http.cors],
        handler_args={
            "keepalive_timeout": head_timeout,
            "max_line_size": MAX_REQUEST_LINE,
            "max_field_size": MAX_HEADER_FIELD,
        },
    )
    app[SETTINGS] = Settings(
        web_dir=web_dir,
        dist_dir=dist_dir,
        simple_dir=simple_dir if simple_dir is not None else dist_dir.parent / "simple",
        docs_dir=docs_dir if docs_dir is not None else dist_dir.parent / "docs",
        max_size=max_size,
        compress=compress,
    )
    app[REGISTRY] = Registry()
    app[LISTENER] = Listener()
    app[SINKS] = {}
    app.on_response_prepare.append(_add_security_headers)
    app.on_shutdown.append(_close_websockets)

    settings = app[SETTINGS]
    app.router.add_get("/echo", echo)
    app.router.add_get("/graphql", graphql)
    for path, handler in scenarios.ROUTES:
        app.router.add_get(path, handler)
    for method, path, handler in http.ROUTES:
        app.router.add_route(method, path, handler)
    attach_socketio(app)  # /socket.io/
    app.router.add_get("/api/v2/channels/{app}", devices.samsung_tv)
    app.router.add_get("/pyodide/{tail:.*}", static_handler(settings.dist_dir, CACHE_ASSETS))
    app.router.add_get("/simple/{tail:.*}", static_handler(settings.simple_dir, CACHE_ASSETS))
    app.router.add_route("OPTIONS", "/simple/{tail:.*}", _index_preflight)
    # The docs site that `make docs` builds next to the distribution (build/docs).
    app.router.add_get("/docs", _to_docs)
    app.router.add_get("/docs/{tail:.*}", static_handler(settings.docs_dir, CACHE_PAGES))
    # Last: the catch-all for the pages; an upgrade request for / is the fake OBS.
    pages = static_handler(settings.web_dir, CACHE_PAGES)

    async def pages_or_obs(request: web.Request) -> web.StreamResponse:
        if request.match_info["tail"] == "" and devices.is_upgrade(request):
            return await devices.obs(request)
        return await pages(request)

    app.router.add_get("/{tail:.*}", pages_or_obs)
    return app
