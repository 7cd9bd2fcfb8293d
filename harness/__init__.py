"""What the tests and the benchmark share to run things: one module per concern.

- :mod:`harness.modules`: ``load_module(path)``, the one loader of Python files by path.
- :mod:`harness.config`: the browser settings of ``playwright.config.py``, and ``HOST``.
- :mod:`harness.process`: stopping a subprocess (or its process group).
- :mod:`harness.server`: ``python -m server --port 0`` as a sync or async context manager.
- :mod:`harness.browser`: a browser as a plain subprocess (headless, fresh profile).
- :mod:`harness.aio`: ``run_async(coro, guard)``, asyncio from synchronous tests.
- :mod:`harness.control`: the control WebSocket that launched pages connect back to.
- :mod:`harness.suite`: the scenario suite (tests/scenarios) run on one target.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository's root folder."""
