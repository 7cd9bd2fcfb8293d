"""pyws.sync's relay, the plain-Python parts: what each refusal names, and the loop that
waits on the ring (here on a fake channel whose records come at set times)."""

from __future__ import annotations

import asyncio
import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest

from pyws._relay import Facts, RelayLoop, no_host, refusal
from pyws._ring import Kind, Record

WORKER = Facts(jspi=False, node=False, worker=True, isolated=True, shared=True)


def test_the_relay_runs_in_an_isolated_worker_without_jspi() -> None:
    assert refusal(WORKER, forced=False) is None


def test_jspi_serves_unless_the_relay_is_forced() -> None:
    main = Facts(jspi=True, node=False, worker=False, isolated=False, shared=False)
    assert refusal(main, forced=False) is None
    message = refusal(main, forced=True)
    assert message is not None
    assert "set_mode('relay') forces the relay" in message
    assert "main thread" in message and "not cross-origin isolated" in message


@pytest.mark.parametrize(
    ("facts", "named", "not_named"),
    [
        (WORKER._replace(worker=False), ["main thread"], ["not cross-origin isolated"]),
        (WORKER._replace(isolated=False, shared=False), ["not cross-origin isolated"], ["main"]),
        (WORKER._replace(shared=False), ["JSC_useSharedArrayBuffer=1"], ["main thread"]),
    ],
)
def test_each_refusal_names_what_is_missing_and_the_set_up(
    facts: Facts, named: list[str], not_named: list[str]
) -> None:
    message = refusal(facts, forced=False)
    assert message is not None
    for words in [*named, "JavaScript Promise Integration", "Safari from 27", "hostRelays"]:
        assert words in message, message
    for words in [*not_named, "set_mode"]:
        assert words not in message, message
    for words in ("Cross-Origin-Opener-Policy: same-origin", "pyws-relay.mjs", "async API"):
        assert words in message, message


def test_node_without_jspi_is_told_about_its_flag() -> None:
    message = refusal(WORKER._replace(node=True, worker=False), forced=False)
    assert message is not None and "--experimental-wasm-stack-switching" in message
    assert "hostRelays" not in message


def test_a_missing_host_is_named_with_the_wait() -> None:
    message = no_host(2.5)
    assert "no relay host answered this worker within 2.5 s" in message
    assert "hostRelays(worker)" in message


class FakeChannel:
    """Records that arrive at given loop times; take() waits for the next one."""

    def __init__(self, arrivals: list[tuple[float, Record]]) -> None:
        self.arrivals = sorted(arrivals, key=lambda a: a[0])
        self.now = 0.0
        self.waits: list[float | None] = []
        self.dispatched: list[Record] = []

    def time(self) -> float:
        return self.now

    def take(self, timeout: float | None) -> list[Record]:
        self.waits.append(timeout)
        due = [r for t, r in self.arrivals if t <= self.now]
        if not due and self.arrivals:
            next_at = self.arrivals[0][0]
            if timeout is None or self.now + timeout >= next_at:
                self.now = next_at
            else:
                self.now += timeout
        elif not due and timeout is not None:
            self.now += timeout
        due = [r for t, r in self.arrivals if t <= self.now]
        self.arrivals = [(t, r) for t, r in self.arrivals if t > self.now]
        return due

    def dispatch(self, records: list[Record]) -> None:
        self.dispatched.extend(records)


def test_the_loop_waits_on_the_channel_until_its_next_timer_and_runs_inside_another() -> None:
    message = Record(1, Kind.TEXT, b"hi")
    channel = FakeChannel([(5.0, message)])
    loop = RelayLoop(channel)
    loop.time = channel.time  # type: ignore[method-assign]
    fired = []

    async def main() -> str:
        loop.call_later(2.0, fired.append, "timer")
        while not channel.dispatched:
            await asyncio.sleep(0.5)
        return "done"

    async def outer() -> tuple[str, asyncio.Task[object] | None]:
        # From inside a task of another loop, as pyws.sync runs inside Pyodide's.
        result = loop.run_blocking(main())
        return result, asyncio.current_task()

    # asyncio.run in a thread of its own: pytest-playwright keeps a loop running in the main
    # thread once a page test has run (a fresh clone's make test failed here).
    with ThreadPoolExecutor(1) as pool:
        result, task = pool.submit(asyncio.run, outer()).result()
    assert result == "done" and task is not None  # the outer task was restored
    assert fired == ["timer"] and channel.dispatched == [message]
    assert all(w is not None and w <= 0.5 for w in channel.waits), channel.waits
    loop.close()


def test_the_loop_blocks_without_bound_when_nothing_is_scheduled() -> None:
    message = Record(7, Kind.CLOSE, b"{}")
    channel = FakeChannel([(3.0, message)])
    loop = RelayLoop(channel)
    loop.time = channel.time  # type: ignore[method-assign]
    got: asyncio.Future[None] = loop.create_future()
    counter = itertools.count()

    def dispatch(records: list[Record]) -> None:
        next(counter)
        if records and not got.done():
            got.set_result(None)

    channel.dispatch = dispatch  # type: ignore[method-assign]
    loop.run_blocking(got)
    assert None in channel.waits and channel.now == 3.0
    loop.close()
