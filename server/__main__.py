"""Command line: ``python -m server [--host H] [--port P] [--compression none|deflate] ...``.

Prints exactly one line to stdout once listening (``Serving on http://HOST:PORT/``, or
``https://`` with ``--tls-cert`` and ``--tls-key``: then every route is served over https
and wss); everything else goes to stderr. SIGINT/SIGTERM close every WebSocket with 1001
and exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import ssl
import sys
from pathlib import Path
from typing import NoReturn

from aiohttp import web

from server import logs
from server.app import make_app
from server.settings import DEFAULT_HEAD_TIMEOUT, DEFAULT_MAX_SIZE, LISTENER, REGISTRY

REPO = Path(__file__).resolve().parent.parent
HEAD_TIMEOUT_ENV = "PYWS_SERVER_HEAD_TIMEOUT"
"""Undocumented in --help on purpose: tests shorten the request-head timeout with it."""
HANDLER_GRACE = 0.75
"""Seconds aiohttp waits for handlers at shutdown (twice: finish, then after cancelling)."""

log = logging.getLogger("server")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: callers grep stderr for the reason.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _size(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError(text)
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(prog="python -m server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000, help="0 picks a free port")
    parser.add_argument("--compression", choices=("none", "deflate"), default="none")
    parser.add_argument(
        "--max-size",
        type=_size,
        default=DEFAULT_MAX_SIZE,
        metavar="BYTES",
        help=f"largest WebSocket message (default {DEFAULT_MAX_SIZE})",
    )
    parser.add_argument("--web", type=Path, default=REPO / "web", metavar="DIR")
    parser.add_argument("--dist", type=Path, default=REPO / "build" / "pyodide", metavar="DIR")
    parser.add_argument(
        "--tls-cert",
        type=Path,
        metavar="FILE",
        help="PEM certificate chain (the server's first): serve https and wss",
    )
    parser.add_argument(
        "--tls-key", type=Path, metavar="FILE", help="PEM private key of --tls-cert"
    )
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    return args


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server TLS context for ``cert`` (the chain, leaf first) and its ``key``.

    Python's defaults (TLS 1.2 and up, its cipher list); ALPN offers http/1.1 only, as
    aiohttp speaks no HTTP/2 (a WebSocket over TLS is an HTTP/1.1 upgrade).
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])
    return context


def _head_timeout() -> float:
    raw = os.environ.get(HEAD_TIMEOUT_ENV)
    if raw is None:
        return DEFAULT_HEAD_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value < 3600:
        raise SystemExit(f"python -m server: error: bad {HEAD_TIMEOUT_ENV}={raw!r}")
    return value


async def serve(
    app: web.Application, host: str, port: int, tls: ssl.SSLContext | None = None
) -> None:
    runner = web.AppRunner(
        app, access_log_class=logs.HttpAccessLogger, shutdown_timeout=HANDLER_GRACE
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, ssl_context=tls)
        await site.start()
        bound = runner.addresses[0][1]
        listener = app[LISTENER]
        listener.runner, listener.site, listener.host, listener.port = runner, site, host, bound
        listener.tls = tls
        shown = f"[{host}]" if ":" in host else host
        print(f"Serving on {'https' if tls else 'http'}://{shown}:{bound}/", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        log.info("shutting down: closing %d WebSocket(s)", len(app[REGISTRY]))
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for flag, folder in (("--web", args.web), ("--dist", args.dist)):
        if not folder.is_dir():
            print(f"python -m server: error: {flag} {folder}: no such directory", file=sys.stderr)
            return 2
    tls = None
    if args.tls_cert is not None:
        try:
            tls = tls_context(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            print(
                f"python -m server: error: cannot use --tls-cert {args.tls_cert} "
                f"--tls-key {args.tls_key}: {exc}",
                file=sys.stderr,
            )
            return 2
    logs.configure()
    app = make_app(
        web_dir=args.web,
        dist_dir=args.dist,
        max_size=args.max_size,
        compress=args.compression == "deflate",
        head_timeout=_head_timeout(),
    )
    try:
        asyncio.run(serve(app, args.host, args.port, tls))
    except OSError as exc:  # the port is busy, the host unknown, permission denied, ...
        print(
            f"python -m server: error: cannot listen on {args.host}:{args.port}: {exc}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:  # SIGINT before the loop installed its handler
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
