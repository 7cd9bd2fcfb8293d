"""Logging setup: everything to stderr, one line per event (stdout carries only "Serving on")."""

from __future__ import annotations

import logging
import sys

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_log import AccessLogger

MAX_DETAIL = 200
"""Characters of a client error's description kept in the log line (it may echo the request)."""


def configure(level: int = logging.INFO) -> None:
    logging.basicConfig(
        stream=sys.stderr,
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("aiohttp.server").addFilter(ClientErrorsOnOneLine())


class ClientErrorsOnOneLine(logging.Filter):
    """Turn aiohttp's traceback for a malformed request into one warning line.

    aiohttp logs every request it cannot parse (URL or header too long, too many headers,
    garbage) with logger.exception(); that is the client's fault, not a server bug, so the
    traceback is noise. Other exceptions keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            detail = " ".join(str(exc).split())[:MAX_DETAIL]
            record.msg = f"{record.getMessage()}: {detail}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class HttpAccessLogger(AccessLogger):
    """aiohttp's access log minus WebSocket upgrades, which get their own line at close."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if response.status == 101:
            return
        super().log(request, response, time)
