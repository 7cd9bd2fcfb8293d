"""The benchmark scenarios, written once for every Python contender.

Runs in the page (pyws, the naive wrapper, PyScript) and in CPython (the ``websockets``
client, loaded by ``bench.cpython``), so it imports nothing from the browser. A contender
supplies an :data:`Opener`: ``opener(url, binary_type)`` is an async context manager that
yields a connection with ``await send(m)``, ``await recv()`` and ``async for``.

Each scenario opens a fresh connection, warms it up, times only the measured part with
``time.perf_counter`` (``performance.now()`` in the page), and verifies the data after the
clock has stopped.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any, Protocol

MIB = 1024 * 1024


class Conn(Protocol):
    async def send(self, message: Any, /) -> None: ...

    async def recv(self) -> Any: ...

    def __aiter__(self) -> AsyncIterator[Any]: ...


Opener = Callable[[str, str], AbstractAsyncContextManager[Any]]
"""``opener(url, binary_type)`` with binary_type ``"bytes"`` or ``"blob"``."""
ToBytes = Callable[[Any], Awaitable[bytes | memoryview]]
"""Turns a received binary message (bytes, memoryview, Blob) into its bytes."""

Result = dict[str, Any]


class CallbackSocket:
    """What users write around a callback-based browser WebSocket for asyncio code:
    callbacks feed an ``asyncio.Queue``. The naive and PyScript contenders subclass it;
    each wires the callbacks and sends its own way."""

    def __init__(self) -> None:
        loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()

    def _on_open(self, event: Any) -> None:
        if not self.opened.done():
            self.opened.set_result(None)

    def _on_close(self, event: Any) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"cannot connect: {event.code}"))
        if not self.closed.done():
            self.closed.set_result(None)

    async def recv(self) -> Any:
        return await self.queue.get()

    async def __aiter__(self) -> AsyncIterator[Any]:
        while True:
            yield await self.queue.get()

    async def __aenter__(self) -> Any:
        await self.opened
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.ws.close()
        await asyncio.wait_for(self.closed, 10)

    ws: Any


def text(i: int) -> str:
    """Message ``i`` of a text scenario: exactly 16 ASCII bytes."""
    return f"{i:016d}"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return ordered[rank]


def expected_digest(payloads: Sequence[bytes], count: int) -> str:
    """SHA-256 of the ``count`` messages a binary scenario sends, in order."""
    digest = hashlib.sha256()
    for i in range(count):
        digest.update(payloads[i % len(payloads)])
    return digest.hexdigest()


async def rtt(open_: Opener, url: str, n: int, warmup: int) -> Result:
    """Send one 16-byte text message, await its echo; ``n`` times."""
    async with open_(url, "bytes") as ws:
        for i in range(warmup):
            await ws.send(text(i))
            await ws.recv()
        latencies: list[float] = []
        got: list[Any] = []
        perf = time.perf_counter
        start = perf()
        for i in range(n):
            sent = perf()
            await ws.send(text(i))
            got.append(await ws.recv())
            latencies.append(perf() - sent)
        seconds = perf() - start
    return {
        "seconds": seconds,
        "rate": n / seconds,
        "unit": "msg/s",
        "latency_median_us": percentile(latencies, 0.5) * 1e6,
        "latency_p99_us": percentile(latencies, 0.99) * 1e6,
        "intact": got == [text(i) for i in range(n)],
    }


async def pipelined(open_: Opener, url: str, n: int, warmup: int) -> Result:
    """Send ``n`` 16-byte text messages without waiting, then read until all are back."""
    async with open_(url, "bytes") as ws:
        for i in range(warmup):
            await ws.send(text(i))
        if warmup:
            count = 0
            async for _ in ws:
                count += 1
                if count == warmup:
                    break
        got: list[Any] = []
        perf = time.perf_counter
        start = perf()
        for i in range(n):
            await ws.send(text(i))
        handed_over = getattr(ws, "handed_over", None)
        if handed_over is not None:  # a design that coalesces sends: the phase includes it
            handed_over()
        sent = perf()
        async for message in ws:
            got.append(message)
            if len(got) == n:
                break
        seconds = perf() - start
    return {
        "seconds": seconds,
        "send_seconds": sent - start,
        "rate": n / seconds,
        "unit": "msg/s",
        "intact": got == [text(i) for i in range(n)],
    }


async def _windowed(ws: Conn, payloads: Sequence[bytes], n: int, window: int) -> list[Any]:
    """Keep ``window`` binary messages in flight until ``n`` have come back."""
    sent = 0
    for _ in range(min(window, n)):
        await ws.send(payloads[sent % len(payloads)])
        sent += 1
    got: list[Any] = []
    async for message in ws:
        got.append(message)
        if len(got) == n:
            break
        if sent < n:
            await ws.send(payloads[sent % len(payloads)])
            sent += 1
    return got


async def binary(
    open_: Opener,
    url: str,
    n: int,
    warmup: int,
    *,
    payloads: Sequence[bytes],
    window: int,
    binary_type: str,
    to_bytes: ToBytes,
) -> Result:
    """Echo ``n`` binary messages (the payloads in turn), ``window`` in flight at a time.

    ``binary_type="blob"`` receives Blobs; their bytes are read for the digest only after
    the clock has stopped, as with every other check.
    """
    async with open_(url, binary_type) as ws:
        if warmup:
            await _windowed(ws, payloads, warmup, window)
        perf = time.perf_counter
        start = perf()
        got = await _windowed(ws, payloads, n, window)
        seconds = perf() - start
    digest = hashlib.sha256()
    size = 0
    for message in got:
        chunk = await to_bytes(message)
        size += len(chunk)
        digest.update(chunk)
    received = digest.hexdigest()
    return {
        "seconds": seconds,
        "rate": size / MIB / seconds,
        "unit": "MiB/s",
        "messages": len(got),
        "digest": received,
        "intact": received == expected_digest(payloads, n),
    }


async def fanin(open_: Opener, url: str, n: int, warmup: int, *, connections: int) -> Result:
    """``connections`` connections at once, each echoing ``n`` messages one at a time."""

    async def echo(ws: Conn, count: int, out: list[Any] | None) -> None:
        for i in range(count):
            await ws.send(text(i))
            message = await ws.recv()
            if out is not None:
                out.append(message)

    async with AsyncExitStack() as stack:
        conns: list[Conn] = list(
            await asyncio.gather(
                *(stack.enter_async_context(open_(url, "bytes")) for _ in range(connections))
            )
        )
        await asyncio.gather(*(echo(ws, warmup, None) for ws in conns))
        results: list[list[Any]] = [[] for _ in conns]
        perf = time.perf_counter
        start = perf()
        await asyncio.gather(*(echo(ws, n, out) for ws, out in zip(conns, results, strict=True)))
        seconds = perf() - start
    expected = [text(i) for i in range(n)]
    return {
        "seconds": seconds,
        "rate": connections * n / seconds,
        "unit": "msg/s",
        "intact": all(got == expected for got in results),
    }


async def run(
    scenario: str,
    open_: Opener,
    options: dict[str, Any],
    *,
    payloads: Sequence[bytes] = (),
    to_bytes: ToBytes | None = None,
) -> Result:
    """Run one scenario as the harness describes it in ``options``."""
    url = str(options["url"])
    n = int(options["n"])
    warmup = int(options["warmup"])
    if scenario == "rtt":
        return await rtt(open_, url, n, warmup)
    if scenario == "pipelined":
        return await pipelined(open_, url, n, warmup)
    if scenario in ("binary", "blob"):
        if to_bytes is None:
            raise ValueError("binary scenarios need to_bytes")
        return await binary(
            open_,
            url,
            n,
            warmup,
            payloads=payloads,
            window=int(options["window"]),
            binary_type="blob" if scenario == "blob" else "bytes",
            to_bytes=to_bytes,
        )
    if scenario == "fanin":
        return await fanin(open_, url, n, warmup, connections=int(options["connections"]))
    raise ValueError(f"unknown scenario {scenario!r}")
