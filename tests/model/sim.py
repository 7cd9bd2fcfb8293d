"""A deterministic asyncio world for the model-based tests: a virtual clock, a loop run
step by step until it is idle, and the fake transport with browser-like Blobs.

Nothing here sleeps: time moves only when a rule calls :meth:`Sim.advance`, and then timers
fire one deadline at a time, in order, at their exact virtual times. Every "browser" event
(a message, a close) runs as a loop callback, as a JS handler would, so pyws's inline
wake-up (``pyws._wakeup``) resumes ``recv()`` inside it exactly as in a browser.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pyws import Blob
from pyws._transport import BinaryType, Events
from tests.unit.fake import FakeTransport

IDLE_LIMIT = 10_000
"""Loop iterations in one settle() before the loop counts as spinning."""


class _NoSelector:
    """The loop polls no file: the fake transport has none."""

    def select(self, timeout: float | None = None) -> list[Any]:
        assert timeout == 0, f"the loop would block for {timeout} s"
        return []

    def close(self) -> None:
        pass


class VirtualClock:
    """A loop's clock that moves only when told to (mixed into an event loop class)."""

    now = 0.0
    _clock_resolution: float

    def time(self) -> float:
        return self.now

    def set_time(self, now: float) -> None:
        """Move the clock to ``now``. The loop fires a timer once ``when < time() +
        clock resolution``: keep the resolution above the float spacing at ``now`` (at
        t = 1e9 s, a 1 ns resolution adds nothing and a timer due now never fires)."""
        self.now = now
        self._clock_resolution = max(1e-9, 4 * math.ulp(now))


class VirtualLoop(VirtualClock, asyncio.BaseEventLoop):
    """An event loop whose clock moves only when told to, and which polls no file."""

    def __init__(self) -> None:
        super().__init__()
        self._selector = _NoSelector()

    def _process_events(self, event_list: list[Any]) -> None:
        pass

    def _write_to_self(self) -> None:
        """``call_soon_threadsafe`` (asyncio finalising an async generator) from this
        thread: nothing to wake, the loop polls nothing."""


class Clocked:
    """A world on a :class:`VirtualClock` loop: timers fire only as :meth:`advance` moves
    the clock. A subclass gives ``loop`` and :meth:`settle`."""

    loop: Any

    def settle(self) -> None:
        raise NotImplementedError

    def timers(self) -> list[asyncio.TimerHandle]:
        """The timers still scheduled (cancelled ones excluded)."""
        scheduled: list[asyncio.TimerHandle] = self.loop._scheduled
        return [handle for handle in scheduled if not handle.cancelled()]

    def advance(self, delta: float) -> None:
        """Move the clock by ``delta``, firing each due timer at its own deadline."""
        target = self.loop.now + delta
        for _ in range(IDLE_LIMIT):
            due = [handle.when() for handle in self.timers() if handle.when() <= target]
            if not due:
                break
            self.loop.set_time(max(self.loop.now, min(due)))
            self.settle()
        else:
            raise AssertionError(f"timers keep falling due: {self.timers()}")
        self.loop.set_time(target)
        self.settle()


class Sim(Clocked):
    """One example's event loop, driven by the state machine's rules."""

    def __init__(self) -> None:
        self.loop = VirtualLoop()
        self.gate = Gate(self)
        self.tasks: list[asyncio.Task[Any]] = []

    def settle(self) -> None:
        """Run the loop until nothing is ready to run; fail if it never gets there."""
        loop = self.loop
        for _ in range(IDLE_LIMIT):
            loop.call_soon(loop.stop)
            loop.run_forever()
            if not loop._ready:  # type: ignore[attr-defined]
                return
        raise AssertionError(f"the loop never went idle in {IDLE_LIMIT} iterations: a spin")

    def call(self, function: Callable[..., Any], *args: Any) -> None:
        """Run ``function`` as a loop callback (as a browser runs an event handler)."""
        self.loop.call_soon(function, *args)
        self.settle()

    def spawn[T](self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Start ``coro`` as a task and run the loop until idle."""
        task = self.loop.create_task(coro)
        self.tasks.append(task)
        self.settle()
        return task

    def run[T](self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro``, which must finish without the clock moving."""
        task = self.spawn(coro)
        assert task.done(), f"{coro!r} did not finish without the clock moving"
        return task.result()

    def leftover_tasks(self) -> list[asyncio.Task[Any]]:
        """Tasks still pending that the machine did not start itself."""
        mine = set(self.tasks)
        return [t for t in asyncio.all_tasks(self.loop) if not t.done() and t not in mine]

    def close(self) -> None:
        for task in asyncio.all_tasks(self.loop):
            task.cancel()
        self.settle()
        self.loop.close()


class Gate:
    """Holds every pending Blob read until :meth:`open` (the browser finishing them)."""

    def __init__(self, sim: Sim) -> None:
        self._sim = sim
        self._waiters: list[asyncio.Future[None]] = []

    async def wait(self) -> None:
        waiter = self._sim.loop.create_future()
        self._waiters.append(waiter)
        await waiter

    @property
    def pending(self) -> int:
        return sum(not waiter.done() for waiter in self._waiters)

    def open(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


class SlowBlob(Blob):
    """A received Blob: like a browser's, reading it awaits (until the gate opens), and
    ``text()`` decodes as JS does, invalid bytes becoming U+FFFD."""

    def __init__(self, data: bytes, gate: Gate) -> None:
        super().__init__(data)
        self.gate = gate

    async def bytes(self) -> bytes:
        await self.gate.wait()
        return self._data

    async def text(self) -> str:
        await self.gate.wait()
        return self._data.decode("utf-8", "replace")


def data_of(message: object) -> object:
    """A received message's comparable value: a Blob's bytes, anything else as is."""
    return ("blob", message._data) if isinstance(message, Blob) else message


class SimTransport(FakeTransport):
    """The unit tests' fake socket, delivering binary messages as the browser would in
    either ``binary_type``, and answering a close as a live peer does."""

    sim: Sim
    answer_close = False
    """Whether the peer answers a close at once (else a rule answers it, or nobody does)."""

    def __init__(
        self, url: str, protocols: list[str], binary_type: BinaryType, events: Events
    ) -> None:
        super().__init__(url, protocols, binary_type, events)
        self.delivering = True

    def receive(self, payload: str | bytes) -> None:
        """The peer's message arrives (call as a loop callback)."""
        if isinstance(payload, str):
            self.events.on_message(payload)
        elif self.binary_type == "blob":
            self.events.on_message(SlowBlob(payload, self.sim.gate))
        else:
            self.events.on_message(bytes(payload))

    @property
    def live(self) -> bool:
        """Whether the browser would still report events (open or closing, not released)."""
        return not self.released and self.ready_state in (1, 2)

    def close(self, code: int, reason: str) -> None:
        super().close(code, reason)
        if self.answer_close:
            self.sim.loop.call_soon(self._answer, code, reason)

    def _answer(self, code: int, reason: str) -> None:
        if self.ready_state != 3:
            self.closed(code, reason, True)


def transport_factory(sim: Sim, *, answer_close: bool = False) -> type[SimTransport]:
    """A SimTransport class bound to ``sim``."""
    return type("BoundSimTransport", (SimTransport,), {"sim": sim, "answer_close": answer_close})


def in_thread[T](function: Callable[[], T]) -> T:
    """Run ``function`` in a thread of its own: pytest-playwright keeps an event loop
    running in the main thread, where another loop cannot run."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function).result()
