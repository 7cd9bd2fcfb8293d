"""Scenarios: streams through the receive path (issue 16). A waiting reader is resumed
inside the message handler, or one loop iteration later when messages come back to back
so that one resume takes a burst; whichever way, nothing is lost and order is kept, with
bounds and a heartbeat in the way, a reader whose pace changes, and cancelled reads."""

from __future__ import annotations

import asyncio
import contextlib

import pyws

from .suite import Server, scenario


def _text(i: int) -> str:
    return f"{i:016d}"  # 16 bytes, as the bench's pipelined messages


def _number(message: object) -> int:
    return int(str(message).split(" ")[0])


@scenario()
async def ten_thousand_pipelined_messages_arrive_in_order_with_bounds_and_a_heartbeat(
    server: Server,
) -> None:
    n = 10_000
    # A beat every 20 ms, echoed by /echo and taken as its reply: it goes out and comes
    # back amid the stream, and must be heard (no timeout) but never returned.
    beat = pyws.Heartbeat(interval=0.02, timeout=30.0, message="beat", reply="beat")
    async with pyws.connect(
        server.url("/echo"),
        heartbeat=beat,
        max_queue=n + 100,  # high enough to hold every echo and the beats: nothing dropped
        max_queue_bytes=64 * (n + 100),
        overflow="drop_newest",
    ) as ws:
        for i in range(n):
            await ws.send(_text(i))
        got = []
        async for message in ws:
            got.append(message)
            if len(got) == n:
                break
        assert ws.state is pyws.State.OPEN, ws.close_reason
        assert ws.dropped == 0
    assert got == [_text(i) for i in range(n)]


@scenario()
async def a_reader_slow_then_fast_then_slow_loses_nothing_and_keeps_order(
    server: Server,
) -> None:
    n = 3000
    async with pyws.connect(server.url(f"/push?count={n}&size=32&type=text")) as ws:
        got: list[int] = []
        async for message in ws:
            got.append(_number(message))
            if len(got) < 300 or len(got) > 2700:
                # slow: other tasks and the browser's events run between reads, so
                # messages pile up; in between, as fast as the queue gives them
                await asyncio.sleep(0.001 if len(got) % 2 else 0)
        assert ws.close_code == 1000
    assert got == list(range(n))


@scenario()
async def a_recv_cancelled_in_the_middle_of_a_burst_loses_nothing(server: Server) -> None:
    n = 3000
    async with pyws.connect(server.url("/echo")) as ws:
        for i in range(n):
            await ws.send(_text(i))
        got: list[object] = []
        step = 0
        while len(got) < n:
            step += 1
            reader = asyncio.ensure_future(ws.recv())
            # Cancel at every point of a read: before it starts, while it waits (resumed
            # or not yet), and after it has returned (then its message counts).
            for _ in range(step % 4):
                await asyncio.sleep(0)
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                got.append(await reader)
            if step % 7 == 0:  # and a timeout in the middle of a burst
                with contextlib.suppress(TimeoutError):
                    got.append(await ws.recv(timeout=0.0005))
    assert got == [_text(i) for i in range(n)]


async def _until_dropped(ws: pyws.WebSocket, before: int) -> None:
    """Read nothing until the queue overflows once more (or the connection ends)."""
    while ws.dropped == before and ws.state is pyws.State.OPEN:
        await asyncio.sleep(0.005)


@scenario()
async def drop_oldest_under_a_burst_counts_exactly_what_it_dropped(server: Server) -> None:
    n = 5000
    async with pyws.connect(
        server.url(f"/push?count={n}&size=16&type=text"), max_queue=8, overflow="drop_oldest"
    ) as ws:
        await _until_dropped(ws, 0)
        got: list[int] = []
        async for message in ws:
            got.append(_number(message))
            if len(got) % 500 == 0:
                await _until_dropped(ws, ws.dropped)  # fall behind again, mid-stream
        assert ws.close_code == 1000
        dropped = ws.dropped
    assert got == sorted(set(got)), "order kept, nothing twice"
    assert got[-1] == n - 1, "drop_oldest keeps the newest"
    assert dropped == n - len(got), (dropped, len(got))
    assert dropped > 0
