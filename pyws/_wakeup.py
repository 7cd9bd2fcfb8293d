"""Resuming the task that waits in ``recv()``, from inside the socket's message handler.

``future.set_result()`` alone resumes the waiting task one loop iteration later, and in
Pyodide that hop costs about 115 us, the largest part of a round trip (measured in
Chromium; see docs/benchmarks.md). The *inline* path runs the task's wake-up callback at
once, inside the handler, exactly as the loop would have run it. It relies on three
CPython internals: ``Future._callbacks``, and ``asyncio.events._get_running_loop`` /
``_set_running_loop``. They are checked once, at import, on a throwaway future; where one
is missing or behaves differently, pyws falls back to plain ``set_result`` with a single
:exc:`RuntimeWarning`. :func:`fast_wakeup` tells which path is active.
"""

from __future__ import annotations

import asyncio
import contextvars
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["fast_wakeup"]

Wake = Callable[[asyncio.Future[None], asyncio.AbstractEventLoop], None]


def wake_plain(waiter: asyncio.Future[None], loop: asyncio.AbstractEventLoop) -> None:
    """Resume the waiting task on the loop's next iteration."""
    waiter.set_result(None)


def wake_inline(waiter: asyncio.Future[None], loop: asyncio.AbstractEventLoop) -> None:
    """Resume the waiting task now, inside the handler, when that is safe.

    Safe means: the waiter's only callback is its task's wake-up, and no other task is
    running (one can be, suspended by JSPI). Otherwise it falls back to ``set_result``.
    """
    callbacks = waiter._callbacks
    if callbacks and len(callbacks) == 1 and asyncio.current_task(loop) is None:
        callback, context = callbacks[0]
        waiter.remove_done_callback(callback)
        waiter.set_result(None)
        # Pyodide may call a handler on a fresh thread state; the loop claims it for each
        # callback it runs, and so must we (enter_task() checks it).
        if asyncio.events._get_running_loop() is not loop:
            asyncio.events._set_running_loop(loop)
        context.run(callback, waiter)
    else:
        waiter.set_result(None)


def probe(future_type: type[asyncio.Future[Any]] = asyncio.Future) -> str | None:
    """Why the inline path cannot be used here, or None when its internals behave."""
    get_loop = getattr(asyncio.events, "_get_running_loop", None)
    set_loop = getattr(asyncio.events, "_set_running_loop", None)
    if get_loop is None or set_loop is None:
        return "asyncio.events lacks _get_running_loop() or _set_running_loop()"
    previous = get_loop()
    # A bare BaseEventLoop: it runs nothing and changes nothing. Pyodide's WebLoop(), which
    # new_event_loop() makes there, would become the running and the default loop.
    loop = asyncio.BaseEventLoop()
    try:
        future = future_type(loop=loop)
        future.add_done_callback(_mark)
        callbacks = getattr(future, "_callbacks", None)
        if not (
            isinstance(callbacks, list)
            and len(callbacks) == 1
            and isinstance(callbacks[0], tuple)
            and callbacks[0][0] is _mark
            and isinstance(callbacks[0][1], contextvars.Context)
        ):
            return f"Future._callbacks is {callbacks!r}, not [(callback, context)]"
        future.remove_done_callback(_mark)
        if getattr(future, "_callbacks", None):
            return "Future._callbacks did not follow remove_done_callback()"
        set_loop(loop)
        if get_loop() is not loop:
            return "asyncio.events._set_running_loop() did not set the running loop"
        return None
    except (AttributeError, TypeError) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        set_loop(previous)
        loop.close()


def _mark(future: asyncio.Future[Any]) -> None:
    """The probe's done-callback; it never runs."""


def select(reason: str | None) -> Wake:
    """The wake-up to use given :func:`probe`'s answer; warns once when it must fall back."""
    if reason is None:
        return wake_inline
    warnings.warn(
        f"pyws: resuming recv() one loop iteration later (slower), because {reason}",
        RuntimeWarning,
        stacklevel=2,
    )
    return wake_plain


wake: Wake = select(probe())


def fast_wakeup() -> bool:
    """Whether ``recv()`` is resumed inline, inside the message handler (the fast path).

    False where this Python's asyncio internals differ from what that path needs; pyws
    then warned once at import and resumes ``recv()`` with plain ``set_result``.
    """
    return wake is wake_inline
