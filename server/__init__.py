"""pyws's bundled test/demo server: static files for the Pyodide pages plus WebSocket endpoints.

Run it with ``python -m server``; build it in-process with :func:`make_app`.
"""

from server.app import make_app
from server.settings import DEFAULT_HEAD_TIMEOUT, DEFAULT_MAX_SIZE

__all__ = ["DEFAULT_HEAD_TIMEOUT", "DEFAULT_MAX_SIZE", "make_app"]
