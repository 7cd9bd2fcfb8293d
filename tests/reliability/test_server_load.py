"""Load: many concurrent CPython `websockets` clients echo against one fresh server process.

The quick variant runs by default; the full-size one is marked `long`:
`.venv/bin/pytest tests/reliability -m long`.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from harness.aio import run_async
from harness.server import start_server
from tests.reliability.conftest import (
    peak_rss,
    raise_nofile,
    server_args,
    wait_for_log,
)

PEAK_RSS_BOUND = 128 * 1024 * 1024
"""Upper bound on the server's peak RSS (VmHWM) during either variant.

Measured on CPython 3.13 / aiohttp 3.14 (2 cores): about 38 MiB right after start, about
40 MiB after 100 clients x 50 messages and about 49 MiB after 500 clients x 200 messages
(messages of 0-2 KiB). 128 MiB is ~2.6x the larger figure: room for allocator and
version noise, yet far below what a leak of the echoed payloads (~100 MiB sent in
the long variant) or a per-connection buffer blow-up would reach.
"""
MAX_PAYLOAD = 2048
"""Messages carry 0..MAX_PAYLOAD-1 bytes of padding (plus a short header)."""
GUARD_PER_MESSAGE = 0.003
"""Hang guard: seconds allowed per echoed message, never less than GUARD_MIN. Not a timing
assertion: 500 x 200 took ~20 s, the guard allows 300 s."""
GUARD_MIN = 60.0
FD_HEADROOM = 64
"""File descriptors beyond one per client (stdio, pipes, the loop's selector...)."""


@dataclass
class Outcome:
    errors: list[BaseException]
    mismatched: list[int]
    """Indexes of clients whose echoes differ from what they sent (content, type or order)."""
    elapsed: float


def messages(client: int, count: int) -> list[str | bytes]:
    """Deterministic per client: text and binary alternate, sizes vary, each is unique."""
    rng = random.Random(client)
    out: list[str | bytes] = []
    for i in range(count):
        pad = rng.randrange(MAX_PAYLOAD)
        if i % 2:
            out.append(f"{client}:{i}:" + rng.choice("xé€😀") * (pad // 4))
        else:
            out.append(f"{client}:{i}:".encode() + rng.randbytes(pad))
    return out


async def echo_client(url: str, index: int, count: int, all_connected: asyncio.Barrier) -> bool:
    """Connect, wait until every client is connected, then pipeline `count` messages.

    Sending and receiving run concurrently, so the server has many echoes in flight per
    connection and the comparison checks order, not just content.
    """
    sent = messages(index, count)
    received: list[str | bytes] = []
    try:
        ws = await connect(url, max_size=None, compression=None, open_timeout=60)
    except BaseException:
        await all_connected.abort()  # the others would wait for this client forever
        raise
    async with ws:
        await all_connected.wait()

        async def receive() -> None:
            for _ in sent:
                received.append(await ws.recv())

        receiver = asyncio.create_task(receive())
        try:
            for message in sent:
                await ws.send(message)
        finally:
            await receiver
    return received == sent


async def load(url: str, clients: int, count: int) -> Outcome:
    all_connected = asyncio.Barrier(clients)
    start = time.monotonic()
    results = await asyncio.gather(
        *(echo_client(url, i, count, all_connected) for i in range(clients)),
        return_exceptions=True,
    )
    elapsed = time.monotonic() - start
    errors = [r for r in results if isinstance(r, BaseException)]
    mismatched = [i for i, r in enumerate(results) if r is False]
    return Outcome(errors, mismatched, elapsed)


@pytest.mark.parametrize(
    ("clients", "count"),
    [
        pytest.param(100, 50, id="quick-100x50"),
        pytest.param(500, 200, id="long-500x200", marks=pytest.mark.long),
    ],
)
def test_concurrent_echo_load(tmp_path: Path, clients: int, count: int) -> None:
    raise_nofile(clients + FD_HEADROOM)
    guard = max(GUARD_MIN, clients * count * GUARD_PER_MESSAGE)
    with start_server(*server_args(tmp_path)) as server:
        before = peak_rss(server.proc.pid)
        outcome = run_async(load(server.ws_url(), clients, count), guard)
        closed = wait_for_log(server, lambda line: "ws closed" in line, count=clients)
        peak = peak_rss(server.proc.pid)
    print(
        f"\nload {clients} clients x {count} messages: {len(outcome.errors)} errors, "
        f"{len(outcome.mismatched)} mismatched, {outcome.elapsed:.1f} s; server peak RSS "
        f"{peak / 2**20:.1f} MiB (at start {before / 2**20:.1f} MiB, "
        f"bound {PEAK_RSS_BOUND / 2**20:.0f} MiB)"
    )
    assert outcome.errors == []
    assert outcome.mismatched == []
    # The server's own accounting agrees: one line per client, every message both ways.
    assert len(closed) == clients
    for line in closed:
        assert f"in={count} msgs" in line and f"out={count} msgs" in line, line
        assert "code=1000" in line and "error=" not in line, line
    assert "Traceback" not in "".join(server.log)
    assert peak < PEAK_RSS_BOUND
