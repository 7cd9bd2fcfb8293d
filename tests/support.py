"""The harness's test helpers under their old names, for the tests that import them here.

New code imports :mod:`harness` directly.
"""

from __future__ import annotations

from harness import ROOT
from harness.aio import run_async
from harness.server import ServerProcess, start_server

__all__ = ["ROOT", "ServerProcess", "run_async", "start_server"]
