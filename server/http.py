"""/http/...: plain HTTP endpoints for the HTTP half of ``pyws.patch_aiohttp()`` (aiohttp's
``ClientSession`` over ``fetch``), and ``POST /graphql`` (GraphQL over HTTP, what gql's
``AIOHTTPTransport`` sends).

The suite's page is served by another server (https, another port), so these answer
cross-origin requests from loopback pages (CORS, as ``/socket.io/`` does): the preflight
``OPTIONS`` allows any method and the headers asked for, and every response exposes its
headers to the page. ``/http/nocors`` alone sends no CORS header, for the refusal.

- ``/http/echo`` (any method): JSON ``{"method", "path", "query": [[k, v]...], "headers":
  {lower-case name: value}, "body": latin-1 text, "form": {...} or null}``; ``form`` for
  urlencoded and multipart bodies (a file part as ``{"filename", "type", "size"}``).
  ``?status=N`` answers with that status, ``?type=T`` with that Content-Type (the echo
  then as its body, encoded as its charset says).
- ``/http/bytes?size=N&chunk=M``: N bytes (``i % 251``), written M at a time.
- ``/http/slow?head=S&body=S``: waits S seconds before the headers, or after a first
  chunk of the body.
- ``/http/redirect?to=PATH&code=N&times=K``: K redirects with status N, then ``to``.
- ``/http/cut?size=N``: announces 2N bytes, sends N, and cuts the connection.
- ``/http/nocors``: 200, no CORS headers.
- ``/http/cookie?name=V``: sets the cookie ``name=V``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler
from graphql import graphql as run_graphql

from server.graphql import SCHEMA
from server.query import float_param, int_param, text_param
from server.sio import LOOPBACK

MAX_BYTES = 256 * 1024 * 1024
MAX_CHUNK = 4 * 1024 * 1024
MAX_DELAY = 60.0
PATTERN = bytes(i % 251 for i in range(MAX_CHUNK + 251))


def _loopback(origin: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK


def _cors(request: web.Request, response: web.StreamResponse) -> None:
    """Allow a loopback page's cross-origin request, and show it every header."""
    origin = request.headers.get("Origin", "")
    if not _loopback(origin):
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers["Vary"] = "Origin"
    # Every header; "*" means every header for a request without credentials, which is
    # what fetch() sends cross-origin by default (credentials: "same-origin").
    response.headers["Access-Control-Expose-Headers"] = "*"


@web.middleware
async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """CORS for ``/http/`` (but ``/http/nocors``) and ``POST /graphql``."""
    path = request.path
    if not (path.startswith("/http/") or path == "/graphql") or path == "/http/nocors":
        return await handler(request)
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        preflight = web.Response(status=204)
        _cors(request, preflight)
        preflight.headers["Access-Control-Allow-Methods"] = request.headers[
            "Access-Control-Request-Method"
        ]
        asked = request.headers.get("Access-Control-Request-Headers")
        if asked:
            preflight.headers["Access-Control-Allow-Headers"] = asked
        return preflight
    response: web.StreamResponse
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    if not response.prepared:
        _cors(request, response)
    return response


async def echo(request: web.Request) -> web.StreamResponse:
    form: dict[str, Any] | None = None
    body = b""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = {}
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                data = value.file.read()
                form[name] = {
                    "filename": value.filename,
                    "type": value.content_type,
                    "size": len(data),
                }
            else:
                form[name] = value
    else:
        body = await request.read()
    answer = {
        "method": request.method,
        "path": request.path,
        "query": [[k, v] for k, v in request.query.items()],
        "headers": {k.lower(): v for k, v in request.headers.items()},
        "body": body.decode("latin-1"),
        "form": form,
    }
    status = int_param(request, "status", 200, 599, default=200)
    kind = request.query.get("type")
    text = json.dumps(answer)
    if kind is None:
        return web.json_response(answer, status=status)
    charset = kind.partition("charset=")[2].strip() or "utf-8"
    response = web.Response(status=status, body=text.encode(charset))
    response.headers["Content-Type"] = kind
    return response


