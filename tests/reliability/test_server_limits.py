"""Limits under load: an over-size message closes only its sender, with 1009 and one log line.

tests/server/test_echo.py already checks the basics against a shared 2 MiB server (one
binary message of max+1 bytes, one idle bystander, one `code=1009` line; a message of
exactly max passes). This adds what it does not cover: a server started with
`--max-size 1MiB`, bystanders that keep echoing *while* the offender is cut off, other
shapes of over-size message (text, fragmented, far over the limit, a deflate bomb), and a
log with exactly one line for the offender and no warning or traceback at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError

from harness.aio import run_async
from harness.server import ServerProcess, start_server
from tests.reliability.conftest import server_args, wait_for_log

MAX_SIZE = 1024 * 1024
"""--max-size for these servers (1 MiB)."""
BYSTANDERS = 20
ECHOES_AFTER = 5
"""Each bystander must echo this many more messages after the offender was closed."""
MAX_ECHOES = 100_000
"""Bound on any bystander's loop (it normally stops after a few hundred)."""
MESSAGE_TOO_BIG = 1009


@dataclass
class Bystander:
    echoes: int = 0
    after: int = 0
    """Echoes completed after the offender's close."""
    progressed: asyncio.Event = field(default_factory=asyncio.Event)


async def bystand(
    url: str, index: int, me: Bystander, offender_closed: asyncio.Event, stop: asyncio.Event
) -> None:
    async with connect(url, max_size=None, compression=None) as ws:
        for i in range(MAX_ECHOES):
            if stop.is_set():
                return
            message = f"bystander {index} message {i} " + "b" * (i % 300)
            await ws.send(message)
            assert await ws.recv() == message
            me.echoes += 1
            if offender_closed.is_set():
                me.after += 1
                if me.after >= ECHOES_AFTER:
                    me.progressed.set()
        raise AssertionError(f"bystander {index} echoed {MAX_ECHOES} without being stopped")


async def send_over(ws: ClientConnection) -> None:
    await ws.send(b"o" * (MAX_SIZE + 1))


async def send_text_over(ws: ClientConnection) -> None:
    await ws.send("é" * (MAX_SIZE // 2) + "o")  # MAX_SIZE + 1 bytes of UTF-8


async def send_fragmented_over(ws: ClientConnection) -> None:
    # Every frame is small; only the whole message is over the limit.
    await ws.send(b"f" * (64 * 1024) for _ in range(MAX_SIZE // (64 * 1024) + 1))


async def send_far_over(ws: ClientConnection) -> None:
    # 16x the limit: the server refuses on the frame header, without buffering the payload.
    await ws.send(b"F" * (16 * MAX_SIZE))


async def send_deflate_bomb(ws: ClientConnection) -> None:
    # A few KiB on the wire, 4 MiB once inflated.
    assert ws.response is not None
    assert "permessage-deflate" in ws.response.headers.get("Sec-WebSocket-Extensions", "")
    await ws.send(bytes(4 * MAX_SIZE))


@dataclass(frozen=True)
class Offence:
    send: Callable[[ClientConnection], Awaitable[None]]
    compression: bool = False


OFFENCES = {
    "binary": Offence(send_over),
    "text": Offence(send_text_over),
    "fragmented": Offence(send_fragmented_over),
    "far-over": Offence(send_far_over),
    "deflate-bomb": Offence(send_deflate_bomb, compression=True),
}


async def offend(url: str, offence: Offence) -> int | None:
    """Send the over-size message; return the close code received, None if none was.

    The server refuses the message (on its frame header, or once it has read past the
    limit) while the send may still be draining, so the close surfaces from ``send()`` or
    from ``recv()``. If the server closes TCP with bytes of ours unread, its RST can end
    our write before we read its close frame: then none was received. The server's log
    line tells the code it sent, whichever way.
    """
    async with connect(
        url, max_size=None, compression="deflate" if offence.compression else None
    ) as ws:
        await ws.send("a message within the limit first")
        await ws.recv()
        try:
            await offence.send(ws)
            await ws.recv()
        except ConnectionClosedError as closed:
            return closed.rcvd.code if closed.rcvd is not None else None
    raise AssertionError("the server echoed an over-size message")


async def scenario(server: ServerProcess, offence: Offence) -> int | None:
    url = server.ws_url()
    offender_closed, stop = asyncio.Event(), asyncio.Event()
    bystanders = [Bystander() for _ in range(BYSTANDERS)]
    tasks = [
        asyncio.create_task(bystand(url, i, me, offender_closed, stop))
        for i, me in enumerate(bystanders)
    ]

    async def until(condition: Callable[[], bool]) -> None:
        while not condition():
            await asyncio.sleep(0.01)
            for task in tasks:
                if task.done():
                    task.result()  # a bystander failed or stopped early: raise now

    try:
        await until(lambda: all(me.echoes for me in bystanders))  # every one is echoing
        code = await offend(url, offence)
        offender_closed.set()
        await until(lambda: all(me.progressed.is_set() for me in bystanders))
        stop.set()
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    return code


@pytest.mark.parametrize("name", OFFENCES)
def test_over_size_closes_only_the_offender(tmp_path: Path, name: str) -> None:
    offence = OFFENCES[name]
    args = ["--max-size", str(MAX_SIZE)]
    if offence.compression:
        args += ["--compression", "deflate"]
    with start_server(*server_args(tmp_path), *args) as server:
        code = run_async(scenario(server, offence))
        closed = wait_for_log(server, lambda line: "ws closed" in line, count=BYSTANDERS + 1)
    log = server.log
    assert code in (MESSAGE_TOO_BIG, None), code
    assert len(closed) == BYSTANDERS + 1
    # Exactly one line for the offender: its one good message, then 1009 with the reason.
    offender = [line for line in closed if f"code={MESSAGE_TOO_BIG}" in line]
    assert len(offender) == 1, closed
    print(f"\n{name}: {offender[0].strip()}")
    assert "in=1 msgs" in offender[0] and "out=1 msgs" in offender[0], offender
    # The reason names --max-size itself, not aiohttp's internal limit of --max-size + 1.
    assert f"limit {MAX_SIZE}'" in offender[0], offender
    for line in closed:
        if line is not offender[0]:
            assert "code=1000" in line and "error=" not in line, line
    # Nothing else at warning level or above, and no traceback anywhere.
    noisy = [line for line in log if " WARNING " in line or " ERROR " in line]
    assert noisy == [], noisy
    assert "Traceback" not in "".join(log)
