"""Static file serving confined to one folder: no traversal, no symlinks out, explicit MIME types.

aiohttp's add_static() serves no index.html for directories (needed for ``/`` and the PEP 503
``/simple/<project>/`` pages), so this small handler resolves paths itself and hands the file
to FileResponse, which supplies ETag, Last-Modified, conditional and Range requests.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler

# Browsers refuse to stream-compile wasm or import modules served under other types.
MIME_TYPES: dict[str, str] = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".py": "text/x-python; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".ts": "text/plain; charset=utf-8",
}
FALLBACK_TYPE = "application/octet-stream"
INDEX = "index.html"

CACHE_ASSETS = "public, max-age=3600"
"""For /pyodide/ and /simple/: large, rebuilt rarely; ETag revalidation covers rebuilds."""
CACHE_PAGES = "no-cache"
"""For the pages under /: always revalidate, so edits show up on reload."""


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in MIME_TYPES:
        return MIME_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name, strict=False)
    return guessed or FALLBACK_TYPE


def resolve_inside(root: Path, tail: str) -> Path:
    """Map the decoded URL tail to an existing path under root, or raise a 4xx.

    root must already be resolved. The path is resolved with symlinks followed and then
    required to still lie under root, so a link pointing outside is refused like ``..``.
    """
    # aiohttp has already percent-decoded the path once; "%252e%252e" arrives as the
    # literal name "%2e%2e", which simply does not exist. Backslashes and NUL are never
    # legitimate in our file names and are separators/terminators on some systems.
    if "\\" in tail or "\x00" in tail:
        raise web.HTTPForbidden()
    parts = [part for part in tail.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise web.HTTPForbidden()
    try:
        # A few syscalls; cheap enough to do on the event loop for a test server.
        resolved = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, unreadable, too long, or a symlink loop
        raise web.HTTPNotFound() from None
    if not resolved.is_relative_to(root):
        raise web.HTTPForbidden()
    return resolved


def static_handler(root: Path, cache_control: str) -> Handler:
    """A GET handler serving files under root for a ``{tail:.*}`` route."""
    root = root.resolve()

    async def handle(request: web.Request) -> web.StreamResponse:
        tail = request.match_info["tail"]
        path = resolve_inside(root, tail)
        if path.is_dir():
            if not request.path.endswith("/"):
                # Relative links in an index page only work from the slash-terminated URL.
                raise web.HTTPMovedPermanently(request.rel_url.with_path(request.path + "/"))
            path = resolve_inside(root, f"{tail}/{INDEX}")
        if not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(
            path,
            headers={hdrs.CONTENT_TYPE: content_type(path), hdrs.CACHE_CONTROL: cache_control},
        )

    return handle