async def sized(request: web.Request) -> web.StreamResponse:
    size = int_param(request, "size", 0, MAX_BYTES)
    chunk = int_param(request, "chunk", 1, MAX_CHUNK, default=256 * 1024)
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    response.content_length = size
    _cors(request, response)
    await response.prepare(request)
    sent = 0
    while sent < size:
        n = min(chunk, size - sent)
        start = sent % 251
        await response.write(PATTERN[start : start + n])
        sent += n
    await response.write_eof()
    return response


async def slow(request: web.Request) -> web.StreamResponse:
    head = float_param(request, "head", 0, MAX_DELAY) if "head" in request.query else 0.0
    body = float_param(request, "body", 0, MAX_DELAY) if "body" in request.query else 0.0
    await asyncio.sleep(head)
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    _cors(request, response)
    await response.prepare(request)
    await response.write(b"first ")
    await asyncio.sleep(body)
    await response.write(b"second")
    await response.write_eof()
    return response


async def redirect(request: web.Request) -> web.StreamResponse:
    to = text_param(request, "to", 2000, default="/http/echo")
    code = int_param(request, "code", 301, 308, default=302)
    times = int_param(request, "times", 1, 30, default=1)
    target = to if times == 1 else f"/http/redirect?to={to}&code={code}&times={times - 1}"
    if not target.startswith("/"):
        raise web.HTTPBadRequest(text="bad query value to: expected a path\n")
    raise web.HTTPFound(target) if code == 302 else _redirect(code, target)


def _redirect(code: int, target: str) -> web.HTTPException:
    classes: dict[int, type[web.HTTPMove]] = {
        301: web.HTTPMovedPermanently,
        303: web.HTTPSeeOther,
        307: web.HTTPTemporaryRedirect,
        308: web.HTTPPermanentRedirect,
    }
    if code not in classes:
        return web.HTTPBadRequest(text=f"bad query value code={code}: 301, 302, 303, 307, 308\n")
    return classes[code](target)


async def cut(request: web.Request) -> web.StreamResponse:
    size = int_param(request, "size", 1, MAX_CHUNK)
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    response.content_length = 2 * size
    _cors(request, response)
    await response.prepare(request)
    await response.write(PATTERN[:size])
    await asyncio.sleep(0.05)  # let the bytes leave before the cut; not a timing claim
    if request.transport is not None:
        request.transport.close()
    return response


async def nocors(request: web.Request) -> web.StreamResponse:
    return web.Response(text="no CORS headers here\n")


async def cookie(request: web.Request) -> web.StreamResponse:
    response = web.Response(text="cookies set\n")
    for name, value in request.query.items():
        response.set_cookie(name, value)
    return response


async def graphql_post(request: web.Request) -> web.StreamResponse:
    """``POST /graphql``: a query over HTTP (GraphQL over HTTP: JSON ``{"query",
    "variables", "operationName"}`` in, ``{"data", "errors"}`` out)."""
    try:
        payload = await request.json()
        query = str(payload["query"])
    except (ValueError, TypeError, KeyError):
        raise web.HTTPBadRequest(text='expected JSON {"query": ...}\n') from None
    result = await run_graphql(
        SCHEMA,
        query,
        variable_values=payload.get("variables"),
        operation_name=payload.get("operationName"),
    )
    return web.json_response(result.formatted)


ROUTES: tuple[tuple[str, str, Any], ...] = (
    ("*", "/http/echo", echo),
    ("GET", "/http/bytes", sized),
    ("GET", "/http/slow", slow),
    ("*", "/http/redirect", redirect),
    ("GET", "/http/cut", cut),
    ("GET", "/http/nocors", nocors),
    ("GET", "/http/cookie", cookie),
    ("POST", "/graphql", graphql_post),
    ("OPTIONS", "/graphql", graphql_post),  # the preflight; the middleware answers it
    ("OPTIONS", "/http/{tail:.*}", nocors),  # likewise
)
