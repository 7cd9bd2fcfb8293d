"""asyncio from synchronous code: the tests' runner for coroutines."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

GUARD = 60.0
"""The default hang guard, in seconds: never a timing assertion."""


def run_async[T](coro: Coroutine[Any, Any, T], guard: float = GUARD) -> T:
    """``asyncio.run(coro)`` in a thread of its own, cancelled after ``guard`` seconds.

    pytest-playwright's sync API keeps an event loop running in the main thread, where
    ``asyncio.run`` refuses to start once a browser test has run. A caller whose work
    grows with its size (a long load variant) passes a larger ``guard``.
    """

    async def guarded() -> T:
        async with asyncio.timeout(guard):
            return await coro

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, guarded()).result()
