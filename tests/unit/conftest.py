"""Unit tests may be ``async def``: each runs in a fresh event loop of its own thread.

pytest-playwright keeps a loop running in the main thread, where ``asyncio.run`` refuses
to start, so harness.aio.run_async runs each coroutine test in a thread.
"""

from __future__ import annotations

import inspect

import pytest

from harness.aio import run_async


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    run_async(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
