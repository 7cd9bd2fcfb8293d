"""pyws.sync's relay, the plain-Python parts: the event loop that blocks on the ring, and
what the refusal says when the relay cannot work here.

Where the runtime has no JSPI (Safari's engine), Python in a Web Worker may still block, on
``Atomics.wait``: the sockets then live in the page (``pyws/_platform/relay.mjs`` hosts
them) and report through a ring in a ``SharedArrayBuffer`` (``pyws/_ring.py`` reads it).
Each ``pyws.sync`` call runs the async core's coroutine on a :class:`RelayLoop`: a plain
asyncio loop whose wait for I/O is a wait on the ring (until its next timer), and whose
I/O events are the ring's records. So the async core runs unchanged, with all it promises;
between calls nothing runs, and what arrives waits in the page, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, NamedTuple, Protocol

from ._ring import Record

SET_UP = (
    "Python in a dedicated Web Worker; the page that starts it calls hostRelays(worker) "
    "once, right after `new Worker(...)`, from the module pyws-relay.mjs served beside the "
    'pyws wheel (`import { hostRelays } from "/pyodide/pyws-relay.mjs"`); and the page '
    "and the worker served cross-origin isolated (Cross-Origin-Opener-Policy: same-origin, "
    "Cross-Origin-Embedder-Policy: require-corp; pyws's bundled server sends both). See "
    "docs/sync-relay.md"
)
"""What the relay needs, as the refusals say it."""


class Facts(NamedTuple):
    """Where the code runs, as far as the relay cares."""

    jspi: bool
    """The runtime has JSPI (then the relay runs only when forced)."""
    node: bool
    worker: bool
    """A dedicated Web Worker (not a page's main thread, nor a shared or service worker)."""
    isolated: bool
    """``crossOriginIsolated``."""
    shared: bool
    """``SharedArrayBuffer`` exists (a browser exposes it to isolated pages only)."""


def refusal(facts: Facts, forced: bool) -> str | None:
    """Why the relay cannot run here, naming every missing piece and how to add it; None
    when it can (whether a host answers is known only once the worker asks it)."""
    if facts.jspi and not forced:
        return None
    if facts.node:
        return (
            "pyws.sync cannot block here: this runtime (Node) lacks JavaScript Promise "
            "Integration (JSPI), which pyodide.ffi.run_sync needs: run Node 20 with "
            "--experimental-wasm-stack-switching (the relay, pyws's way for browsers "
            "without JSPI, is for Web Workers); or use the async API, "
            "`await pyws.connect(...)`"
        )
    missing = []
    if not facts.worker:
        missing.append(
            "this is not a dedicated Web Worker but a page's main thread (or another kind "
            "of worker), and a page's main thread may not block (Atomics.wait throws there)"
        )
    if not facts.isolated:
        missing.append("this page is not cross-origin isolated, so there is no SharedArrayBuffer")
    elif not facts.shared:
        missing.append(
            "this browser hides SharedArrayBuffer even on a cross-origin isolated page "
            "(WebKitGTK 2.50 does by default: run it with JSC_useSharedArrayBuffer=1 in the "
            "environment; Safari exposes it)"
        )
    if not missing:
        return None
    why = (
        "pyws.sync.set_mode('relay') forces the relay"
        if facts.jspi
        else "this JavaScript runtime lacks JavaScript Promise Integration (JSPI), which "
        "pyodide.ffi.run_sync needs (Chromium, Firefox and Safari from 27 have it, and Node "
        "20 with --experimental-wasm-stack-switching; not earlier Safari, nor WebKitGTK "
        "2.50), so pyws.sync blocks through its relay"
    )
    return (
        f"pyws.sync cannot block here: {why}, and the relay cannot run: "
        f"{'; and '.join(missing)}. The relay needs {SET_UP}. Or use the async API, "
        "`await pyws.connect(...)`"
    )


def no_host(seconds: float) -> str:
    """The refusal when the page did not answer the worker's hello."""
    return (
        f"pyws.sync cannot block here: no relay host answered this worker within {seconds:g} s "
        "(pyws.sync blocks through its relay here, as this runtime lacks JSPI or the relay "
        f"was forced). The relay needs {SET_UP}"
    )


class Channel(Protocol):
    """The link to the host, as the loop uses it."""

    def take(self, timeout: float | None) -> list[Record]:
        """The records there now; if none, waits up to ``timeout`` s (None: no bound)."""

    def dispatch(self, records: list[Record]) -> None:
        """Report each record to its socket's transport."""


class _Selector:
    """What :class:`asyncio.BaseEventLoop` waits on: the ring."""

    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    def select(self, timeout: float | None) -> list[Record]:
        return self._channel.take(timeout)

    def close(self) -> None:
        pass


class RelayLoop(asyncio.BaseEventLoop):
    """An asyncio loop that waits on the relay's ring, in the worker's own thread.

    It runs only inside :meth:`run_blocking`, one ``pyws.sync`` call at a time.
    """

    def __init__(self, channel: Channel) -> None:
        super().__init__()
        self._channel = channel
        self._selector = _Selector(channel)

    def _process_events(self, event_list: list[Record]) -> None:
        self._channel.dispatch(event_list)

    def _write_to_self(self) -> None:
        """Nothing to wake: the loop runs only in the thread that waits on it."""

    def run_blocking[T](self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` to completion, blocking; also from inside a task of another
        loop (Pyodide's), which is set aside meanwhile and then restored."""
        events: Any = asyncio.events
        tasks: Any = asyncio.tasks
        outer = events._get_running_loop()
        task = None if outer is None else tasks._swap_current_task(outer, None)
        events._set_running_loop(None)
        try:
            return self.run_until_complete(coroutine)
        finally:
            events._set_running_loop(outer)
            if outer is not None:
                tasks._swap_current_task(outer, task)
