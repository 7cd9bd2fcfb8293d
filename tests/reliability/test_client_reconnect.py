"""Reconnecting through real faults in Chromium: the server killed and restarted on the
same port, and the browser going offline and online again (Playwright's set_offline)."""

from __future__ import annotations

import random
import time
from typing import Any

from pytest_pyodide import run_in_pyodide

from tests.reliability.conftest import server_killed_then_restarted


@run_in_pyodide(packages=["pyws"])
async def stream_through_a_restart(selenium: Any, url: str) -> str:
    """Send numbered messages through a ReconnectingWebSocket while the server dies and
    comes back; count the iterator's connections meanwhile."""
    import asyncio

    import pyws

    quick = pyws.Backoff(initial=0.2, factor=2.0, max_delay=0.5)
    sent: list[str] = []
    queued: list[str] = []
    received: list[object] = []
    connections = 0

    async def iterate() -> None:
        nonlocal connections
        async for ws in pyws.connect(url, backoff=quick, min_uptime=0):
            connections += 1
            if connections == 2:
                await ws.send("second")
                assert await ws.recv() == "second"
                return
            try:
                async for _message in ws:
                    pass
            except pyws.ConnectionClosed:
                continue

    async with asyncio.timeout(60):  # hang guard
        iterating = asyncio.ensure_future(iterate())
        async with pyws.ReconnectingWebSocket(url, backoff=quick, min_uptime=0) as rws:

            async def read() -> None:
                async for message in rws:
                    received.append(message)
                    if message == "last":
                        return

            reading = asyncio.ensure_future(read())
            for i in range(300):  # about 3 s, across the kill at 1.5 s and the restart
                if rws.state is not pyws.State.OPEN:
                    queued.append(f"{i}")
                await rws.send(f"{i}")
                sent.append(f"{i}")
                await asyncio.sleep(0.01)
            while rws.state is not pyws.State.OPEN:
                await asyncio.sleep(0.05)
            await rws.send("last")
            await reading
        await iterating
    numbers = [m for m in received if m != "last"]
    assert len(set(numbers)) == len(numbers), "a message arrived twice"
    assert numbers == sorted(numbers, key=int), "out of order"
    assert queued, "nothing was sent while the server was down"
    missing = [m for m in queued if m not in numbers]
    assert not missing, f"queued while down but never delivered: {missing}"
    assert connections == 2
    return (
        f"{len(sent)} sent, {len(queued)} of them queued while down, {len(numbers)} echoed; "
        f"lost in flight at the kill: {len(sent) - len(numbers)}"
    )


def test_server_killed_and_restarted_on_the_same_port(selenium: Any) -> None:
    # Killed 1 s after the iterator and the ReconnectingWebSocket opened (3 s of sends),
    # down for half a second: sends queue meanwhile.
    with server_killed_then_restarted(opened=2, after=1.0, down=0.5) as first:
        summary = stream_through_a_restart(selenium, first.ws_url())
    print(summary)


LONG_WAIT_SEED = next(s for s in range(1000) if random.Random(s).uniform(0, 60) > 40)
"""A seed whose first backoff delay is over 40 s, so only the online event ends it soon."""


@run_in_pyodide(packages=["pyws"])
async def start_waiting(selenium: Any, url: str, seed: int) -> None:
    import asyncio
    import random
    import sys
    import time

    import pyws

    attempts: list[float] = []

    def fresh_url() -> str:
        attempts.append(time.monotonic())
        return url

    async def loop() -> None:
        backoff = pyws.Backoff(initial=60, factor=1, max_delay=60, rng=random.Random(seed))
        async for _ws in pyws.connect(fresh_url, backoff=backoff, max_retries=1):
            raise AssertionError("connected to a closed port")

    sys.modules["__main__"].reconnect_wait = (asyncio.ensure_future(loop()), attempts)


@run_in_pyodide(packages=["pyws", "pytest"])
async def finish_waiting(selenium: Any) -> float:
    import asyncio
    import sys

    import pytest

    import pyws

    task, attempts = sys.modules["__main__"].reconnect_wait
    with pytest.raises(pyws.InvalidHandshake):
        await asyncio.wait_for(task, 20)
    assert len(attempts) == 2
    return float(attempts[1] - attempts[0])


def test_coming_back_online_ends_the_backoff_wait(selenium: Any) -> None:
    assert random.Random(LONG_WAIT_SEED).uniform(0, 60) > 40
    start_waiting(selenium, "ws://127.0.0.1:1/", LONG_WAIT_SEED)
    time.sleep(1.0)  # the first attempt failed; the long wait runs
    context = selenium.driver.context
    context.set_offline(True)
    time.sleep(0.3)
    context.set_offline(False)  # fires "online": the wait ends, the second attempt runs
    between = finish_waiting(selenium)
    print(f"second attempt {between:.2f} s after the first (drawn delay over 40 s)")
    assert between < 20
