"""Shutdown under load: SIGTERM while 200 clients echo closes each with 1001, then exit 0.

tests/server/test_cli.py checks the same with four idle or lightly loaded clients (one per
endpoint kind); this one keeps 200 /echo clients busy at the moment the signal lands.
"""

from __future__ import annotations

import asyncio
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from harness.aio import run_async
from harness.server import ServerProcess, start_server
from tests.reliability.conftest import raise_nofile, server_args

CLIENTS = 200
SHUTDOWN_BOUND = 5.0
"""The spec: every client closed with 1001 and the process exited within this many seconds
of SIGTERM. It bounds the wait; it is not a performance figure."""
WARM_UP = 3
"""Echoes each client completes before the signal is sent, so all are mid-conversation."""
MAX_ECHOES = 1_000_000
"""Bound on each client's loop; the signal normally ends it after a few dozen."""
GOING_AWAY = 1001


@dataclass
class Result:
    code: int | None = None
    """Close code received from the server (None: the connection dropped without one)."""
    closed_at: float = 0.0
    echoes: int = 0


async def chatter(ws: ClientConnection, index: int, me: Result, warm: asyncio.Event) -> None:
    """Echo continuously (checking each answer) until the server closes the connection."""
    try:
        for i in range(MAX_ECHOES):
            message = f"client {index} message {i} " + "s" * (i % 500)
            await ws.send(message)
            assert await ws.recv() == message
            me.echoes += 1
            if me.echoes == WARM_UP:
                warm.set()
    except ConnectionClosed as closed:
        me.closed_at = time.monotonic()
        me.code = closed.rcvd.code if closed.rcvd is not None else None
        return
    raise AssertionError(f"client {index} echoed {MAX_ECHOES} messages without a close")


async def scenario(server: ServerProcess) -> tuple[list[Result], float, float, int]:
    """Return each client's result, the seconds to the last close and to exit, and the code."""
    url = server.ws_url()
    clients = [await connect(url, max_size=None, compression=None) for _ in range(CLIENTS)]
    results = [Result() for _ in clients]
    warm = [asyncio.Event() for _ in clients]
    tasks = [
        asyncio.create_task(chatter(ws, i, results[i], warm[i])) for i, ws in enumerate(clients)
    ]
    try:
        await asyncio.gather(*(event.wait() for event in warm))
        signalled = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(SHUTDOWN_BOUND):
            await asyncio.gather(*tasks)
            returncode = await asyncio.to_thread(
                server.proc.wait, SHUTDOWN_BOUND - (time.monotonic() - signalled)
            )
        exited = time.monotonic()
    finally:
        for task in tasks:
            task.cancel()
        for ws in clients:
            ws.transport.abort()
    last_close = max(r.closed_at for r in results) - signalled
    return results, last_close, exited - signalled, returncode


def test_sigterm_under_load_closes_every_client_with_1001(tmp_path: Path) -> None:
    raise_nofile(CLIENTS + 64)
    with start_server(*server_args(tmp_path)) as server:
        results, last_close, exit_after, returncode = run_async(scenario(server))
    echoes = sum(r.echoes for r in results)
    print(
        f"\nshutdown: {CLIENTS} clients ({echoes} echoes) all closed {last_close:.2f} s after "
        f"SIGTERM, process exited after {exit_after:.2f} s (bound {SHUTDOWN_BOUND} s)"
    )
    codes = {r.code for r in results}
    assert codes == {GOING_AWAY}, [r.code for r in results]
    assert returncode == 0
    log = "".join(server.log)
    assert "Traceback" not in log, log
    closed = [line for line in server.log if "ws closed" in line]
    assert len(closed) == CLIENTS
    assert all(f"code={GOING_AWAY}" in line for line in closed), closed
    assert f"closing {CLIENTS} WebSocket(s)" in log
